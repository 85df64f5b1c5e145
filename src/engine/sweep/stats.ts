/**
 * Means with standard errors that respect autocorrelation (docs/method.md):
 * - ≥ 2 chains: chain means; se = sd(chain means)/√chains, chains − 1 degrees of freedom;
 * - 1 chain of independent draws (noise dials): se = sd/√n, n − 1 degrees of freedom (batch means of size 1);
 * - 1 chain of correlated draws: non-overlapping batch means, b = ⌊√n⌋ draws per batch, a = ⌊n/b⌋ batches
 *   (the first n − a·b draws are left out of the se, not of the mean); se = sd(batch means)/√a, a − 1 dof;
 * - a deterministic dial (one exact draw per level): se = 0.
 * The 95% interval is mean ± t_{0.975, dof}·se (Student t, so few chains give honest, wider intervals).
 */

export interface SeriesEstimate {
  mean: number;
  se: number;
  /** Draws behind the estimate, all chains together. */
  n: number;
  /** Degrees of freedom of se (Infinity when exact). */
  dof: number;
  /** Two-sided 95% confidence interval. */
  ci95: [number, number];
}

export interface EstimateOptions {
  /** Draws within a chain are independent (no batching needed). */
  independent?: boolean;
  /** The value is exact (se = 0). */
  deterministic?: boolean;
}

function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Unbiased sample variance. */
function varianceOf(x: ArrayLike<number>, mean = meanOf(x)): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - mean) ** 2;
  return s / (x.length - 1);
}

export function withInterval(mean: number, se: number, n: number, dof: number): SeriesEstimate {
  const half = se === 0 ? 0 : studentTQuantile(0.975, dof) * se;
  return { mean, se, n, dof, ci95: [mean - half, mean + half] };
}

/** Batch-means standard error of one correlated series: { se, batches }. */
export function batchMeansSe(x: ArrayLike<number>): { se: number; batches: number } {
  const n = x.length;
  const b = Math.max(1, Math.floor(Math.sqrt(n)));
  const a = Math.floor(n / b);
  const start = n - a * b;
  const means = new Float64Array(a);
  for (let k = 0; k < a; k++) {
    let s = 0;
    for (let i = 0; i < b; i++) s += x[start + k * b + i]!;
    means[k] = s / b;
  }
  return { se: Math.sqrt(varianceOf(means) / a), batches: a };
}

/** The estimate of E_q[value] from per-chain draw series. */
export function estimate(chains: readonly (readonly number[])[], options: EstimateOptions = {}): SeriesEstimate {
  const used = chains.filter((c) => c.length > 0);
  const n = used.reduce((k, c) => k + c.length, 0);
  if (n === 0) return { mean: NaN, se: NaN, n: 0, dof: 0, ci95: [NaN, NaN] };
  if (options.deterministic) {
    const mean = meanOf(used.flat());
    return withInterval(mean, 0, n, Infinity);
  }
  if (used.length >= 2) {
    const chainMeans = used.map(meanOf);
    const mean = meanOf(chainMeans);
    return withInterval(mean, Math.sqrt(varianceOf(chainMeans, mean) / chainMeans.length), n, chainMeans.length - 1);
  }
  const x = used[0]!;
  const mean = meanOf(x);
  if (x.length < 2) return { mean, se: NaN, n, dof: 0, ci95: [-Infinity, Infinity] };
  if (options.independent) return withInterval(mean, Math.sqrt(varianceOf(x, mean) / x.length), n, x.length - 1);
  const { se, batches } = batchMeansSe(x);
  return withInterval(mean, se, n, batches - 1);
}

// ---- Student t quantiles ----

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), |error| < 1e-13 for x > 0. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `dof` degrees of freedom. */
export function studentTCdf(t: number, dof: number): number {
  if (!Number.isFinite(dof)) return normalCdf(t);
  const tail = 0.5 * regularizedBeta(dof / (dof + t * t), dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Φ(x) from erfc (Numerical Recipes' Chebyshev fit, |relative error| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The p-quantile of Student's t (dof > 0; Infinity gives the normal quantile), by bisection on the cdf. */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile level must be in (0, 1), got ${p}`);
  if (!(dof > 0)) return Infinity;
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, dof) < p) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, dof) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}
