/**
 * The verdict tests, exactly as docs/method.md defines them (α, L levels in the grid, K matched controls):
 * - converged (Markov-chain dials): split-R̂ ≤ rhat and bulk ESS ≥ essPerChain·chains for L_n, E_T and E_C;
 * - specific: X_T − q·se_X > 0, X_T = Ē_T − m_T, se_X = √(se² + s_T²(1 + 1/K)), q = t_{1−α/L, K−1};
 * - persists: specific, X_T − q·se_X ≥ ρ·X_T(0), and the circuit is specific at w* itself;
 * - collateral negligible (two one-sided tests): Ē_C's 1 − 2α interval inside ±τ_C·max(ΔL_C(t), δ);
 * - clean = converged ∧ persists ∧ collateral negligible; scope: complement asks sufficiency instead:
 *   X_T + q·se_X < 0 and Ē_T's 1 − 2α interval inside ±τ_T·max(ΔL_T(t), δ);
 * - the window is the longest run of clean levels (ties: the lowest); t_ent its lower end; t_surv the highest level
 *   where the target persists; cleanliness its width in decades;
 * - calibration: the whole verdict applied to each control set against the other K − 1.
 * Diverged and unconverged levels hold no test and break runs.
 */
import { chainsPerLevel, type Hypothesis, type InterventionScope, type VerdictSettings } from '../../protocol/hypothesis';
import type { Baseline, Calibration, ControlLevel, Estimate, LevelResult, TestName, Verdict } from '../../protocol/results';
import { formatDecades, formatLevel } from '../../protocol/format';
import { worst } from './level';
import { studentTQuantile } from './stats';

/** What judging a level needs besides its statistics. */
export interface JudgeContext {
  baseline: Baseline;
  settings: VerdictSettings;
  scope: InterventionScope;
  /** L: levels in the whole grid (Bonferroni). */
  gridLevels: number;
  /** Chains per level (for ESS per chain); 1 for the noise dials. */
  chains: number;
}

/** How a level of `h` is judged over a grid of `gridLevels` levels; `chains` defaults to the dial's (1 for noise dials). */
export function judgeContext(h: Hypothesis, baseline: Baseline, gridLevels: number, chains = chainsPerLevel(h)): JudgeContext {
  return { baseline, settings: h.verdict, scope: h.intervention.scope, gridLevels, chains };
}

/** Settings of a version-1 document or a hypothesis written before version 2: the defaults of docs/method.md. */
export const DEFAULT_VERDICT: VerdictSettings = {
  collateralTolerance: 0.1, persistence: 0.25, noiseFloor: 1e-3, alpha: 0.05, sufficiencyTolerance: 0.1, rhat: 1.01, essPerChain: 100,
};


/** The 1 − 2α interval of an estimate (mean ± t_{1−α, dof}·se). */
function twoSidedInterval(e: Estimate, alpha: number): [number, number] {
  if (!(e.se > 0)) return [e.mean, e.mean];
  const dof = e.dof ?? Infinity;
  const half = dof > 0 ? studentTQuantile(1 - alpha, dof) * e.se : Infinity;
  return [e.mean - half, e.mean + half];
}

/** One unit set judged against a null made of others: the quantities every test compares. */
interface Subject {
  targetEffect: Estimate;
  collateralEffect: Estimate;
  /** Ē_T of the sets that make the null. */
  nullEffects: number[];
  /** X(0) and the null's sd at w*. */
  baselineEffect: number;
  baselineNull: number[];
  /** Worst R̂ and ESS of the subject's own series (E_T and E_C; the level's L_n is judged beside them). */
  rhat: number | null;
  ess: number | null;
}

interface Judged {
  tests: NonNullable<LevelResult['tests']>;
  failed: TestName[];
  clean: boolean;
  persists: boolean;
  negligible: boolean;
  nullStats?: LevelResult['null'];
  excess?: LevelResult['excess'];
  bounds: NonNullable<LevelResult['bounds']>;
}

/** The null of K sets' effects: mean, sd and the half-width q·s·√(1 + 1/K) of the band a new random set falls in. */
function nullOf(effects: readonly number[], q: number): { mean: number; sd: number; spread: number } {
  const k = effects.length;
  const mean = effects.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(effects.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
  return { mean, sd, spread: q * sd * Math.sqrt(1 + 1 / k) };
}

/** X(0) with its bound: is the set specific at the trained network (where every effect is exact)? */
function baselineExcessOf(effect: number, nullEffects: readonly number[], q: number): { mean: number; bound: number; specific: boolean } {
  const { mean, spread } = nullOf(nullEffects, q);
  const x = effect - mean;
  return { mean: x, bound: x - spread, specific: x - spread > 0 };
}

function judge(level: LevelResult, s: Subject, ctx: JudgeContext): Judged {
  const { settings: v, scope } = ctx;
  const tests: Judged['tests'] = {};
  const failed: TestName[] = [];
  const collateral = twoSidedInterval(s.collateralEffect, v.alpha);
  const collateralThreshold = v.collateralTolerance * Math.max(level.controlLossGap.mean, v.noiseFloor);
  const bounds: Judged['bounds'] = { collateralLower: collateral[0], collateralUpper: collateral[1], collateralThreshold, targetLower: NaN, targetThreshold: NaN };
  const diverged = level.error !== undefined;
  if (diverged) failed.push('diverged');

  // converged: only for Markov chains (the level then carries diagnostics).
  if (level.convergence) {
    const drawsPerChain = s.targetEffect.n / Math.max(1, ctx.chains);
    const rhats = [level.convergence.rhat.loss, s.rhat];
    const esses = [level.convergence.essBulk.loss, s.ess];
    const ok = drawsPerChain >= 4
      && rhats.every((r) => r === null || r <= v.rhat)
      && esses.every((e) => e === null || e >= v.essPerChain * ctx.chains);
    tests.converged = ok;
    if (!ok) failed.push('converged');
  } else {
    tests.converged = null;
  }

  let nullStats: Judged['nullStats'];
  let excess: Judged['excess'];
  let specific: boolean | null = null;
  let persists = false;
  let sufficient: boolean | null = null;
  const k = s.nullEffects.length;
  if (k >= 2) {
    const q = studentTQuantile(1 - v.alpha / ctx.gridLevels, k - 1);
    const { mean, sd, spread } = nullOf(s.nullEffects, q);
    nullStats = { mean, sd, band: [mean - spread, mean + spread] };
    const x = s.targetEffect.mean - mean;
    const se = Math.sqrt(s.targetEffect.se ** 2 + sd ** 2 * (1 + 1 / k));
    const base = baselineExcessOf(s.baselineEffect, s.baselineNull, q);
    if (scope === 'complement') {
      // Keeping the circuit hurts the target significantly less than keeping a random set of its size …
      const bound = x + q * se;
      specific = bound < 0;
      excess = { mean: x, se, bound, quantile: q, threshold: 0 };
      // … and keeping it alone leaves the target behaviour equivalent to the intact network's.
      const interval = twoSidedInterval(s.targetEffect, v.alpha);
      const threshold = v.sufficiencyTolerance * Math.max(level.targetLossGap?.mean ?? 0, v.noiseFloor);
      sufficient = specific && interval[0] > -threshold && interval[1] < threshold;
      Object.assign(bounds, { targetLower: bound, targetThreshold: 0, targetInterval: interval, sufficiencyThreshold: threshold });
    } else {
      const bound = x - q * se;
      specific = bound > 0;
      const threshold = v.persistence * base.mean;
      excess = { mean: x, se, bound, quantile: q, threshold };
      persists = specific && base.specific && bound >= threshold;
      Object.assign(bounds, { targetLower: bound, targetThreshold: threshold });
    }
  }
  // A diverged or unconverged level holds no other test.
  const holds = !diverged && tests.converged !== false;
  const negligible = holds && collateral[0] > -collateralThreshold && collateral[1] < collateralThreshold;
  tests.specific = holds ? specific : null;
  if (scope === 'complement') {
    tests.sufficient = holds ? sufficient : null;
    if (holds && sufficient !== true) failed.push('sufficient');
  } else {
    persists = persists && holds;
    tests.persists = holds ? persists : null;
    tests.collateral = holds ? negligible : null;
    if (holds && specific === false) failed.push('specific');
    if (holds && !persists && specific !== false) failed.push('persists');
    if (holds && !negligible) failed.push('collateral');
  }
  const clean = holds && (scope === 'complement' ? sufficient === true : persists && negligible);
  return { tests, failed, clean, persists, negligible, nullStats, excess, bounds };
}

const subjectOfCircuit = (level: LevelResult, baseline: Baseline): Subject => ({
  targetEffect: level.targetEffect,
  collateralEffect: level.collateralEffect,
  nullEffects: (level.controls ?? []).map((c) => c.targetEffect.mean),
  baselineEffect: baseline.targetEffect,
  baselineNull: baseline.controlTargetEffect ?? [],
  rhat: worst([level.convergence?.rhat.targetEffect ?? null, level.convergence?.rhat.collateralEffect ?? null], Math.max),
  ess: worst([level.convergence?.essBulk.targetEffect ?? null, level.convergence?.essBulk.collateralEffect ?? null], Math.min),
});

/** Control k judged as if it were the circuit, with the other K − 1 as its null. */
const subjectOfControl = (level: LevelResult, baseline: Baseline, k: number): Subject => {
  const controls = level.controls!;
  const c: ControlLevel = controls[k]!;
  return {
    targetEffect: c.targetEffect,
    collateralEffect: c.collateralEffect,
    nullEffects: controls.filter((_, j) => j !== k).map((o) => o.targetEffect.mean),
    baselineEffect: baseline.controlTargetEffect![k]!,
    baselineNull: baseline.controlTargetEffect!.filter((_, j) => j !== k),
    rhat: c.rhat,
    ess: c.essBulk,
  };
};

/** The level with its tests filled in (statistics unchanged). */
export function judgeLevel(level: LevelResult, ctx: JudgeContext): LevelResult {
  const j = judge(level, subjectOfCircuit(level, ctx.baseline), ctx);
  const out: LevelResult = {
    ...level,
    tests: j.tests,
    failed: j.failed,
    clean: j.clean,
    collateralNegligible: j.negligible,
    targetPersists: ctx.scope === 'complement' ? j.tests.specific === true : j.persists,
    bounds: j.bounds,
  };
  if (j.nullStats) out.null = j.nullStats; else delete out.null;
  if (j.excess) out.excess = j.excess; else delete out.excess;
  return out;
}

interface WindowLevel { level: number; clean: boolean; persists: boolean }

/** The longest run of clean levels (ties: the lowest), as indices. */
function longestRun(levels: readonly WindowLevel[]): [number, number] | null {
  let best: [number, number] | null = null;
  let runStart = -1;
  for (let i = 0; i <= levels.length; i++) {
    const clean = i < levels.length && levels[i]!.clean;
    if (clean && runStart < 0) runStart = i;
    if (!clean && runStart >= 0) {
      if (!best || i - 1 - runStart > best[1] - best[0]) best = [runStart, i - 1];
      runStart = -1;
    }
  }
  return best;
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
  const controls = ctx.baseline.controlTargetEffect?.length ?? 0;
  const usable = levels.filter((l) => l.error === undefined).length;
  const needed = minimumUsableLevels(levels.length);
  const tooFew = levels.length > 0 && usable < needed;
  const windowLevels = levels.map((l) => ({ level: l.level, clean: l.clean === true && !tooFew, persists: l.targetPersists && !tooFew }));
  const best = controls >= 2 ? longestRun(windowLevels) : null;
  const window = best && { lower: levels[best[0]]!.level, upper: levels[best[1]]!.level, oneLevel: best[0] === best[1] };
  const decades = window && window.lower > 0 && window.upper > window.lower ? Math.log10(window.upper / window.lower) : 0;
  let tSurv: number | null = null;
  for (const l of windowLevels) if (l.persists) tSurv = l.level;
  const inconclusive = levels.filter((l) => l.tests?.converged === false && l.error === undefined).map((l) => l.level);
  const q = controls >= 2 ? studentTQuantile(1 - ctx.settings.alpha / ctx.gridLevels, controls - 1) : NaN;
  const baselineExcess = controls >= 2 ? baselineExcessOf(ctx.baseline.targetEffect, ctx.baseline.controlTargetEffect!, q) : null;
  const advice = inconclusive.length > 0 ? convergenceAdvice(levels.filter((l) => inconclusive.includes(l.level)), ctx) : [];
  const calibration = controls >= 3 ? calibrate(levels, ctx) : null;

  const parts: string[] = [];
  if (tooFew) {
    parts.push(`inconclusive: only ${usable} of ${levels.length} levels ran without diverging, and a verdict needs at least ${needed}`);
  } else if (controls < 2) {
    parts.push('no null (controls.count < 2): specificity cannot be tested, so no window is reported');
  } else if (!window) {
    if (inconclusive.length === levels.length) parts.push('inconclusive at every tested level: the chains did not converge');
    else if (!sufficiency && baselineExcess && !baselineExcess.specific) parts.push('not specific at the trained network: its ablation does not beat matched random units at t = 0, so nothing can persist');
    else parts.push(sufficiency ? 'not sufficient at any converged level' : 'entangled at every tested temperature');
  } else {
    const { lower, upper } = window;
    const width = window.oneLevel ? `at t = ${formatLevel(lower)} only` : `from t = ${formatLevel(lower)} to ${formatLevel(upper)} (${formatDecades(decades)})`;
    parts.push(sufficiency
      ? `sufficient ${width}`
      : `clean ${width}: entanglement temperature t_ent = ${formatLevel(lower)}${tSurv !== null ? `, target survives to t_surv = ${formatLevel(tSurv)}` : ''}`);
  }
  if (!window && !sufficiency && controls >= 2 && tSurv !== null) parts.push(`the circuit's excess persists up to t = ${formatLevel(tSurv)}`);
  if (inconclusive.length > 0 && inconclusive.length < levels.length) parts.push(`inconclusive at t = ${inconclusive.map(formatLevel).join(', ')} (not converged)`);
  // A verdict resting on a few levels of many says which ones it could not use.
  const diverged = levels.filter((l) => l.error !== undefined).map((l) => l.level);
  if (diverged.length > 0) parts.push(`diverged at t = ${diverged.map(formatLevel).join(', ')} (${diverged.length} of ${levels.length} levels)`);
  return {
    cleanWindow: window && [window.lower, window.upper], tEnt: window?.lower ?? null, tSurv, cleanlinessDecades: decades,
    summary: parts.join('; '), question, inconclusive, diverged, advice, baselineExcess, calibration,
    ...(tooFew ? { tooFewLevels: { usable, needed } } : {}),
  };
}

/** "k of K matched random sets would be called clean", each judged against the other K − 1. */
function calibrate(levels: readonly LevelResult[], ctx: JudgeContext): Calibration | null {
  const k = ctx.baseline.controlTargetEffect!.length;
  if (!levels.every((l) => l.controls?.length === k)) return null;
  let clean = 0;
  for (let c = 0; c < k; c++) {
    const run = longestRun(levels.map((l) => {
      const j = judge(l, subjectOfControl(l, ctx.baseline, c), ctx);
      return { level: l.level, clean: j.clean, persists: j.persists };
    }));
    if (run) clean++;
  }
  const rate = clean / k;
  const what = ctx.scope === 'complement' ? 'sufficient' : 'clean';
  const out: Calibration = { clean, of: k, rate, alpha: ctx.settings.alpha, summary: `${clean} of ${k} matched random sets would be called ${what}` };
  if (rate > ctx.settings.alpha) {
    out.warning = `${clean} of ${k} matched random sets would be called ${what} (rate ${rate.toFixed(2)} > α = ${ctx.settings.alpha}): these settings cannot tell circuits from random units`;
  }
  return out;
}

/** Which setting to change, from what failed at the inconclusive levels. */
function convergenceAdvice(levels: readonly LevelResult[], ctx: JudgeContext): string[] {
  const rhats = levels.flatMap((l) => [l.convergence?.rhat.loss, l.convergence?.rhat.targetEffect, l.convergence?.rhat.collateralEffect]).filter((x): x is number => typeof x === 'number');
  const ess = levels.map((l) => l.convergence?.essPerChain).filter((x): x is number => typeof x === 'number');
  const advice: string[] = [];
  const worstR = rhats.length ? Math.max(...rhats) : NaN;
  const worstEss = ess.length ? Math.min(...ess) : NaN;
  const short = worstEss < ctx.settings.essPerChain;
  if (short) {
    // Chains short against their autocorrelation time also disagree (R̂): length is the first thing to fix.
    advice.push(`bulk ESS is ${worstEss.toFixed(0)} per chain (< ${ctx.settings.essPerChain}): the chains are short against their autocorrelation time${worstR > ctx.settings.rhat ? ` (which is also why split-R̂ reaches ${worstR.toFixed(3)})` : ''}; thin: auto keeps one draw per two relaxation times 2/(εγ) of the localization pull, or draw more (sgld.draws), thin more (sgld.thin) or add chains (sgld.chains)`);
  }
  if (worstR > ctx.settings.rhat && !short) {
    advice.push(`split-R̂ reaches ${worstR.toFixed(3)} (> ${ctx.settings.rhat}) with enough effective draws: the chains disagree or drift; lengthen the burn-in (sgld.burnIn) or raise the step size (sgld.stepSize) so that they reach the posterior`);
  }
  if (advice.length === 0) advice.push('draw at least 4 kept draws per chain (sgld.draws / sgld.thin)');
  return advice;
}
