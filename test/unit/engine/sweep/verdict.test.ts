// The version-3 verdict against answers computed by hand: the rank test at w*, Clopper–Pearson, the Bonferroni
// intervals (draws, controls and rows), persistence, the behaviour guard, the three collateral statistics, the
// window and its zero-crossing flag, convergence of the null, and the calibration.
import { strict as assert } from 'node:assert';
import { studentTQuantile } from '../../../../src/engine/sweep/stats';
import { clopperPearson, controlsSe, rankTest, testInterval, within } from '../../../../src/engine/sweep/tests';
import { DEFAULT_VERDICT, JudgeContext, judgeLevel, judgeLevels, minimumUsableLevels } from '../../../../src/engine/sweep/verdict';
import type { Baseline, Estimate, LevelResult } from '../../../../src/protocol/results';

const est = (mean: number, se: number, dof: number | null = 3): Estimate => ({ mean, se, n: 400, dof });

// 39 controls at w* (the default K), Ē_T^k evenly spread over [0.1, 0.3]: mean and median 0.2.
const NULL = Array.from({ length: 39 }, (_, k) => 0.1 + (0.2 * k) / 38);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, v) => a + (v - mean(xs)) ** 2, 0) / (xs.length - 1));

interface Spec {
  level: number;
  /** Ē_T and its se; the paired excess X_T = Ē_T − mean(null) with seX. */
  target: number;
  seX?: number;
  collateral?: [number, number];
  /** X_C's mean and se (default: E_C − mean of controlCollateral). */
  collateralExcess?: [number, number];
  nullEffects?: number[];
  controlCollateral?: number[];
  controlLossSpread?: number;
  targetLossGap?: number;
  rowSe?: [number, number, number, number];
  rhat?: number;
  nullRhat?: number;
  ess?: number;
}

function level(s: Spec): LevelResult {
  const nulls = s.nullEffects ?? NULL;
  const cc = s.controlCollateral ?? nulls.map(() => 0.5);
  const collateral = s.collateral ?? [0, 0];
  return {
    level: s.level,
    lossGap: est(1, 0.1),
    controlLossGap: est(1, 0.1),
    targetLossGap: est(s.targetLossGap ?? 0.1, 0.01),
    targetEffect: est(s.target, 0.05),
    collateralEffect: est(...collateral),
    controls: nulls.map((m, k) => ({
      targetEffect: est(m, 0.01), collateralEffect: est(cc[k]!, 0.001), rhat: s.rhat ?? 1.001, essBulk: s.ess ?? 800,
      targetExcess: est(m - (mean(nulls) * nulls.length - m) / (nulls.length - 1), 0.01),
      collateralExcess: est(cc[k]! - (mean(cc) * cc.length - cc[k]!) / (cc.length - 1), 0.001),
    })),
    paired: {
      targetExcess: est(s.target - mean(nulls), s.seX ?? 0.05),
      collateralExcess: est(...(s.collateralExcess ?? [collateral[0] - mean(cc), collateral[1]])),
      collateralRatio: est(collateral[0] / s.target, collateral[1] / s.target),
      controlLossSpread: s.controlLossSpread ?? 0.2,
      rowSe: s.rowSe ?? [0, 0, 0, 0],
    },
    convergence: {
      rhat: { loss: s.rhat ?? 1.001, targetEffect: s.rhat ?? 1.001, collateralEffect: s.rhat ?? 1.001, nullTargetEffect: s.nullRhat ?? 1.001, nullCollateralEffect: 1.001 },
      essBulk: { loss: s.ess ?? 800, targetEffect: s.ess ?? 800, collateralEffect: s.ess ?? 800, nullTargetEffect: s.ess ?? 800, nullCollateralEffect: s.ess ?? 800 },
      essPerChain: (s.ess ?? 800) / 4,
    },
    collateralNegligible: false,
    targetPersists: false,
    chains: [],
    seconds: 1,
  };
}

function context(overrides: Partial<JudgeContext> = {}, baseline: Partial<Baseline> = {}): JudgeContext {
  return {
    baseline: {
      loss: 0, controlLoss: 0, targetMetric: 0, targetEffect: 2, collateralEffect: 0, controlTargetEffect: NULL, controlCollateralEffect: NULL.map(() => 0),
      targetLoss: 0.1, constantTargetLoss: Math.log(4), ...baseline,
    },
    settings: DEFAULT_VERDICT, scope: 'circuit', dial: 'sgld', gridLevels: 5, chains: 4, null: { distinct: 1000, exact: false }, ...overrides,
  };
}

describe('sweep/verdict (method v3)', () => {
  it('rank test: p = (1 + #{k: E^k ≥ E^0})/(K + 1), ties against the circuit; percentile, excess over the median, detectable excess', () => {
    const r = rankTest(2, NULL, 0.05);
    assert.equal(r.p, 1 / 40);
    assert.equal(r.specific, true);
    assert.equal(r.percentile, 1);
    assert.ok(Math.abs(r.excessOverMedian - 1.8) < 1e-12);
    // ⌊0.05·40⌋ − 1 = 1 control may tie or beat the circuit: it must beat the second largest, 0.3 − 0.2/38.
    assert.ok(Math.abs(r.detectableExcess! - (0.3 - 0.2 / 38 - 0.2)) < 1e-12);
    // Beating all but two: p = 3/40 > 0.05.
    const third = rankTest(NULL[36]! + 1e-9, NULL, 0.05);
    assert.equal(third.atLeast, 2);
    assert.equal(third.p, 3 / 40);
    assert.equal(third.specific, false);
    // A tie counts against: equal to the largest control is p = 2/40.
    assert.equal(rankTest(NULL[38]!, NULL, 0.05).p, 2 / 40);
    // A degenerate null (all 0) with a circuit at 0: p = 1, never "certain".
    assert.equal(rankTest(0, new Array(39).fill(0), 0.05).p, 1);
    // 16 controls cannot reject at α = 0.05 (1/17 > 0.05): nothing is detectable.
    assert.equal(rankTest(100, NULL.slice(0, 16), 0.05).specific, false);
    assert.equal(rankTest(100, NULL.slice(0, 16), 0.05).detectableExcess, null);
  });

  it('Clopper–Pearson: closed forms at 0 and n, and the published interval of 3 of 20', () => {
    const [l0, u0] = clopperPearson(0, 39);
    assert.equal(l0, 0);
    assert.ok(Math.abs(u0 - (1 - 0.025 ** (1 / 39))) < 1e-9);
    const [ln, un] = clopperPearson(16, 16);
    assert.ok(Math.abs(ln - 0.025 ** (1 / 16)) < 1e-9);
    assert.equal(un, 1);
    // R: binom.test(3, 20)$conf.int = 0.03207094 0.37892683.
    const [l, u] = clopperPearson(3, 20);
    assert.ok(Math.abs(l - 0.03207094) < 1e-7 && Math.abs(u - 0.37892683) < 1e-7, `${l} ${u}`);
  });

  it('intervals: se² = draws² + controls² + rows², the control part with the finite-population factor, 0 when exact', () => {
    assert.ok(Math.abs(controlsSe(0.3, 39, 100, false) - 0.3 * Math.sqrt((1 - 39 / 100) / 39)) < 1e-15);
    assert.equal(controlsSe(0.3, 49, 49, true), 0);
    const i = testInterval(1, 0.3, 0.4, 1.2, 7, 0.01);
    assert.ok(Math.abs(i.se - 1.3) < 1e-12);
    assert.ok(Math.abs(i.lower - (1 - studentTQuantile(0.99, 7) * 1.3)) < 1e-9);
    assert.ok(Math.abs(i.upper - (1 + studentTQuantile(0.99, 7) * 1.3)) < 1e-9);
    // Exact draws (dof null): the normal quantile; a single draw (dof 0): no interval.
    assert.ok(Math.abs(testInterval(0, 1, 0, 0, null, 0.025).upper - 1.959964) < 1e-5);
    assert.equal(testInterval(0, 1, 0, 0, 0, 0.025).upper, Infinity);
    assert.equal(within(testInterval(0, 0, 0, 0, null, 0.01), 0), true, 'an exactly zero collateral is within a zero margin');
  });

  it('persists: the 1 − α/L lower bound of X_T(t) against ρ·X_T(0); rows and controls widen it', () => {
    const ctx = context();
    // X_T(0) = 2 − 0.2 = 1.8 ⇒ threshold 0.45. X_T(t) = 1.0, se² = 0.05² + (s/√39·√(1 − 39/1000))², dof 3.
    const j = judgeLevel(level({ level: 1, target: 1.2 }), ctx);
    const seC = sd(NULL) * Math.sqrt((1 - 39 / 1000) / 39);
    const se = Math.sqrt(0.05 ** 2 + seC ** 2);
    const q = studentTQuantile(1 - 0.05 / 5, 3);
    assert.ok(Math.abs(j.v3!.targetExcess!.lower - (1 - q * se)) < 1e-9);
    assert.ok(Math.abs(j.v3!.persistenceThreshold! - 0.45) < 1e-12);
    assert.equal(j.tests!.persists, true);
    // The same excess with a row error of 0.2: lower bound 1 − q·√(se² + 0.04) < 0.45.
    const rows = judgeLevel(level({ level: 1, target: 1.2, rowSe: [0, 0, 0.2, 0] }), ctx);
    assert.ok(rows.v3!.targetExcess!.lower < 0.45);
    assert.equal(rows.tests!.persists, false);
    assert.deepEqual(rows.failed, ['persists']);
    // Not specific at w* (X_T(0) inside the null): nothing persists, whatever the level shows.
    const never = judgeLevel(level({ level: 1, target: 1.2 }), context({}, { targetEffect: 0.25 }));
    assert.equal(never.tests!.specific, false);
    assert.equal(never.targetPersists, false);
    assert.ok(never.failed!.includes('specific'));
  });

  it('behaviour present: L_T(t) ≤ L_const − b·(L_const − L_T(w*)); a level without it holds no test', () => {
    // L_const = log 4 ≈ 1.386, L_T(w*) = 0.1, b = 0.5 ⇒ limit 0.743; L_T(t) = 0.1 + ΔL_T.
    const limit = Math.log(4) - 0.5 * (Math.log(4) - 0.1);
    const present = judgeLevel(level({ level: 1, target: 1.2, targetLossGap: limit - 0.1 - 1e-6 }), context());
    assert.ok(Math.abs(present.v3!.behaviour!.limit - limit) < 1e-12);
    assert.equal(present.tests!.behaviour, true);
    const gone = judgeLevel(level({ level: 1, target: 1.2, targetLossGap: limit - 0.1 + 1e-6 }), context());
    assert.equal(gone.tests!.behaviour, false);
    assert.equal(gone.tests!.persists, null);
    assert.equal(gone.tests!.collateral, null);
    assert.equal(gone.clean, false);
    assert.deepEqual(gone.failed, ['behaviour']);
    // A grid with no level where the behaviour is present says so.
    const v = judgeLevels([1, 2, 3].map((t) => level({ level: t, target: 1.2, targetLossGap: 5 })), context({ gridLevels: 3 })).verdict;
    assert.equal(v.noBehaviour, true);
    assert.match(v.summary, /^no tested level where the degraded network still does the target task/);
    // A trained network no better than a constant predictor has no behaviour to test.
    const none = judgeLevels([level({ level: 1, target: 1.2 })], context({ gridLevels: 1 }, { targetLoss: 2, constantTargetLoss: 1.5 })).verdict;
    assert.match(none.summary, /^no behaviour to test: the trained network's target loss 2\.00 is no better than the best constant predictor's 1\.50/);
  });

  it('collateral: three statistics, each an equivalence test at α/L; the chosen one decides', () => {
    const q = studentTQuantile(1 - 0.05 / 5, 3);
    // E_C = 0.02 ± 0.01 (dof 3); s_C(t) = 0.2 ⇒ noise interval 0.02 ± q·0.01 inside ±0.2: negligible.
    const j = judgeLevel(level({ level: 1, target: 1.2, collateral: [0.02, 0.01], collateralExcess: [-0.48, 0.01] }), context());
    const noise = j.v3!.collateral.noise!;
    assert.ok(Math.abs(noise.interval.upper - (0.02 + q * 0.01)) < 1e-9);
    assert.equal(noise.margin, 0.2);
    assert.equal(noise.negligible, true);
    // null: X_C = −0.48 against the null's sd of Ē_C^k (0 here: every control 0.5): far outside.
    assert.equal(j.v3!.collateral.null!.negligible, false);
    // ratio: 0.02/1.2 with se 0.01/1.2 inside ±0.1.
    assert.equal(j.v3!.collateral.ratio!.negligible, true);
    assert.equal(j.tests!.collateral, true);
    assert.equal(j.clean, true);
    // The same level judged by the null statistic is not clean.
    const byNull = judgeLevel(level({ level: 1, target: 1.2, collateral: [0.02, 0.01], collateralExcess: [-0.48, 0.01] }), context({ settings: { ...DEFAULT_VERDICT, collateral: 'null' } }));
    assert.equal(byNull.tests!.collateral, false);
    assert.equal(byNull.clean, false);
    // Negative collateral is as non-negligible as positive: −0.5 ± 0.01 against ±0.2.
    assert.equal(judgeLevel(level({ level: 1, target: 1.2, collateral: [-0.5, 0.01] }), context()).tests!.collateral, false);
    // At w* the spread is 0: only an exactly zero collateral is negligible.
    assert.equal(judgeLevel(level({ level: 1, target: 1.2, collateral: [1e-6, 0], controlLossSpread: 0 }), context()).tests!.collateral, false);
    assert.equal(judgeLevel(level({ level: 1, target: 1.2, collateral: [0, 0], controlLossSpread: 0 }), context()).tests!.collateral, true);
  });

  it('converged: includes the null\'s per-draw means; an unconverged level holds no test and breaks windows', () => {
    const levels = [1, 10, 100].map((t) => level({ level: t, target: 1.2, ...(t === 10 ? { nullRhat: 1.3 } : {}) }));
    const { levels: judged, verdict } = judgeLevels(levels, context({ gridLevels: 3 }));
    assert.deepEqual(judged.map((l) => l.clean), [true, false, true]);
    assert.deepEqual(judged[1]!.failed, ['converged']);
    assert.equal(judged[1]!.tests!.persists, null);
    assert.deepEqual(verdict.inconclusive, [10]);
    assert.deepEqual(verdict.cleanWindow, [1, 1]);
    assert.match(verdict.summary, /clean from the lowest level tested/);
    // The advice names the null's quantity that failed (it once fell through to "draw at least 4 kept draws").
    assert.deepEqual(verdict.advice, ['split-R̂ of the null\'s mean E_T reaches 1.300 at t = 10 (> 1.01) with 200 effective draws per chain: the chains disagree or drift; lengthen the burn-in (sgld.burnIn) or raise the step size (sgld.stepSize) so that they reach the posterior']);
    // Just past 1.01, as converged chains land now and then: draw more first.
    const near = judgeLevels([1, 10, 100].map((t) => level({ level: t, target: 1.2, ...(t === 10 ? { nullRhat: 1.011, ess: 480 } : {}) })), context({ gridLevels: 3 })).verdict;
    assert.equal(near.advice!.length, 1);
    assert.match(near.advice![0]!, /^split-R̂ of the null's mean E_T reaches 1\.011 at t = 10 \(> 1\.01\) with 120 effective draws per chain: the chains may disagree .* so draw more first \(draws: auto draws to 250 per chain, 1\.25 × verdict\.essPerChain and at least the ESS where R̂ is reliable: raise verdict\.essPerChain, or set more sgld\.draws\)$/);
  });

  it('the window: longest clean run (ties: the lowest); a run that is only a zero-crossing of E_C is flagged, not decoupling', () => {
    const good = { target: 1.2 };
    const plus = { target: 1.2, collateral: [1, 0.01] as [number, number] };
    const minus = { target: 1.2, collateral: [-1, 0.01] as [number, number] };
    const specs = [plus, good, plus, good, good, plus].map((s, i) => level({ level: 10 ** (i - 2), ...s }));
    const { verdict } = judgeLevels(specs, context({ gridLevels: 6 }));
    assert.deepEqual(verdict.cleanWindow, [10, 100]);
    assert.equal(verdict.tEnt, 10);
    assert.equal(verdict.zeroCrossing, null);
    // Significantly positive just below, significantly negative just above: the single clean level is a crossing.
    const crossing = judgeLevels([plus, plus, good, minus, minus].map((s, i) => level({ level: i + 1, ...s })), context({ gridLevels: 5 })).verdict;
    assert.equal(crossing.cleanWindow, null);
    assert.equal(crossing.tEnt, null);
    assert.deepEqual(crossing.zeroCrossing, { lower: 3, upper: 3 });
    assert.match(crossing.summary, /^entangled: the only clean levels, t = 3, are a zero-crossing of E_C/);
  });

  it('the summary names levels by the dial\'s symbol (σ for the noise dials, checkpoint for checkpoints), never a stray t', () => {
    const good = { target: 1.2 };
    const plus = { target: 1.2, collateral: [1, 0.01] as [number, number] };
    const minus = { target: 1.2, collateral: [-1, 0.01] as [number, number] };
    const windowed = [plus, good, good, plus].map((s, i) => level({ level: 10 ** (i - 2), ...s }));
    windowed[3] = { ...windowed[3]!, error: 'diverged' };
    const crossing = [plus, plus, good, minus, minus].map((s, i) => level({ level: i + 1, ...s }));
    const entangled = [plus, plus].map((s, i) => level({ level: i + 1, ...s }));
    const cases: [JudgeContext['dial'], string][] = [['sgld', 't'], ['weight-noise', 'σ'], ['activation-noise', 'σ'], ['checkpoints', 'checkpoint']];
    for (const [dial, symbol] of cases) {
      const w = judgeLevels(windowed, context({ dial, gridLevels: 4 })).verdict.summary;
      assert.ok(w.startsWith(`clean from ${symbol} = 0.1 to 1 `), `${dial}: ${w}`);
      assert.match(w, new RegExp(`diverged at ${symbol} = 10 \\(1 of 4 levels\\)`), `${dial}: ${w}`);
      const c = judgeLevels(crossing, context({ dial, gridLevels: 5 })).verdict.summary;
      assert.ok(c.startsWith(`entangled: the only clean levels, ${symbol} = 3,`), `${dial}: ${c}`);
      const e = judgeLevels(entangled, context({ dial, gridLevels: 2 })).verdict.summary;
      assert.match(e, /^entangled at every tested /, `${dial}: ${e}`);
      if (symbol !== 't') for (const s of [w, c, e]) assert.doesNotMatch(s, /\bt = /, `${dial}: ${s}`);
    }
  });

  it('the same verdict at 8, 16, 24 and 48 levels: Bonferroni at α/L keeps a level that is clean by a margin clean', () => {
    for (const L of [8, 16, 24, 48]) {
      const grid = Array.from({ length: L }, (_, i) => 10 ** (-2 + (3 * i) / (L - 1)));
      // Entangled below t = 1 (E_C = 0.3 ± 0.01 against s_C 0.2), clean above it (E_C = 0.01 ± 0.01): even at
      // L = 48 with 3 dof (t_{1−α/L} ≈ 10) the intervals stay on their sides of the margin.
      const levels = grid.map((t) => level({ level: t, target: 1.2, collateral: t < 1 ? [0.3, 0.01] : [0.01, 0.01] }));
      const v = judgeLevels(levels, context({ gridLevels: L })).verdict;
      assert.equal(v.tEnt, grid.find((t) => t >= 1), `L = ${L}: ${v.summary}`);
      assert.equal(v.cleanWindow![1], grid[L - 1]);
    }
  });

  it('no null (controls.count: 0): no window, never a number', () => {
    const v = judgeLevels([level({ level: 1, target: 1.2, nullEffects: [] })], context({}, { controlTargetEffect: [] })).verdict;
    assert.equal(v.cleanWindow, null);
    assert.equal(v.calibration, null);
    assert.match(v.summary, /^no null/);
  });

  it('calibration: each control against the other K − 1 with the same tests; warns only when the Clopper–Pearson lower bound exceeds α', () => {
    const lv = level({ level: 1, target: 1.2 });
    const quiet = judgeLevels([lv], context({ gridLevels: 1 })).verdict.calibration!;
    assert.equal(quiet.of, 39);
    assert.equal(quiet.clean, 0);
    assert.equal(quiet.warning, undefined);
    assert.ok(Math.abs(quiet.upper! - (1 - 0.025 ** (1 / 39))) < 1e-9);
    // Five controls as specific as a circuit (huge effect at w* and at the level, no collateral): 5 of 39, CP lower
    // bound 0.043 < 0.05: reported, no warning; eight (lower bound 0.093): a warning.
    const outliers = (m: number) => {
      const base = NULL.map((x, k) => (k < m ? 3 + k : x));
      const l = level({ level: 1, target: 1.2, nullEffects: base, controlCollateral: base.map((_, k) => (k < m ? 0 : 0.5)) });
      l.controls!.forEach((c, k) => { if (k < m) c.targetExcess = est(2.5, 0.05); });
      return judgeLevels([l], context({ gridLevels: 1 }, { controlTargetEffect: base })).verdict.calibration!;
    };
    // Each outlier beats every control but the other outliers: specific only while p = (1 + m − 1)/39 ≤ 0.05.
    const one = outliers(1);
    assert.equal(one.clean, 1);
    assert.equal(one.warning, undefined, 'one of 39 is not evidence of a rate above α');
    assert.match(one.summary, /^1 of 39 control sets would be called clean \(rate 0\.03, 95% Clopper–Pearson 0\.00–0\.13\)/);
  });

  it('components: each component swapped for random units, its rank p and excess for target and collateral', () => {
    // Circuit E_T = 2, E_C = 0.3. Swapping component 0 leaves ≈ 0.5 of the target (essential: p = 1/5) and all the
    // collateral (it carries none: p = 4/5); swapping component 1 keeps the target (p = 4/5) and drops the collateral
    // (it carries it: p = 1/5).
    const swaps = [
      { index: 0, tensor: 'a', units: [1], targetEffect: [0.4, 0.5, 0.6, 0.5], collateralEffect: [0.3, 0.31, 0.29, 0.3] },
      { index: 1, tensor: 'b', units: [2], targetEffect: [2, 2.1, 1.9, 2.2], collateralEffect: [0, 0.01, 0, 0.02] },
    ];
    const v = judgeLevels([level({ level: 1, target: 1.2 })], context({ gridLevels: 1 }, { collateralEffect: 0.3, componentSwaps: swaps })).verdict;
    const [c0, c1] = v.components!;
    assert.deepEqual([c0!.target.p, c0!.collateral.p, c1!.target.p, c1!.collateral.p], [1 / 5, 4 / 5, 4 / 5, 1 / 5]);
    assert.ok(Math.abs(c0!.target.excess - 1.5) < 1e-12 && Math.abs(c1!.collateral.excess - (0.3 - 0.0075)) < 1e-12);
    assert.equal(c0!.swaps, 4);
  });

  it('scope: complement asks sufficiency with the version-3 tests: the rank test turned round, X_T\'s α/L bound below 0, E_T within ±s_T(t)', () => {
    // Keeping random sets of the circuit's size costs the target 1…3 nats; keeping only the circuit costs 0.01.
    const keepRandom = NULL.map((x) => x * 10);
    const ctx = context({ scope: 'complement', gridLevels: 2 }, { targetEffect: 0.01, controlTargetEffect: keepRandom });
    const at = (t: number, target: [number, number], spread: number, extra: Partial<Spec> = {}) => {
      const l = level({ level: t, target: target[0], nullEffects: keepRandom, ...extra });
      return { ...l, targetEffect: est(...target), paired: { ...l.paired!, targetLossSpread: spread } };
    };
    // E_T = 0.01 ± 0.01 (3 dof): t_{1−0.025, 3} = 3.18, interval [−0.022, 0.042]; inside ±0.05, outside ±0.03.
    const q = studentTQuantile(1 - 0.05 / 2, 3);
    const faithful = at(1, [0.01, 0.01], 0.05);
    const j = judgeLevel(faithful, ctx);
    assert.ok(Math.abs(j.bounds!.targetInterval![1] - (0.01 + q * 0.01)) < 1e-12);
    assert.equal(j.bounds!.sufficiencyThreshold, 0.05);
    assert.ok(j.excess!.bound < 0, 'keeps more than the null');
    assert.equal(j.tests!.specific, true);
    assert.equal(j.tests!.sufficient, true);
    // The same level whose degradation spreads the target loss less (±0.03): the interval pokes out.
    assert.equal(judgeLevel(at(1, [0.01, 0.01], 0.03), ctx).tests!.sufficient, false);
    // At w* (spread 0) only an exactly unchanged target is kept.
    assert.equal(judgeLevel(at(1, [0.01, 0.01], 0), ctx).tests!.sufficient, false);
    // Keeping the circuit no better than the null (its excess bound ≥ 0): not sufficient whatever the margin.
    assert.equal(judgeLevel(at(1, [0.01, 0.01], 0.05, { seX: 2 }), ctx).tests!.sufficient, false);
    // The degraded network no longer does the task: no test.
    const gone = judgeLevel(at(1, [0.01, 0.01], 0.05, { targetLossGap: 5 }), ctx);
    assert.equal(gone.tests!.sufficient, null);
    assert.deepEqual(gone.failed, ['behaviour']);
    assert.equal(gone.targetPersists, false, 'no behaviour, no t_surv');
    assert.equal(j.targetPersists, true);
    assert.equal(gone.targetPersists, false, 'no behaviour, no t_surv');
    assert.equal(j.targetPersists, true);
    const v = judgeLevels([faithful, { ...faithful, level: 10 }], ctx).verdict;
    assert.equal(v.question, 'sufficiency');
    assert.deepEqual(v.cleanWindow, [1, 10]);
    assert.match(v.summary, /^sufficient from t = 1 to 10/);
    // At w* keeping the circuit must beat keeping random sets: the rank test turned round, p = (1 + #{E_T^k ≤ E_T^0})/(K + 1).
    const middle = context({ scope: 'complement', gridLevels: 2 }, { targetEffect: keepRandom[3]!, controlTargetEffect: keepRandom });
    const none = judgeLevels([faithful, { ...faithful, level: 10 }], middle).verdict;
    assert.equal(none.specificity!.p, 5 / 40);
    assert.equal(none.cleanWindow, null);
    assert.match(none.summary, /^not sufficient at the trained network: .*p = 0\.13 > α = 0\.05; 4 of 39 control sets keep it at least as well/);
  });

  it('a diverged level holds no test; most levels diverged: inconclusive, saying how many were usable', () => {
    const j = judgeLevel({ ...level({ level: 1, target: 1.2 }), error: 'diverged' }, context());
    assert.equal(j.clean, false);
    assert.equal(j.failed![0], 'diverged');
    assert.deepEqual([1, 2, 3, 4, 5, 12, 13].map(minimumUsableLevels), [1, 2, 2, 2, 3, 6, 7]);
    const clean = (t: number) => level({ level: t, target: 1.2 });
    const grid = (usable: number) => Array.from({ length: 12 }, (_, i) => (i < usable ? clean(i + 1) : { ...clean(i + 1), error: 'diverged' }));
    const one = judgeLevels(grid(1), context({ gridLevels: 12 })).verdict;
    assert.equal(one.cleanWindow, null);
    assert.deepEqual(one.tooFewLevels, { usable: 1, needed: 6 });
    assert.deepEqual(judgeLevels(grid(6), context({ gridLevels: 12 })).verdict.cleanWindow, [1, 6]);
  });
});
