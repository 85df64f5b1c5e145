// ONNX model IO on real files: summaries of the fixtures, graph queries, save/load, external data, bad files.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createSession, encodeModel, GraphBuilder, GraphIndex, loadModel, ModelError, ModelProto, ort, placeholderFeeds, saveModel, summarizeModel,
} from '../../../../src/engine/onnx';
import { saveModelWithExternalData } from '../../../../src/engine/onnx/load';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { floatTensor, makeTensor, tensorValues } from '../../../../src/engine/onnx/tensor';
import { DataType } from '../../../../src/engine/onnx/proto';
import { defaultExecutionProviders } from '../../../../src/engine/onnx/runtime';
import { cnnModel, mlpModel, seededValues, transformerModel } from '../../../fixtures/models';

const size = (dims: number[]) => dims.reduce((a, d) => a * d, 1);

/** Runs a model on fixed inputs and returns the first output's values. */
async function run(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await createSession(model);
  try {
    const out = await session.run(feeds);
    return Float32Array.from(out[session.outputNames[0]].data as Float32Array);
  } finally {
    await session.release();
  }
}

/** A model whose weights live in a `Constant` node: x[batch, 3] · W[3, 2] + eps (a scalar constant, not a weight). */
function constantWeightModel(): ModelProto {
  const b = new GraphBuilder(17);
  b.node('Constant', [], ['W'], { value: floatTensor('W', [3, 2], [1, 2, 3, 4, 5, 6]) });
  b.node('Constant', [], ['eps'], { value: floatTensor('eps', [], [1e-3]) });
  const y = b.op('MatMul', ['x', 'W']);
  b.op('Add', [y, 'eps'], {}, 'y');
  return assembleModel({ name: 'constant-weights', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 3])], outputs: [makeValueInfo('y', 'float32', ['batch', 2])] });
}

describe('ONNX model files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-onnx-'));
    saveModel(mlpModel(), path.join(dir, 'mlp.onnx'));
    saveModel(cnnModel(), path.join(dir, 'cnn.onnx'));
    saveModel(transformerModel(), path.join(dir, 'transformer.onnx'));
    saveModel(constantWeightModel(), path.join(dir, 'constant.onnx'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('summary (what inspect prints)', () => {
    it('MLP: inputs, outputs with the symbolic batch kept, 212 parameters, ops, opset', () => {
      const s = summarizeModel(loadModel(path.join(dir, 'mlp.onnx')));
      assert.deepEqual(s.inputs, [{ name: 'x', dtype: 'float32', shape: ['batch', 8] }]);
      assert.deepEqual(s.outputs, [{ name: 'logits', dtype: 'float32', shape: ['batch', 4] }]);
      // fc1 [16, 8] + [16], fc2 [16, 4] + [4]
      assert.equal(s.parameters.count, size([16, 8]) + 16 + size([16, 4]) + 4);
      assert.deepEqual(s.parameters.tensors.map((t) => [t.name, t.shape, t.source]), [
        ['fc1.weight', [16, 8], 'initializer'], ['fc1.bias', [16], 'initializer'], ['fc2.weight', [16, 4], 'initializer'], ['fc2.bias', [4], 'initializer'],
      ]);
      assert.deepEqual(s.ops, { Add: 1, Gemm: 1, MatMul: 1, Relu: 1 });
      assert.equal(s.opset, 17);
      assert.equal(s.irVersion, 8);
      assert.match(s.sha256, /^[0-9a-f]{64}$/);
    });

    it('CNN: static input shape; batch-norm running statistics listed as statistics, not counted as weights', () => {
      const s = summarizeModel(loadModel(path.join(dir, 'cnn.onnx')));
      assert.deepEqual(s.inputs, [{ name: 'image', dtype: 'float32', shape: [2, 3, 8, 8] }]);
      const expected = size([4, 3, 3, 3]) + 4 + 2 * 4 + size([8, 2, 3, 3]) + size([3, 8]) + 3;
      assert.equal(s.parameters.count, expected);
      assert.equal(s.parameters.tensors.filter((t) => t.role === 'statistic').length, 2);
      assert.deepEqual(s.ops, { BatchNormalization: 1, Conv: 2, Flatten: 1, GlobalAveragePool: 1, Gemm: 1, MaxPool: 1, Relu: 1 });
    });

    it('transformer: int64 tokens, [batch, 6, 10] logits, the listed ops', () => {
      const s = summarizeModel(loadModel(path.join(dir, 'transformer.onnx')));
      assert.deepEqual(s.inputs, [{ name: 'tokens', dtype: 'int64', shape: ['batch', 6] }]);
      assert.deepEqual(s.outputs, [{ name: 'logits', dtype: 'float32', shape: ['batch', 6, 10] }]);
      const weights = size([10, 8]) + size([6, 8]) + 8 + 8 + 4 * size([8, 8]) + size([8, 16]) + size([16, 8]) + size([8, 10]);
      // The rank-0 √d scale of the attention scores is a constant, not a weight.
      assert.equal(s.parameters.count, weights);
      assert.ok(!s.parameters.tensors.some((t) => t.name.startsWith('sqrt_hd')));
      for (const op of ['MatMul', 'Softmax', 'LayerNormalization', 'Gather', 'Reshape', 'Transpose']) assert.ok(s.ops[op] > 0, op);
      assert.equal(s.ops.MatMul, 9);
      assert.equal(s.ops.Transpose, 5);
    });

    it('counts weights held by Constant nodes, not scalar constants', () => {
      const s = summarizeModel(loadModel(path.join(dir, 'constant.onnx')));
      assert.deepEqual(s.parameters, { count: 6, tensors: [{ name: 'W', dtype: 'float32', shape: [3, 2], size: 6, source: 'constant', role: 'weight' }], excluded: [] });
      assert.equal(s.ops.Constant, 2);
    });
  });

  describe('graph index', () => {
    it('knows the producer and consumers of every tensor', () => {
      const index = GraphIndex.of(loadModel(path.join(dir, 'transformer.onnx')).proto);
      assert.equal(index.producer.get('/ln/LayerNormalization_output_0')?.opType, 'LayerNormalization');
      assert.deepEqual(index.consumersOf('/ln/LayerNormalization_output_0').map((n) => n.opType), ['MatMul', 'MatMul', 'MatMul']);
      assert.deepEqual(index.consumersOf('tokens').map((n) => n.opType), ['Gather']);
      assert.deepEqual(index.consumersOf('/embed/Add_output_0').map((n) => n.opType), ['LayerNormalization', 'Add']);
      assert.equal(index.producer.get('tokens'), undefined);
      assert.deepEqual(index.consumersOf('logits'), []);
      assert.deepEqual(index.graphInputs, ['tokens']);
      assert.ok(index.initializers.has('embed.weight'));
    });
  });

  it('saves and loads without changing a byte or a result', async () => {
    const original = transformerModel();
    const file = path.join(dir, 'roundtrip.onnx');
    saveModel(original, file);
    const loaded = loadModel(file);
    assert.deepEqual(Buffer.from(encodeModel(loaded.proto)), fs.readFileSync(file));
    const tokens = new ort.Tensor('int64', BigInt64Array.from({ length: 12 }, (_, i) => BigInt((i * 3) % 10)), [2, 6]);
    const a = await run(original, { tokens });
    const b = await run(loaded.proto, { tokens });
    assert.equal(a.length, 2 * 6 * 10);
    assert.deepEqual(b, a);
    assert.ok(a.some((v) => v !== 0));
  });

  describe('external data', () => {
    /** The MLP with every initializer moved into `location` (beside the model unless it says otherwise). */
    function writeExternal(folder: string, location = 'weights.bin'): void {
      fs.mkdirSync(folder, { recursive: true });
      saveModelWithExternalData(mlpModel(), path.join(folder, 'model.onnx'), location, 0);
    }

    it('loads weights from the side file and runs like the original', async () => {
      const folder = path.join(dir, 'external');
      writeExternal(folder);
      assert.ok(fs.statSync(path.join(folder, 'model.onnx')).size < 1000, 'the weights are not in the .onnx file');
      const loaded = loadModel(path.join(folder, 'model.onnx'));
      const x = new ort.Tensor('float32', seededValues(3 * 8, 9, 1), [3, 8]);
      assert.deepEqual(await run(loaded.proto, { x }), await run(mlpModel(), { x }));
      assert.equal(summarizeModel(loaded).parameters.count, 212);
    });

    it('names the missing side file in one line', () => {
      const folder = path.join(dir, 'external-missing');
      writeExternal(folder);
      fs.rmSync(path.join(folder, 'weights.bin'));
      assert.throws(() => loadModel(path.join(folder, 'model.onnx')), (err: unknown) => {
        assert.ok(err instanceof ModelError);
        assert.equal(err.code, 'onnx/external-data-missing');
        assert.match(err.message, /external data file 'weights\.bin' for tensor 'fc1\.weight' is missing/);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    });

    it('refuses a location outside the model\'s folder', () => {
      const folder = path.join(dir, 'external-escape');
      writeExternal(folder, '../weights.bin');
      assert.throws(() => loadModel(path.join(folder, 'model.onnx')), (err: unknown) => err instanceof ModelError && err.code === 'onnx/external-data' && /climbs out of the model's folder/.test(err.message));
    });
  });

  describe('bad files: one clear line each, never a crash', () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      ['an empty file', (f) => fs.writeFileSync(f, Buffer.alloc(0)), /the file is empty/],
      ['a truncated model (its first half)', (f) => {
        const bytes = encodeModel(transformerModel());
        fs.writeFileSync(f, bytes.subarray(0, bytes.length >> 1));
      }, /not a readable ONNX model \(truncated or corrupt protobuf\)/],
      ['random bytes', (f) => fs.writeFileSync(f, Buffer.from(seededValues(1024, 3).buffer)), /not a readable ONNX model|holds no ONNX graph|no ONNX IR version/],
      ['a text file', (f) => fs.writeFileSync(f, 'name,value\nalpha,1\nbeta,2\n'), /not a readable ONNX model|holds no ONNX graph|no ONNX IR version/],
      // ir_version = 8, then field 7 (graph), wire type 2, declaring 2^31 bytes that are not there.
      ['a protobuf bomb (2 GiB declared length)', (f) => fs.writeFileSync(f, Buffer.from([0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3])), /not a readable ONNX model/],
      ['a directory', (f) => fs.mkdirSync(f), /is a directory, not a \.onnx model file/],
      ['a missing file', () => undefined, /no such file/],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const file = path.join(dir, `bad-${what.replace(/\W+/g, '-')}.onnx`);
        make(file);
        assert.throws(() => loadModel(file), (err: unknown) => {
          assert.ok(err instanceof ModelError, `${what}: ${String(err)}`);
          assert.match(err.message, message);
          assert.ok(err.message.startsWith(file), 'the message names the file');
          assert.ok(!err.message.includes('\n'), 'one line');
          return true;
        });
      });
    }
  });

  it('probes with placeholder feeds at the symbolic batch', () => {
    const feeds = placeholderFeeds(loadModel(path.join(dir, 'mlp.onnx')).proto);
    assert.deepEqual(feeds.x.dims, [2, 8]);
  });
});

describe('onnx/tensor: makeTensor', () => {
  it('stores integers of every width exactly, not as float bit patterns', () => {
    for (const [dt, Ctor] of [[DataType.UINT32, Uint32Array], [DataType.INT16, Int16Array], [DataType.UINT16, Uint16Array], [DataType.INT8, Int8Array], [DataType.UINT8, Uint8Array]] as const) {
      const t = makeTensor('t', [3], [1, 2, 100], dt);
      assert.deepEqual(Array.from(tensorValues(t) as InstanceType<typeof Ctor>), [1, 2, 100], `data type ${dt}`);
    }
    const u64 = makeTensor('u', [2], [7, 2 ** 40], DataType.UINT64);
    assert.deepEqual(Array.from(tensorValues(u64) as BigUint64Array), [7n, 2n ** 40n]);
    assert.throws(() => makeTensor('s', [1], [1], DataType.STRING), /cannot make a string tensor/);
  });
});

describe('onnx/runtime: execution providers', () => {
  it('uses the CPU unless CIRCUIT_THERMOMETER_EXECUTION_PROVIDER asks for CUDA (CPU stays as the fallback)', () => {
    assert.deepEqual(defaultExecutionProviders({}), ['cpu']);
    assert.deepEqual(defaultExecutionProviders({ CIRCUIT_THERMOMETER_EXECUTION_PROVIDER: 'cpu' }), ['cpu']);
    assert.deepEqual(defaultExecutionProviders({ CIRCUIT_THERMOMETER_EXECUTION_PROVIDER: 'cuda' }), ['cuda', 'cpu']);
  });
});
