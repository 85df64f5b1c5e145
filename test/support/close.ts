// One comparison of numbers within a tolerance for every test: arrays must have the same length (a short array
// used to pass a forEach over it), and each entry must satisfy |got − want| < tolerance.
import * as assert from 'node:assert';

/** A fixed bound, or one computed from the expected (and actual) entry: `(w) => 1e-6 * (1 + Math.abs(w))`. */
export type Tolerance = number | ((want: number, got: number) => number);

/** Asserts `got` and `want` (numbers, or arrays of the same length) agree entry by entry: |got − want| < tolerance. */
export function close(got: number | ArrayLike<number>, want: number | ArrayLike<number>, tolerance: Tolerance, what = 'value'): void {
  const bound = (w: number, g: number) => (typeof tolerance === 'number' ? tolerance : tolerance(w, g));
  if (typeof got === 'number' || typeof want === 'number') {
    assert.ok(typeof got === 'number' && typeof want === 'number', `${what}: a number compared with an array`);
    assert.ok(Math.abs(got - want) < bound(want, got), `${what}: ${got}, expected ${want} (± ${bound(want, got)})`);
    return;
  }
  assert.strictEqual(got.length, want.length, `${what}: ${got.length} entries, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    assert.ok(Math.abs(g - w) < bound(w, g), `${what}[${i}] = ${g}, expected ${w} (± ${bound(w, g)}); got [${Array.from(got).join(', ')}]`);
  }
}
