import { strict as assert } from 'node:assert';
import { appendHeads, HeadSpec, LABELS_INPUT } from '../../../../src/engine/sweep/heads';
import { PairedAccumulator } from '../../../../src/engine/sweep/metrics';
import { buildPairedModel } from '../../../../src/engine/interventions/paired';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { createSession, ort } from '../../../../src/engine/onnx/runtime';
import { close as closeTo } from '../../../support/close';

// logits = Identity(x) [B, 3]; the circuit zeroes logit unit 0, so every number below is arithmetic on x.
function identityModel(opset: number) {
  const b = new GraphBuilder(opset);
  b.op('Identity', ['x'], {}, 'logits');
  return assembleModel({ name: 'id', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 3])], outputs: [makeValueInfo('logits', 'float32', ['batch', 3])] });
}

/** The heads at opset 9 (one-hot class picks, TopK's k an attribute) must give the numbers opset 17 gives. */
let opset = 17;

async function heads(spec: HeadSpec, x: number[], labels: ort.Tensor): Promise<Record<string, number[]>> {
  const paired = buildPairedModel(identityModel(opset), { components: [{ tensor: 'x', axis: 1, units: [0] }], kind: 'zero', scope: 'circuit' }, () => [2, 3]);
  const { model, outputs } = appendHeads(paired.model, paired.outputs.logits!, spec);
  const s = await createSession(model);
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from(x), [x.length / 3, 3]), [LABELS_INPUT]: labels });
  await s.release();
  return Object.fromEntries(Object.entries(outputs).filter(([, name]) => typeof name === 'string').map(([k, name]) => [k, Array.from(out[name as string]!.data as Float32Array)]));
}

const close = (a: number[], b: number[]) => closeTo(a, b, 1e-5);
const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));

for (const version of [9, 17, 21]) describe(`sweep/heads and metrics (opset ${version})`, () => {
  before(() => { opset = version; });
  const X = [2, 0, 0, 1, 3, 0]; // row 0 labelled 0, row 1 labelled 1
  const labels = new ort.Tensor('int64', BigInt64Array.from([0n, 1n]), [2]);

  it('cross-entropy per example: −log softmax at the label, for clean and ablated logits', async () => {
    const r = await heads({ loss: 'cross-entropy', metric: 'loss', labels: 'index' }, X, labels);
    close(r.cleanLoss!, [lse([2, 0, 0]) - 2, lse([1, 3, 0]) - 3]);
    // ablated logits [0,0,0] and [0,3,0]
    close(r.ablatedLoss!, [Math.log(3), lse([0, 3, 0]) - 3]);
    assert.equal(r.cleanMetric, undefined);
  });

  it('logit-diff metric, oriented: −(label logit − runner-up)', async () => {
    const r = await heads({ loss: 'cross-entropy', metric: 'logit-diff', labels: 'index' }, X, labels);
    close(r.cleanMetric!, [-(2 - 0), -(3 - 1)]);
    close(r.ablatedMetric!, [-(0 - 0), -(3 - 0)]);
    const c = await heads({ loss: 'cross-entropy', metric: 'logit-diff', labels: 'index', contrast: 2 }, X, labels);
    close(c.cleanMetric!, [-2, -3]);
  });

  it('accuracy metric, oriented: the error rate', async () => {
    // clean argmax [0, 1] = labels; ablated row 0 is a three-way tie, ArgMax picks index 0 (still right).
    const r = await heads({ loss: 'cross-entropy', metric: 'accuracy', labels: 'index' }, [2, 0, 0, 1, 3, 0, 1, 0.5, 0], new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 0n]), [3]));
    close(r.cleanMetric!, [0, 0, 0]);
    close(r.ablatedMetric!, [0, 0, 1]); // row 2 ablated: [0, 0.5, 0] ⇒ argmax 1 ≠ 0
  });

  it('mse per example and soft-label cross-entropy', async () => {
    const m = await heads({ loss: 'mse', metric: 'loss', labels: 'value' }, X, new ort.Tensor('float32', Float32Array.from([1, 0, 0, 1, 1, 1]), [2, 3]));
    close(m.cleanLoss!, [1 / 3, (0 + 4 + 1) / 3]);
    close(m.ablatedLoss!, [1 / 3, (1 + 4 + 1) / 3]);
    const s = await heads({ loss: 'cross-entropy', metric: 'loss', labels: 'soft' }, X, new ort.Tensor('float32', Float32Array.from([0.5, 0.5, 0, 0, 1, 0]), [2, 3]));
    close(s.cleanLoss!, [lse([2, 0, 0]) - 0.5 * 2, lse([1, 3, 0]) - 3]);
  });

  it('paired accumulator: L_n, L_T, L_C, M_T, E_T over target rows, E_C over control rows; padding ignored', () => {
    const acc = new PairedAccumulator();
    acc.add({ cleanLoss: [1, 2, 3], ablatedLoss: [4, 2.5, 3], cleanMetric: [0.1, 0.2, 0.3], ablatedMetric: [0.6, 0.2, 0.3] }, [1, 0, 0]);
    acc.add({ cleanLoss: [5, 99], ablatedLoss: [9, 99], cleanMetric: [0.5, 99], ablatedMetric: [0.7, 99] }, [1, 0], 1);
    const r = acc.result();
    assert.equal(r.loss, (1 + 2 + 3 + 5) / 4);
    assert.equal(r.targetLoss, 3);
    assert.equal(r.controlLoss, 2.5);
    assert.ok(Math.abs(r.targetMetric - 0.3) < 1e-12);
    assert.ok(Math.abs(r.targetEffect - (0.5 + 0.2) / 2) < 1e-12);
    assert.equal(r.collateralEffect, 0.25);
  });

  it('no control row (data.target selects every example): an error that says which setting decides the two sets', () => {
    const acc = new PairedAccumulator();
    acc.add({ cleanLoss: [1, 2], ablatedLoss: [3, 4] }, [1, 1]);
    assert.throws(() => acc.result(), /hold 2 target and 0 control examples; both sets must be non-empty: data\.target selects the target examples/);
  });
});
