/**
 * Verdicts, exactly as DESIGN.md §1 defines them:
 * - collateral is negligible at t when the upper end of its 95% interval is below τ_C·max(ΔL_C(t), δ);
 * - the target effect persists at t when the lower end of its 95% interval is above ρ·E_T(0)
 *   (and E_T(0) > 0: with no target effect at t = 0 there is nothing to persist);
 * - the clean window is the longest run of consecutive grid levels where both hold (ties: the lowest run);
 *   t_ent = its lower end, t_surv = the highest level where the target persists,
 *   cleanliness = log10(upper/lower) decades (0 when empty or one level wide).
 * Levels that stopped early (divergence) hold neither and break runs.
 */
import type { Verdict } from '../../protocol/results';
import type { SeriesEstimate } from './stats';

export interface Thresholds {
  /** τ_C */
  collateralTolerance: number;
  /** ρ */
  persistence: number;
  /** δ */
  noiseFloor: number;
}

export interface LevelJudgement {
  collateralNegligible: boolean;
  targetPersists: boolean;
  /** The numbers each test compared. */
  collateralUpper: number;
  collateralThreshold: number;
  targetLower: number;
  targetThreshold: number;
}

export function judgeLevel(
  level: { targetEffect: SeriesEstimate; collateralEffect: SeriesEstimate; controlLossGap: SeriesEstimate; error?: string },
  baselineTargetEffect: number,
  thresholds: Thresholds,
): LevelJudgement {
  const collateralUpper = level.collateralEffect.ci95[1];
  const collateralThreshold = thresholds.collateralTolerance * Math.max(level.controlLossGap.mean, thresholds.noiseFloor);
  const targetLower = level.targetEffect.ci95[0];
  const targetThreshold = thresholds.persistence * baselineTargetEffect;
  const ok = level.error === undefined;
  return {
    collateralNegligible: ok && collateralUpper < collateralThreshold,
    targetPersists: ok && baselineTargetEffect > 0 && targetLower > targetThreshold,
    collateralUpper,
    collateralThreshold,
    targetLower,
    targetThreshold,
  };
}

/** Shortest decimal form for messages: 3 significant digits. */
export function formatLevel(t: number): string {
  return Number(t.toPrecision(3)).toString();
}

export function decideVerdict(levels: readonly { level: number; collateralNegligible: boolean; targetPersists: boolean }[]): Verdict {
  let best: [number, number] | null = null;
  let runStart = -1;
  for (let i = 0; i <= levels.length; i++) {
    const clean = i < levels.length && levels[i]!.collateralNegligible && levels[i]!.targetPersists;
    if (clean && runStart < 0) runStart = i;
    if (!clean && runStart >= 0) {
      if (!best || i - 1 - runStart > best[1] - best[0]) best = [runStart, i - 1];
      runStart = -1;
    }
  }
  let tSurv: number | null = null;
  for (const l of levels) if (l.targetPersists) tSurv = l.level;
  if (!best) {
    return {
      cleanWindow: null, tEnt: null, tSurv, cleanlinessDecades: 0,
      summary: `entangled at every tested temperature${tSurv === null ? '; the target effect persists at no level' : `; the target effect persists up to t = ${formatLevel(tSurv)}`}`,
    };
  }
  const lower = levels[best[0]]!.level;
  const upper = levels[best[1]]!.level;
  const decades = lower > 0 && upper > lower ? Math.log10(upper / lower) : 0;
  const width = best[0] === best[1] ? `at t = ${formatLevel(lower)} only` : `from t = ${formatLevel(lower)} to ${formatLevel(upper)} (${decades.toFixed(2)} decades)`;
  return {
    cleanWindow: [lower, upper], tEnt: lower, tSurv, cleanlinessDecades: decades,
    summary: `clean ${width}: entanglement temperature t_ent = ${formatLevel(lower)}, target survives to t_surv = ${formatLevel(tSurv!)}`,
  };
}
