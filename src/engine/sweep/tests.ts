// The statistics of the version-3 verdict (docs/method.md, "The tests") as pure functions of numbers: the exact rank
// test, Clopper–Pearson bounds, and the Bonferroni intervals the persistence and collateral tests compare.
import type { Specificity, TestInterval } from '../../protocol/results';
import { regularizedBeta, studentTQuantile } from './stats';

/**
 * The exact rank test of `subject` against a null of `others` (all exchangeable with it under the null):
 * p = (1 + #{k : others_k ≥ subject})/(K + 1); specific iff p ≤ α. Ties count against the subject.
 * `detectableExcess`: the smallest excess over the null's median that would have been specific — beating all but
 * ⌊α(K + 1)⌋ − 1 controls — or null when no value could be (K + 1 < 1/α).
 */
export function rankTest(subject: number, others: readonly number[], alpha: number): Specificity {
  const k = others.length;
  const atLeast = others.filter((e) => e >= subject).length;
  const below = others.filter((e) => e < subject).length;
  const p = (1 + atLeast) / (k + 1);
  const sorted = [...others].sort((a, b) => b - a);
  const med = median(others);
  const allowed = Math.floor(alpha * (k + 1) + 1e-12) - 1;
  const detectableExcess = allowed >= 0 && k > 0 ? sorted[allowed]! - med : null;
  return {
    p, alpha, specific: k > 0 && p <= alpha, atLeast, of: k, percentile: k > 0 ? below / k : NaN,
    excessOverMedian: subject - med, detectableExcess,
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Sample sd (n − 1); 0 for fewer than two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1));
}

/** The inverse of I_x(a, b) in x, by bisection (monotone; 60 halvings reach double precision). */
function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedBeta(mid, a, b) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The two-sided `confidence` Clopper–Pearson interval of a binomial rate from k successes of n. */
export function clopperPearson(k: number, n: number, confidence = 0.95): [number, number] {
  if (n <= 0) return [0, 1];
  const a = (1 - confidence) / 2;
  const lower = k === 0 ? 0 : betaQuantile(a, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - a, k + 1, n - k);
  return [lower, upper];
}

/**
 * se of a mean over K sets drawn without replacement from N as an estimate of the mean over all N: s·√((1 − K/N)/K);
 * 0 for an exact null (every set used).
 */
export function controlsSe(sd: number, k: number, distinct: number | null, exact: boolean): number {
  if (exact || k === 0) return 0;
  const fpc = distinct !== null && Number.isFinite(distinct) && distinct > 0 ? Math.max(0, 1 - k / distinct) : 1;
  return sd * Math.sqrt(fpc / k);
}

/**
 * mean ± t_{1−a, dof}·se with se² = seDraws² + seControls² + seRows² (dof null: exact draws, the normal quantile).
 * With a = α/L this is the 1 − 2α/L interval of the equivalence tests, and its lower end the 1 − α/L lower bound.
 */
export function testInterval(mean: number, seDraws: number, seControls: number, seRows: number, dof: number | null, a: number): TestInterval {
  const sd = Number.isFinite(seDraws) ? seDraws : Infinity;
  const se = Math.sqrt(sd ** 2 + seControls ** 2 + seRows ** 2);
  // dof 0 (a single draw): no interval can be had.
  const q = se > 0 ? (dof !== null && dof <= 0 ? Infinity : studentTQuantile(1 - a, dof ?? Infinity)) : 0;
  const half = se > 0 ? q * se : 0;
  return { mean, se, seDraws, seControls, seRows, dof, lower: mean - half, upper: mean + half };
}

/** Equivalence (two one-sided tests): the interval lies inside [−margin, margin]. */
export function within(i: TestInterval, margin: number): boolean {
  return Number.isFinite(i.lower) && Number.isFinite(i.upper) && i.lower >= -margin && i.upper <= margin;
}
