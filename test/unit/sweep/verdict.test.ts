import { strict as assert } from 'node:assert';
import { withInterval } from '../../../src/engine/sweep/stats';
import { decideVerdict, judgeLevel, Thresholds } from '../../../src/engine/sweep/verdict';

const TH: Thresholds = { collateralTolerance: 0.1, persistence: 0.25, noiseFloor: 0.01 };
// Estimates with dof = ∞ so the interval is mean ± 1.96·se.
const est = (mean: number, se: number) => withInterval(mean, se, 100, Infinity);

describe('sweep/verdict', () => {
  it('collateral: upper 95% bound against τ_C·max(ΔL_C, δ)', () => {
    // ΔL_C = 0.5 ⇒ threshold 0.05; upper = 0.03 + 1.96·0.01 = 0.0496 < 0.05 ⇒ negligible.
    const a = judgeLevel({ targetEffect: est(1, 0.1), collateralEffect: est(0.03, 0.01), controlLossGap: est(0.5, 0.01) }, 2, TH);
    assert.equal(a.collateralNegligible, true);
    assert.ok(Math.abs(a.collateralThreshold - 0.05) < 1e-12);
    // se 0.011 ⇒ upper 0.05156 > 0.05 ⇒ not negligible.
    assert.equal(judgeLevel({ targetEffect: est(1, 0.1), collateralEffect: est(0.03, 0.011), controlLossGap: est(0.5, 0.01) }, 2, TH).collateralNegligible, false);
    // ΔL_C below δ: the floor sets the threshold, 0.1·0.01 = 0.001.
    const floor = judgeLevel({ targetEffect: est(1, 0.1), collateralEffect: est(0.0005, 0.0002), controlLossGap: est(0.0001, 0) }, 2, TH);
    assert.ok(Math.abs(floor.collateralThreshold - 0.001) < 1e-15);
    assert.equal(floor.collateralNegligible, true); // 0.0005 + 0.000392 < 0.001
  });

  it('persistence: lower 95% bound against ρ·E_T(0); no target effect at t = 0 never persists', () => {
    // ρ·E_T(0) = 0.5; lower = 0.7 − 1.96·0.1 = 0.504 > 0.5.
    assert.equal(judgeLevel({ targetEffect: est(0.7, 0.1), collateralEffect: est(0, 0), controlLossGap: est(0, 0) }, 2, TH).targetPersists, true);
    assert.equal(judgeLevel({ targetEffect: est(0.7, 0.11), collateralEffect: est(0, 0), controlLossGap: est(0, 0) }, 2, TH).targetPersists, false);
    assert.equal(judgeLevel({ targetEffect: est(0.7, 0.01), collateralEffect: est(0, 0), controlLossGap: est(0, 0) }, 0, TH).targetPersists, false);
    assert.equal(judgeLevel({ targetEffect: est(0.7, 0.01), collateralEffect: est(0, 0), controlLossGap: est(0, 0), error: 'diverged' }, 2, TH).targetPersists, false);
  });

  it('the clean window is the longest run where both hold; t_ent its lower end; t_surv the highest persisting level', () => {
    const table = [
      // level, negligible, persists
      [0.01, false, true], [0.1, true, true], [1, false, true], [10, true, true], [100, true, true], [1000, true, false], [10000, false, true],
    ] as const;
    const v = decideVerdict(table.map(([level, c, p]) => ({ level, collateralNegligible: c, targetPersists: p })));
    assert.deepEqual(v.cleanWindow, [10, 100]);
    assert.equal(v.tEnt, 10);
    assert.equal(v.tSurv, 10000);
    assert.ok(Math.abs(v.cleanlinessDecades - 1) < 1e-12);
    assert.match(v.summary, /t_ent = 10\b/);
  });

  it('ties go to the lowest run; a one-level window has cleanliness 0', () => {
    const v = decideVerdict([[1, true], [2, false], [3, true]].map(([level, ok]) => ({ level: level as number, collateralNegligible: ok as boolean, targetPersists: true })));
    assert.deepEqual(v.cleanWindow, [1, 1]);
    assert.equal(v.cleanlinessDecades, 0);
    assert.equal(v.tSurv, 3);
  });

  it('no clean window: "entangled at every tested temperature", never a number', () => {
    const v = decideVerdict([0.1, 1, 10].map((level) => ({ level, collateralNegligible: level > 1, targetPersists: level < 10 })));
    assert.equal(v.cleanWindow, null);
    assert.equal(v.tEnt, null);
    assert.equal(v.cleanlinessDecades, 0);
    assert.equal(v.tSurv, 1);
    assert.match(v.summary, /^entangled at every tested temperature/);
  });
});
