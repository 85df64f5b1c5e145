// One level's statistics from its chains' traces: the estimates with their standard errors, the verdict tests
// and λ̂ — computed the same way whether the chains ran in one process or came from shards of a (level, chain)
// fan-out (src/worker/parallel.ts) and were put back together in chain order.
import type { ChainTrace, Estimate, LevelResult } from '../../protocol/results';
import { estimate, EstimateOptions, SeriesEstimate } from './stats';
import { judgeLevel, Thresholds } from './verdict';

/** SGLD chains: draws within a chain are autocorrelated (batch means), chains independent (chain means). */
export const MARKOV_CHAIN_DRAWS: Readonly<Required<EstimateOptions>> = { independent: false, deterministic: false };

/** A chain's trace with its per-draw loss gaps, which the estimates need (shard documents keep them). */
export type ChainWithGaps = ChainTrace & { lossGap: number[]; controlLossGap: number[] };

export interface LevelChains {
  level: number;
  /** In chain order; the last one may have diverged. */
  chains: ChainWithGaps[];
  error?: string;
  seconds: number;
  /** nβ at this level (sgld): λ̂ = nβ·ΔL is reported. */
  nbeta?: number;
}

/** JSON has no Infinity: an exact estimate (se = 0) records dof null. */
export function toEstimate(e: SeriesEstimate): Estimate {
  return { mean: e.mean, se: e.se, n: e.n, dof: Number.isFinite(e.dof) ? e.dof : null, ci95: e.ci95 };
}

export function levelResult(l: LevelChains, how: EstimateOptions, baselineTargetEffect: number, thresholds: Thresholds, keepGaps = false): LevelResult {
  const of = (series: (c: ChainWithGaps) => number[]) => estimate(l.chains.map(series), how);
  const lossGap = of((c) => c.lossGap);
  const controlLossGap = of((c) => c.controlLossGap);
  const targetEffect = of((c) => c.targetEffect);
  const collateralEffect = of((c) => c.collateralEffect);
  const judged = judgeLevel({ targetEffect, collateralEffect, controlLossGap, error: l.error }, baselineTargetEffect, thresholds);
  const result: LevelResult = {
    level: l.level,
    lossGap: toEstimate(lossGap),
    controlLossGap: toEstimate(controlLossGap),
    targetEffect: toEstimate(targetEffect),
    collateralEffect: toEstimate(collateralEffect),
    collateralNegligible: judged.collateralNegligible,
    targetPersists: judged.targetPersists,
    bounds: {
      collateralUpper: judged.collateralUpper, collateralThreshold: judged.collateralThreshold,
      targetLower: judged.targetLower, targetThreshold: judged.targetThreshold,
    },
    chains: l.chains.map((c) => (keepGaps ? c : withoutGaps(c))),
    seconds: l.seconds,
  };
  if (l.nbeta !== undefined) {
    // λ̂(t) = nβ·(E_q[L_n] − L_n(w*)): nβ times the loss-gap estimate (a linear map, so se scales too).
    result.nbeta = l.nbeta;
    result.llc = { mean: l.nbeta * lossGap.mean, se: l.nbeta * lossGap.se, n: lossGap.n, dof: result.lossGap.dof, ci95: [l.nbeta * lossGap.ci95[0], l.nbeta * lossGap.ci95[1]] };
  }
  if (l.error !== undefined) result.error = l.error;
  return result;
}

function withoutGaps(c: ChainTrace): ChainTrace {
  const { lossGap: _loss, controlLossGap: _control, ...rest } = c;
  return rest;
}
