import { strict as assert } from 'node:assert';
import { studentTQuantile } from '../../../src/engine/sweep/stats';
import { DEFAULT_VERDICT, JudgeContext, judgeLevel, judgeLevels, minimumUsableLevels } from '../../../src/engine/sweep/verdict';
import type { Baseline, Estimate, LevelResult } from '../../../src/protocol/results';

// Estimates with a given dof, so every bound below is computed by hand from t quantiles.
const est = (mean: number, se: number, dof: number | null = 3): Estimate => ({ mean, se, n: 400, dof });

interface Spec {
  level: number;
  target: [number, number];
  collateral: [number, number];
  /** Ē_T^k of the controls (se 0.01 each) and their Ē_C^k (default 0, se 0.001). */
  nullEffects: number[];
  controlCollateral?: number[];
  controlLossGap?: number;
  targetLossGap?: number;
  rhat?: number;
  ess?: number;
}

function level(s: Spec): LevelResult {
  return {
    level: s.level,
    lossGap: est(1, 0.1),
    controlLossGap: est(s.controlLossGap ?? 1, 0.1),
    targetLossGap: est(s.targetLossGap ?? 1, 0.1),
    targetEffect: est(...s.target),
    collateralEffect: est(...s.collateral),
    controls: s.nullEffects.map((m, k) => ({
      targetEffect: est(m, 0.01), collateralEffect: est(s.controlCollateral?.[k] ?? 0, 0.001), rhat: s.rhat ?? 1.001, essBulk: s.ess ?? 800,
    })),
    convergence: {
      rhat: { loss: s.rhat ?? 1.001, targetEffect: s.rhat ?? 1.001, collateralEffect: s.rhat ?? 1.001 },
      essBulk: { loss: s.ess ?? 800, targetEffect: s.ess ?? 800, collateralEffect: s.ess ?? 800 },
      essPerChain: (s.ess ?? 800) / 4,
    },
    collateralNegligible: false,
    targetPersists: false,
    chains: [],
    seconds: 1,
  };
}

// 8 controls with mean 0.2 and sd √(Σ(x − m)²/7).
const NULL = [0.1, 0.3, 0.15, 0.25, 0.2, 0.2, 0.12, 0.28];
const nullSd = Math.sqrt(NULL.reduce((a, x) => a + (x - 0.2) ** 2, 0) / 7);

function context(overrides: Partial<JudgeContext> = {}, baseline: Partial<Baseline> = {}): JudgeContext {
  return {
    baseline: { loss: 0, controlLoss: 0, targetMetric: 0, targetEffect: 2, collateralEffect: 0, controlTargetEffect: NULL, controlCollateralEffect: NULL.map(() => 0), ...baseline },
    settings: DEFAULT_VERDICT, scope: 'circuit', gridLevels: 5, chains: 4, ...overrides,
  };
}

describe('sweep/verdict', () => {
  it('specific: X_T − q·se_X > 0 with q = t_{1−α/L, K−1} and se_X = √(se² + s_T²(1 + 1/K))', () => {
    const q = studentTQuantile(1 - 0.05 / 5, 7);
    const j = judgeLevel(level({ level: 1, target: [1.5, 0.1], collateral: [0, 0.001], nullEffects: NULL }), context());
    const se = Math.sqrt(0.1 ** 2 + nullSd ** 2 * (1 + 1 / 8));
    assert.ok(Math.abs(j.excess!.mean - 1.3) < 1e-12);
    assert.ok(Math.abs(j.excess!.se - se) < 1e-12);
    assert.ok(Math.abs(j.excess!.quantile - q) < 1e-9);
    assert.ok(Math.abs(j.excess!.bound - (1.3 - q * se)) < 1e-9);
    assert.ok(Math.abs(j.null!.mean - 0.2) < 1e-12 && Math.abs(j.null!.sd - nullSd) < 1e-12);
    assert.equal(j.tests!.specific, true);
    // The null band is where a new random set's Ē_T falls: m ± q·s·√(1 + 1/K).
    assert.ok(Math.abs(j.null!.band[1] - (0.2 + q * nullSd * Math.sqrt(1 + 1 / 8))) < 1e-9);
    // An effect inside the null is not specific, however large the raw effect.
    const random = judgeLevel(level({ level: 1, target: [0.3, 0.01], collateral: [0, 0.001], nullEffects: NULL }), context());
    assert.equal(random.tests!.specific, false);
    assert.deepEqual(random.failed, ['specific']);
  });

  it('persists on the excess: a degraded network that every ablation hurts more does not make random units persist', () => {
    // Raw E_T grows 10× (as any ablation does on a degraded network) but so does the null: X_T stays inside it.
    const grown = NULL.map((x) => 10 * x);
    const j = judgeLevel(level({ level: 10, target: [2.2, 0.05], collateral: [0, 0.001], nullEffects: grown }), context({}, { targetEffect: 0.3 }));
    assert.equal(j.targetPersists, false);
    // The circuit keeps its excess: X_T(0) = 2 − 0.2 = 1.8, threshold ρ·X_T(0) = 0.45.
    const kept = judgeLevel(level({ level: 10, target: [1.2, 0.05], collateral: [0, 0.001], nullEffects: NULL }), context());
    assert.ok(Math.abs(kept.excess!.threshold - 0.25 * 1.8) < 1e-12);
    assert.equal(kept.targetPersists, kept.excess!.bound >= 0.45);
    assert.equal(kept.targetPersists, true);
    // Not specific at w* itself (X_T(0) inside the null): nothing persists at any level.
    const never = judgeLevel(level({ level: 10, target: [1.2, 0.05], collateral: [0, 0.001], nullEffects: NULL }), context({}, { targetEffect: 0.25 }));
    assert.equal(never.tests!.specific, true);
    assert.equal(never.targetPersists, false);
  });

  it('collateral by two one-sided tests: a large negative collateral is not negligible', () => {
    // τ_C·ΔL_C = 0.1; 1 − 2α interval = mean ± t_{0.95, 3}·se.
    const t = studentTQuantile(0.95, 3);
    const ok = judgeLevel(level({ level: 1, target: [1.5, 0.05], collateral: [0.01, 0.02], nullEffects: NULL }), context());
    assert.ok(Math.abs(ok.bounds!.collateralUpper - (0.01 + t * 0.02)) < 1e-9);
    assert.ok(Math.abs(ok.bounds!.collateralLower! - (0.01 - t * 0.02)) < 1e-9);
    assert.equal(ok.collateralNegligible, true);
    // The planted κ = 1 case of the issue: ablation *improves* the control loss by 7 nats.
    const flipped = judgeLevel(level({ level: 1, target: [1.5, 0.05], collateral: [-7, 1], nullEffects: NULL, controlLossGap: 10 }), context());
    assert.equal(flipped.collateralNegligible, false);
    assert.ok(flipped.failed!.includes('collateral'));
    // Small but significantly negative ([−0.17, −0.04] in the issue) against a threshold of 0.1: not negligible.
    const small = judgeLevel(level({ level: 1, target: [1.5, 0.05], collateral: [-0.105, 0.028], nullEffects: NULL }), context());
    assert.ok(small.bounds!.collateralLower! < -0.1);
    assert.equal(small.collateralNegligible, false);
  });

  it('converged: R̂ above the threshold or too few effective draws hold no test, break windows, and say what to change', () => {
    const levels = [1, 10, 100].map((t) => level({ level: t, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL, ...(t === 10 ? { rhat: 1.3 } : {}) }));
    const { levels: judged, verdict } = judgeLevels(levels, context({ gridLevels: 3 }));
    assert.deepEqual(judged.map((l) => l.clean), [true, false, true]);
    assert.deepEqual(judged[1]!.failed, ['converged']);
    // It holds no other test: the excess, though as large as at the clean levels, does not count as persisting.
    assert.deepEqual(judged[1]!.tests, { converged: false, specific: null, persists: null, collateral: null });
    assert.equal(judged[1]!.targetPersists, false);
    assert.deepEqual(verdict.inconclusive, [10]);
    assert.deepEqual(verdict.cleanWindow, [1, 1]);
    assert.match(verdict.summary, /inconclusive at t = 10/);
    assert.match(verdict.advice!.join(' '), /R̂ reaches 1\.30.*burn-in/);
    // ESS per chain 50 < 100.
    const lowEss = judgeLevels([level({ level: 1, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL, ess: 200 })], context({ gridLevels: 1 }));
    assert.equal(lowEss.levels[0]!.tests!.converged, false);
    assert.equal(lowEss.verdict.cleanWindow, null);
    assert.match(lowEss.verdict.summary, /^inconclusive at every tested level/);
    assert.match(lowEss.verdict.advice!.join(' '), /ESS is 50 per chain.*thin: auto/);
    // Both at once: short chains explain the R̂, so the advice is their length, not the burn-in.
    const both = judgeLevels([level({ level: 1, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL, ess: 200, rhat: 1.3 })], context({ gridLevels: 1 }));
    assert.equal(both.verdict.advice!.length, 1);
    assert.match(both.verdict.advice![0]!, /ESS is 50 per chain.*why split-R̂ reaches 1\.30.*thin: auto/);
  });

  it('the window is the longest clean run (ties: the lowest); t_ent its lower end; t_surv the highest persisting level', () => {
    const good = { target: [1.5, 0.05] as [number, number], collateral: [0, 0.001] as [number, number], nullEffects: NULL };
    const entangled = { ...good, collateral: [0.5, 0.01] as [number, number] };
    const gone = { ...good, target: [0.2, 0.05] as [number, number] };
    const specs = [entangled, good, entangled, good, good, gone].map((s, i) => level({ level: 10 ** (i - 2), ...s }));
    const { verdict } = judgeLevels(specs, context({ gridLevels: 6 }));
    assert.deepEqual(verdict.cleanWindow, [10, 100]);
    assert.equal(verdict.tEnt, 10);
    assert.equal(verdict.tSurv, 100);
    assert.ok(Math.abs(verdict.cleanlinessDecades - 1) < 1e-12);
    assert.match(verdict.summary, /t_ent = 10\b/);
    const none = judgeLevels(specs.filter((_, i) => i !== 1 && i !== 3 && i !== 4), context({ gridLevels: 3 })).verdict;
    assert.equal(none.cleanWindow, null);
    assert.equal(none.tEnt, null);
    assert.match(none.summary, /^entangled at every tested temperature; the circuit's excess persists up to t = 1$/);
  });

  it('no null (controls.count: 0): no window, never a number', () => {
    const v = judgeLevels([level({ level: 1, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: [] })], context({}, { controlTargetEffect: [] })).verdict;
    assert.equal(v.cleanWindow, null);
    assert.equal(v.calibration, null);
    assert.match(v.summary, /^no null/);
  });

  it('calibration: the verdict applied to each control against the other K − 1; a warning above α', () => {
    // Controls 0 and 1 are as specific as a circuit would be (huge effect, no collateral) — 2 of 8 > α.
    const effects = [3, 3.2, ...NULL.slice(2)];
    const base = { controlTargetEffect: [3, 3.2, ...NULL.slice(2)] };
    const lv = level({ level: 1, target: [0.2, 0.01], collateral: [0, 0.001], nullEffects: effects });
    const v = judgeLevels([lv], context({ gridLevels: 1 }, base)).verdict;
    assert.equal(v.calibration!.of, 8);
    // Each outlier's null holds the other outlier, so its sd is large: count what the test says, then bound it.
    assert.ok(v.calibration!.clean <= 2);
    const clean = judgeLevels([level({ level: 1, target: [0.2, 0.01], collateral: [0, 0.001], nullEffects: [5, ...NULL.slice(1)] })], context({ gridLevels: 1 }, { controlTargetEffect: [5, ...NULL.slice(1)] })).verdict;
    assert.equal(clean.calibration!.clean, 1);
    assert.equal(clean.calibration!.summary, '1 of 8 matched random sets would be called clean');
    assert.match(clean.calibration!.warning!, /\(rate 0\.13 > α = 0\.05\): these settings cannot tell circuits from random units/);
    // The ordinary null: no control is clean.
    const quiet = judgeLevels([lv], context({ gridLevels: 1 })).verdict;
    assert.equal(judgeLevels([level({ level: 1, target: [0.2, 0.01], collateral: [0, 0.001], nullEffects: NULL })], context({ gridLevels: 1 })).verdict.calibration!.clean, 0);
    assert.ok(quiet.calibration);
  });

  it('scope: complement asks sufficiency: keeping the circuit hurts significantly less than keeping random sets, and E_T ≈ 0', () => {
    const ctx = context({ scope: 'complement', gridLevels: 2 }, { targetEffect: 0.01, controlTargetEffect: NULL.map((x) => x * 10) });
    const keepRandom = NULL.map((x) => x * 10);
    const spec: Spec = { level: 1, target: [0.01, 0.01], collateral: [1, 0.01], nullEffects: keepRandom };
    const faithful = level(spec);
    const j = judgeLevel(faithful, ctx);
    assert.ok(j.excess!.bound < 0);
    assert.equal(j.tests!.sufficient, true);
    assert.equal(j.clean, true);
    // Keeping the circuit alone still breaks the target (E_T = 0.5 ≫ τ_T·ΔL_T = 0.1): not sufficient.
    const partial = judgeLevel(level({ level: 1, target: [0.5, 0.01], collateral: [1, 0.01], nullEffects: keepRandom }), ctx);
    assert.equal(partial.tests!.sufficient, false);
    const v = judgeLevels([faithful, level({ ...spec, level: 10 })], ctx).verdict;
    assert.equal(v.question, 'sufficiency');
    assert.deepEqual(v.cleanWindow, [1, 10]);
    assert.match(v.summary, /^sufficient from t = 1 to 10/);
  });

  it('a diverged level holds no test', () => {
    const j = judgeLevel({ ...level({ level: 1, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL }), error: 'diverged' }, context());
    assert.equal(j.clean, false);
    assert.equal(j.targetPersists, false);
    assert.equal(j.collateralNegligible, false);
    assert.deepEqual(j.failed, ['diverged']);
    // The summary says which levels the verdict could not use.
    const good = (t: number) => level({ level: t, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL });
    const v = judgeLevels([{ ...level({ level: 1, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL }), error: 'diverged' }, good(2), good(3)], context({ gridLevels: 3 })).verdict;
    assert.deepEqual(v.diverged, [1]);
    assert.deepEqual(v.cleanWindow, [2, 3]);
    assert.equal(v.tooFewLevels, undefined);
    assert.match(v.summary, /; diverged at t = 1 \(1 of 3 levels\)$/);
  });

  it('a grid where most levels diverged gets no verdict: inconclusive, saying how many levels were usable', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 12, 13].map(minimumUsableLevels), [1, 2, 2, 2, 3, 6, 7]);
    const clean = (t: number) => level({ level: t, target: [1.5, 0.05], collateral: [0, 0.001], nullEffects: NULL });
    const diverged = (t: number) => ({ ...clean(t), error: 'diverged' });
    const grid = (usable: number) => Array.from({ length: 12 }, (_, i) => (i < usable ? clean(i + 1) : diverged(i + 1)));
    // 11 of 12 diverged: the one stable level would otherwise be a one-level clean window with a t_ent.
    const one = judgeLevels(grid(1), context({ gridLevels: 12 })).verdict;
    assert.equal(one.cleanWindow, null);
    assert.equal(one.tEnt, null);
    assert.equal(one.tSurv, null);
    assert.deepEqual(one.tooFewLevels, { usable: 1, needed: 6 });
    assert.match(one.summary, /^inconclusive: only 1 of 12 levels ran without diverging, and a verdict needs at least 6; diverged at t = 2, /);
    // At the boundary: 5 usable is too few, 6 carry the verdict.
    assert.deepEqual(judgeLevels(grid(5), context({ gridLevels: 12 })).verdict.tooFewLevels, { usable: 5, needed: 6 });
    const six = judgeLevels(grid(6), context({ gridLevels: 12 })).verdict;
    assert.equal(six.tooFewLevels, undefined);
    assert.deepEqual(six.cleanWindow, [1, 6]);
  });
});
