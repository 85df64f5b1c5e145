// The in-graph Gaussian generator: bit-exact against its JavaScript reference, N(0, 1) within statistical error,
// and independent across keys (steps).
import { strict as assert } from 'node:assert';
import { assertStandardNormal } from '../../../support/normality';
import { boxMuller, counterStart, emitCounterNormals, squares64, squaresKey } from '../../../../src/engine/dials/sgldNoise';
import { assembleModel, createSession, GraphBuilder, makeValueInfo, ort } from '../../../../src/engine/onnx';
import { DataType } from '../../../../src/engine/onnx/proto';
import { Rng } from '../../../../src/engine/util/random';
import { close } from '../../../support/close';

/** The generator as a one-op model: normals for (key, first counter). */
async function generator(count: number, opset = 17, variance?: number): Promise<(key: bigint, start?: bigint) => Promise<Float32Array>> {
  const b = new GraphBuilder(opset);
  b.op('Identity', [emitCounterNormals(b, count, 'key', variance === undefined ? undefined : b.scalarFloat(variance), 'start')], {}, 'xi');
  const model = assembleModel({
    name: 'noise', builder: b,
    inputs: [makeValueInfo('key', DataType.UINT64, []), makeValueInfo('start', DataType.INT64, [])],
    outputs: [makeValueInfo('xi', 'float32', [count])],
  });
  const session = await createSession(model, { threads: 1 });
  return async (key, start = 0n) => (await session.run({
    key: new ort.Tensor('uint64', BigUint64Array.of(key), []), start: new ort.Tensor('int64', BigInt64Array.of(start), []),
  })).xi!.data as Float32Array;
}

describe('sgld/noise: counter-based normals in the graph', () => {
  it('keys have distinct non-zero hex digits in each half and an odd last digit', () => {
    const rng = Rng.stream(3);
    for (let i = 0; i < 50; i++) {
      const hex = squaresKey(rng).toString(16).padStart(16, '0');
      for (const half of [hex.slice(0, 8), hex.slice(8)]) {
        assert.equal(new Set(half).size, 8, hex);
        assert.ok(!half.includes('0'), hex);
      }
      assert.equal(parseInt(hex[15]!, 16) % 2, 1, hex);
    }
  });

  it('matches the JavaScript reference (Squares + Box–Muller) at any counter, odd counts included', async () => {
    const count = 9;
    const run = await generator(count, 11);
    const key = squaresKey(Rng.stream(1));
    const step = 123_456_789;
    const start = counterStart(step, count);
    assert.equal(start, 617_283_945n);
    const xi = await run(key, start);
    const pairs = Math.ceil(count / 2);
    for (let i = 0; i < pairs; i++) {
      const [c, s] = boxMuller(squares64(start + BigInt(i), key));
      assert.ok(Math.abs(xi[i]! - c) < 1e-4 * (1 + Math.abs(c)), `cos ${i}: ${xi[i]} vs ${c}`);
      if (pairs + i < count) assert.ok(Math.abs(xi[pairs + i]! - s) < 1e-4 * (1 + Math.abs(s)), `sin ${i}: ${xi[pairs + i]} vs ${s}`);
    }
  });

  it('folds a variance into the radius: N(0, v) is √v times N(0, 1)', async () => {
    const key = squaresKey(Rng.stream(6));
    const unit = await (await generator(11))(key);
    const scaled = await (await generator(11, 17, 0.04))(key);
    close(scaled, Array.from(unit, (v) => 0.2 * v), 1e-6, '√v·N(0, 1)');
  });

  it('is N(0, 1): mean, variance, kurtosis and the distribution function within statistical error', async () => {
    const n = 100_000;
    const xi = await (await generator(n))(squaresKey(Rng.stream(2)));
    assertStandardNormal(xi);
  });

  it('is uncorrelated between steps, chains (keys) and neighbours, and reproducible', async () => {
    const n = 50_000;
    const run = await generator(n);
    const rng = Rng.stream(4);
    const k1 = squaresKey(rng), k2 = squaresKey(rng);
    const a = Float32Array.from(await run(k1, counterStart(7, n)));
    const nextStep = Float32Array.from(await run(k1, counterStart(8, n)));
    const otherChain = await run(k2, counterStart(7, n));
    const bound = 4 / Math.sqrt(n);
    let step = 0, chain = 0, lag = 0;
    for (let i = 0; i < n; i++) {
      step += a[i]! * nextStep[i]!;
      chain += a[i]! * otherChain[i]!;
      if (i) lag += a[i]! * a[i - 1]!;
    }
    assert.ok(Math.abs(step / n) < bound, `step-to-step correlation ${step / n}`);
    assert.ok(Math.abs(chain / n) < bound, `chain-to-chain correlation ${chain / n}`);
    assert.ok(Math.abs(lag / n) < bound, `lag-1 correlation ${lag / n}`);
    assert.deepEqual(await run(k1, counterStart(7, n)), a);
  });
});

