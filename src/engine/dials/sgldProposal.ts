// The per-weight coefficients a fed-metric step graph reads (sgldGraph.ts): its drift is w − (ε/2)·D·∇U and its
// noise √ε·S·ξ, with the reverse residual measured in 1/S. Two proposals fill them:
//
//   preconditioned-sgld   D = M, S = √M: the Langevin proposal with covariance εM.
//   exponential-sgld      the exponential integrator of preconditioned-sgld's dynamics about the Gaussian reference
//                         N(w*, P⁻¹), P the pilot's diagonal curvature (sgldMetric.ts), with every weight relaxed at
//                         the stiffest one's rate R = max P (the metric M = R/P equalizes them). With ρ = exp(−εR/2):
//                             (ε/2)·D = (1 − ρ)/P,   ε·S² = (1 − ρ²)/P.
//                         On U = ½Σ P_i(w_i − w*_i)² this is the AR(1) w' − w* = ρ(w − w*) + √((1 − ρ²)/P)·ξ, whose
//                         stationary law is N(w*, P⁻¹) exactly: every proposal is accepted, at any ε. As ε → 0 it is
//                         preconditioned-sgld (D → R/P, S² → R/P); at larger ε a step can no longer overshoot the
//                         reference's mean, which is what holds preconditioned-sgld's ε down in D ≈ 10³–10⁴ weights.
//                         What the reference misses (the curvature off its diagonal, the loss's non-Gaussian shape) is
//                         what the MALA acceptance sees, so `stepSize: auto` still applies. The minibatch's noise it
//                         cannot see (both ends use one batch): per weight the step keeps the posterior's second moment
//                         iff P_i = E_q[(∂_iÛ)²] = a_i + σ_i² (Stein's identity: s² = 2c − c²·E[(∂Û)²] with drift c,
//                         noise s²), i.e. the noise counted as curvature, as the pilot's mean squared minibatch gradient
//                         does, and each batch independent of the chain's past (on a Gaussian; epochs' anticorrelated
//                         batches narrow it, SgldSamplerSpec.batches). About the curvature alone (P = a) the variance
//                         would be 1/a + ((1 − ρ)/(1 + ρ))·σ²/a² instead.
// Both are Gaussian proposals with a fixed covariance, so the graph's acceptance terms hold unchanged.
import { kineticFriction } from './sgldGraph';

export interface ProposalCoefficients {
  drift: Float32Array;
  noise: Float32Array;
  inverseNoise: Float32Array;
}

/** preconditioned-sgld's coefficients for one parameter: M, √M, 1/√M. */
export function metricCoefficients(metric: Float32Array): ProposalCoefficients {
  return { drift: metric, noise: metric.map(Math.sqrt), inverseNoise: metric.map((v) => 1 / Math.sqrt(v)) };
}

/** R = max P over every weight: the rate exponential-sgld relaxes all weights at. */
export function referenceRate(precision: readonly Float32Array[]): number {
  let max = 0;
  for (const p of precision) for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`exponential-sgld needs a positive, finite reference precision; weight ${i} has ${v}`);
    if (v > max) max = v;
  }
  return max;
}

/** exponential-sgld's coefficients for one parameter at step ε, from its reference precision P (> 0) and the rate R. */
export function exponentialCoefficients(precision: Float32Array, stepSize: number, rate: number): ProposalCoefficients {
  const n = precision.length;
  const drift = new Float32Array(n), noise = new Float32Array(n), inverseNoise = new Float32Array(n);
  // 1 − ρ and 1 − ρ² without cancellation when εR is small (they tend to εR/2 and εR).
  const oneMinusRho = -Math.expm1(-(stepSize * rate) / 2);
  const oneMinusRhoSquared = -Math.expm1(-stepSize * rate);
  for (let i = 0; i < n; i++) {
    const p = precision[i]!;
    if (!(p > 0) || !Number.isFinite(p)) throw new Error(`exponential-sgld needs a positive, finite reference precision; weight ${i} has ${p}`);
    drift[i] = (2 * oneMinusRho) / (stepSize * p);
    const s = Math.sqrt(oneMinusRhoSquared / (stepSize * p));
    noise[i] = s;
    inverseNoise[i] = 1 / s;
  }
  return { drift, noise, inverseNoise };
}

/** Every weight's relaxation time in steps, 2/(ε·R) (an AR(1) with coefficient ρ decorrelates in −1/ln ρ), at least 1. */
export function exponentialRelaxationSteps(rate: number, stepSize: number): number {
  return Math.max(1, 2 / (stepSize * rate));
}

/** kinetic-langevin's per-weight coefficients at step ε (leapfrog step h = √ε): the refresh c = exp(−f·h) with
 *  f = kineticFriction(γ, P), and the scale √(1 − c²)/h of the fed noise √ε·ξ (so the refresh adds √(1 − c²)·ξ). */
export function kineticCoefficients(curvature: Float32Array, stepSize: number, localization: number): { refresh: Float32Array; noise: Float32Array } {
  const h = Math.sqrt(stepSize);
  const refresh = new Float32Array(curvature.length), noise = new Float32Array(curvature.length);
  for (let i = 0; i < curvature.length; i++) {
    const p = curvature[i]!;
    if (!(p >= 0) || !Number.isFinite(p)) throw new Error(`kinetic-langevin needs a non-negative, finite curvature; weight ${i} has ${p}`);
    const fh = kineticFriction(localization, p) * h;
    refresh[i] = Math.exp(-fh);
    // 1 − c² without cancellation when f·h is small.
    noise[i] = Math.sqrt(-Math.expm1(-2 * fh)) / h;
  }
  return { refresh, noise };
}
