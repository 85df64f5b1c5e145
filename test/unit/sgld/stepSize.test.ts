// `stepSize: auto`: the ladder search with a known answer, and a real sweep that records the ε it chose per level.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { DialDivergence } from '../../../src/engine/dials/dial';
import { calibrateStepSize, PILOT_STEPS, STEP_LADDER } from '../../../src/engine/dials/sgld';
import { runSweep } from '../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../src/hypothesis';

/** A pilot whose every step has acceptance exp(−ε·scale), diverging above `diverges`. */
function fakePilot(scale: number, diverges = Infinity, calls: number[] = []) {
  return async function* (stepSize: number): AsyncIterable<{ acceptance: number }> {
    calls.push(stepSize);
    if (stepSize > diverges) throw new DialDivergence('loss became NaN', -1, 0);
    for (let i = 0; i < PILOT_STEPS; i++) yield { acceptance: i === 0 ? NaN : Math.exp(-stepSize * scale) };
  };
}

describe('sgld: stepSize auto', function () {
  this.timeout(60_000);

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
    await assert.rejects(calibrateStepSize(fakePilot(3e6), 5), (err: Error) => err instanceof DialDivergence && /stepSize auto at t = 5: no step size down to 5\.6e-8 .*; the best pilot reached 0\.84 at ε = 5\.6e-8\. A plateau below 0\.9 is minibatch gradient noise: raise sgld\.batchSize/.test(err.message));
  });

  it('a real sweep (full-batch: the acceptance estimate is not capped by minibatch noise) records the ε each level chose', async () => {
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../examples/planted/kappa-0.circuit.yaml'));
    const h = r.hypothesis!;
    const sgld = { ...h.degradation.sgld, stepSize: 'auto' as const, chains: 2, draws: 5, burnIn: 0, thin: 1, batchSize: 128, localization: 30 };
    const hypothesis = { ...h, controls: { count: 0, match: 'size' as const }, degradation: { ...h.degradation, dial: 'sgld' as const, temperatures: { levels: [0.1, 10], scale: 'log' as const }, sgld } };
    const doc = await runSweep(hypothesis);
    for (const l of doc.levels) {
      assert.equal(l.error, undefined);
      assert.ok(STEP_LADDER.includes(l.stepSize!), `t = ${l.level}: ε = ${l.stepSize}`);
    }
    // A hotter level (smaller nβ) tolerates a step at least as large.
    assert.ok(doc.levels[1]!.stepSize! >= doc.levels[0]!.stepSize!, doc.levels.map((l) => l.stepSize).join(', '));
    const again = await runSweep(hypothesis);
    assert.deepEqual(again.levels.map((l) => l.stepSize), doc.levels.map((l) => l.stepSize));
    // A fixed step size is recorded as given.
    const fixed = await runSweep({ ...hypothesis, degradation: { ...hypothesis.degradation, sgld: { ...sgld, stepSize: 1e-4 } } });
    assert.deepEqual(fixed.levels.map((l) => l.stepSize), [1e-4, 1e-4]);
  });
});
