import type { Rng } from '../../../../src/engine/util/random';

/**
 * AR(1): x_t = φ·x_{t−1} + ε_t, ε ~ N(0, 1), started from the stationary law. Long-run variance 1/(1−φ)², integrated
 * autocorrelation time (1+φ)/(1−φ): the known answers of the standard-error and ESS tests.
 */
export function ar1(rng: Rng, n: number, phi: number): number[] {
  const x = new Array<number>(n);
  let prev = rng.normal() / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    prev = phi * prev + rng.normal();
    x[i] = prev;
  }
  return x;
}
