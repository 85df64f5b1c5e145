// Gaussian noise for the SGLD step, made inside the step graph from a counter-based generator, so that no noise
// crosses from JavaScript. Used as its author tests it: one key per chain (drawn from the chain's seeded stream)
// and consecutive counters over the whole chain — step s uses counters s·P … s·P + P − 1 for its P pairs.
//
// Uniform bits: Widynski's "Squares" counter-based generator (arXiv:2004.06278, 64-bit output variant), which
// needs only 64-bit Mul, Add and BitShift — ops that exist from opset 11, unlike the bitwise XOR of most hashes
// (opset 18). Its one XOR (the final combine) is an Add here; both halves are already mixed. The 32-bit
// rotation `(x >> 32) | (x << 32)` is an Add too: the two shifted halves have no bit in common.
// Normals: Box–Muller on two 24-bit uniforms per pair, so one 64-bit draw gives two N(0, 1) values
// (|ξ| ≤ 5.9 by the 2^-25 floor of u1, a tail mass of 4e-9).
import { GraphBuilder } from '../onnx/builder';
import { DataType, TensorProto } from '../onnx/proto';
import type { Rng } from '../util/random';

/** Smallest opset the in-graph generator runs on (BitShift and Range). */
export const COUNTER_NOISE_MIN_OPSET = 11;

const MASK64 = (1n << 64n) - 1n;

function uint64Scalar(b: GraphBuilder, value: bigint, hint: string): string {
  const t: TensorProto = { name: b.name(hint), dims: [], dataType: DataType.UINT64, rawData: new Uint8Array(BigUint64Array.of(value).buffer) };
  return b.initializer(t);
}

/**
 * A Squares key: the generator is tested with keys whose upper and lower 8 hex digits are each distinct and
 * non-zero, and whose last digit is odd; this draws such a key from `rng`.
 */
export function squaresKey(rng: Rng): bigint {
  const half = (odd: boolean): bigint => {
    const digits = Array.from({ length: 15 }, (_, i) => i + 1);
    let v = 0n;
    for (let i = 0; i < 8; i++) {
      const pool = i === 7 && odd ? digits.filter((d) => d % 2 === 1) : digits;
      const d = pool[rng.int(pool.length)]!;
      digits.splice(digits.indexOf(d), 1);
      v = (v << 4n) | BigInt(d);
    }
    return v;
  };
  return (half(false) << 32n) | half(true);
}

/** The first counter of `step` when every step draws `count` normals. */
export function counterStart(step: number, count: number): bigint {
  return BigInt(step) * BigInt(Math.ceil(count / 2));
}

/** JavaScript reference of the graph's 64-bit draw, for tests. */
export function squares64(counter: bigint, key: bigint): bigint {
  const rot = (x: bigint) => ((x >> 32n) + (x << 32n)) & MASK64;
  const y = (counter * key) & MASK64;
  const z = (y + key) & MASK64;
  let x = rot((y * y + y) & MASK64);
  x = rot((x * x + z) & MASK64);
  x = rot((x * x + y) & MASK64);
  const t = (x * x + z) & MASK64;
  x = rot(t);
  return (t + (((x * x + y) & MASK64) >> 32n)) & MASK64;
}

/** JavaScript reference of the two normals the graph makes from one 64-bit draw (float64 arithmetic). */
export function boxMuller(draw: bigint): [number, number] {
  const u1 = (Number(draw >> 40n) + 0.5) * 2 ** -24;
  const theta = Number((draw >> 8n) & 0xffffffn) * 2 * Math.PI * 2 ** -24;
  const r = Math.sqrt(-2 * Math.log(u1));
  return [r * Math.cos(theta), r * Math.sin(theta)];
}

/**
 * Emits `count` normals N(0, v) as a flat float32 tensor [count]: v = 1, or the float32 scalar tensor `variance`
 * (folded into the Box–Muller radius at no extra cost). `key` names a uint64 scalar (see `squaresKey`), `start` an
 * int64 scalar, the first counter (see `counterStart`; default 0). Element i < ⌈count/2⌉ is the cosine normal of
 * counter start + i, element ⌈count/2⌉ + i its sine partner.
 */
export function emitCounterNormals(b: GraphBuilder, count: number, key: string, variance?: string, start?: string): string {
  if (b.opset < COUNTER_NOISE_MIN_OPSET) throw new Error(`in-graph SGLD noise needs opset ≥ ${COUNTER_NOISE_MIN_OPSET}; the model has opset ${b.opset}`);
  const pairs = Math.ceil(count / 2);
  const shift = (x: string, bits: number, direction: 'LEFT' | 'RIGHT') =>
    b.op('BitShift', [x, uint64Scalar(b, BigInt(bits), `sgld/noise/shift${bits}`)], { direction });
  const rot = (x: string) => b.add(shift(x, 32, 'RIGHT'), shift(x, 32, 'LEFT'));
  const square = (x: string) => b.mul(x, x);

  const pairCount = b.constInt64([pairs], [], 'sgld/noise/pairs');
  const first = start ?? b.constInt64([0], [], 'sgld/noise/start');
  const index = b.op('Range', [first, start ? b.add(start, pairCount) : pairCount, b.constInt64([1], [], 'sgld/noise/delta')]);
  const counter = b.cast(index, DataType.UINT64);
  const y = b.mul(counter, key);
  const z = b.add(y, key);
  let x = rot(b.add(square(y), y));
  x = rot(b.add(square(x), z));
  x = rot(b.add(square(x), y));
  const t = b.add(square(x), z);
  x = rot(t);
  const draw = b.add(t, shift(b.add(square(x), y), 32, 'RIGHT'));

  const toFloat = (bits: string) => b.cast(bits, DataType.FLOAT);
  const high24 = shift(draw, 40, 'RIGHT');
  const low24 = shift(shift(draw, 32, 'LEFT'), 40, 'RIGHT');
  const u1 = b.mul(b.add(toFloat(high24), b.scalarFloat(0.5, 'sgld/noise/half')), b.scalarFloat(2 ** -24, 'sgld/noise/ulp'));
  const theta = b.mul(toFloat(low24), b.scalarFloat(2 * Math.PI * 2 ** -24, 'sgld/noise/angle'));
  const minus2 = b.scalarFloat(-2, 'sgld/noise/minus2');
  const radius = b.op('Sqrt', [b.mul(b.op('Log', [u1]), variance === undefined ? minus2 : b.mul(variance, minus2))]);
  const normals = b.op('Concat', [b.mul(radius, b.op('Cos', [theta])), b.mul(radius, b.op('Sin', [theta]))], { axis: 0 });
  if (2 * pairs === count) return normals;
  return b.op('Slice', [normals, b.constInt64([0]), b.constInt64([count]), b.constInt64([0])]);
}
