/**
 * MCMC convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization,
 * folding, and localization: an improved R̂ for assessing convergence of MCMC", Bayesian Analysis 16(2).
 *
 * - Chains are split in halves, so a trend within one chain shows up as disagreement between its halves.
 * - Draws are rank-normalized (pooled ranks → normal scores), so R̂ and ESS exist for heavy tails and are
 *   invariant to monotone transforms.
 * - Folding |x − median| makes R̂ see chains that agree in location but not in scale.
 *
 * Conventions (why they matter to callers):
 * - Chains of unequal length are truncated to the shortest: the estimators assume equal lengths.
 * - NaN means "cannot be judged", which callers treat as not converged: fewer than 4 draws per chain, a
 *   non-finite draw, or a split chain with no variation at all (a stuck chain or a constant series —
 *   ranks carry no information there, as in Stan).
 */

export interface ConvergenceDiagnostics {
  rhat: number;
  essBulk: number;
  essTail: number;
}

/** Split chains, flattened chain-major: split chain j holds data[j·n … (j+1)·n). */
interface Draws {
  data: Float64Array;
  /** Number of split chains (twice the input chains). */
  m: number;
  /** Draws per split chain. */
  n: number;
}

/** Truncates to the shortest chain, splits each in halves (the middle draw of an odd length is dropped). */
function splitDraws(chains: readonly (readonly number[])[]): Draws | null {
  if (chains.length === 0) return null;
  let len = Infinity;
  for (const c of chains) len = Math.min(len, c.length);
  if (!(len >= 4)) return null;
  const n = Math.floor(len / 2);
  const second = len - n;
  const m = 2 * chains.length;
  const data = new Float64Array(m * n);
  for (let j = 0; j < chains.length; j++) {
    const c = chains[j]!;
    for (let i = 0; i < n; i++) {
      data[2 * j * n + i] = c[i]!;
      data[(2 * j + 1) * n + i] = c[second + i]!;
    }
  }
  for (let j = 0; j < m; j++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = j * n; i < (j + 1) * n; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) return null;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) return null;
  }
  return { data, m, n };
}

/** Ascending copy, for quantiles. */
function sorted(x: Float64Array): Float64Array {
  return Float64Array.from(x).sort();
}

/** Sample quantile with linear interpolation between order statistics (Hyndman–Fan type 7, as Stan and NumPy). */
function quantileOfSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Normal scores of pooled ranks: Φ⁻¹((r − 3/8)/(S + 1/4)) (Blom's offset), r the average rank over all S
 * draws so ties (repeated draws of a rejected proposal) get one score.
 */
function rankNormalize(d: Draws): Draws {
  const x = d.data;
  const S = x.length;
  const order = new Uint32Array(S);
  for (let i = 0; i < S; i++) order[i] = i;
  order.sort((a, b) => x[a]! - x[b]!);
  const z = new Float64Array(S);
  for (let i = 0; i < S; ) {
    let j = i + 1;
    while (j < S && x[order[j]!] === x[order[i]!]) j++;
    const rank = (i + 1 + j) / 2; // average of the 1-based ranks i+1 … j
    const score = normalQuantile((rank - 0.375) / (S + 0.25));
    for (let k = i; k < j; k++) z[order[k]!] = score;
    i = j;
  }
  return { data: z, m: d.m, n: d.n };
}

/** |x − median| over the pooled draws: turns a difference in scale into a difference in location. */
function fold(d: Draws): Draws {
  const med = quantileOfSorted(sorted(d.data), 0.5);
  return { data: d.data.map((v) => Math.abs(v - med)), m: d.m, n: d.n };
}

/** Chain means and the mean within-chain variance W (unbiased). */
function meansAndW(d: Draws): { means: Float64Array; W: number } {
  const { data, m, n } = d;
  const means = new Float64Array(m);
  let W = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = j * n; i < (j + 1) * n; i++) s += data[i]!;
    const mean = s / n;
    let ss = 0;
    for (let i = j * n; i < (j + 1) * n; i++) ss += (data[i]! - mean) ** 2;
    means[j] = mean;
    W += ss / (n - 1);
  }
  return { means, W: W / m };
}

/** var⁺ = (n−1)/n·W + B/n: the pooled variance estimate that overestimates when chains disagree. */
function varPlus(means: Float64Array, W: number, n: number): number {
  const m = means.length;
  let mu = 0;
  for (let j = 0; j < m; j++) mu += means[j]!;
  mu /= m;
  let b = 0; // B/n = variance of the chain means
  for (let j = 0; j < m; j++) b += (means[j]! - mu) ** 2;
  return ((n - 1) / n) * W + b / (m - 1);
}

/** Classic R̂ = √(var⁺/W) of the given (already split / transformed) chains. */
function rhatOf(d: Draws): number {
  const { means, W } = meansAndW(d);
  if (!(W > 0)) return NaN;
  return Math.sqrt(varPlus(means, W, d.n) / W);
}

/**
 * Multi-chain ESS: ρ̂_t = 1 − (W − mean_j γ̂_{j,t})/var⁺ with γ̂ the biased (1/n) within-chain autocovariance
 * (Geyer's recommendation), summed in pairs P_k = ρ̂_{2k} + ρ̂_{2k+1} up to the first negative pair (initial
 * positive sequence), each pair capped by the previous one (initial monotone sequence). Lags are computed
 * directly, only as far as needed. τ̂ ≥ 1/log10(S) caps ESS at S·log10(S) as Stan does, so antithetic
 * chains cannot report absurd efficiencies.
 */
function essOf(d: Draws): number {
  const { data, m, n } = d;
  const S = m * n;
  const { means, W } = meansAndW(d);
  const vp = varPlus(means, W, n);
  if (!(vp > 0)) return NaN;
  const c = new Float64Array(S);
  for (let j = 0; j < m; j++) for (let i = j * n; i < (j + 1) * n; i++) c[i] = data[i]! - means[j]!;
  const rho = (t: number): number => {
    let g = 0;
    for (let j = 0; j < m; j++) {
      const base = j * n;
      let s = 0;
      for (let i = base; i < base + n - t; i++) s += c[i]! * c[i + t]!;
      g += s / n;
    }
    return 1 - (W - g / m) / vp;
  };

  let prevPair = 1 + rho(1);
  let pairSum = prevPair;
  let leftover = 0;
  for (let t = 2; t + 1 < n; t += 2) {
    const even = rho(t);
    let pair = even + rho(t + 1);
    if (pair < 0) {
      // The truncated pair's positive even lag still belongs to the sum (paper §3.2, antithetic chains).
      if (even > 0) leftover = even;
      break;
    }
    if (pair > prevPair) pair = prevPair;
    pairSum += pair;
    prevPair = pair;
  }
  const tau = Math.max(-1 + 2 * pairSum + leftover, 1 / Math.log10(S));
  return S / tau;
}

function bulkOf(d: Draws): number {
  return essOf(rankNormalize(d));
}

/** ESS of the indicator I(x ≤ q): how well the chains pin down the q-quantile region. */
function indicatorEss(d: Draws, q: number): number {
  return essOf({ data: d.data.map((v) => (v <= q ? 1 : 0)), m: d.m, n: d.n });
}

function tailOf(d: Draws): number {
  const s = sorted(d.data);
  const e05 = indicatorEss(d, quantileOfSorted(s, 0.05));
  const e95 = indicatorEss(d, quantileOfSorted(s, 0.95));
  // An indicator is constant (NaN) when ≥ 5% of draws sit exactly at an end of the range; the other tail
  // still says something, as in Stan.
  if (Number.isNaN(e05)) return e95;
  if (Number.isNaN(e95)) return e05;
  return Math.min(e05, e95);
}

function rhatOfSplit(d: Draws): number {
  return Math.max(rhatOf(rankNormalize(d)), rhatOf(rankNormalize(fold(d))));
}

/**
 * Spread (relative to the values' size, at least 1) below which a series is constant up to rounding: its draws
 * differ only in the order float sums were taken. The effects are differences of losses evaluated in float32
 * (resolution ≈ 6e−8 of the loss), so 1e−10 is far below anything a draw can mean. Such a series has nothing to mix:
 * its R̂ and ESS are not defined (rank-normalizing would turn the rounding into a chain to judge).
 */
export const ROUNDING_SPREAD = 1e-10;

/** Every draw of every chain within ROUNDING_SPREAD·max(1, |x|) of the others (exactly equal draws included). */
export function constantUpToRounding(chains: readonly (readonly number[])[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (const v of c) {
      if (!Number.isFinite(v)) return false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return false;
  return hi - lo <= ROUNDING_SPREAD * Math.max(1, Math.abs(lo), Math.abs(hi));
}

/** Rank-normalized split-R̂: max of bulk R̂ (on rank-normalized split chains) and folded R̂ (on rank-normalized |x − median|). */
export function splitRhat(chains: readonly (readonly number[])[]): number {
  const d = splitDraws(chains);
  return d ? rhatOfSplit(d) : NaN;
}

/**
 * Bulk effective sample size: ESS of the rank-normalized split chains (Geyer's initial monotone sequence on
 * the combined autocorrelation; direct O(n·lag) autocovariance, stopping at the first negative pair sum).
 */
export function essBulk(chains: readonly (readonly number[])[]): number {
  const d = splitDraws(chains);
  return d ? bulkOf(d) : NaN;
}

/** Tail ESS: min of the ESS of the indicators x ≤ q05 and x ≤ q95 (pooled quantiles of the split draws). */
export function essTail(chains: readonly (readonly number[])[]): number {
  const d = splitDraws(chains);
  return d ? tailOf(d) : NaN;
}

/** All three from one split (the draws are validated and copied once). */
/** R̂ and bulk ESS from one split of the draws (what the verdict tests; tail ESS is not needed there). */
export function bulkConvergence(chains: readonly (readonly number[])[]): { rhat: number; essBulk: number } {
  const d = splitDraws(chains);
  if (!d) return { rhat: NaN, essBulk: NaN };
  return { rhat: rhatOfSplit(d), essBulk: bulkOf(d) };
}

export function convergenceDiagnostics(chains: readonly (readonly number[])[]): ConvergenceDiagnostics {
  const d = splitDraws(chains);
  if (!d) return { rhat: NaN, essBulk: NaN, essTail: NaN };
  return { rhat: rhatOfSplit(d), essBulk: bulkOf(d), essTail: tailOf(d) };
}

function poly(c: readonly number[], x: number): number {
  let s = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) s = s * x + c[i]!;
  return s;
}

// Wichura (1988), Algorithm AS 241 (PPND16): rational approximations, constant term first.
const AS241_A = [3.3871328727963666080, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
  4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3];
const AS241_B = [1, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
  2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3];
const AS241_C = [1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550, 3.64784832476320460504,
  1.27045825245236838258, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4];
const AS241_D = [1, 2.05319162663775882187, 1.67638483018380384940, 6.89767334985100004550e-1,
  1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9];
const AS241_E = [6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580, 2.96560571828504891230e-1,
  2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const AS241_F = [1, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
  7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15];

/** Φ⁻¹(p) by Wichura's AS 241 (relative error ~1e-16 over (1e-300, 1 − 1e-16)); ±Infinity at 0 and 1, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241_A, r)) / poly(AS241_B, r);
  }
  // The tail probability itself (not 1 − p of a rounded p) keeps precision far into the lower tail.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(AS241_C, r) / poly(AS241_D, r);
  } else {
    r -= 5;
    x = poly(AS241_E, r) / poly(AS241_F, r);
  }
  return q < 0 ? -x : x;
}
