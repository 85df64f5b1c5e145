// One SGLD step graph against the update rule computed by hand, and the sampler's bookkeeping: reproducible
// chains, independent chains, devinterp's draw schedule, NaN divergence.
import { strict as assert } from 'node:assert';
import { buildGradientGraph } from '../../../../src/engine/autodiff';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { DialDivergence } from '../../../../src/engine/dials/dial';
import { MinibatchStream } from '../../../../src/engine/dials/sgldBatches';
import { buildSgldStepGraph } from '../../../../src/engine/dials/sgldGraph';
import { fullDataLoss } from '../../../../src/engine/dials/sgldLoss';
import { SgldSampler } from '../../../../src/engine/dials/sgldSampler';
import { createSession, ort } from '../../../../src/engine/onnx';
import { Rng } from '../../../../src/engine/util/random';
import { cnnModel } from '../../../fixtures/models';
import { linearProblem } from '../../../support/linearRegression';
import { close as closeTo } from '../../../support/close';

describe('sgld/step: the update graph', () => {
  it('computes w − (ε/2)[nβ∇L_B + γ(w − w*)] + √ε·ξ and the MALA terms exactly (fed noise is √ε·ξ)', async () => {
    const p = linearProblem(6, 2, 0.3, 9);
    const gradient = await buildGradientGraph({ model: p.model, parameters: p.parameters, loss: { kind: 'mse', output: 'y', targets: 't' }, feedShapes: { x: [6, 2] } });
    const g = buildSgldStepGraph(gradient, p.parameters, { noise: 'fed' });
    assert.deepEqual(g.batchInputs, ['x', 't']);
    assert.equal(g.size, 3);
    const session = await createSession(g.model, { threads: 1 });
    const w = [0.3, -0.2, 0.1], anchor = [0.25, -0.1, 0.05], prev = [0.2, -0.3, 0.0], scaledNoise = [0.05, -0.15, 0.2];
    const eps = 0.01, nbeta = 7, gamma = 3;
    const x = p.data.inputs.x!.data as Float32Array, y = p.data.labels.data as Float32Array;
    const t = (v: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(v), dims);
    const out = await session.run({
      x: new ort.Tensor('float32', x, [6, 2]), t: new ort.Tensor('float32', y, [6, 1]),
      W: t(w.slice(0, 2), [2, 1]), b: t(w.slice(2), [1]),
      [g.inputs.anchor[0]!]: t(anchor.slice(0, 2), [2, 1]), [g.inputs.anchor[1]!]: t(anchor.slice(2), [1]),
      [g.inputs.previous[0]!]: t(prev.slice(0, 2), [2, 1]), [g.inputs.previous[1]!]: t(prev.slice(2), [1]),
      [g.inputs.noise![0]!]: t(scaledNoise.slice(0, 2), [2, 1]), [g.inputs.noise![1]!]: t(scaledNoise.slice(2), [1]),
      [g.inputs.stepSize]: t([eps], []), [g.inputs.nbeta]: t([nbeta], []), [g.inputs.localization]: t([gamma], []),
    });
    // By hand: L = mean_i r_i², r = x·W + b − y ⇒ ∇L = (2/n)·Σ r_i·(x_i, 1).
    const grad = [0, 0, 0];
    let loss = 0;
    for (let i = 0; i < 6; i++) {
      const r = x[2 * i]! * w[0]! + x[2 * i + 1]! * w[1]! + w[2]! - y[i]!;
      loss += r * r / 6;
      [x[2 * i]!, x[2 * i + 1]!, 1].forEach((z, k) => { grad[k]! += (2 / 6) * r * z; });
    }
    const drift = w.map((v, k) => nbeta * grad[k]! + gamma * (v - anchor[k]!));
    const next = w.map((v, k) => v - (eps / 2) * drift[k]! + scaledNoise[k]!);
    const got = [...(out[g.outputs.next[0]!]!.data as Float32Array), ...(out[g.outputs.next[1]!]!.data as Float32Array)];
    closeTo(got, next, 1e-6, "w'");
    const scalar = (name: string) => (out[name]!.data as Float32Array)[0]!;
    const close = (a: number, b: number, what: string) => closeTo(a, b, (w) => 1e-5 * (1 + Math.abs(w)), what);
    close(scalar(g.outputs.loss), loss, 'loss');
    close(scalar(g.outputs.localizationEnergy), (gamma / 2) * w.reduce((s, v, k) => s + (v - anchor[k]!) ** 2, 0), '(γ/2)|w − w*|²');
    close(scalar(g.outputs.malaReverse), w.reduce((s, v, k) => s + (prev[k]! - v + (eps / 2) * drift[k]!) ** 2, 0), 'MALA reverse residual');
    // Gradients stay inside: only the loss and the step's results leave the graph (fed noise brings its own |√ε·ξ|²).
    assert.equal(g.outputs.noiseSquaredNorm, undefined);
    assert.deepEqual(g.model.graph.output.map((o) => o.name).sort(), [g.outputs.loss, ...g.outputs.next, g.outputs.localizationEnergy, g.outputs.malaReverse].sort());
    await session.release();
  });
});

describe('sgld/loss: L_n(w*)', () => {
  it('averages over all examples, in chunks with a shorter last one', async () => {
    const p = linearProblem(10, 2, 0.3, 4);
    const x = p.data.inputs.x!.data as Float32Array, y = p.data.labels.data as Float32Array;
    let expected = 0;
    for (let i = 0; i < 10; i++) expected += (x[2 * i]! * p.anchor[0]! + x[2 * i + 1]! * p.anchor[1]! + p.anchor[2]! - y[i]!) ** 2 / 10;
    const chunked = await fullDataLoss(p.model, { kind: 'mse', output: 'y' }, p.data, 4);
    const whole = await fullDataLoss(p.model, { kind: 'mse', output: 'y' }, p.data);
    assert.ok(Math.abs(chunked - expected) < 1e-6 * expected, `${chunked} vs ${expected}`);
    assert.ok(Math.abs(whole - expected) < 1e-6 * expected, `${whole} vs ${expected}`);
  });

  it('chunks by the static batch size of a model exported with one, and says why when it cannot', async () => {
    const model = cnnModel(); // image [2, 3, 8, 8] static
    const images = Rng.stream(7).fillNormal(new Float32Array(6 * 3 * 8 * 8));
    const labels = [0, 2, 1, 1, 0, 2];
    const all = await fullDataLoss(model, { kind: 'cross-entropy', output: 'logits' },
      { inputs: { image: makeArray('float32', [6, 3, 8, 8], images) }, labels: makeArray('int64', [6], BigInt64Array.from(labels.map(BigInt))) });
    let pairs = 0;
    for (let i = 0; i < 6; i += 2) {
      pairs += await fullDataLoss(model, { kind: 'cross-entropy', output: 'logits' }, {
        inputs: { image: makeArray('float32', [2, 3, 8, 8], images.slice(i * 192, (i + 2) * 192)) },
        labels: makeArray('int64', [2], BigInt64Array.from(labels.slice(i, i + 2).map(BigInt))),
      }) / 3;
    }
    assert.ok(Math.abs(all - pairs) < 1e-5 * Math.abs(pairs), `${all} vs ${pairs}`);
    await assert.rejects(fullDataLoss(model, { kind: 'cross-entropy', output: 'logits' },
      { inputs: { image: makeArray('float32', [5, 3, 8, 8], images.slice(0, 5 * 192)) }, labels: makeArray('int64', [5], BigInt64Array.from([0n, 1n, 2n, 0n, 1n])) }),
    /static batch size of 2, which does not divide n = 5/);
  });
});

describe('sgld/sampler: chains', function () {
  this.timeout(20000);
  const p = linearProblem(40, 2, 0.3, 2);
  const anchor = [Float32Array.from(p.anchor.slice(0, 2)), Float32Array.from(p.anchor.slice(2))];
  const settings = { stepSize: 1e-3, nbeta: 10, localization: 1, burnIn: 3, draws: 4, thin: 2, chain: 0, divergenceLoss: 1e3 };

  async function collect(sampler: SgldSampler, key: number[]) {
    const draws = [];
    for await (const d of sampler.chain({ ...settings, key })) draws.push({ draw: d.draw, step: d.step, loss: d.loss, acceptance: d.acceptance, w: [...d.weights[0]!, ...d.weights[1]!] });
    return draws;
  }

  for (const noise of ['counter', 'fed'] as const) {
    it(`${noise} noise: same key, same chain; another key, another chain; draws at burnIn + k·thin`, async () => {
      const sampler = await SgldSampler.create({ model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: 16, noise, threads: 1 });
      try {
        const a = await collect(sampler, [1, 0.5, 0]);
        const b = await collect(sampler, [1, 0.5, 1]);
        const again = await collect(sampler, [1, 0.5, 0]);
        assert.deepEqual(again, a);
        assert.notDeepEqual(b.map((d) => d.w), a.map((d) => d.w));
        assert.deepEqual(a.map((d) => [d.draw, d.step]), [[0, 3], [1, 5], [2, 7], [3, 9]]);
        for (const d of a) assert.ok(d.acceptance > 0 && d.acceptance <= 1, `acceptance ${d.acceptance}`);
        // The anchor is never written to.
        assert.deepEqual(Array.from(anchor[0]!), p.anchor.slice(0, 2).map((v) => Math.fround(v)));
      } finally {
        await sampler.dispose();
      }
    });
  }

  it('each step reads what the last one wrote (outputs go to three buffers in rotation): as the step graph run by hand', async () => {
    const sampler = await SgldSampler.create({ model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: 16, noise: 'none', threads: 1 });
    const g = sampler.graph;
    const session = await createSession(g.model, { threads: 1 });
    try {
      const key = [3, 0.5, 2];
      const draws: { w: number[]; acceptance: number }[] = [];
      for await (const d of sampler.chain({ ...settings, burnIn: 0, draws: 7, thin: 1, key })) draws.push({ w: [...d.weights[0]!, ...d.weights[1]!], acceptance: d.acceptance });
      // By hand: the same minibatch stream (the chain's key + purpose 1), fresh output tensors every step.
      const batches = new MinibatchStream([{ input: 'x', array: p.data.inputs.x! }, { input: g.batchInputs[1]!, array: p.data.labels }], 40, 16, Rng.stream(...key, 1));
      const t = (v: Float32Array, dims: number[]) => new ort.Tensor('float32', v, dims);
      let w: ort.Tensor[] = anchor.map((a, i) => t(Float32Array.from(a), g.shapes[i]!)), previous = w;
      const scalar = (v: ort.Tensor | undefined) => (v!.data as Float32Array)[0]!;
      const potential = (out: ort.InferenceSession.ReturnType) => settings.nbeta * scalar(out[g.outputs.loss]) + scalar(out[g.outputs.localizationEnergy]);
      for (let step = 0; step < 7; step++) {
        assert.deepEqual(draws[step]!.w, [...(w[0]!.data as Float32Array), ...(w[1]!.data as Float32Array)], `step ${step}`);
        const feeds: Record<string, ort.Tensor> = {
          ...batches.next(), [g.inputs.stepSize]: t(Float32Array.of(settings.stepSize), []), [g.inputs.nbeta]: t(Float32Array.of(settings.nbeta), []),
          [g.inputs.localization]: t(Float32Array.of(settings.localization), []),
        };
        g.parameters.forEach((name, i) => { feeds[name] = w[i]!; feeds[g.inputs.previous[i]!] = previous[i]!; feeds[g.inputs.anchor[i]!] = t(anchor[i]!, g.shapes[i]!); });
        const out = await session.run(feeds);
        const next = g.outputs.next.map((name) => out[name]!);
        // The MALA acceptance of w → w': the same minibatch at w', with w as the reverse proposal's target
        // (noiseless chain: |ξ|² = 0).
        const back: Record<string, ort.Tensor> = { ...feeds };
        g.parameters.forEach((name, i) => { back[name] = next[i]!; back[g.inputs.previous[i]!] = w[i]!; });
        const reverse = await session.run(back);
        const acceptance = Math.min(1, Math.exp(potential(out) - potential(reverse) - scalar(reverse[g.outputs.malaReverse]) / (2 * settings.stepSize)));
        assert.equal(draws[step]!.acceptance, acceptance, `acceptance at step ${step}`);
        previous = w;
        w = next;
      }
    } finally {
      await session.release();
      await sampler.dispose();
    }
  });

  it('minibatches are drawn without replacement within an epoch', async () => {
    const ids = makeArray('float32', [10, 2], Float32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2)));
    const stream = new MinibatchStream([{ input: 'x', array: ids }], 10, 3, Rng.stream(5));
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen: number[] = [];
      for (let k = 0; k < 3; k++) {
        const feeds = stream.next();
        const rows = feeds.x!.data as Float32Array;
        assert.deepEqual(feeds.x!.dims, [3, 2]);
        for (let i = 0; i < 3; i++) {
          assert.equal(rows[2 * i], rows[2 * i + 1]);
          assert.equal(rows[2 * i], stream.indices[i]);
          seen.push(rows[2 * i]!);
        }
      }
      assert.equal(new Set(seen).size, 9, `epoch ${epoch}: ${seen}`);
    }
  });

  it('a NaN loss stops the chain with a DialDivergence that suggests ε/10', async () => {
    const bad = makeArray('float32', [40, 2], Float32Array.from(p.data.inputs.x!.data as Float32Array));
    bad.data[7] = NaN;
    const sampler = await SgldSampler.create({ model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: { inputs: { x: bad }, labels: p.data.labels }, batchSize: 40, threads: 1 });
    try {
      await assert.rejects(collect(sampler, [0]), (e: unknown) => {
        assert.ok(e instanceof DialDivergence);
        assert.match(e.message, /^SGLD diverged \(chain 0, step 0\): the minibatch loss became NaN\. Try stepSize ≤ 0\.0001 \(ε\/10\)\.$/);
        return true;
      });
    } finally {
      await sampler.dispose();
    }
  });
});
