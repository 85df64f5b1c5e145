// The ziggurat normals behind fed SGLD noise: N(0, 1) within statistical error (moments, distribution function,
// the tail beyond the base layer), uncorrelated within and across keys, reproducible, and the same numbers inline
// and from the worker thread.
import { strict as assert } from 'node:assert';
import { assertStandardNormal, phi } from '../../support/normality';
import { openNormalSource } from '../../../src/engine/util/normalSource';
import { NormalStream } from '../../../src/engine/util/ziggurat';


describe('util/ziggurat: fast N(0, 1) streams', () => {
  it('has mean 0, variance 1, kurtosis 3 and Φ as distribution function, within statistical error', () => {
    const n = 400_000;
    const xi = NormalStream.of(1, 2, 3).fill(new Float32Array(n));
    assertStandardNormal(xi);
  });

  it('draws the tail beyond the base layer (|ξ| > R = 3.4426) at its normal rate', () => {
    const n = 2_000_000;
    const xi = NormalStream.of(7).fill(new Float32Array(n));
    let tail = 0, far = 0;
    for (const v of xi) { if (Math.abs(v) > 3.442619855899) tail++; if (Math.abs(v) > 4.5) far++; }
    const p = 2 * (1 - phi(3.442619855899)), q = 2 * (1 - phi(4.5));
    assert.ok(Math.abs(tail - n * p) < 4 * Math.sqrt(n * p), `tail count ${tail}, expected ${n * p}`);
    assert.ok(Math.abs(far - n * q) < 4 * Math.sqrt(n * q) + 1, `|ξ| > 4.5: ${far}, expected ${n * q}`);
  });

  it('is uncorrelated between neighbours and across keys; scale multiplies; the same key repeats', () => {
    const n = 200_000;
    const a = NormalStream.of(5, 0).fill(new Float32Array(n));
    const b = NormalStream.of(5, 1).fill(new Float32Array(n));
    let cross = 0, lag = 0;
    for (let i = 0; i < n; i++) { cross += a[i]! * b[i]!; if (i) lag += a[i]! * a[i - 1]!; }
    assert.ok(Math.abs(cross / n) < 4 / Math.sqrt(n), `cross-key correlation ${cross / n}`);
    assert.ok(Math.abs(lag / n) < 4 / Math.sqrt(n), `lag-1 correlation ${lag / n}`);
    assert.deepEqual(NormalStream.of(5, 0).fill(new Float32Array(n)), a);
    const scaled = NormalStream.of(5, 0).fill(new Float32Array(n), 0.01);
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(scaled[i]! - 0.01 * a[i]!) <= 1e-7 * Math.abs(a[i]!) + 1e-12, `${i}`);
  });

  it('continues a stream across fills exactly as one long fill', () => {
    const whole = NormalStream.of(11).fill(new Float32Array(1000));
    const s = NormalStream.of(11);
    const parts = [...s.fill(new Float32Array(300)), ...s.fill(new Float32Array(700))];
    assert.deepEqual(Float32Array.from(parts), whole);
  });
});

describe('util/normalSource: inline and worker-thread noise', () => {
  it('the worker gives the inline stream, step after step, for each of two interleaved chains', async () => {
    const size = 10_001, steps = 5;
    const open = (kind: 'inline' | 'worker', chain: number) => openNormalSource(kind, [3, chain], size, 0.5);
    const inline = [open('inline', 0), open('inline', 1)];
    const worker = [open('worker', 0), open('worker', 1)];
    try {
      for (let step = 0; step < steps; step++) {
        for (let c = 0; c < 2; c++) {
          const expected = Float32Array.from(await inline[c]!.next());
          assert.deepEqual(await worker[c]!.next(), expected, `chain ${c}, step ${step}`);
        }
      }
      assert.deepEqual(await inline[0]!.next(), NormalStream.of(3, 0).fill(new Float32Array(size * (steps + 1)), 0.5).subarray(size * steps));
    } finally {
      for (const s of [...inline, ...worker]) s.close();
    }
  });

  it('a closed source refuses further draws', async () => {
    const s = openNormalSource('worker', [1], 16, 1);
    await s.next();
    s.close();
    await assert.rejects(() => s.next(), /closed/);
  });
});
