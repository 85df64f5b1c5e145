// Issue 24, item 6: probes had no time or memory bound. A Loop whose trip count is 1e15 made the editor's probe run
// forever (and every later probe waited behind it); a 300-byte ConstantOfShape allocated 2.9 GB. Real models, through
// the editor's probe worker with small budgets: the worker is stopped with a reason that says which budget, and the
// next probe starts a fresh worker that answers.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, ModelError, saveModel } from '../../../src/engine/onnx';
import { listTensors } from '../../../src/cli/inspect';
import type { ModelProto, NodeProto } from '../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { makeTensor } from '../../../src/engine/onnx/tensor';
import { ProbeWorker } from '../../../src/extension/probeWorker';
import { WorkerRunError } from '../../../src/worker/errors';
import { mlpModel } from '../../fixtures/models';

const node = (opType: string, input: string[], output: string[], attribute: NodeProto['attribute'] = []): NodeProto => ({ opType, input, output, name: output[0]!, domain: '', attribute });

function model(nodes: NodeProto[], initializer: ModelProto['graph']['initializer'], input: ModelProto['graph']['input'], output: ModelProto['graph']['output']): ModelProto {
  return {
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 1, docString: '', metadataProps: [], functions: [],
    graph: { name: 'g', node: nodes, initializer, input, output, valueInfo: [] },
  };
}

/** y = x + 1, repeated 1e15 times. */
function endlessLoop(): ModelProto {
  const body = {
    name: 'body', initializer: [makeTensor('one', [1], new Float32Array([1]))], valueInfo: [],
    input: [makeValueInfo('i', 'int64', []), makeValueInfo('c_in', 'bool', []), makeValueInfo('v_in', 'float32', [1])],
    output: [makeValueInfo('c_out', 'bool', []), makeValueInfo('v_out', 'float32', [1])],
    node: [node('Identity', ['c_in'], ['c_out']), node('Add', ['v_in', 'one'], ['v_out'])],
  };
  return model(
    [node('Loop', ['trips', 'cond', 'x'], ['y'], [{ name: 'body', type: 5, g: body }])],
    [makeTensor('trips', [], new BigInt64Array([10n ** 15n])), makeTensor('cond', [], new Uint8Array([1]), 9)],
    [makeValueInfo('x', 'float32', [1])], [makeValueInfo('y', 'float32', [1])],
  );
}

/** 16000 × 16000 float32 zeros (1 GB) from a model of a few hundred bytes, added to x. */
function hugeConstant(): ModelProto {
  return model(
    [node('ConstantOfShape', ['shape'], ['big']), node('Add', ['big', 'x'], ['y'])],
    [makeTensor('shape', [2], new BigInt64Array([16_000n, 16_000n]))],
    [makeValueInfo('x', 'float32', [1])], [makeValueInfo('y', 'float32', [16_000, 16_000])],
  );
}

describe('security: probes have a time and a memory budget (issue 24, item 6)', function () {
  this.timeout(120_000);
  let dir: string;
  let worker: ProbeWorker;
  const probe = (file: string, feeds: Record<string, number[]>) => worker.probe(file, loadModel(file).sha256, feeds);
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-budget-'));
    saveModel(endlessLoop(), path.join(dir, 'loop.onnx'));
    saveModel(hugeConstant(), path.join(dir, 'big.onnx'));
    saveModel(mlpModel(), path.join(dir, 'mlp.onnx'));
    worker = new ProbeWorker(undefined, { seconds: 4, baseBytes: 300 * 2 ** 20, perModelByte: 4 });
  });
  after(async () => {
    await worker.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a Loop of 1e15 iterations is stopped at its time budget, and the next probe is answered', async () => {
    const t = performance.now();
    await assert.rejects(probe(path.join(dir, 'loop.onnx'), { x: [1] }), (e: unknown) => e instanceof WorkerRunError && e.code === 'over-budget' && /took longer than 4 s/.test(e.message));
    assert.ok(performance.now() - t < 30_000);
    const shapes = await probe(path.join(dir, 'mlp.onnx'), { x: [2, 8] });
    assert.deepEqual(shapes.get('logits')?.dims, [2, 4]);
  });

  it('a model that allocates a gigabyte is stopped at its memory budget', async () => {
    await assert.rejects(probe(path.join(dir, 'big.onnx'), { x: [1] }), (e: unknown) => e instanceof WorkerRunError && e.code === 'over-budget' && /used more than 300 MiB of memory/.test(e.message));
    const shapes = await probe(path.join(dir, 'mlp.onnx'), { x: [2, 8] });
    assert.deepEqual(shapes.get('logits')?.dims, [2, 4]);
  });

  it('the CLI (check, inspect --tensors) probes in the same budgeted worker: stopped with a reason, the command ends', async () => {
    const budget = { seconds: 4, baseBytes: 300 * 2 ** 20, perModelByte: 4 };
    await assert.rejects(listTensors(path.join(dir, 'loop.onnx'), budget), (e: unknown) => e instanceof ModelError && /loop\.onnx: the shape probe took longer than 4 s and was stopped/.test(e.message));
    await assert.rejects(listTensors(path.join(dir, 'big.onnx'), budget), (e: unknown) => e instanceof ModelError && /the shape probe used more than 300 MiB of memory/.test(e.message));
    const rows = await listTensors(path.join(dir, 'mlp.onnx'), budget);
    assert.deepEqual(rows.find((r) => r.name === 'logits')?.shape.slice(1), [4]);
  });
});
