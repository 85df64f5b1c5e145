import { strict as assert } from 'node:assert';
import { Rng, streamState } from '../../../../src/engine/util/random';

describe('util/random', () => {
  it('same key, same stream; different keys, different streams', () => {
    const a = Rng.stream(7, 0.1, 2);
    const b = Rng.stream(7, 0.1, 2);
    const c = Rng.stream(7, 0.1, 3);
    const xs = Array.from({ length: 20 }, () => a.nextUint32());
    assert.deepEqual(Array.from({ length: 20 }, () => b.nextUint32()), xs);
    assert.notDeepEqual(Array.from({ length: 20 }, () => c.nextUint32()), xs);
    assert.notDeepEqual(Array.from(streamState([7, 0.1])), Array.from(streamState([7, 0.1000001])));
  });

  it('normals have mean 0 and variance 1 within statistical error', () => {
    const n = 200_000;
    const x = Rng.stream(1, 2, 3).fillNormal(new Float32Array(n));
    let s = 0, s2 = 0, s4 = 0;
    for (const v of x) { s += v; s2 += v * v; s4 += v ** 4; }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // se(mean) = 1/√n; se(variance) = √((μ4 − 1)/n) = √(2/n) for a normal. Allow 4 se.
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
    assert.ok(Math.abs(s4 / n - 3) < 4 * Math.sqrt(96 / n), `fourth moment ${s4 / n}`);
  });

  it('normal tail mass matches Φ (|x| > 2 has probability 0.0455)', () => {
    const n = 200_000;
    const r = Rng.stream(99);
    let tail = 0;
    for (let i = 0; i < n; i++) if (Math.abs(r.normal()) > 2) tail++;
    const p = 0.0455003, se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(tail / n - p) < 4 * se, `tail ${tail / n}`);
  });

  it('uniform integers are unbiased and permutations are permutations', () => {
    const r = Rng.stream(5);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[r.int(6)]++;
    // χ² with 5 degrees of freedom: 99.9% quantile 20.5.
    const chi2 = counts.reduce((a, c) => a + (c - n / 6) ** 2 / (n / 6), 0);
    assert.ok(chi2 < 20.5, `chi2 ${chi2}`);
    const p = r.permutation(50);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  });
});
