// The exact stationary covariance of a diagonal-step Langevin chain on linear regression with minibatch gradients,
// as SgldSampler runs it: δw' = δw − C·∇Û(w) + s·ξ (δw = w − w0, C and s diagonal), with ∇Û = A·δw + nβ·[(H_B − H)·δw
// + g_B] the minibatch potential's gradient (A = nβ·H + γI) and g_B = (2/b)·Σ_{j∈B} z_j·r_j the batch's gradient at the
// least-squares fit w0 (r_j = z_jᵀw0 − y_j; it sums to 0 over the data). Batches are an epoch's shuffle cut into
// m = n/b disjoint batches (sgldBatches.ts), so g_B is not independent from step to step: the epoch's batch gradients
// sum to 0. By exchangeability E[g_k | earlier batches of the epoch] = −S_k/(m − k) (S_k their running sum), and the
// innovation g_k − E[g_k | …] is uncorrelated with everything before it, so the second moments of (δw, S) follow a
// linear recursion with period m — exact for the additive noise g_B. The multiplicative part nβ·(H_B − H)·δw (relative
// size ≈ 1/√b of the curvature's) is taken as independent of the past, with its one-batch covariance.
//
// With i.i.d. batches and A diagonal this reduces, per weight with curvature a and gradient-noise variance σ², to
//   Var = (C²σ² + s²) / (C·a·(2 − C·a)),
// e.g. exponential-sgld about P = a (C = (1 − ρ)/a, s² = (1 − ρ²)/a): 1/a + ((1 − ρ)/(1 + ρ))·σ²/a².
import { LinearProblem, Matrix } from './linearRegression';

export interface StepCoefficients {
  /** The drift per weight: δw' = δw − drift·∇Û + noise·ξ. */
  drift: number[];
  /** The injected noise's standard deviation per weight. */
  noise: number[];
}

export interface MinibatchNoise {
  /** Per step, the additive noise's covariance Var(nβ·g_B) (one batch, drawn without replacement). */
  additive: Matrix;
  /** The multiplicative noise's covariance Var(nβ·(H_B − H)·δw) averaged over δw ~ N(0, Σ). */
  multiplicative: (sigma: Matrix) => Matrix;
}

const zeros = (d: number): Matrix => Array.from({ length: d }, () => new Array<number>(d).fill(0));

function rows(p: LinearProblem): { z: number[][]; r: number[] } {
  const x = p.data.inputs.x!.data as Float32Array, y = p.data.labels.data as Float32Array;
  const k = p.d - 1;
  const z = Array.from({ length: p.n }, (_, i) => [...Array.from(x.subarray(i * k, (i + 1) * k)), 1]);
  const r = z.map((zi, i) => zi.reduce((s, v, a) => s + v * p.w0[a]!, 0) - y[i]!);
  return { z, r };
}

/** The minibatch gradient's noise at batch size b and nβ (per-example population moments, without replacement). */
export function minibatchNoise(p: LinearProblem, nbeta: number, b: number): MinibatchNoise {
  const { z, r } = rows(p);
  const d = p.d, n = p.n;
  // One batch of b drawn without replacement: Var(Σ_B u) = b·Γ·(n − b)/(n − 1), Γ the population covariance of u.
  const fpc = (n - b) / (n - 1);
  const additive = zeros(d);
  for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) additive[a]![c]! += z[j]![a]! * z[j]![c]! * r[j]! ** 2 / n;
  const scaleAdd = (2 * nbeta / b) ** 2 * b * fpc;
  for (const row of additive) for (let c = 0; c < d; c++) row[c]! *= scaleAdd;
  // (1/n)·Σ_j M_j Σ M_j − M̄ Σ M̄ with M_j = z_j z_jᵀ, M̄ = H/2, then × (2nβ/b)²·b·fpc; the fourth moments once.
  const fourth = new Float64Array(d ** 4);
  for (const zj of z) for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) for (let e = 0; e < d; e++) for (let f = 0; f < d; f++) fourth[((a * d + c) * d + e) * d + f]! += (zj[a]! * zj[c]! * zj[e]! * zj[f]!) / n;
  const half = p.hessian.map((row) => row.map((v) => v / 2));
  const s = (2 * nbeta / b) ** 2 * b * fpc;
  const multiplicative = (sigma: Matrix): Matrix => {
    const mean = mul(mul(half, sigma), half);
    return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, c) => {
      let v = 0;
      for (let e = 0; e < d; e++) for (let f = 0; f < d; f++) v += fourth[((a * d + c) * d + e) * d + f]! * sigma[e]![f]!;
      return (v - mean[a]![c]!) * s;
    }));
  };
  return { additive, multiplicative };
}

function mul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

/**
 * E[L_n(w)] − L_n(w0) = ½·tr(H·Σ_k) averaged over the kept steps `steps` (their phases in the epoch), Σ_k the chain's
 * periodic stationary covariance at step k. `independent`: treat the batches as i.i.d. (the textbook formula's model).
 */
export function predictedLossGap(p: LinearProblem, nbeta: number, gamma: number, b: number, coefficients: StepCoefficients, steps: readonly number[], independent = false): number {
  const d = p.d, m = Math.floor(p.n / b);
  const noise = minibatchNoise(p, nbeta, b);
  const A = p.hessian.map((row, i) => row.map((v, j) => nbeta * v + (i === j ? gamma : 0)));
  const C = coefficients.drift;
  const B = A.map((row, i) => row.map((v, j) => (i === j ? 1 : 0) - C[i]! * v));
  // Var(g_k) = V0 and Cov(g_k, g_l) = c0 = −V0/(m − 1)·… for disjoint batches of one epoch: −(2nβ)²Γ/(n − 1).
  const V0 = noise.additive;
  const c0 = V0.map((row) => row.map((v) => (-v * b) / (p.n - b)));
  // x = (δw, S): 2d × 2d covariance.
  let X = zeros(2 * d);
  const phaseSigma: Matrix[] = new Array(m);
  const sweeps = 60;
  for (let epoch = 0; epoch < sweeps; epoch++) {
    for (let k = 0; k < m; k++) {
      const R = m - k;
      // Innovation covariance: V0 − Var(S_k)/R², Var(S_k) = k·V0 + k(k − 1)·c0.
      const E = V0.map((row, a) => row.map((v, c) => (independent ? v : v - (k * v + k * (k - 1) * c0[a]![c]!) / R ** 2)));
      const pull = independent ? 0 : 1 / R;
      // F = [[B, pull·C], [0, (1 − pull)·I]], innovation enters as [−C; I]·e.
      const F = zeros(2 * d);
      for (let a = 0; a < d; a++) {
        for (let c = 0; c < d; c++) F[a]![c] = B[a]![c]!;
        F[a]![d + a] = pull * C[a]!;
        F[d + a]![d + a] = independent ? 0 : 1 - pull;
      }
      const G = zeros(2 * d);
      for (let a = 0; a < d; a++) { G[a]![a] = -C[a]!; G[d + a]![a] = 1; }
      const sigma = X.slice(0, d).map((row) => row.slice(0, d));
      phaseSigma[k] = sigma;
      const Ft = F[0]!.map((_, j) => F.map((row) => row[j]!));
      const Gt = G[0]!.map((_, j) => G.map((row) => row[j]!));
      const Epad = zeros(2 * d);
      for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) Epad[a]![c] = E[a]![c]!;
      const M = noise.multiplicative(sigma);
      const next = mul(mul(F, X), Ft);
      const innov = mul(mul(G, Epad), Gt);
      for (let a = 0; a < 2 * d; a++) for (let c = 0; c < 2 * d; c++) next[a]![c]! += innov[a]![c]!;
      for (let a = 0; a < d; a++) {
        next[a]![a]! += coefficients.noise[a]! ** 2;
        for (let c = 0; c < d; c++) next[a]![c]! += C[a]! * M[a]![c]! * C[c]!;
      }
      X = next;
    }
  }
  const gap = (sigma: Matrix) => 0.5 * p.hessian.reduce((s, row, a) => s + row.reduce((t, h, c) => t + h * sigma[c]![a]!, 0), 0);
  return steps.reduce((s, k) => s + gap(phaseSigma[k % m]!), 0) / steps.length;
}

/** exponential-sgld's coefficients about P at ε (sgldProposal.ts): drift (1 − ρ)/P, noise² (1 − ρ²)/P, ρ = e^{−εR/2}. */
export function exponentialStep(precision: readonly number[], stepSize: number): StepCoefficients {
  const R = Math.max(...precision);
  const u = -Math.expm1(-(stepSize * R) / 2), u2 = -Math.expm1(-stepSize * R);
  return { drift: precision.map((P) => u / P), noise: precision.map((P) => Math.sqrt(u2 / P)) };
}

/** Plain SGLD's: drift ε/2, noise √ε. */
export function sgldStep(d: number, stepSize: number): StepCoefficients {
  return { drift: new Array<number>(d).fill(stepSize / 2), noise: new Array<number>(d).fill(Math.sqrt(stepSize)) };
}
