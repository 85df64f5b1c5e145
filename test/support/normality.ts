// Statistical checks shared by the tests of every Gaussian source (SGLD's in-graph noise, the ziggurat streams).
import { strict as assert } from 'node:assert';

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Asserts that `xi` looks N(0, 1): mean, variance and fourth moment within 4 σ of their sampling error
 * (var of x² is 2, of x⁴ is 96), and the Kolmogorov–Smirnov distance to Φ below the 0.1% critical value 1.95/√n.
 */
export function assertStandardNormal(xi: ArrayLike<number>): void {
  const n = xi.length;
  let s = 0, s2 = 0, s4 = 0;
  for (let i = 0; i < n; i++) { const v = xi[i]!; s += v; s2 += v * v; s4 += v ** 4; }
  assert.ok(Math.abs(s / n) < 4 / Math.sqrt(n), `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 4 * Math.sqrt(2 / n), `variance ${s2 / n}`);
  assert.ok(Math.abs(s4 / n - 3) < 4 * Math.sqrt(96 / n), `fourth moment ${s4 / n}`);
  const sorted = Float64Array.from(xi).sort();
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(phi(sorted[i]!) - (i + 0.5) / n));
  assert.ok(d < 1.95 / Math.sqrt(n), `KS distance ${d} (0.1% critical value ${1.95 / Math.sqrt(n)})`);
}
