import { strict as assert } from 'node:assert';
import { buildPairedModel, meanInputName, referenceModel, SOURCE_INPUT, InterventionSpec } from '../../../../src/engine/interventions/paired';
import { componentMask } from '../../../../src/engine/interventions/mask';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo, parametersToInputs } from '../../../../src/engine/onnx/rewrite';
import { createSession, ort } from '../../../../src/engine/onnx/runtime';
import { floatTensor } from '../../../../src/engine/onnx/tensor';
import { ModelProto } from '../../../../src/engine/onnx/proto';

// x[B,3] → MatMul W1[3,4] → Relu = h → MatMul W2[4,2] = y. Worked by hand in the comments below.
const W1 = [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, -1];
const W2 = [1, 0, 0, 1, 1, 1, 2, -1];
function tinyModel(): ModelProto {
  const b = new GraphBuilder(17);
  b.initializer(floatTensor('W1', [3, 4], W1));
  b.initializer(floatTensor('W2', [4, 2], W2));
  const h = b.op('Relu', [b.op('MatMul', ['x', 'W1'])], {}, 'h');
  b.op('MatMul', [h, 'W2'], {}, 'y');
  return parametersToInputs(assembleModel({
    name: 'tiny', builder: b,
    inputs: [makeValueInfo('x', 'float32', ['batch', 3])],
    outputs: [makeValueInfo('y', 'float32', ['batch', 2])],
  }), ['W1', 'W2']);
}
// x = [[1,2,3],[4,5,6]] ⇒ h = [[1,2,3,0],[4,5,6,3]] ⇒ y = [[4,5],[16,8]].
const X = [1, 2, 3, 4, 5, 6];
const CLEAN = [4, 5, 16, 8];

async function runPaired(spec: InterventionSpec, extra: Record<string, ort.Tensor> = {}): Promise<{ clean: number[]; ablated: number[] }> {
  const paired = buildPairedModel(tinyModel(), spec, () => [2, 4]);
  const session = await createSession(paired.model);
  try {
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(X), [2, 3]),
      W1: new ort.Tensor('float32', Float32Array.from(W1), [3, 4]),
      W2: new ort.Tensor('float32', Float32Array.from(W2), [4, 2]),
      ...extra,
    });
    const { clean, ablated } = paired.outputs.y!;
    return { clean: Array.from(out[clean]!.data as Float32Array), ablated: Array.from(out[ablated]!.data as Float32Array) };
  } finally {
    await session.release();
  }
}

const circuit = [{ tensor: 'h', axis: -1, units: [1, 3] }];

describe('interventions/paired', () => {
  it('zero: h → [[1,0,3,0],[4,0,6,0]] gives y = [[4,3],[10,6]]; the clean copy is untouched', async () => {
    const r = await runPaired({ components: circuit, kind: 'zero', scope: 'circuit' });
    assert.deepEqual(r.clean, CLEAN);
    assert.deepEqual(r.ablated, [4, 3, 10, 6]);
  });

  it('mean: fed mean [2.5,3.5,4.5,1.5] gives h = [[1,3.5,3,1.5],[4,3.5,6,1.5]], y = [[7,5],[13,8]]', async () => {
    const r = await runPaired({ components: circuit, kind: 'mean', scope: 'circuit' },
      { [meanInputName('h')]: new ort.Tensor('float32', Float32Array.from([2.5, 3.5, 4.5, 1.5]), [1, 4]) });
    assert.deepEqual(r.clean, CLEAN);
    assert.deepEqual(r.ablated, [7, 5, 13, 8]);
  });

  it('resample: source [1,0] swaps the circuit units between rows: h = [[1,5,3,3],[4,2,6,0]], y = [[10,5],[10,8]]', async () => {
    const r = await runPaired({ components: circuit, kind: 'resample', scope: 'circuit' },
      { [SOURCE_INPUT]: new ort.Tensor('int64', BigInt64Array.from([1n, 0n]), [2]) });
    assert.deepEqual(r.clean, CLEAN);
    assert.deepEqual(r.ablated, [10, 5, 10, 8]);
  });

  it('complement zero keeps only units 1 and 3: h = [[0,2,0,0],[0,5,0,3]], y = [[0,2],[6,2]]', async () => {
    const r = await runPaired({ components: circuit, kind: 'zero', scope: 'complement' });
    assert.deepEqual(r.clean, CLEAN);
    assert.deepEqual(r.ablated, [0, 2, 6, 2]);
  });

  it('complement mean replaces units 0 and 2 by their means: h = [[2.5,2,4.5,0],[2.5,5,4.5,3]], y = [[7,6.5],[13,6.5]]', async () => {
    const r = await runPaired({ components: circuit, kind: 'mean', scope: 'complement' },
      { [meanInputName('h')]: new ort.Tensor('float32', Float32Array.from([2.5, 3.5, 4.5, 1.5]), [1, 4]) });
    assert.deepEqual(r.ablated, [7, 6.5, 13, 6.5]);
  });

  it('an input tensor can be the circuit: zeroing x unit 2 gives h = [[1,2,0,3],[4,5,0,9]], y = [[7,-1],[22,-4]]', async () => {
    const paired = buildPairedModel(tinyModel(), { components: [{ tensor: 'x', axis: 1, units: [2] }], kind: 'zero', scope: 'circuit' }, () => [2, 3]);
    const session = await createSession(paired.model);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(X), [2, 3]),
      W1: new ort.Tensor('float32', Float32Array.from(W1), [3, 4]),
      W2: new ort.Tensor('float32', Float32Array.from(W2), [4, 2]),
    });
    await session.release();
    assert.deepEqual(Array.from(out['clean/y']!.data as Float32Array), CLEAN);
    assert.deepEqual(Array.from(out['ablated/y']!.data as Float32Array), [7, -1, 22, -4]);
  });

  it('the reference model computes the circuit tensor at the fed weights, from only the nodes it needs', async () => {
    const ref = referenceModel(tinyModel(), ['h']);
    assert.deepEqual(ref.graph.input.map((v) => v.name).sort(), ['W1', 'x']);
    assert.equal(ref.graph.node.length, 2);
    const session = await createSession(ref);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(X), [2, 3]),
      W1: new ort.Tensor('float32', Float32Array.from(W1), [3, 4]),
    });
    await session.release();
    assert.deepEqual(Array.from(out.h!.data as Float32Array), [1, 2, 3, 0, 4, 5, 6, 3]);
  });

  it('masks: positions select axis 1 of a [batch, seq, units] tensor; complement inverts the union', () => {
    const comps = [{ tensor: 't', axis: -1, units: [1], positions: [0] }, { tensor: 't', axis: 2, units: [2] }];
    // [1, seq=2, units=3]: (p0,u1), (p0,u2), (p1,u2)
    assert.deepEqual(Array.from(componentMask('t', [5, 2, 3], comps, 'circuit')), [0, 1, 1, 0, 0, 1]);
    assert.deepEqual(Array.from(componentMask('t', [5, 2, 3], comps, 'complement')), [1, 0, 0, 1, 1, 0]);
    assert.throws(() => componentMask('t', [5, 2, 3], [{ tensor: 't', axis: -1, units: [3] }], 'circuit'), /unit 3 of 't' is outside \[0, 3\)/);
    assert.throws(() => componentMask('t', [5, 3], [{ tensor: 't', axis: 0, units: [0] }], 'circuit'), /axis 0 is the batch/);
  });

  it('positions in a graph: zeroing unit 1 at position 0 of a [B, 2, 4] tensor', async () => {
    const b = new GraphBuilder(17);
    b.initializer(floatTensor('W1', [3, 4], W1));
    b.initializer(floatTensor('W2', [4, 2], W2));
    b.op('MatMul', [b.op('Relu', [b.op('MatMul', ['x', 'W1'])], {}, 'h'), 'W2'], {}, 'y');
    const base = parametersToInputs(assembleModel({ name: 'seq', builder: b, inputs: [makeValueInfo('x', 'float32', [1, 2, 3])], outputs: [makeValueInfo('y', 'float32', [1, 2, 2])] }), ['W1', 'W2']);
    const paired = buildPairedModel(base, { components: [{ tensor: 'h', axis: -1, units: [1], positions: [0] }], kind: 'zero', scope: 'circuit' }, () => [1, 2, 4]);
    const session = await createSession(paired.model);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(X), [1, 2, 3]),
      W1: new ort.Tensor('float32', Float32Array.from(W1), [3, 4]),
      W2: new ort.Tensor('float32', Float32Array.from(W2), [4, 2]),
    });
    await session.release();
    // position 0: h = [1,0,3,0] ⇒ [4,3]; position 1 untouched ⇒ [16,8]
    assert.deepEqual(Array.from(out['ablated/y']!.data as Float32Array), [4, 3, 16, 8]);
  });
});
