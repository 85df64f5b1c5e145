/**
 * The verdict, version 3 (docs/method.md, "The tests"), with α, L levels in the grid and a null of K control sets
 * disjoint from the circuit (all N of them when the null is exact):
 * - specific (once, at w*): the exact rank test p = (1 + #{k : E_T^k ≥ E_T^0})/(K + 1) ≤ α; per level the rank is
 *   reported, not used;
 * - behaviour present at t: L_T(t) ≤ L_const − b·(L_const − L_T(w*)), L_const the best constant predictor's target
 *   loss; levels without it hold no test; where the control task fails the same bound, collateral is not negligible;
 * - persists at t: the 1 − α/L lower bound of X_T(t) = Ē_T^0 − mean_k Ē_T^k (draws, controls and rows in its se)
 *   is ≥ ρ·X_T(0), and the circuit is specific at w*;
 * - collateral negligible at t: the chosen statistic's 1 − 2α/L interval inside ±its margin (noise: E_C within
 *   ±s_C(t); null: X_C within ±sd_k Ē_C^k; ratio: Ē_C/Ē_T within ±τ_C); all three are reported;
 * - converged (Markov-chain dials): R̂ ≤ rhat and bulk ESS ≥ essPerChain·chains for L_n, E_T, E_C and the null's
 *   per-draw means;
 * - clean = converged ∧ behaviour present ∧ persists ∧ collateral negligible; the window is the longest run of
 *   clean levels (ties: the lowest) that is not only a zero-crossing of E_C; t_ent its lower end;
 * - calibration: each control judged against the other K − 1 with the same tests, k of K with a Clopper–Pearson
 *   95% interval, a warning only when its lower end exceeds α.
 * Scope complement (sufficiency): the same null, the rank test turned round, and "target kept" against s_T(t).
 * Diverged and unconverged levels hold no test and break runs.
 */
import { chainsPerLevel, type DialKind, type Hypothesis, type InterventionScope, type VerdictSettings } from '../../protocol/hypothesis';
import { DIALS } from '../../protocol/dials';
import type {
  Baseline, Calibration, CollateralTest, ComponentResult, Estimate, LevelResult, LevelTestsV3, MethodSettings, ResultsDocument, Specificity, TestName, Verdict,
} from '../../protocol/results';
import { formatDecades, formatLevel } from '../../protocol/format';
import { characteristicTemperature, type CharacteristicOptions } from './characteristic';
import { defaultAt } from '../../protocol/hypothesisSchema';
import { drawsAutoAim } from '../../protocol/sgldSchedule';
import { worst } from './level';
import { clopperPearson, controlsSe, rankTest, sampleSd, testInterval, within } from './tests';

/** The null as drawn: N distinct disjoint sets, and whether all of them are in it. */
export interface NullInfo { distinct: number | null; exact: boolean }

/** What judging a level needs besides its statistics. */
export interface JudgeContext {
  baseline: Baseline;
  settings: VerdictSettings;
  scope: InterventionScope;
  /** The dial: the summary names its levels by its symbol (t, σ, checkpoint). */
  dial: DialKind;
  /** L: levels in the whole grid (Bonferroni). */
  gridLevels: number;
  /** Chains per level (for ESS per chain); 1 for the noise dials. */
  chains: number;
  null: NullInfo;
  /** How the grid is spaced and which way it degrades (for the characteristic temperature); default log, rising. */
  grid?: CharacteristicOptions;
  /** Judge every control against the others too (default); a scan, whose units are each other's nulls, does not. */
  calibrate?: boolean;
}

/** Settings of a version-1 document or a hypothesis written before version 3: the defaults of docs/method.md. */
export const DEFAULT_VERDICT = defaultAt(['verdict']) as VerdictSettings;

/** How a level of `h` is judged over a grid of `gridLevels` levels; `chains` defaults to the dial's (1 for noise dials). */
export function judgeContext(h: Hypothesis, baseline: Baseline, gridLevels: number, chains = chainsPerLevel(h), controls?: ResultsDocument['controls']): JudgeContext {
  const count = controls?.count ?? baseline.controlTargetEffect?.length ?? 0;
  return {
    baseline, settings: { ...DEFAULT_VERDICT, ...h.verdict }, scope: h.intervention.scope, dial: h.degradation.dial, gridLevels, chains,
    grid: { scale: h.degradation.scale, descending: h.degradation.dial === 'checkpoints' },
    null: { distinct: controls?.distinct ?? null, exact: controls?.exact ?? false, ...(count === 0 ? { exact: false } : {}) },
  };
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One unit set judged against a null made of others: what every test compares. */
interface Subject {
  targetEffect: Estimate;
  collateralEffect: Estimate;
  /** Its paired excess over the null's mean (per-draw differences), target and collateral. */
  targetExcess: Estimate | undefined;
  collateralExcess: Estimate | undefined;
  collateralRatio: Estimate | null | undefined;
  /** Ē_T^k, Ē_C^k of the sets that make its null. */
  nullTarget: number[];
  nullCollateral: number[];
  /** The rank test at w*. */
  specificity: Specificity;
  /** The rank test at w* turned round (scope: complement): keeping it hurts the target less than keeping the null's sets. */
  keeps: Specificity;
  /** X_T(0): its excess over the null's mean at w*. */
  baselineExcess: number;
  /** Worst R̂ and ESS of its own series and its null's means. */
  rhat: number | null;
  ess: number | null;
}

interface Judged {
  tests: NonNullable<LevelResult['tests']>;
  failed: TestName[];
  clean: boolean;
  persists: boolean;
  negligible: boolean;
  v3: LevelTestsV3 | undefined;
  bounds: NonNullable<LevelResult['bounds']>;
  excess?: LevelResult['excess'];
  nullStats?: LevelResult['null'];
}

/** Behaviour present at a level (null: the baseline does not say, v1/v2 shards). */
function behaviourOf(level: LevelResult, ctx: JudgeContext): LevelTestsV3['behaviour'] {
  const { targetLoss, constantTargetLoss } = ctx.baseline;
  if (targetLoss === undefined || constantTargetLoss === undefined || !level.targetLossGap) return null;
  const limit = constantTargetLoss - ctx.settings.behaviour * (constantTargetLoss - targetLoss);
  const loss = targetLoss + level.targetLossGap.mean;
  const out: NonNullable<LevelTestsV3['behaviour']> = { targetLoss: loss, limit, present: constantTargetLoss > targetLoss && loss <= limit };
  const cc = ctx.baseline.constantControlLoss;
  if (cc !== undefined) {
    const c0 = ctx.baseline.controlLoss;
    const controlLimit = cc - ctx.settings.behaviour * (cc - c0);
    const controlLoss = c0 + level.controlLossGap.mean;
    out.control = { loss: controlLoss, limit: controlLimit, present: cc > c0 && controlLoss <= controlLimit };
  }
  return out;
}

function converged(level: LevelResult, s: Subject, ctx: JudgeContext): boolean | null {
  if (!level.convergence) return null;
  const v = ctx.settings;
  const drawsPerChain = s.targetEffect.n / Math.max(1, ctx.chains);
  const rhats = [level.convergence.rhat.loss, s.rhat];
  const esses = [level.convergence.essBulk.loss, s.ess];
  return drawsPerChain >= 4
    && rhats.every((r) => r === null || r <= v.rhat)
    && esses.every((e) => e === null || e >= v.essPerChain * ctx.chains);
}

/** What every judgement starts from: a diverged level and unconverged chains fail, and then no test holds. */
function started(level: LevelResult, s: Subject, ctx: JudgeContext): { tests: Judged['tests']; failed: TestName[]; holds: boolean } {
  const tests: Judged['tests'] = {};
  const failed: TestName[] = [];
  const diverged = level.error !== undefined;
  if (diverged) failed.push('diverged');
  tests.converged = converged(level, s, ctx);
  if (tests.converged === false) failed.push('converged');
  return { tests, failed, holds: !diverged && tests.converged !== false };
}

function judge(level: LevelResult, s: Subject, ctx: JudgeContext): Judged {
  if (ctx.scope === 'complement') return judgeSufficiency(level, s, ctx);
  const v = ctx.settings;
  const { tests, failed, holds } = started(level, s, ctx);

  const a = v.alpha / ctx.gridLevels;
  const k = s.nullTarget.length;
  const paired = level.paired;
  const rowSe = paired?.rowSe ?? [0, 0, 0, 0];
  const behaviour = behaviourOf(level, ctx);
  const present = behaviour === null ? true : behaviour.present;
  tests.behaviour = holds ? (behaviour === null ? null : behaviour.present) : null;
  if (holds && behaviour !== null && !behaviour.present) failed.push('behaviour');

  // Specificity is decided once, at w*; every level carries that answer.
  tests.specific = k > 0 ? s.specificity.specific : null;
  if (k > 0 && !s.specificity.specific) failed.push('specific');

  let persists = false;
  let targetExcess: LevelTestsV3['targetExcess'] = null;
  let threshold: number | null = null;
  let nullSpread: LevelTestsV3['nullSpread'] = null;
  let collateral: LevelTestsV3['collateral'] = { noise: null, null: null, ratio: null };
  let rank: LevelTestsV3['rank'] = null;
  const spreadC = paired?.controlLossSpread ?? 0;
  // noise: the collateral against the degradation's own spread of the control loss.
  const noiseInterval = testInterval(s.collateralEffect.mean, s.collateralEffect.se, 0, rowSe[1], s.collateralEffect.dof ?? null, a);
  collateral.noise = { interval: noiseInterval, margin: spreadC, negligible: holds && present ? within(noiseInterval, spreadC) : null };
  if (k >= 2 && s.targetExcess && s.collateralExcess) {
    const sdT = sampleSd(s.nullTarget);
    const sdC = sampleSd(s.nullCollateral);
    nullSpread = { target: sdT, collateral: sdC };
    const rankHere = rankTest(s.targetEffect.mean, s.nullTarget, v.alpha);
    rank = { p: rankHere.p, percentile: rankHere.percentile };
    targetExcess = testInterval(s.targetExcess.mean, s.targetExcess.se, controlsSe(sdT, k, ctx.null.distinct, ctx.null.exact), rowSe[2], s.targetExcess.dof ?? null, a);
    threshold = v.persistence * s.baselineExcess;
    persists = holds && present && s.specificity.specific && s.baselineExcess > 0 && targetExcess.lower >= threshold;
    const nullInterval = testInterval(s.collateralExcess.mean, s.collateralExcess.se, controlsSe(sdC, k, ctx.null.distinct, ctx.null.exact), rowSe[3], s.collateralExcess.dof ?? null, a);
    collateral.null = { interval: nullInterval, margin: sdC, negligible: holds && present ? within(nullInterval, sdC) : null };
  }
  if (s.collateralRatio && s.targetEffect.mean > 0) {
    const r = s.collateralRatio;
    const ratioInterval = testInterval(r.mean, r.se, 0, s.targetEffect.mean > 0 ? rowSe[1] / s.targetEffect.mean : 0, r.dof ?? null, a);
    collateral.ratio = { interval: ratioInterval, margin: v.collateralTolerance, negligible: holds && present ? within(ratioInterval, v.collateralTolerance) : null };
  }
  const chosen: CollateralTest | null = collateral[v.collateral];
  // Where the degraded network no longer does the control task there is nothing left for the intervention to spare:
  // its collateral cannot be called negligible (the noise margin would only measure the wreck).
  const controlGone = behaviour?.control?.present === false;
  const negligible = holds && present && !controlGone && chosen?.negligible === true;
  tests.persists = holds && present && k >= 2 ? persists : null;
  tests.collateral = holds && present ? (chosen || controlGone ? negligible : null) : null;
  if (tests.persists === false && s.specificity.specific) failed.push('persists');
  if (tests.collateral === false) failed.push('collateral');
  const clean = holds && present && persists && negligible;
  const v3: LevelTestsV3 = {
    rank, behaviour, targetExcess, persistenceThreshold: threshold, collateral, statistic: v.collateral,
    controlLossSpread: spreadC, nullSpread, rowSe: [...rowSe] as LevelTestsV3['rowSe'], quantile: targetExcess && targetExcess.se > 0 ? (targetExcess.mean - targetExcess.lower) / targetExcess.se : 0,
  };
  const c = chosen?.interval ?? noiseInterval;
  const bounds: Judged['bounds'] = {
    collateralLower: c.lower, collateralUpper: c.upper, collateralThreshold: chosen?.margin ?? spreadC,
    targetLower: targetExcess?.lower ?? NaN, targetThreshold: threshold ?? NaN,
  };
  const nullStats = nullSpread && { mean: meanOf(s.nullTarget), sd: nullSpread.target, band: [Math.min(...s.nullTarget), Math.max(...s.nullTarget)] as [number, number] };
  const excess = targetExcess ? { mean: targetExcess.mean, se: targetExcess.se, bound: targetExcess.lower, quantile: v3.quantile, threshold: threshold ?? NaN } : undefined;
  return { tests, failed, clean, persists, negligible, v3, bounds, excess, ...(nullStats ? { nullStats } : {}) };
}

/**
 * scope: complement — keeping only the circuit, with the version-3 tests (docs/method.md, "Sufficiency"): at w* the
 * exact rank test turned round (p = (1 + #{k : E_T^k ≤ E_T^0})/(K + 1): keeping the circuit hurts the target less
 * than keeping random sets of its size); at t, behaviour present, X_T(t)'s 1 − α/L upper bound below 0 (still less
 * than the null), and E_T^0(t)'s 1 − 2α/L interval inside ±s_T(t), the degradation's own spread of the target loss.
 */
function judgeSufficiency(level: LevelResult, s: Subject, ctx: JudgeContext): Judged {
  const { tests, failed, holds } = started(level, s, ctx);
  const a = ctx.settings.alpha / ctx.gridLevels;
  const k = s.nullTarget.length;
  const rowSe = level.paired?.rowSe ?? [0, 0, 0, 0];
  const bounds: Judged['bounds'] = { collateralUpper: NaN, collateralThreshold: NaN, targetLower: NaN, targetThreshold: NaN };
  const behaviour = behaviourOf(level, ctx);
  const present = behaviour === null || behaviour.present;
  tests.behaviour = holds ? (behaviour === null ? null : behaviour.present) : null;
  if (holds && !present) failed.push('behaviour');
  const keeps = k > 0 ? s.keeps.specific : null;
  tests.specific = keeps;
  if (keeps === false) failed.push('specific');
  let sufficient: boolean | null = null;
  let excess: Judged['excess'];
  if (k >= 2 && s.targetExcess) {
    const x = testInterval(s.targetExcess.mean, s.targetExcess.se, controlsSe(sampleSd(s.nullTarget), k, ctx.null.distinct, ctx.null.exact), rowSe[2], s.targetExcess.dof ?? null, a);
    const margin = level.paired?.targetLossSpread ?? 0;
    const kept = testInterval(s.targetEffect.mean, s.targetEffect.se, 0, rowSe[0], s.targetEffect.dof ?? null, a);
    sufficient = keeps === true && x.upper < 0 && within(kept, margin);
    excess = { mean: x.mean, se: x.se, bound: x.upper, quantile: x.se > 0 ? (x.upper - x.mean) / x.se : 0, threshold: 0 };
    Object.assign(bounds, { targetLower: x.upper, targetThreshold: 0, targetInterval: [kept.lower, kept.upper], sufficiencyThreshold: margin });
  }
  tests.sufficient = holds && present ? sufficient : null;
  if (tests.sufficient === false) failed.push('sufficient');
  const clean = holds && present && sufficient === true;
  const nullStats = k >= 2 ? { mean: meanOf(s.nullTarget), sd: sampleSd(s.nullTarget), band: [Math.min(...s.nullTarget), Math.max(...s.nullTarget)] as [number, number] } : undefined;
  return {
    tests, failed, clean, persists: holds && present && keeps === true && (excess?.bound ?? NaN) < 0, negligible: false, v3: undefined, bounds, excess,
    ...(nullStats ? { nullStats } : {}),
  };
}

/** The exact rank test turned round: p = (1 + #{k : E_T^k ≤ E_T^0})/(K + 1), on −E_T. */
const keepsTest = (subject: number, others: readonly number[], alpha: number): Specificity => {
  const r = rankTest(-subject, others.map((e) => -e), alpha);
  return { ...r, excessOverMedian: -r.excessOverMedian, detectableExcess: r.detectableExcess === null ? null : -r.detectableExcess };
};

const subjectOfCircuit = (level: LevelResult, ctx: JudgeContext): Subject => {
  const b = ctx.baseline;
  const nullT0 = b.controlTargetEffect ?? [];
  const cv = level.convergence;
  return {
    targetEffect: level.targetEffect,
    collateralEffect: level.collateralEffect,
    targetExcess: level.paired?.targetExcess,
    collateralExcess: level.paired?.collateralExcess,
    collateralRatio: level.paired?.collateralRatio,
    nullTarget: (level.controls ?? []).map((c) => c.targetEffect.mean),
    nullCollateral: (level.controls ?? []).map((c) => c.collateralEffect.mean),
    specificity: rankTest(b.targetEffect, nullT0, ctx.settings.alpha),
    keeps: keepsTest(b.targetEffect, nullT0, ctx.settings.alpha),
    baselineExcess: nullT0.length > 0 ? b.targetEffect - meanOf(nullT0) : NaN,
    rhat: worst([cv?.rhat.targetEffect ?? null, cv?.rhat.collateralEffect ?? null, cv?.rhat.nullTargetEffect ?? null, cv?.rhat.nullCollateralEffect ?? null], Math.max),
    ess: worst([cv?.essBulk.targetEffect ?? null, cv?.essBulk.collateralEffect ?? null, cv?.essBulk.nullTargetEffect ?? null, cv?.essBulk.nullCollateralEffect ?? null], Math.min),
  };
};

/** Control j judged as if it were the circuit, with the other K − 1 as its null. */
const subjectOfControl = (level: LevelResult, ctx: JudgeContext, j: number): Subject => {
  const controls = level.controls!;
  const c = controls[j]!;
  const others = <T>(xs: readonly T[]) => xs.filter((_, i) => i !== j);
  const nullT0 = others(ctx.baseline.controlTargetEffect!);
  const t = c.targetEffect.mean;
  return {
    targetEffect: c.targetEffect,
    collateralEffect: c.collateralEffect,
    targetExcess: c.targetExcess,
    collateralExcess: c.collateralExcess,
    collateralRatio: t !== 0 ? { mean: c.collateralEffect.mean / t, se: Math.abs(c.collateralEffect.se / t), n: c.collateralEffect.n, dof: c.collateralEffect.dof ?? null } : null,
    nullTarget: others(controls).map((o) => o.targetEffect.mean),
    nullCollateral: others(controls).map((o) => o.collateralEffect.mean),
    specificity: rankTest(ctx.baseline.controlTargetEffect![j]!, nullT0, ctx.settings.alpha),
    keeps: keepsTest(ctx.baseline.controlTargetEffect![j]!, nullT0, ctx.settings.alpha),
    baselineExcess: ctx.baseline.controlTargetEffect![j]! - meanOf(nullT0),
    rhat: c.rhat,
    ess: c.essBulk,
  };
};

/** The level with its tests filled in (statistics unchanged). */
export function judgeLevel(level: LevelResult, ctx: JudgeContext): LevelResult {
  const j = judge(level, subjectOfCircuit(level, ctx), ctx);
  const out: LevelResult = {
    ...level,
    tests: j.tests,
    failed: j.failed,
    clean: j.clean,
    collateralNegligible: j.negligible,
    targetPersists: j.persists,
    bounds: j.bounds,
  };
  if (j.v3) out.v3 = j.v3; else delete out.v3;
  if (j.nullStats) out.null = j.nullStats; else delete out.null;
  if (j.excess) out.excess = j.excess; else delete out.excess;
  return out;
}

interface WindowLevel { level: number; clean: boolean; persists: boolean }

/** Every run of clean levels, as index pairs, in order. */
function runs(levels: readonly WindowLevel[]): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= levels.length; i++) {
    const clean = i < levels.length && levels[i]!.clean;
    if (clean && start < 0) start = i;
    if (!clean && start >= 0) { out.push([start, i - 1]); start = -1; }
  }
  return out;
}

/** The longest of some runs (ties: the lowest). */
function longest(rs: readonly [number, number][]): [number, number] | null {
  let best: [number, number] | null = null;
  for (const r of rs) if (!best || r[1] - r[0] > best[1] - best[0]) best = r;
  return best;
}

/** A run that is only a zero-crossing of E_C: significantly positive just below it, significantly negative just above. */
function isZeroCrossing(levels: readonly LevelResult[], [lo, hi]: [number, number]): boolean {
  const below = levels[lo - 1]?.v3?.collateral.noise?.interval;
  const above = levels[hi + 1]?.v3?.collateral.noise?.interval;
  return !!below && !!above && below.lower > 0 && above.upper < 0;
}

/** Every level judged, the window, the summary and the calibration. */
export function judgeLevels(levels: readonly LevelResult[], ctx: JudgeContext): { levels: LevelResult[]; verdict: Verdict } {
  const judged = levels.map((l) => judgeLevel(l, ctx));
  return { levels: judged, verdict: decideVerdict(judged, ctx) };
}

/**
 * Levels that must run without diverging for the grid to carry a verdict: half the grid, at least 2 (all of a
 * one-level grid). Fewer, and a window or a t_surv would rest on the few levels that happened to stay stable
 * (docs/method.md, "The verdict").
 */
export function minimumUsableLevels(gridLevels: number): number {
  return Math.min(gridLevels, Math.max(2, Math.ceil(gridLevels / 2)));
}

export function decideVerdict(levels: readonly LevelResult[], ctx: JudgeContext): Verdict {
  const sufficiency = ctx.scope === 'complement';
  const question = sufficiency ? 'sufficiency' as const : 'necessity' as const;
  const b = ctx.baseline;
  const controls = b.controlTargetEffect?.length ?? 0;
  const usable = levels.filter((l) => l.error === undefined).length;
  const needed = minimumUsableLevels(levels.length);
  const tooFew = levels.length > 0 && usable < needed;
  const windowLevels = levels.map((l) => ({ level: l.level, clean: l.clean === true && !tooFew, persists: l.targetPersists && !tooFew }));
  const all = controls >= 2 ? runs(windowLevels) : [];
  const genuine = all.filter((r) => sufficiency || !isZeroCrossing(levels, r));
  const best = longest(genuine);
  const crossing = best ? null : longest(all);
  const window = best && { lower: levels[best[0]]!.level, upper: levels[best[1]]!.level, oneLevel: best[0] === best[1] };
  const decades = window && window.lower > 0 && window.upper > window.lower ? Math.log10(window.upper / window.lower) : 0;
  let tSurv: number | null = null;
  for (const l of windowLevels) if (l.persists) tSurv = l.level;
  const inconclusive = levels.filter((l) => l.tests?.converged === false && l.error === undefined).map((l) => l.level);
  const specificity = controls > 0 ? (sufficiency ? keepsTest : rankTest)(b.targetEffect, b.controlTargetEffect!, ctx.settings.alpha) : null;
  const baselineExcess = controls > 0 ? { mean: b.targetEffect - meanOf(b.controlTargetEffect!), bound: specificity!.excessOverMedian, specific: specificity!.specific } : null;
  const advice = inconclusive.length > 0 ? convergenceAdvice(levels.filter((l) => inconclusive.includes(l.level)), ctx) : [];
  const calibration = controls >= 3 && !sufficiency && ctx.calibrate !== false ? calibrate(levels, ctx) : null;
  const judgedLevels = levels.filter((l) => l.error === undefined && l.tests?.converged !== false);
  const noBehaviour = judgedLevels.length > 0 && judgedLevels.every((l) => l.tests?.behaviour === false);
  const { symbol } = DIALS[ctx.dial];

  const parts: string[] = [];
  if (tooFew) {
    parts.push(`inconclusive: only ${usable} of ${levels.length} levels ran without diverging, and a verdict needs at least ${needed}`);
  } else if (controls < 2) {
    parts.push('no null (controls.count < 2): specificity cannot be tested, so no window is reported');
  } else if (!window) {
    if (inconclusive.length === levels.length) parts.push('inconclusive at every tested level: the chains did not converge');
    else if (sufficiency && specificity && !specificity.specific) parts.push(`not sufficient at the trained network: keeping only the circuit hurts the target no less than keeping random units of its size (exact rank test p = ${specificity.p.toPrecision(2)} > α = ${ctx.settings.alpha}; ${specificity.atLeast} of ${specificity.of} control sets keep it at least as well)`);
    else if (!sufficiency && specificity && !specificity.specific) parts.push(`not specific at the trained network: the exact rank test gives p = ${specificity.p.toPrecision(2)} > α = ${ctx.settings.alpha} (${specificity.atLeast} of ${specificity.of} control sets ablate the target at least as much), so nothing can persist`);
    else if (noBehaviour) parts.push(b.constantTargetLoss !== undefined && b.targetLoss !== undefined && b.targetLoss >= b.constantTargetLoss
      ? `no behaviour to test: the trained network's target loss ${b.targetLoss.toPrecision(3)} is no better than the best constant predictor's ${b.constantTargetLoss.toPrecision(3)}`
      : 'no tested level where the degraded network still does the target task (it keeps less than the required fraction of its advantage over a constant predictor): lower the grid')
    else if (crossing) parts.push(`entangled: the only clean levels, ${symbol} = ${formatLevel(levels[crossing[0]]!.level)}${crossing[1] > crossing[0] ? ` to ${formatLevel(levels[crossing[1]]!.level)}` : ''}, are a zero-crossing of E_C (significantly positive below, negative above), not decoupling`);
    else parts.push(sufficiency ? 'not sufficient at any converged level' : 'entangled at every tested temperature');
  } else {
    const { lower, upper } = window;
    const width = window.oneLevel ? `at ${symbol} = ${formatLevel(lower)} only` : `from ${symbol} = ${formatLevel(lower)} to ${formatLevel(upper)} (${formatDecades(decades)})`;
    const fromLowest = !sufficiency && best![0] === 0 ? ' (clean from the lowest level tested)' : '';
    parts.push(sufficiency
      ? `sufficient ${width}`
      : `clean ${width}${fromLowest}: entanglement temperature t_ent = ${formatLevel(lower)}${tSurv !== null ? `, target survives to t_surv = ${formatLevel(tSurv)}` : ''}`);
  }
  if (!window && !sufficiency && controls >= 2 && tSurv !== null) parts.push(`the circuit's excess persists up to ${symbol} = ${formatLevel(tSurv)}`);
  if (inconclusive.length > 0 && inconclusive.length < levels.length) parts.push(`inconclusive at ${symbol} = ${inconclusive.map(formatLevel).join(', ')} (not converged)`);
  const diverged = levels.filter((l) => l.error !== undefined).map((l) => l.level);
  if (diverged.length > 0) parts.push(`diverged at ${symbol} = ${diverged.map(formatLevel).join(', ')} (${diverged.length} of ${levels.length} levels)`);
  const method: MethodSettings = {
    version: 3, alpha: ctx.settings.alpha, levels: ctx.gridLevels, controls, distinct: ctx.null.distinct, exact: ctx.null.exact,
    persistence: ctx.settings.persistence, behaviour: ctx.settings.behaviour, collateral: ctx.settings.collateral, collateralTolerance: ctx.settings.collateralTolerance,
  };
  return {
    cleanWindow: window && [window.lower, window.upper], tEnt: window?.lower ?? null, tSurv, cleanlinessDecades: decades,
    summary: parts.join('; '), question, inconclusive, diverged, advice, baselineExcess, calibration,
    specificity, zeroCrossing: crossing && !best ? { lower: levels[crossing[0]]!.level, upper: levels[crossing[1]]!.level } : null,
    ...(noBehaviour ? { noBehaviour } : {}), method,
    ...(b.componentSwaps ? { components: b.componentSwaps.map((c) => componentResult(c, b)) } : {}),
    ...(tooFew ? { tooFewLevels: { usable, needed } } : {}),
    ...(ctx.settings.referenceLoss !== undefined
      ? { characteristic: characteristicTemperature(levels, b.loss, ctx.settings.referenceLoss, ctx.grid ?? { scale: 'log' }) }
      : {}),
  };
}

/**
 * A component's own contribution at w*: the circuit against itself with that component swapped for random units.
 * Target: p = (1 + #{k : E_T(swap_k) ≥ E_T(circuit)})/(K + 1) — small when the component is essential — and the
 * excess E_T(circuit) − mean_k E_T(swap_k). Collateral: the same on E_C — small p and a positive excess when this
 * component carries the circuit's collateral.
 */
function componentResult(c: NonNullable<Baseline['componentSwaps']>[number], b: Baseline): ComponentResult {
  const side = (own: number, swaps: readonly number[]) => ({ p: (1 + swaps.filter((e) => e >= own).length) / (swaps.length + 1), excess: own - meanOf(swaps) });
  return { index: c.index, tensor: c.tensor, units: c.units, target: side(b.targetEffect, c.targetEffect), collateral: side(b.collateralEffect, c.collateralEffect), swaps: c.targetEffect.length };
}

/** "k of K control sets would be called clean", each judged against the other K − 1 with the same tests. */
function calibrate(levels: readonly LevelResult[], ctx: JudgeContext): Calibration | null {
  const k = ctx.baseline.controlTargetEffect!.length;
  if (!levels.every((l) => l.controls?.length === k)) return null;
  // Against K − 1 others the null is a sample of the disjoint sets even when the circuit's is exact.
  const c = { ...ctx, null: { distinct: ctx.null.distinct, exact: false } };
  let clean = 0;
  for (let j = 0; j < k; j++) {
    const judged = levels.map((l) => {
      const r = judge(l, subjectOfControl(l, c, j), c);
      return { level: l.level, clean: r.clean, persists: r.persists, v3: r.v3 };
    });
    const rs = runs(judged).filter((r) => !isZeroCrossing(judged.map((x) => ({ v3: x.v3 })) as LevelResult[], r));
    if (rs.length > 0) clean++;
  }
  const rate = clean / k;
  const [lower, upper] = clopperPearson(clean, k);
  const alpha = ctx.settings.alpha;
  const out: Calibration = {
    clean, of: k, rate, alpha, lower, upper,
    summary: `${clean} of ${k} control sets would be called clean (rate ${rate.toFixed(2)}, 95% Clopper–Pearson ${lower.toFixed(2)}–${upper.toFixed(2)})`,
  };
  if (lower > alpha) {
    out.warning = `${clean} of ${k} control sets would be called clean: the rate's 95% lower bound ${lower.toFixed(2)} exceeds α = ${alpha}, so these settings cannot tell circuits from random units`;
  }
  return out;
}

/** draws: auto: the levels whose chains stopped at the cap short of the target ESS, each with the ESS reached. */
export function capped(levels: readonly LevelResult[]): string[] {
  return levels.flatMap((l) => {
    const hit = l.chains.filter((c) => c.drawsAuto?.capped);
    if (hit.length === 0) return [];
    const reached = hit.map((c) => c.drawsAuto!.ess).filter((e): e is number => e !== null);
    const ess = reached.length > 0 ? `ESS reached = ${Math.min(...reached).toFixed(0)} per chain` : 'ESS could not be read';
    return [`inconclusive at the cap: at t = ${l.level}, draws: auto drew its cap of ${Math.max(...hit.map((c) => c.loss.length))} draws in ${hit.length} of ${l.chains.length} chains, ${ess} (target ${hit[0]!.drawsAuto!.target}); raise sgld.maxDraws, or shorten the autocorrelation time (thin: auto, a larger stepSize)`];
  });
}

/** The convergence test's quantities, in words (`levels[].convergence.rhat`). */
const TRACKED: Readonly<Record<string, string>> = {
  loss: 'L_n', targetEffect: 'E_T', collateralEffect: 'E_C', nullTargetEffect: 'the null\'s mean E_T', nullCollateralEffect: 'the null\'s mean E_C',
};

/** Which setting to change, from what failed at the inconclusive levels. */
function convergenceAdvice(levels: readonly LevelResult[], ctx: JudgeContext): string[] {
  // Every quantity the convergence test reads, the null's included (a level can fail on those alone).
  const rhats = levels.flatMap((l) => Object.entries(l.convergence?.rhat ?? {})
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([name, r]) => ({ name, r, level: l.level })));
  const ess = levels.map((l) => l.convergence?.essPerChain).filter((x): x is number => typeof x === 'number');
  const advice: string[] = [];
  const worst = rhats.reduce<(typeof rhats)[number] | undefined>((a, x) => (!a || x.r > a.r ? x : a), undefined);
  const worstR = worst?.r ?? NaN;
  const worstEss = ess.length ? Math.min(...ess) : NaN;
  const short = worstEss < ctx.settings.essPerChain;
  const atCap = capped(levels);
  if (atCap.length > 0) advice.push(atCap.join('; '));
  if (short && atCap.length === 0) {
    // Chains short against their autocorrelation time also disagree (R̂): length is the first thing to fix.
    advice.push(`bulk ESS is ${worstEss.toFixed(0)} per chain (< ${ctx.settings.essPerChain}): the chains are short against their autocorrelation time${worstR > ctx.settings.rhat ? ` (which is also why split-R̂ reaches ${worstR.toFixed(3)})` : ''}; thin: auto keeps one draw per autocorrelation time measured by a pilot chain, or draw more (sgld.draws), thin more (sgld.thin) or add chains (sgld.chains)`);
  }
  if (worst && worstR > ctx.settings.rhat && !short) {
    const what = `split-R̂ of ${TRACKED[worst.name] ?? worst.name} reaches ${worstR.toFixed(3)} at t = ${worst.level} (> ${ctx.settings.rhat}) with ${worstEss.toFixed(0)} effective draws per chain`;
    const drift = 'lengthen the burn-in (sgld.burnIn) or raise the step size (sgld.stepSize) so that they reach the posterior';
    // Within twice the threshold's distance from 1, at an ESS near its target, converged chains land now and then
    // (docs/method.md, "Thinning"): more effective draws settle it. Further out, the chains disagree.
    const close = worstR - 1 <= 2 * (ctx.settings.rhat - 1);
    advice.push(close
      ? `${what}: the chains may disagree (${drift}), or be too short to show that they agree (converged chains this short pass it now and then: docs/method.md, "Thinning"), so draw more first (draws: auto draws to ${Math.ceil(drawsAutoAim(ctx.settings))} per chain, 1.25 × verdict.essPerChain and at least the ESS where R̂ is reliable: raise verdict.essPerChain, or set more sgld.draws)`
      : `${what}: the chains disagree or drift; ${drift}`);
  }
  if (advice.length === 0) advice.push('draw at least 4 kept draws per chain (sgld.draws / sgld.thin)');
  return advice;
}
