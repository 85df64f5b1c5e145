// Whole-model gradient graphs on the fixture models, verified by finite differences and known loss values.
import * as assert from 'node:assert/strict';
import { buildGradientGraph, GradientError } from '../../../../src/engine/autodiff';
import { gradcheck, GRADCHECK_TOLERANCE } from '../../../../src/engine/autodiff/gradcheck';
import { GraphIndex } from '../../../../src/engine/onnx/graph';
import { createSession, ort } from '../../../../src/engine/onnx/runtime';
import { tensorToFloat32 } from '../../../../src/engine/onnx/tensor';
import { Rng } from '../../../../src/engine/util/random';
import { cnnModel, mlpModel, transformerModel } from '../../../fixtures/models';

function assertPasses(report: Awaited<ReturnType<typeof gradcheck>>): void {
  const failed = report.tensors.filter((t) => !t.pass).map((t) => `${t.name}: ${t.relError.toExponential(2)}`);
  assert.deepEqual(failed, [], `gradcheck failed (tolerance ${GRADCHECK_TOLERANCE.relative})`);
  assert.ok(report.checked > 0);
}

function paramFeeds(model: ReturnType<typeof mlpModel>): Record<string, ort.Tensor> {
  const index = GraphIndex.of(model);
  return Object.fromEntries(index.parameters().map((p) => [p.name, new ort.Tensor('float32', tensorToFloat32(index.initializers.get(p.name)!), p.shape)]));
}

describe('autodiff: whole models', () => {
  it('MLP (Gemm, Relu, MatMul, Add): gradient matches finite differences', async () => {
    const report = await gradcheck(mlpModel(), { inputs: { x: { kind: 'float', dims: [5, 8] } }, seed: 1 });
    assert.equal(report.checked, 4);
    assertPasses(report);
  });

  // The MLP's MatMul gradient is a two-input Gemm from opset 11; before, the builder gives it a zero C (an opset-9
  // PaddleOCR export used to stop with "schema(::Gemm:9) has input size 2"). MaxPool routes by Scatter at 9–10.
  for (const opset of [7, 9, 10, 21]) {
    it(`MLP and CNN at opset ${opset}: gradients match finite differences, cross-entropy graph loads`, async () => {
      assertPasses(await gradcheck(mlpModel(opset), { inputs: { x: { kind: 'float', dims: [5, 8] } }, seed: 1 }));
      if (opset >= 9) assertPasses(await gradcheck(cnnModel(opset), { seed: 2 }));
      const model = mlpModel(opset);
      const g = await buildGradientGraph({ model, parameters: GraphIndex.of(model).weights().map((p) => p.name), loss: { kind: 'cross-entropy', output: 'logits', labels: 'y' }, feedShapes: { x: [4, 8] } });
      await (await createSession(g.model)).release();
    });
  }

  it('MLP gradient graph: the forward graph once, matrix products as Gemm with trans flags, no Transpose, no gradient for the data input', async () => {
    const model = mlpModel();
    const params = GraphIndex.of(model).parameters().map((p) => p.name);
    const g = await buildGradientGraph({ model, parameters: params, loss: { kind: 'cross-entropy', output: 'logits', labels: 'y' }, feedShapes: { x: [4, 8] } });
    const ops = g.model.graph.node.map((n) => n.opType);
    const count = (op: string) => ops.filter((o) => o === op).length;
    for (const fwd of model.graph.node) assert.equal(g.model.graph.node.filter((n) => n.name === fwd.name).length, 1, `forward node ${fwd.name}`);
    assert.equal(count('Transpose'), 0);
    // forward: 1 Gemm + 1 MatMul; backward: dW2 and d(relu) for the MatMul, dW1 for the Gemm (x needs none)
    assert.equal(count('Gemm'), 4);
    assert.equal(count('MatMul'), 1);
    assert.deepEqual(g.model.graph.input.map((v) => v.name).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'x', 'y']);
    assert.deepEqual(g.model.graph.output.map((v) => v.name), [g.lossOutput, ...params.map((p) => g.gradOutputs[p])]);
  });

  it('CNN (Conv, BatchNorm, Relu, MaxPool, grouped Conv, GlobalAveragePool, Flatten, Gemm)', async () => {
    const report = await gradcheck(cnnModel(), { seed: 3 });
    assert.equal(report.checked, 9);
    assertPasses(report);
  });

  it('transformer block (Gather embedding, LayerNorm, attention with Softmax, Reshape/Transpose heads, residuals)', async () => {
    const report = await gradcheck(transformerModel(), { inputs: { tokens: { kind: 'int', low: 0, high: 10, dims: [2, 6] } }, seed: 4 });
    assert.equal(report.checked, 11);
    assertPasses(report);
  });

  it('transformer with cross-entropy over [batch, seq, vocab]: directional derivative of the loss output matches its gradient', async () => {
    const model = transformerModel();
    const params = GraphIndex.of(model).parameters().map((p) => p.name);
    const g = await buildGradientGraph({ model, parameters: params, loss: { kind: 'cross-entropy', output: 'logits', labels: 'next' }, feedShapes: { tokens: [2, 6] }, keepOutputs: ['/attn/Softmax_output_0'] });
    const s = await createSession(g.model);
    const rng = Rng.stream(21);
    const tokens = new ort.Tensor('int64', BigInt64Array.from({ length: 12 }, () => BigInt(rng.int(10))), [2, 6]);
    const next = new ort.Tensor('int64', BigInt64Array.from({ length: 12 }, () => BigInt(rng.int(10))), [2, 6]);
    const base = paramFeeds(model);
    const out = await s.run({ ...base, tokens, next });
    const attn = out['/attn/Softmax_output_0'];
    assert.deepEqual(attn.dims, [2, 2, 6, 6]);
    const dirs = params.map((p) => rng.fillNormal(new Float32Array((base[p].data as Float32Array).length)));
    const h = 1e-3;
    const lossAt = async (sign: number) => {
      const feeds: Record<string, ort.Tensor> = { ...base, tokens, next };
      params.forEach((p, k) => { const w = base[p].data as Float32Array; feeds[p] = new ort.Tensor('float32', Float32Array.from(w, (x, i) => x + sign * h * dirs[k][i]), base[p].dims); });
      return ((await s.run(feeds))[g.lossOutput].data as Float32Array)[0];
    };
    const numeric = ((await lossAt(1)) - (await lossAt(-1))) / (2 * h);
    let analytic = 0;
    params.forEach((p, k) => { const gr = out[g.gradOutputs[p]].data as Float32Array; gr.forEach((x, i) => { analytic += x * dirs[k][i]; }); });
    assert.ok(Math.abs(analytic - numeric) <= 1e-2 * Math.abs(analytic), `${analytic} vs ${numeric}`);
    await s.release();
  });

  it('MLP at opset 11: same check', async () => {
    assertPasses(await gradcheck(mlpModel(11), { inputs: { x: { kind: 'float', dims: [3, 8] } }, seed: 2 }));
  });

  it('cross-entropy over [batch, classes]: loss equals −mean log softmax, gradient equals (softmax − onehot)/N through the net', async () => {
    const model = mlpModel();
    const params = GraphIndex.of(model).parameters().map((p) => p.name);
    const g = await buildGradientGraph({ model, parameters: params, loss: { kind: 'cross-entropy', output: 'logits', labels: 'y' }, feedShapes: { x: [6, 8] }, keepOutputs: ['logits'] });
    const rng = Rng.stream(7);
    const x = rng.fillNormal(new Float32Array(48));
    const y = BigInt64Array.from([0, 1, 2, 3, 1, 2].map(BigInt));
    const s = await createSession(g.model);
    const feeds = { ...paramFeeds(model), x: new ort.Tensor('float32', x, [6, 8]), y: new ort.Tensor('int64', y, [6]) };
    const out = await s.run(feeds);
    const logits = out.logits.data as Float32Array;
    let expected = 0;
    const dLogits = new Float64Array(24);
    for (let n = 0; n < 6; n++) {
      const row = Array.from(logits.subarray(n * 4, n * 4 + 4));
      const m = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
      expected -= (row[Number(y[n])] - m - Math.log(z)) / 6;
      row.forEach((v, c) => { dLogits[n * 4 + c] = (Math.exp(v - m) / z - (c === Number(y[n]) ? 1 : 0)) / 6; });
    }
    assert.ok(Math.abs((out[g.lossOutput].data as Float32Array)[0] - expected) < 1e-5 * Math.max(1, Math.abs(expected)));
    // fc2.bias enters logits additively: its gradient is Σ_n dLogits[n].
    const gb = out[g.gradOutputs['fc2.bias']].data as Float32Array;
    for (let c = 0; c < 4; c++) {
      let want = 0;
      for (let n = 0; n < 6; n++) want += dLogits[n * 4 + c];
      assert.ok(Math.abs(gb[c] - want) < 1e-6, `fc2.bias[${c}]: ${gb[c]} vs ${want}`);
    }
    await s.release();
  });

  it('cross-entropy and MSE: the loss gradient agrees with differences of the loss output', async () => {
    for (const loss of ['cross-entropy', 'mse'] as const) {
      const model = mlpModel();
      const g = await buildGradientGraph({
        model, parameters: ['fc1.weight'], feedShapes: { x: [5, 8] },
        loss: loss === 'mse' ? { kind: 'mse', output: 'logits', targets: 't' } : { kind: 'cross-entropy', output: 'logits', labels: 't' },
      });
      const s = await createSession(g.model);
      const rng = Rng.stream(11);
      const base = paramFeeds(model);
      const w = base['fc1.weight'].data as Float32Array;
      const feeds = {
        ...base, x: new ort.Tensor('float32', rng.fillNormal(new Float32Array(40)), [5, 8]),
        t: loss === 'mse' ? new ort.Tensor('float32', rng.fillNormal(new Float32Array(20)), [5, 4]) : new ort.Tensor('int64', BigInt64Array.from([3n, 0n, 1n, 1n, 2n]), [5]),
      };
      const out = await s.run(feeds);
      const grad = out[g.gradOutputs['fc1.weight']].data as Float32Array;
      const v = rng.fillNormal(new Float32Array(w.length));
      const h = 1e-3;
      const at = async (sign: number) => {
        const p = Float32Array.from(w, (x, i) => x + sign * h * v[i]);
        const r = await s.run({ ...feeds, 'fc1.weight': new ort.Tensor('float32', p, [16, 8]) });
        return (r[g.lossOutput].data as Float32Array)[0];
      };
      const numeric = ((await at(1)) - (await at(-1))) / (2 * h);
      const analytic = grad.reduce((a, gi, i) => a + gi * v[i], 0);
      assert.ok(Math.abs(numeric - analytic) <= 2e-2 * Math.abs(analytic) + 1e-4, `${loss}: ${analytic} vs ${numeric}`);
      await s.release();
    }
  });

  it('a parameter that does not reach the loss gets a zero gradient; unknown parameters are refused', async () => {
    const model = mlpModel();
    const g = await buildGradientGraph({ model, parameters: ['fc2.bias'], loss: { kind: 'weighted-sum', weights: { logits: 'R' } }, feedShapes: { x: [2, 8] } });
    assert.deepEqual(Object.keys(g.gradOutputs), ['fc2.bias']);
    await assert.rejects(buildGradientGraph({ model, parameters: ['nope'], loss: { kind: 'weighted-sum', weights: { logits: 'R' } }, feedShapes: { x: [2, 8] } }), GradientError);
  });
});
