// `stepSize: auto` and `burnIn: auto`: the ladder search and the burn-in doubling with known answers, and real
// sweeps on minibatches that record the ε and burn-in each level chose.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { DialDivergence } from '../../../../src/engine/dials/dial';
import { burnInStart } from '../../../../src/protocol/sgldSchedule';
import { calibrateBurnIn, calibrateStepSize, measureThin, PILOT_STEPS, STEP_LADDER, stationaryHalves, THIN_PILOT_MAX, THIN_PILOT_MIN, THIN_PILOT_TAUS } from '../../../../src/engine/dials/sgld';
import { Rng } from '../../../../src/engine/util/random';
import { SgldSampler } from '../../../../src/engine/dials/sgldSampler';
import { linearProblem } from '../../../support/linearRegression';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../../src/hypothesis';
import { sgldAt } from '../../../support/degradation';

/** A pilot whose every step has acceptance exp(−ε·scale), diverging above `diverges`. */
function fakePilot(scale: number, diverges = Infinity, calls: number[] = []) {
  return async function* (stepSize: number): AsyncIterable<{ acceptance: number }> {
    calls.push(stepSize);
    if (stepSize > diverges) throw new DialDivergence('loss became NaN', -1, 0);
    for (let i = 0; i < PILOT_STEPS; i++) yield { acceptance: i === 0 ? NaN : Math.exp(-stepSize * scale) };
  };
}

/** A loss trace that falls linearly by 10 over its first `ramp` steps, then stays at 1, plus N(0, 0.1²) noise. */
async function* rampTrace(ramp: number, length: number, seen: { steps: number }) {
  const rng = Rng.stream(11);
  for (let k = 0; k < length; k++) {
    seen.steps = k + 1;
    yield { loss: 1 + 10 * Math.max(0, ramp - k) / ramp + 0.1 * rng.normal() };
  }
}

describe('sgld: stepSize and burnIn auto', function () {
  this.timeout(60_000);

  it('on a quadratic potential the chosen ε falls as nβ rises, as 1/(nβ·h_max) once the loss dominates', async () => {
    // Linear regression: U = nβ·L + (γ/2)|w − w*|² is quadratic with Hessian nβ·H + γ·I, so MALA's acceptance is a
    // function of ε·(nβ·h + γ) over H's eigenvalues h: ε must shrink in proportion to nβ once nβ·h_max ≫ γ.
    const p = linearProblem(256, 2, 0.3, 5);
    const anchor = [Float32Array.from(p.anchor.slice(0, 2)), Float32Array.from(p.anchor.slice(2))];
    const sampler = await SgldSampler.create({ model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: 32, threads: 1 });
    try {
      const chosen: number[] = [];
      for (const nbeta of [1e2, 1e4, 1e6]) {
        chosen.push(await calibrateStepSize((stepSize, key) => sampler.chain({
          stepSize, nbeta, localization: 1, burnIn: 0, draws: PILOT_STEPS, thin: 1, key: [0, nbeta, ...key], chain: -1, divergenceLoss: 1e6,
        }), nbeta));
      }
      // Strictly falling, and ε·nβ within a factor 10 over four decades of nβ (the rungs are ×3 apart; the pilot's
      // transient from w* and the minibatch's own potential move the constant a little).
      for (let i = 1; i < chosen.length; i++) assert.ok(chosen[i]! < chosen[i - 1]!, `ε ${chosen.join(', ')}`);
      const products = chosen.map((e, i) => e * [1e2, 1e4, 1e6][i]!);
      assert.ok(Math.max(...products) / Math.min(...products) < 10, `ε·nβ ${products.join(', ')}`);
    } finally {
      await sampler.dispose();
    }
  });

  it('takes the largest rung whose pilot keeps acceptance ≥ 0.9, trying rungs from the largest down', async () => {
    // exp(−1000·ε) ≥ 0.9 ⇔ ε ≤ 1.054e-4: the rungs 1.23e-4 (0.884) and 4.12e-5 (0.960) straddle it.
    const calls: number[] = [];
    const e = await calibrateStepSize(fakePilot(1000, Infinity, calls), 1);
    assert.equal(e, STEP_LADDER[5]);
    assert.ok(Math.abs(e - 1e-2 / 243) < 1e-15);
    assert.deepEqual(calls, STEP_LADDER.slice(0, 6));
    // Diverging pilots count as too large; the search goes on below them.
    assert.equal(await calibrateStepSize(fakePilot(1, 1e-3), 1), STEP_LADDER[3]);
    // No rung qualifies: a divergence that says what to change.
    await assert.rejects(calibrateStepSize(fakePilot(3e6), 5), (err: Error) => err instanceof DialDivergence && /stepSize auto at t = 5: no step size down to 5\.6e-8 .*; the best pilot reached 0\.84 at ε = 5\.6e-8\. The potential is too sharp at this temperature: raise the grid's lowest temperature, or give a step size$/.test(err.message));
    // A given step whose sampler's metric pilot finds no rung: the message names the pilot, not stepSize auto.
    await assert.rejects(calibrateStepSize(fakePilot(3e6), 5, Infinity, STEP_LADDER, { sampler: 'hmc', stepSize: 0.005 }), (err: Error) => err instanceof DialDivergence && /^hmc's metric pilot \(stepSize 0\.005 given\) at t = 5: no step size down to 5\.6e-8 .*: raise the grid's lowest temperature, or use sampler: sgld, which needs no metric pilot$/.test(err.message));
  });

  it('burn-in: three relaxation times 2/(εγ) at least, doubled until the trace after it is stationary', async () => {
    // ε = 1e-3, γ = 10: 2/(εγ) = 200 steps, so b₀ = 600. The ramp ends at step 1000: [600, 1200) still falls in its
    // first half; [1200, 2400) is flat. The pilot is read to step 2b = 2400 and no further.
    // The stationarity test raises a false alarm on a flat window at its level (≈ 5%, checked below); an alarm only
    // doubles the burn-in, so the answer is the first window past the ramp or a later one, never an earlier one.
    const seen = { steps: 0 };
    const strong = await calibrateBurnIn(rampTrace(1000, 10_000, seen), burnInStart(1e-3, 10));
    assert.ok(strong.stationary && [1200, 2400].includes(strong.burnIn), JSON.stringify(strong));
    assert.equal(seen.steps, 2 * strong.burnIn, 'the pilot is read to step 2b and no further');
    // A strong pull (γ = 1000, 2/(εγ) = 2 steps): the floor of 100 steps, doubled 100 → 200 → 400 → 800 → 1600, the
    // first window past the ramp.
    const weak = await calibrateBurnIn(rampTrace(1000, 10_000, seen), burnInStart(1e-3, 1000));
    assert.ok(weak.stationary && [1600].includes(weak.burnIn), JSON.stringify(weak));
    // Never stationary within 16·b₀: the last candidate, flagged.
    assert.deepEqual(await calibrateBurnIn(rampTrace(4000, 4000, seen), burnInStart(1e-3, 1000)), { burnIn: 1600, stationary: false });
  });

  it('the stationarity test: a drift fails it, flat noise passes it with a false-alarm rate near 5%', () => {
    const rng = Rng.stream(3);
    const trials = 400;
    let alarms = 0, drifts = 0;
    for (let i = 0; i < trials; i++) {
      const flat = Array.from({ length: 400 }, () => rng.normal());
      if (!stationaryHalves(flat)) alarms++;
      // A drift of 2 over the window: the halves' means differ by 1; a half's 10 batch means spread by the noise
      // (sd 1/√20) and the drift within it (sd 1/√12): se ≈ 0.11 per half, the difference ≈ 6 se.
      if (stationaryHalves(flat.map((v, k) => v + (2 * k) / 400))) drifts++;
    }
    // |z| > 2 with se from 10 batch means per half (≈ 18 degrees of freedom): P ≈ 6%; 400 trials: sd ≈ 1.2%.
    assert.ok(alarms / trials > 0.02 && alarms / trials < 0.1, `false alarms ${alarms}/${trials}`);
    assert.equal(drifts, 0);
  });

  it('a real sweep on minibatches (64 of 128 examples) calibrates ε and burn-in per level', async () => {
    // Before the acceptance compared both ends on the same minibatch, this plateaued at ≈ 0.52 and auto failed.
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../../examples/planted/kappa-0.circuit.yaml'));
    const h = r.hypothesis!;
    const sgld = { ...sgldAt(h.degradation).sgld, stepSize: 'auto' as const, chains: 2, draws: 64, burnIn: 'auto' as const, thin: 1, batchSize: 64 };
    const hypothesis = { ...h, controls: { count: 0, match: 'size' as const }, degradation: sgldAt({ ...h.degradation, levels: [0.1, 10], scale: 'log' }, sgld) };
    const doc = await runSweep(hypothesis);
    for (const l of doc.levels) {
      assert.equal(l.error, undefined);
      assert.ok(STEP_LADDER.includes(l.stepSize!), `t = ${l.level}: ε = ${l.stepSize}`);
      // At least three relaxation times of the pull: 3·2/(εγ).
      assert.ok(l.burnIn! >= 6 / (l.stepSize! * sgld.localization), `t = ${l.level}: burn-in ${l.burnIn} at ε = ${l.stepSize}`);
      // The pilots: at least one 100-step rung (two passes a step: the step and its acceptance) and the burn-in
      // pilot read to step 2b (one pass a step).
      assert.ok(l.calibration!.passes >= 2 * PILOT_STEPS + 2 * l.burnIn! && l.calibration!.seconds > 0, JSON.stringify(l.calibration));
      // Measured at every 16th draw: 4 per chain.
      const acceptance = l.chains.reduce((a, c) => a + c.acceptance!, 0) / l.chains.length;
      assert.ok(acceptance > 0.8, `t = ${l.level}: acceptance ${l.chains.map((c) => c.acceptance).join(', ')}`);
    }
    const again = await runSweep(hypothesis);
    assert.deepEqual(again.levels.map((l) => [l.stepSize, l.burnIn]), doc.levels.map((l) => [l.stepSize, l.burnIn]));
    // Fixed settings are recorded as given.
    const fixed = await runSweep({ ...hypothesis, degradation: { ...hypothesis.degradation, sgld: { ...sgld, stepSize: 1e-4, burnIn: 7, draws: 5 } } });
    assert.deepEqual(fixed.levels.map((l) => [l.stepSize, l.burnIn, l.calibration]), [[1e-4, 7, undefined], [1e-4, 7, undefined]]);
  });

  it('thin: auto measures the autocorrelation time: an AR(1) series of known τ', async () => {
    // x_k = ρ·x_{k−1} + √(1 − ρ²)·z_k has τ_int = (1 + ρ)/(1 − ρ): 19 at ρ = 0.9, 3 at ρ = 0.5.
    const ar = (rho: number, seed: number) => async function* () {
      const rng = Rng.stream(seed);
      let x = rng.normal();
      for (let k = 0; k < THIN_PILOT_MAX; k++) {
        x = rho * x + Math.sqrt(1 - rho * rho) * rng.normal();
        yield { loss: x, distance: 1 };
      }
    };
    // One estimate from ≥ 100·τ draws scatters by about ±25% (Sokal's variance of τ̂ with a window of a few τ);
    // the mean of eight independent pilots is within 10% of τ.
    const estimates: number[] = [];
    for (let seed = 0; seed < 8; seed++) {
      const r = await measureThin(ar(0.9, seed)());
      assert.ok(r.measured && r.steps >= THIN_PILOT_TAUS * r.tau && Math.abs(r.tau - 19) < 0.4 * 19, `ρ = 0.9: ${JSON.stringify(r)}, τ 19`);
      assert.equal(r.thin, Math.ceil(r.tau));
      estimates.push(r.tau);
    }
    const mean = estimates.reduce((a, v) => a + v, 0) / estimates.length;
    assert.ok(Math.abs(mean - 19) < 0.1 * 19, `mean τ̂ ${mean} over ${estimates.join(', ')}`);
    const fast = await measureThin(ar(0.5, 1)());
    assert.ok(fast.measured && fast.steps === THIN_PILOT_MIN && fast.tau > 1.5 && fast.tau < 6, `ρ = 0.5: ${JSON.stringify(fast)}, τ 3`);
    // The slower of the two series sets it: here the distance (a pull direction), while the loss is white noise.
    const slow = async function* () {
      const rng = Rng.stream(6);
      let x = 0;
      for (let k = 0; k < THIN_PILOT_MAX; k++) {
        x = 0.95 * x + Math.sqrt(1 - 0.95 ** 2) * rng.normal();
        yield { loss: rng.normal(), distance: Math.sqrt(5 + x) };
      }
    };
    const r = await measureThin(slow());
    assert.ok(Math.abs(r.tau - 39) < 0.4 * 39, JSON.stringify(r));
    // A series too slow for the pilot's cap: the last estimate, flagged.
    const frozen = await measureThin(ar(0.9995, 7)());
    assert.ok(!frozen.measured && frozen.steps === THIN_PILOT_MAX, JSON.stringify(frozen));
  });

  it('thin: auto per level, recorded, and the chains run with it', async () => {
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../../examples/planted/kappa-0.circuit.yaml'));
    const h = r.hypothesis!;
    const sgld = { ...sgldAt(h.degradation).sgld, stepSize: 1e-3, chains: 2, draws: 3, burnIn: 20, thin: 'auto' as const, localization: 1000 };
    const at = (thin: number | 'auto') => ({ ...h, controls: { count: 0, match: 'size' as const }, degradation: sgldAt({ ...h.degradation, levels: [10], scale: 'log' }, { ...sgld, thin }) });
    const [l] = (await runSweep(at('auto'))).levels;
    // εγ = 1: the pull relaxes in about 2 steps, so the chain decorrelates within a few.
    assert.ok(Number.isInteger(l!.thin) && l!.thin! >= 1 && l!.thin! < 20, `thin ${l!.thin}`);
    // The chains ran with it: the same draws as a run that gives that thin as a number.
    const [same] = (await runSweep(at(l!.thin!))).levels;
    assert.deepEqual(same!.chains.map((c) => c.loss), l!.chains.map((c) => c.loss));
    const [other] = (await runSweep(at(l!.thin! + 1))).levels;
    assert.notDeepEqual(other!.chains.map((c) => c.loss), l!.chains.map((c) => c.loss));
});
});
