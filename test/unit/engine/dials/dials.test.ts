import { DEFAULT_VERDICT } from '../../../../src/engine/sweep/verdict';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addActivationNoise, createActivationNoiseDial, noiseInputName } from '../../../../src/engine/dials/activationNoise';
import { CheckpointMismatch, createCheckpointsDial } from '../../../../src/engine/dials/checkpoints';
import type { DialContext, DialDraw } from '../../../../src/engine/dials/dial';
import { degradableParameters, dialParameters, parameterValues } from '../../../../src/engine/dials/parameters';
import { createWeightNoiseDial } from '../../../../src/engine/dials/weightNoise';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { saveModel } from '../../../../src/engine/onnx/load';
import { createSession, ort } from '../../../../src/engine/onnx/runtime';
import { degradationAs, type Hypothesis, tagDegradation, type UntaggedDegradation } from '../../../../src/protocol/hypothesis';
import { cnnModel, mlpModel } from '../../../fixtures/models';

function hypothesis(degradation: Partial<UntaggedDegradation>): Hypothesis {
  return {
    file: '/nowhere.circuit.yaml', model: '/nowhere.onnx',
    data: { inputs: { x: '/x.npy' }, labels: '/y.npy', target: { labels: [0] } },
    loss: { output: 'logits', kind: 'cross-entropy' }, metric: 'loss',
    circuit: { name: 'c', components: [{ tensor: '/relu/Relu_output_0', axis: -1, units: [0] }] },
    intervention: { kind: 'zero', scope: 'circuit' },
    degradation: tagDegradation({
      dial: 'weight-noise', levels: [0.1, 1], scale: 'log',
      sgld: { stepSize: 1e-4, localization: 100, chains: 1, draws: 1, burnIn: 0, thin: 1, batchSize: 1 },
      noise: { samples: 3 }, seed: 5, ...degradation,
    }),
    controls: { count: 0, match: 'size' },
    verdict: DEFAULT_VERDICT,
  };
}

function context(h: Hypothesis, model = mlpModel()): DialContext {
  const parameters = dialParameters(model, h.degradation.dial);
  return {
    degradation: h.degradation, loss: h.loss, model, parameters, initialWeights: parameterValues(model, parameters),
    data: { inputs: { x: makeArray('float32', [1, 8]) }, labels: makeArray('int64', [1]) }, n: 1, seed: h.degradation.seed,
  };
}

async function collect(it: AsyncIterable<DialDraw>, copy = true): Promise<DialDraw[]> {
  const out: DialDraw[] = [];
  for await (const d of it) out.push(copy && d.weights ? { ...d, weights: d.weights.map((w) => Float32Array.from(w)) } : d);
  return out;
}

describe('dials', () => {
  it('degradable parameters leave out BatchNormalization running statistics; checkpoints carry them', () => {
    const names = degradableParameters(cnnModel()).map((p) => p.name);
    assert.ok(names.includes('bn.weight') && names.includes('conv1.weight'));
    assert.ok(!names.includes('bn.running_mean') && !names.includes('bn.running_var'));
    assert.ok(dialParameters(cnnModel(), 'checkpoints').some((p) => p.name === 'bn.running_var'));
  });

  it('weight-noise: w = w* + σ·ξ with the level as σ, reproducible from (seed, level, chain)', async () => {
    const h = hypothesis({ noise: { samples: 40 } });
    const ctx = context(h);
    const dial = await createWeightNoiseDial(ctx);
    assert.deepEqual([dial.chains, dial.drawsPerChain, dial.independentDraws, dial.deterministic], [1, 40, true, false]);
    const draws = await collect(dial.draws(0, 0));
    assert.equal(draws.length, 40);
    // Pool (w − w*)/σ over all parameters and draws: mean 0, variance 1 within 4 standard errors.
    let s = 0, s2 = 0, k = 0;
    for (const d of draws) d.weights!.forEach((w, p) => w.forEach((v, i) => { const z = (v - ctx.initialWeights[p]![i]!) / 0.1; s += z; s2 += z * z; k++; }));
    assert.ok(Math.abs(s / k) < 4 / Math.sqrt(k), `mean ${s / k}`);
    assert.ok(Math.abs(s2 / k - 1) < 4 * Math.sqrt(2 / k), `variance ${s2 / k}`);
    const again = await collect(dial.draws(0, 0));
    assert.deepEqual(again[7]!.weights, draws[7]!.weights);
    const otherLevel = await collect(dial.draws(1, 0));
    assert.notDeepEqual(otherLevel[0]!.weights![0]!.map((v, i) => (v - ctx.initialWeights[0]![i]!) / 1), draws[0]!.weights![0]!.map((v, i) => (v - ctx.initialWeights[0]![i]!) / 0.1));
    assert.ok(ctx.initialWeights[0]!.every((v, i) => v === parameterValues(mlpModel(), ctx.parameters)[0]![i]), 'w* is never mutated');
  });

  it('weight-noise stops at once when aborted, and needs 2 samples for a standard error', async () => {
    const dial = await createWeightNoiseDial(context(hypothesis({ noise: { samples: 1000 } })));
    const controller = new AbortController();
    let n = 0;
    await assert.rejects(async () => {
      for await (const _ of dial.draws(0, 0, controller.signal)) if (++n === 3) controller.abort();
    }, (e: Error) => e.name === 'AbortError');
    assert.equal(n, 3);
    await assert.rejects(createWeightNoiseDial(context(hypothesis({ noise: { samples: 1 } }))), /at least 2 samples/);
  });

  it('activation-noise: y + noise on the named tensor, fed per batch, the same stream for the same key', async () => {
    const model = addActivationNoise(mlpModel(), ['/relu/Relu_output_0']);
    const session = await createSession(model);
    const x = new ort.Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2), [2, 8]);
    const plain = await (await createSession(mlpModel())).run({ x });
    const zero = await session.run({ x, [noiseInputName('/relu/Relu_output_0')]: new ort.Tensor('float32', new Float32Array(32), [2, 16]) });
    assert.deepEqual(Array.from(zero.logits!.data as Float32Array), Array.from(plain.logits!.data as Float32Array));
    // Noise e on relu unit 0 of row 0 moves the logits by e·fc2.weight[0, :].
    const e = new Float32Array(32);
    e[0] = 2;
    const moved = await session.run({ x, [noiseInputName('/relu/Relu_output_0')]: new ort.Tensor('float32', e, [2, 16]) });
    const w2 = parameterValues(mlpModel(), [{ name: 'fc2.weight', dtype: 'float32', shape: [16, 4], size: 64, source: 'initializer', role: 'weight' }])[0]!;
    for (let j = 0; j < 4; j++) assert.ok(Math.abs((moved.logits!.data as Float32Array)[j]! - (plain.logits!.data as Float32Array)[j]! - 2 * w2[j]!) < 1e-5);
    await session.release();

    const dial = await createActivationNoiseDial(context(hypothesis({ dial: 'activation-noise', noise: { samples: 4, tensors: ['/relu/Relu_output_0'] } })));
    const batch = { index: 0, dims: () => [64, 16] };
    const [a, b] = [await collect(dial.draws(1, 0)), await collect(dial.draws(1, 0))];
    const noise = (d: DialDraw, i = 0) => d.feeds!({ ...batch, index: i })[noiseInputName('/relu/Relu_output_0')]!.data as Float32Array;
    assert.deepEqual(noise(a[2]!), noise(b[2]!));
    assert.notDeepEqual(noise(a[2]!), noise(a[3]!));
    assert.notDeepEqual(noise(a[2]!, 0), noise(a[2]!, 1));
    const v = noise(a[0]!);
    const sd = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    assert.ok(Math.abs(sd - 1) < 4 * Math.sqrt(1 / (2 * v.length)), `sd ${sd} for σ = 1`);
    assert.ok(noise(dial.baseline!()).every((x) => x === 0));
  });

  it('checkpoints: one exact draw per level; a checkpoint with other parameters is refused with a clear message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    try {
      const good = path.join(dir, 'good.onnx');
      const shifted = mlpModel();
      shifted.graph.initializer = shifted.graph.initializer.map((t) => (t.name === 'fc1.bias' ? { ...t, rawData: new Uint8Array(new Float32Array(16).fill(0.5).buffer) } : t));
      saveModel(shifted, good);
      const h = hypothesis({ dial: 'checkpoints', checkpoints: [good, good], levels: [0, 1], scale: 'linear' });
      const dial = await createCheckpointsDial(context(h));
      assert.deepEqual([dial.deterministic, dial.drawsPerChain, dial.chains], [true, 1, 1]);
      const [draw] = await collect(dial.draws(1, 0));
      const i = context(h).parameters.findIndex((p) => p.name === 'fc1.bias');
      assert.deepEqual(Array.from(draw!.weights![i]!), new Array(16).fill(0.5));

      const renamed = mlpModel();
      renamed.graph.initializer = renamed.graph.initializer.map((t) => (t.name === 'fc2.weight' ? { ...t, name: 'head.weight' } : t));
      renamed.graph.node = renamed.graph.node.map((n) => ({ ...n, input: n.input.map((x) => (x === 'fc2.weight' ? 'head.weight' : x)) }));
      const bad = path.join(dir, 'bad.onnx');
      saveModel(renamed, bad);
      await assert.rejects(createCheckpointsDial(context({ ...h, degradation: { ...degradationAs(h.degradation, 'checkpoints'), checkpoints: [good, bad] } })),
        (e: Error) => e instanceof CheckpointMismatch && /checkpoint 1 \(bad\.onnx\) has no parameter 'fc2\.weight' \[16, 4\]/.test(e.message));
      const wider = mlpModel();
      wider.graph.initializer = wider.graph.initializer.map((t) => (t.name === 'fc2.bias' ? { ...t, dims: [5], rawData: new Uint8Array(20) } : t));
      const widerFile = path.join(dir, 'wider.onnx');
      saveModel(wider, widerFile);
      await assert.rejects(createCheckpointsDial(context({ ...h, degradation: { ...degradationAs(h.degradation, 'checkpoints'), checkpoints: [widerFile, good] } })),
        /checkpoint 0 \(wider\.onnx\): parameter 'fc2\.bias' has shape \[5\]; the model's is \[4\]/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
