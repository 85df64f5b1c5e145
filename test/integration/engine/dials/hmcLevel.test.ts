// An hmc level on the planted κ = 1 sgld example (its model, data and full batch), through the real parser, sweep
// runner and sgld dial: what the level records (the trajectory time T and the mean leapfrog steps L̄ its chains ran
// with), and that a given leapfrog step is used as is with no SGLD step-size ladder run for it.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { createSgldDial } from '../../../../src/engine/dials/sgld';
import { meanLeapfrog } from '../../../../src/engine/dials/hmcSampler';
import { METRIC_WINDOWS } from '../../../../src/engine/dials/sgldMetric';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../../src/hypothesis';
import { degradationAs } from '../../../../src/protocol/hypothesis';
import type { LevelResult } from '../../../../src/protocol/results';

const FILE = path.resolve(__dirname, '../../../../examples/planted/kappa-1.sgld.circuit.yaml');

describe('hmc level on the planted example', function () {
  this.timeout(300_000);

  /** One level (t = 1), one chain of 4 draws, fixed burn-in and thin: the calibration is the metric pilot, the
   *  warm-up and, with stepSize: auto only, SGLD's ladder. */
  const level = async (stepSize: number | 'auto'): Promise<LevelResult> => {
    const r = await checkHypothesisFile(FILE);
    assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
    const h = r.hypothesis;
    const d = degradationAs(h.degradation, 'sgld');
    const doc = await runSweep({
      ...h, controls: { ...h.controls, count: 0 },
      degradation: { ...d, seed: 5, levels: [1], sgld: { ...d.sgld, sampler: 'hmc', stepSize, burnIn: 5, thin: 1, chains: 1, draws: 4 } },
    }, { sampler: createSgldDial });
    const l = doc.levels[0]!;
    assert.equal(l.error, undefined, l.error);
    return l;
  };

  it('records T and L̄; a given leapfrog step is used as is, and SGLD\'s ladder is not run before its metric pilot', async () => {
    const metricPasses = METRIC_WINDOWS.reduce((a, w) => a + w, 0);
    // ε near what the warm-up chooses here at t = 1 (5.3e−3, docs/method.md).
    const fixed = await level(5e-3);
    assert.equal(fixed.stepSize, 5e-3, 'the given ε, not a dual-averaged one');
    assert.ok(fixed.trajectory !== undefined && fixed.trajectory > 0, `T = ${fixed.trajectory}`);
    assert.equal(fixed.leapfrog, meanLeapfrog(fixed.trajectory, 5e-3));
    assert.equal(fixed.leapfrog, Math.ceil(fixed.trajectory / 5e-3), 'L̄ = ⌈T/ε⌉ (below the cap)');
    // The calibration's step-graph passes are the metric pilot's windows (one pass a step) and its ε's recalibration
    // after each (100-step MALA rungs from ε² down, two passes a step; the accepted rung runs all 100); the rest are
    // the warm-up's full-data gradients.
    const c = fixed.calibration!;
    assert.ok(c.gradients !== undefined && c.gradients > 0, 'the warm-up\'s gradients are counted');
    const recalibration = c.passes - c.gradients - metricPasses;
    assert.ok(recalibration >= METRIC_WINDOWS.length * 200, `${recalibration} recalibration passes`);
    // With stepSize: auto the ladder runs first (at least one 100-step rung, two passes a step): the count sees it.
    const auto = await level('auto');
    const a = auto.calibration!;
    assert.ok(a.passes - a.gradients! >= metricPasses + 200 + METRIC_WINDOWS.length * 200, `${a.passes - a.gradients!} step-graph passes`);
    assert.ok(auto.trajectory !== undefined && auto.leapfrog === meanLeapfrog(auto.trajectory, auto.stepSize!));
  });
});
