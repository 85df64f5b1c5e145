// Per-level warm-up of the `hmc` sampler (docs/method.md, "HMC"): with the frozen metric M from the minibatch
// metric pilot (sgldMetric.ts), one pilot chain from w* tunes the leapfrog step ε by dual averaging toward an
// acceptance of 0.8 (hmcAdapt.ts) in two windows, and between them sets the mean trajectory time T to a quarter
// period of the oscillation the metric equalizes: T = (π/2)/ω̂, ω̂² the median over weights of M_i·mean(∂_iU)², read
// from the first window's full-data gradients (at equilibrium E[(∂_iU)²] = a_i, the curvature, so M_i·a_i is the
// squared frequency of weight i under the metric). Then ε and T are frozen for every chain of the level.
import { HMC_WARMUP } from '../../protocol/hmcSchedule';
import { DualAveraging, HMC_TARGET_ACCEPTANCE } from './hmcAdapt';
import type { HmcSampler } from './hmcSampler';

// The warm-up windows (the second starts where the first ended) and the auto pilots' lengths: one place, with what
// the work estimate counts.
export { HMC_BURN_IN_START, HMC_THIN_PILOT, HMC_WARMUP } from '../../protocol/hmcSchedule';

export interface HmcWarmUpSettings {
  hmc: HmcSampler;
  /** ε to start from: √ε of plain SGLD's calibrated step (one leapfrog step is a MALA step of size ε²). */
  initialStepSize: number;
  /** The metric pilot's largest curvature estimate P_max: T starts at (π/2)/√P_max. */
  curvature: number;
  metric: readonly Float32Array[];
  nbeta: number;
  localization: number;
  key: readonly number[];
  level?: number;
  divergenceLoss: number;
  signal?: AbortSignal;
  /** A given ε: used as is, only T is warmed up. The accept/reject makes the chain exact at any ε, so a given ε
   *  has no bias to correct: only its efficiency is at stake, which the level's acceptance shows. Dual averaging
   *  from it would make the written number a mere start and the level's ε other than the one asked for. */
  fixedStepSize?: number;
}

export interface HmcWarmUp {
  stepSize: number;
  trajectory: number;
  /** The full-data gradient evaluations the warm-up cost. */
  gradients: number;
}

export async function warmUpHmc(o: HmcWarmUpSettings): Promise<HmcWarmUp> {
  const before = o.hmc.gradients;
  let trajectory = Math.PI / 2 / Math.sqrt(o.curvature);
  let stepSize = o.fixedStepSize ?? o.initialStepSize;
  let start: Float32Array[] | undefined;
  for (const [r, window] of HMC_WARMUP.entries()) {
    const adapt = o.fixedStepSize === undefined ? new DualAveraging(stepSize, HMC_TARGET_ACCEPTANCE) : undefined;
    const squares = o.metric.map((m) => new Float64Array(m.length));
    for await (const d of o.hmc.chain({
      stepSize, trajectory, nbeta: o.nbeta, localization: o.localization, burnIn: window, draws: 1, thin: 1,
      key: [...o.key, r], chain: -1, level: o.level, divergenceLoss: o.divergenceLoss, metric: o.metric, start, adapt,
      gradientSquares: r === 0 ? squares : undefined, signal: o.signal,
    })) start = d.weights.map((w) => Float32Array.from(w));
    if (adapt) stepSize = adapt.final;
    if (r === 0) trajectory = Math.PI / 2 / Math.sqrt(medianFrequencySquared(squares, o.metric, window + 1) || o.curvature);
  }
  return { stepSize, trajectory, gradients: o.hmc.gradients - before };
}

/** The median over weights of M_i·(Σ(∂_iU)²/count). */
export function medianFrequencySquared(squares: readonly Float64Array[], metric: readonly Float32Array[], count: number): number {
  const size = squares.reduce((a, s) => a + s.length, 0);
  const all = new Float64Array(size);
  let k = 0;
  squares.forEach((s, i) => { const m = metric[i]!; for (let j = 0; j < s.length; j++) all[k++] = (m[j]! * s[j]!) / count; });
  all.sort();
  return size === 0 ? 0 : size % 2 === 1 ? all[(size - 1) / 2]! : (all[size / 2 - 1]! + all[size / 2]!) / 2;
}
