// The ziggurat normals behind fed SGLD noise: N(0, 1) within statistical error (moments, distribution function,
// the tail beyond the base layer), uncorrelated within and across keys, reproducible, and the same numbers inline
// and from the worker thread.
import { strict as assert } from 'node:assert';
import { assertStandardNormal, phi } from '../../../support/normality';
import { openNormalSource } from '../../../../src/engine/util/normalSource';
import { NormalStream, zigguratTables, zigguratWasm } from '../../../../src/engine/util/ziggurat';


describe('util/ziggurat: fast N(0, 1) streams', () => {
  it('has mean 0, variance 1, kurtosis 3 and Φ as distribution function, within statistical error', () => {
    const n = 400_000;
    const xi = NormalStream.of(1, 2, 3).fill(new Float32Array(n));
    assertStandardNormal(xi);
  });

  it('draws the tail beyond the base layer (|ξ| > R = 3.6542) at its normal rate', () => {
    const n = 2_000_000;
    const xi = NormalStream.of(7).fill(new Float32Array(n));
    let tail = 0, far = 0;
    for (const v of xi) { if (Math.abs(v) > 3.6541528853610088) tail++; if (Math.abs(v) > 4.5) far++; }
    const p = 2 * (1 - phi(3.6541528853610088)), q = 2 * (1 - phi(4.5));
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

  it('continues a stream across fills (multiples of 4) and kernel chunks exactly as one long fill', () => {
    const n = 600_000; // the kernel works in chunks of 262 144
    const whole = NormalStream.of(11).fill(new Float32Array(n));
    const s = NormalStream.of(11);
    const first = s.fill(new Float32Array(300));
    const second = s.fill(new Float32Array(n - 300));
    assert.deepEqual(first, whole.subarray(0, 300));
    assert.deepEqual(second, whole.subarray(300));
  });

  it('returns Σξ² of what it wrote, odd lengths and rejected draws included', () => {
    for (const n of [1, 7, 1001, 300_003]) {
      const out = new Float32Array(n);
      const returned = NormalStream.of(13, n).fillSquared(out, 0.3);
      let sum = 0;
      for (const v of out) sum += v * v;
      assert.ok(Math.abs(returned - sum) <= 1e-7 * sum, `n = ${n}: ${returned} vs ${sum}`);
    }
  });

  it('has tables whose 256 layers close at the top (the recursion from R and the area reaches f(0) = 1)', () => {
    const { edge, ratio } = zigguratTables();
    const area = 4.92867323399e-3, top = edge[255]!;
    assert.ok(Math.abs(area / top + Math.exp(-0.5 * top * top) - 1) < 1e-9, `top layer: ${area / top + Math.exp(-0.5 * top * top)}`);
    assert.ok(ratio.every((r) => r >= 0 && r < 1)); // the top layer (edge 0 above it) always takes the wedge test
  });

  it('runs the committed WebAssembly kernel, assembled from ziggurat.wat (npm run wasm)', async () => {
    const { assemble } = await import('../../../../scripts/wasm.mjs');
    const bytes: Buffer = await assemble('src/engine/util/ziggurat.wat');
    assert.ok(Buffer.from(zigguratWasm()).equals(bytes), 'src/engine/util/zigguratWasm.ts is out of date: run npm run wasm');
  });
});

describe('util/normalSource: the noise a chain is fed', () => {
  it('draws the key’s stream step after step, for each of two interleaved chains', async () => {
    const size = 10_000, steps = 5;
    const sources = [openNormalSource([3, 0], size, 0.5), openNormalSource([3, 1], size, 0.5)];
    try {
      for (let c = 0; c < 2; c++) {
        const whole = NormalStream.of(3, c).fill(new Float32Array(size * steps), 0.5);
        for (let step = 0; step < steps; step++) {
          const got = await sources[c]!.next();
          const expected = whole.subarray(size * step, size * (step + 1));
          assert.deepEqual(got.values, expected, `chain ${c}, step ${step}`);
          let sq = 0;
          for (const x of expected) sq += Math.fround(x * x);
          assert.ok(Math.abs(got.squaredNorm - sq) <= 1e-9 * sq, `Σx² ${got.squaredNorm} vs ${sq}`);
        }
      }
    } finally {
      for (const s of sources) s.close();
    }
  });

  it('a closed source refuses further draws; a source opened after it reuses its kernel and draws its own stream', async () => {
    const s = openNormalSource([1], 16, 1);
    const first = Float32Array.from((await s.next()).values);
    s.close();
    await assert.rejects(() => s.next(), /closed/);
    const t = openNormalSource([1], 16, 1);
    assert.deepEqual((await t.next()).values, first);
    t.close();
  });
});
