// The per-weight coefficients a fed-metric step graph reads (sgldGraph.ts): its drift is w − (ε/2)·D·∇U and its
// noise √ε·S·ξ, with the reverse residual measured in 1/S. Two proposals fill them:
//
//   preconditioned-sgld   D = M, S = √M: the Langevin proposal with covariance εM.
//   exponential-sgld      the exponential integrator of the Gaussian reference N(w*, P⁻¹), P the pilot's diagonal
//                         curvature (sgldMetric.ts). With ρ = exp(−εP/2), per weight:
//                             (ε/2)·D = (1 − ρ)/P,   ε·S² = (1 − ρ²)/P.
//                         On U = (P/2)|w − w*|² this is the AR(1) w' − w* = ρ(w − w*) + √((1 − ρ²)/P)·ξ, whose
//                         stationary law is N(w*, P⁻¹) exactly: every proposal is accepted, at any ε. As ε → 0 it is
//                         SGLD (D, S² → 1); as ε grows each weight relaxes in ≈ 2/(εP) steps, but a step can never
//                         overshoot the reference's own mean, which is what caps plain SGLD's ε at the stiffest weight.
//                         What the reference misses (the curvature off its diagonal, the loss's non-Gaussian shape, the
//                         minibatch's noise) is what the MALA acceptance sees, so `stepSize: auto` still applies.
// Both are Gaussian proposals with a fixed covariance, so the graph's acceptance terms hold unchanged.

export interface ProposalCoefficients {
  drift: Float32Array;
  noise: Float32Array;
  inverseNoise: Float32Array;
}

/** preconditioned-sgld's coefficients for one parameter: M, √M, 1/√M. */
export function metricCoefficients(metric: Float32Array): ProposalCoefficients {
  return { drift: metric, noise: metric.map(Math.sqrt), inverseNoise: metric.map((v) => 1 / Math.sqrt(v)) };
}

/** exponential-sgld's coefficients for one parameter at step ε, from its reference precision P (> 0). */
export function exponentialCoefficients(precision: Float32Array, stepSize: number): ProposalCoefficients {
  const n = precision.length;
  const drift = new Float32Array(n), noise = new Float32Array(n), inverseNoise = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = precision[i]!;
    if (!(p > 0) || !Number.isFinite(p)) throw new Error(`exponential-sgld needs a positive, finite reference precision; weight ${i} has ${p}`);
    const x = (stepSize * p) / 2;
    // 1 − ρ and 1 − ρ² without cancellation when εP is small (they tend to εP/2 and εP).
    const oneMinusRho = -Math.expm1(-x);
    const oneMinusRhoSquared = -Math.expm1(-2 * x);
    drift[i] = (2 * oneMinusRho) / (stepSize * p);
    const s = Math.sqrt(oneMinusRhoSquared / (stepSize * p));
    noise[i] = s;
    inverseNoise[i] = 1 / s;
  }
  return { drift, noise, inverseNoise };
}

/** The slowest weight's relaxation time in steps, 2/(ε·min P): what burn-in starts from. */
export function exponentialRelaxationSteps(precision: readonly Float32Array[], stepSize: number): number {
  let min = Infinity;
  for (const p of precision) for (let i = 0; i < p.length; i++) if (p[i]! < min) min = p[i]!;
  // An AR(1) with coefficient ρ decorrelates in −1/ln ρ = 2/(εP) steps, and never in under one.
  return Math.max(1, 2 / (stepSize * min));
}
