// The diagonal metric of `preconditioned-sgld`, estimated by a pilot chain and then frozen (docs/method.md,
// "Preconditioned SGLD"). A frozen metric keeps every step a Langevin proposal with covariance εM, so the MALA
// acceptance, `stepSize: auto` and the stationary law are SGLD's, only in better-scaled coordinates.
//
// What M should be: for a locally quadratic potential with curvature a_i along weight i, the step relaxes that
// weight at rate ε·M_i·a_i/2, so M_i ∝ 1/a_i relaxes every weight alike. The pilot reads a_i from the potential's
// squared gradient v_i = mean (∇U)_i² over a window of W steps at per-weight step h_i = ε·M_i:
//   - a weight that has relaxed (a_i·h_i·W ≫ 1) has v_i ≈ a_i (at equilibrium E[(a·δw)²] = a² · 1/a), plus the
//     minibatch's gradient noise σ_i², which only makes the estimate larger (its step smaller: safe) — and which
//     exponential-sgld's reference must hold (sgldProposal.ts: P = a + σ² is what keeps its step unbiased);
//   - a weight that has not (the localization pull's directions, a_i ≈ γ) is still diffusing from where the window
//     started: δw² ≈ h·k after k steps, so v_i ≈ a_i²·h_i·W/2, and a_i ≈ √(2v_i/(h_i·W)).
// The larger of the two readings, plus γ (every direction feels the pull), is never below a_i in either regime, so
// the metric never speeds a weight past the stiffest one's rate. M_i = P_max/P_i, with P_i that estimate: the
// stiffest weight keeps M = 1, so ε keeps its meaning (the stiffest weight's step) and SGLD's step-size ladder.
import type { SgldSampler } from './sgldSampler';

/** Pilot windows (steps): a first one at M = 1 (plain SGLD), a second at the first estimate that refines it. */
export const METRIC_WINDOWS: readonly number[] = [200, 400];
/** The largest M: a weight the pilot saw no force on at all (only possible without localization). */
export const MAX_METRIC = 1e6;
/** M is rounded to powers of 2^(1/4), so that last-bit differences between processes do not change a chain. */
const METRIC_GRID = 4;
/** Key of the metric pilot after (seed, level) — apart from the step-size (−1, rung) and burn-in pilots' keys. */
export const METRIC_PILOT_KEY = -3;

export interface MetricPilotSettings {
  sampler: SgldSampler;
  stepSize: number;
  nbeta: number;
  localization: number;
  /** The pilot's stream key, e.g. [seed, level, METRIC_PILOT_KEY]; window r appends r. */
  key: readonly number[];
  divergenceLoss: number;
  level?: number;
  signal?: AbortSignal;
  windows?: readonly number[];
  /** The ε to run the next window at (and to return) once the metric changed: `stepSize: auto` recalibrates. */
  recalibrate?: (metric: readonly Float32Array[], stepSize: number) => Promise<number>;
}

export interface EstimatedMetric {
  metric: Float32Array[];
  stepSize: number;
  /** Step-graph passes of the windows (the recalibrations count their own). */
  passes: number;
  /** The equalized relaxation time 2/(ε·P_max) the metric aims at, in steps: the slowest weight's if the estimate is right. */
  relaxationSteps: number;
  /** exponential-sgld's Gaussian reference: the curvature a_i itself, max(reading, γ) (see `curvature`), on the grid. */
  reference: Float32Array[];
  /** The last window's last weights: where a refinement window (`refineReference`) starts. */
  last: Float32Array[];
}

/** Runs the pilot windows and returns the frozen metric (and ε, recalibrated after the last window when asked). */
export async function estimateMetric(o: MetricPilotSettings): Promise<EstimatedMetric> {
  const anchor = o.sampler.spec.anchor;
  let metric = anchor.map((a) => new Float32Array(a.length).fill(1));
  let start: Float32Array[] = anchor.map((a) => Float32Array.from(a));
  let stepSize = o.stepSize;
  let passes = 0;
  let pMax = 0;
  let reference: Float32Array[] = [];
  for (const [r, window] of (o.windows ?? METRIC_WINDOWS).entries()) {
    const sums = anchor.map((a) => new Float32Array(a.length));
    let last: Float32Array[] | undefined;
    for await (const d of o.sampler.chain({
      stepSize, nbeta: o.nbeta, localization: o.localization, burnIn: 0, draws: window, thin: 1, key: [...o.key, r],
      chain: -1, level: o.level, divergenceLoss: o.divergenceLoss, signal: o.signal, malaEvery: 0, metric, start, gradientSquares: sums,
    })) {
      last = d.weights;
      passes++;
    }
    start = last!.map((w) => Float32Array.from(w));
    const estimate = curvature(sums, metric, stepSize, window, o.localization);
    pMax = estimate.max;
    metric = estimate.precision.map((p) => Float32Array.from(p, (v) => quantize(estimate.max / v)));
    reference = estimate.reference.map((p) => Float32Array.from(p, quantize));
    if (o.recalibrate) stepSize = await o.recalibrate(metric, stepSize);
  }
  return { metric, stepSize, passes, relaxationSteps: 2 / (stepSize * pMax), reference, last: start };
}

/** The exponential-sgld refinement window's length, in steps. */
export const REFINE_WINDOW = 400;

export interface RefineSettings {
  sampler: SgldSampler;
  /** The reference to refine (the metric pilot's) and the ε the chains will run at. */
  precision: readonly Float32Array[];
  stepSize: number;
  nbeta: number;
  localization: number;
  /** Where the window starts (the metric pilot's last weights). */
  start: readonly Float32Array[];
  key: readonly number[];
  divergenceLoss: number;
  level?: number;
  signal?: AbortSignal;
  window?: number;
}

/**
 * Measured, not used by the dial (docs/method.md, "Exponential SGLD": on the modular example it moved ΔL by under
 * 2 standard errors, and on the full-batch planted one it doubled the thin). exponential-sgld's reference read again
 * from a window of exponential-sgld itself. Its step keeps each weight's
 * second moment at the posterior's iff P_i = E[(∂_iÛ)²] under the chain's own law (docs/method.md, "Exponential
 * SGLD"), but the metric pilot reads the mean squared gradient along a plain or preconditioned SGLD chain, whose
 * minibatch noise widens it (by ε·σ²/4 and more), so it reads P too large and the exponential chain comes out too
 * narrow (on the minibatch linear regression: P 1.2–1.4× too large, ΔL ≈ 15% low). Read along the exponential chain,
 * P = v is a fixed point, reached from above in a window or two where the weights relax. A weight that has not relaxed
 * is read as `curvature` reads one (its per-step Langevin step h = 2·(1 − ρ)/P), never below the curvature.
 */
export async function refineReference(o: RefineSettings): Promise<{ reference: Float32Array[]; passes: number; last: Float32Array[] }> {
  const window = o.window ?? REFINE_WINDOW;
  const sums = o.precision.map((p) => new Float32Array(p.length));
  let last: Float32Array[] | undefined;
  let passes = 0;
  for await (const d of o.sampler.chain({
    stepSize: o.stepSize, nbeta: o.nbeta, localization: o.localization, burnIn: 0, draws: window, thin: 1, key: o.key,
    chain: -1, level: o.level, divergenceLoss: o.divergenceLoss, signal: o.signal, malaEvery: 0, precision: o.precision, start: o.start, gradientSquares: sums,
  })) {
    last = d.weights;
    passes++;
  }
  // The exponential step's drift (1 − ρ)/P is a Langevin step h/2 with h = 2(1 − ρ)/P, i.e. ε·M with M = 2(1 − ρ)/(ε·P).
  const rate = Math.max(...o.precision.map((p) => p.reduce((a, v) => Math.max(a, v), 0)));
  const oneMinusRho = -Math.expm1(-(o.stepSize * rate) / 2);
  const metric = o.precision.map((p) => Float32Array.from(p, (v) => (2 * oneMinusRho) / (o.stepSize * v)));
  const estimate = curvature(sums, metric, o.stepSize, window, o.localization);
  return { reference: estimate.reference.map((p) => Float32Array.from(p, quantize)), passes, last: last!.map((w) => Float32Array.from(w)) };
}

/** P_i = max(v_i, √(2v_i/(h_i·W))) + γ per weight (see the header), and its largest value; and the reference
 *  max(v_i, √(2v_i/(h_i·W)), γ): the metric adds γ to stay above a_i (a step too long is unsafe), while a Gaussian
 *  reference should equal a_i (at equilibrium v_i reads the Hessian's diagonal, which already holds γ), since an
 *  unadjusted exponential step is biased by its reference's error either way. */
export function curvature(sums: readonly Float32Array[], metric: readonly Float32Array[], stepSize: number, window: number, localization: number): { precision: Float64Array[]; max: number; reference: Float64Array[] } {
  let max = 0;
  const reference = sums.map((s) => new Float64Array(s.length));
  const precision = sums.map((s, j) => {
    const m = metric[j]!;
    const p = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const v = s[i]! / window;
      const diffusing = Math.sqrt((2 * v) / (stepSize * m[i]! * window));
      p[i] = Math.max(v, diffusing) + localization;
      reference[j]![i] = Math.max(v, diffusing, localization);
      if (!Number.isFinite(p[i]!)) throw new Error(`the metric pilot's gradient is not finite (weight ${i} of tensor ${j})`);
      if (p[i]! > max) max = p[i]!;
    }
    return p;
  });
  // A potential that is flat everywhere with no pull: nothing to scale by. A weight that is flat where the rest is
  // not (γ = 0) gets at most MAX_METRIC times the stiffest weight's step.
  if (!(max > 0)) return { precision: precision.map((p) => p.fill(1)), max: 1, reference: reference.map((p) => p.fill(1)) };
  for (const p of precision) for (let i = 0; i < p.length; i++) p[i] = Math.max(p[i]!, max / MAX_METRIC);
  for (const p of reference) for (let i = 0; i < p.length; i++) p[i] = Math.max(p[i]!, max / MAX_METRIC);
  return { precision, max, reference };
}

function quantize(m: number): number {
  return 2 ** (Math.round(METRIC_GRID * Math.log2(m)) / METRIC_GRID);
}
