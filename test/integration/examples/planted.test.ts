// Planted circuits (examples/planted): networks whose entanglement is known by construction. The committed
// models and hypothesis files run through the real parser and the real sweep (weight-noise dial, onnxruntime).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { buildGradientGraph } from '../../../src/engine/autodiff';
import { loadArray } from '../../../src/engine/data/load';
import { toFloat32, toInt64 } from '../../../src/engine/data/ndarray';
import { degradableParameters, parameterValues } from '../../../src/engine/dials/parameters';
import { loadModel } from '../../../src/engine/onnx/load';
import { createSession, ort } from '../../../src/engine/onnx/runtime';
import { encodeModel } from '../../../src/engine/onnx/load';
import { runSweep } from '../../../src/engine/sweep/run';
import { checkHypothesisFile, type Hypothesis } from '../../../src/hypothesis';
import type { ResultsDocument } from '../../../src/protocol/results';
import type { ModelProto } from '../../../src/engine/onnx/proto';
import { HIDDEN, modelFile, plantedModel, PLANTED, unitLayout } from '../../../examples/planted/generate';
import { Rng } from '../../../src/engine/util/random';
import { atLevels } from '../../support/degradation';

const DIR = path.resolve(__dirname, '../../../examples/planted');

async function hypothesis(file: string): Promise<Hypothesis> {
  const r = await checkHypothesisFile(path.join(DIR, file));
  assert.ok(r.hypothesis, `${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.hypothesis;
}

describe('planted circuits (weight-noise)', function () {
  this.timeout(60_000);
  const results = new Map<string, ResultsDocument>();
  const sweep = async (file: string): Promise<ResultsDocument> => {
    if (!results.has(file)) results.set(file, await runSweep(await hypothesis(file)));
    return results.get(file)!;
  };

  it('the committed models are what the generator builds', () => {
    for (const kappa of PLANTED.kappas) {
      const committed = loadModel(path.join(DIR, modelFile(kappa)));
      assert.deepEqual(Buffer.from(encodeModel(plantedModel(kappa))), Buffer.from(encodeModel(committed.proto)), `κ = ${kappa}`);
    }
  });

  it('w* is (nearly) a stationary point of the loss, as SGLD around w* assumes; the calibrated margin is why', async () => {
    const x = toFloat32(await loadArray(path.join(DIR, 'data/x.npy')));
    const y = toInt64(await loadArray(path.join(DIR, 'data/y.npy')));
    const gradientNorm = async (model: ModelProto): Promise<number> => {
      const params = degradableParameters(model);
      const g = await buildGradientGraph({
        model, parameters: params.map((p) => p.name), loss: { kind: 'cross-entropy', output: 'logits', labels: 'labels' },
        feedShapes: { x: [...x.shape] },
      });
      const s = await createSession(g.model);
      const values = parameterValues(model, params);
      const out = await s.run({
        x: new ort.Tensor('float32', x.data, x.shape), labels: new ort.Tensor('int64', y.data, y.shape),
        ...Object.fromEntries(params.map((p, i) => [p.name, new ort.Tensor('float32', values[i]!, p.shape)])),
      });
      await s.release();
      let norm2 = 0;
      for (const name of Object.values(g.gradOutputs)) for (const v of out[name]!.data as Float32Array) norm2 += v * v;
      return Math.sqrt(norm2);
    };
    // What is left comes from the input jitter (about 0.007 for κ = 0 and 0.03 for κ > 0).
    for (const kappa of PLANTED.kappas) {
      const norm = await gradientNorm(loadModel(path.join(DIR, modelFile(kappa))).proto);
      assert.ok(norm < 0.05, `κ = ${kappa}: |∇L_n(w*)| = ${norm}`);
    }
    // A control margin 0.5 off the optimum, or coupled units sitting on the ReLU kink, are not stationary.
    assert.ok(await gradientNorm(plantedModel(1, { controlMargin: PLANTED.controlMargin + 0.5 })) > 0.2);
    assert.ok(await gradientNorm(plantedModel(1, { coupledThreshold: 0 })) > 0.1);
  });

  it('κ = 0: collateral is exactly zero until the gate breaks; clean from the lowest level; no control set clean', async () => {
    const doc = await sweep('kappa-0.circuit.yaml');
    assert.equal(doc.baseline.collateralEffect, 0);
    assert.ok(doc.baseline.targetEffect > 1.3, `E_T(0) = ${doc.baseline.targetEffect} (≈ log 4)`);
    assert.equal(doc.verdict.tEnt, doc.levels[0]!.level, doc.verdict.summary);
    assert.match(doc.verdict.summary, /clean from the lowest level tested/);
    assert.equal(doc.verdict.specificity!.p, 1 / 40);
    assert.equal(doc.verdict.calibration!.clean, 0, doc.verdict.calibration!.summary);
    assert.equal(doc.controls!.count, 39);
    assert.equal(doc.controls!.exact, false);
  });

  it('the ladder: t_ent never falls as κ grows; every coupled κ is entangled wherever the control task still lives', async () => {
    // What v3 measures here (docs/method.md, "Planted ground truth"): the coupling is not shed before the degraded
    // network stops doing the control task. E_C's 1 − 2α/L interval only fits inside ±s_C(t) once σ has pushed the
    // control loss past the constant predictor's, and there the control guard refuses to call collateral negligible.
    const order = (t: number | null) => (t === null ? Infinity : t);
    let previous = -Infinity;
    for (const kappa of PLANTED.kappas) {
      const doc = await sweep(`kappa-${kappa}.circuit.yaml`);
      assert.ok(order(doc.verdict.tEnt) >= previous, `κ = ${kappa}: t_ent ${doc.verdict.tEnt} below the previous ${previous}`);
      previous = order(doc.verdict.tEnt);
      assert.equal(doc.verdict.specificity!.specific, true, `κ = ${kappa}`);
      if (kappa === 0) continue;
      assert.ok(doc.baseline.collateralEffect > 0, `κ = ${kappa}: E_C(0) = ${doc.baseline.collateralEffect}`);
      assert.equal(doc.verdict.cleanWindow, null, `κ = ${kappa}: ${doc.verdict.summary}`);
      for (const l of doc.levels) {
        const b = l.v3!.behaviour!;
        if (b.present && b.control!.present) assert.equal(l.collateralNegligible, false, `κ = ${kappa}, σ = ${l.level}`);
        // Where the noise statistic alone would pass, the control task is gone: worse than half its trained margin.
        if (l.v3!.collateral.noise!.negligible) assert.equal(b.control!.present, false, `κ = ${kappa}, σ = ${l.level}`);
      }
      assert.ok(doc.verdict.tSurv !== null && doc.verdict.tSurv >= 0.3, `κ = ${kappa}: t_surv = ${doc.verdict.tSurv}`);
      assert.equal(doc.verdict.calibration!.clean, 0);
    }
  });

  it('units that serve the control task only are never clean and not specific', async () => {
    const doc = await sweep('non-circuit-units.circuit.yaml');
    assert.equal(doc.baseline.targetEffect, 0);
    assert.equal(doc.verdict.cleanWindow, null);
    assert.equal(doc.verdict.tSurv, null);
    assert.equal(doc.verdict.specificity!.specific, false);
    assert.match(doc.verdict.summary, /^not specific at the trained network: the exact rank test gives p = 1\.0 > α = 0\.05/);
  });

  it('the circuit with units it shares with the control task is never clean; random units of the layer are never clean', async () => {
    const shared = await sweep('shared-units.circuit.yaml');
    assert.equal(shared.verdict.cleanWindow, null, shared.verdict.summary);
    assert.ok(shared.levels.every((l) => !l.clean));
    assert.ok(shared.levels[0]!.collateralEffect.mean > 0.1, `E_C(σ = 0.001) = ${shared.levels[0]!.collateralEffect.mean}`);
    const random = await sweep('random-units.circuit.yaml');
    assert.equal(random.verdict.cleanWindow, null, random.verdict.summary);
  });

  it('random non-target sets are clean in at most α of 40 seeded draws (each with its own null)', async function () {
    this.timeout(600_000);
    const h = await hypothesis('kappa-0.1.circuit.yaml');
    const { circuit } = unitLayout();
    const others = Array.from({ length: HIDDEN }, (_, u) => u).filter((u) => !circuit.includes(u));
    const rng = Rng.stream(2026, 12);
    const short = atLevels(h.degradation, [0.001, 0.01, 0.04, 0.16, 0.6], 'log', 16);
    let clean = 0;
    let specific = 0;
    for (let i = 0; i < 40; i++) {
      const perm = rng.permutation(others.length);
      const units = [0, 1, 2, 3].map((k) => others[perm[k]!]!).sort((a, b) => a - b);
      const doc = await runSweep({ ...h, circuit: { name: `random ${i}`, components: [{ ...h.circuit.components[0]!, units }] }, degradation: short });
      if (doc.verdict.cleanWindow) clean++;
      if (doc.verdict.specificity!.specific) specific++;
    }
    // At most α = 0.05 of 40: 2. (These units do nothing on target rows, so none is specific at w*.)
    assert.ok(clean <= 2, `${clean} of 40 random non-target sets clean`);
    assert.ok(specific <= 2, `${specific} of 40 specific`);
  });

  it('the same verdict at 8, 16, 24 and 48 levels, on the uncoupled and a coupled circuit', async function () {
    this.timeout(600_000);
    for (const kappa of [0, 0.3]) {
      const h = await hypothesis(`kappa-${kappa}.circuit.yaml`);
      const verdicts: string[] = [];
      for (const count of [8, 16, 24, 48]) {
        const doc = await runSweep({ ...h, degradation: atLevels(h.degradation, logGrid(0.001, 3, count), 'log', 32) });
        verdicts.push(kappa === 0 ? String(doc.verdict.tEnt === doc.levels[0]!.level) : String(doc.verdict.cleanWindow));
        if (kappa === 0) assert.ok(doc.verdict.cleanWindow![1] < 0.3, `κ = 0 at ${count} levels: ${doc.verdict.summary}`);
      }
      assert.deepEqual(verdicts, new Array(4).fill(kappa === 0 ? 'true' : 'null'), `κ = ${kappa}: ${verdicts}`);
    }
  });

  it('same seed, same numbers', async () => {
    const again = await runSweep(await hypothesis('kappa-0.3.circuit.yaml'));
    const first = await sweep('kappa-0.3.circuit.yaml');
    assert.deepEqual(again.levels.map((l) => [l.targetEffect, l.collateralEffect, l.lossGap]), first.levels.map((l) => [l.targetEffect, l.collateralEffect, l.lossGap]));
    assert.deepEqual(again.verdict, first.verdict);
  });
});

function logGrid(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from * (to / from) ** (i / (count - 1)));
}
