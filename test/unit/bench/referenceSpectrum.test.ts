// The linear algebra of `npm run bench -- --only spectrum` against known answers.
import { strict as assert } from 'node:assert';
import { lanczosTop, symmetricEigen } from '../../../bench/referenceSpectrum';
import { Rng } from '../../../src/engine/util/random';

/** Q·diag(values)·Qᵀ for a random orthogonal Q (Gram–Schmidt of Gaussian columns). */
function rotatedDiagonal(values: readonly number[], rng: Rng): Float64Array {
  const n = values.length;
  const q: number[][] = [];
  for (let k = 0; k < n; k++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (const u of q) { const c = v.reduce((s, x, i) => s + x * u[i]!, 0); for (let i = 0; i < n; i++) v[i] -= c * u[i]!; }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    q.push(v.map((x) => x / norm));
  }
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = values.reduce((s, l, k) => s + l * q[k]![i]! * q[k]![j]!, 0);
  return m;
}

describe('bench: the reference spectrum\'s linear algebra', () => {
  it('symmetricEigen recovers the eigenvalues of a rotated diagonal, and eigenvectors with A·v = λ·v', () => {
    const values = [7, -2, 3.5, 0.25, 1, 1e-3, 12, 4];
    const n = values.length;
    const m = rotatedDiagonal(values, Rng.stream(41, 0));
    const { values: got, vectors } = symmetricEigen(m, n);
    assert.deepEqual(Array.from(got).sort((a, b) => a - b).map((x) => x.toFixed(9)), [...values].sort((a, b) => a - b).map((x) => x.toFixed(9)));
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += m[i * n + j]! * vectors[j * n + k]!;
        assert.ok(Math.abs(av - got[k]! * vectors[i * n + k]!) < 1e-9, `column ${k}, row ${i}`);
      }
    }
  });

  it('lanczosTop finds the largest eigenvalues of a 400-dimensional operator within 60 steps', async () => {
    // A spectrum like the modular example's: a few separated values over a bulk in [0, 1].
    const n = 400;
    const rng = Rng.stream(41, 1);
    const values = [...[12, 9.5, 9, 6], ...Array.from({ length: n - 4 }, () => rng.uniform())];
    const m = rotatedDiagonal(values, rng);
    const apply = async (v: Float64Array) => Float64Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < n; j++) s += m[i * n + j]! * v[j]!; return s; });
    const top = await lanczosTop(apply, n, 60);
    for (const [k, want] of [12, 9.5, 9, 6].entries()) assert.ok(Math.abs(top[k]! - want) < 1e-6, `λ${k + 1} = ${top[k]} (want ${want})`);
    assert.ok(top[4]! <= 1 + 1e-9, `λ5 = ${top[4]} lies in the bulk`);
  });
});
