// Fast standard normals for SGLD noise: the ziggurat method (Marsaglia & Tsang 2000) in Doornik's ZIGNOR form
// (2005: 128 layers, the layer index taken from bits the uniform does not use, which removes the original's
// correlation), on xoshiro128** uniforms held in local variables, so filling 174k normals is one tight loop.
// 98.8% of draws take the fast path: one 32-bit draw, one table compare, one multiply.
//
// The kernel is one JavaScript source compiled with `new Function` here and in the noise worker thread
// (`normalWorker.ts`), so both produce bit-identical streams whatever bundler or loader runs this file.
// A stream is keyed like `Rng.stream` (same key hashing): every chain's noise is reproducible from its key.
import { streamState } from './random';

const LAYERS = 128;
/** Right edge of the base layer and the common area of every layer, for 128 layers (Doornik 2005). */
const R = 3.442619855899;
const AREA = 9.91256303526217e-3;

/** x[i]: right edges of the layers (x[0] is the base layer's pseudo-edge V/f(R)); ratio[i] = x[i+1]/x[i]. */
export function zigguratTables(): { edge: Float64Array; ratio: Float64Array } {
  const edge = new Float64Array(LAYERS + 1);
  const ratio = new Float64Array(LAYERS);
  edge[0] = AREA / Math.exp(-0.5 * R * R);
  edge[1] = R;
  for (let i = 2; i < LAYERS; i++) {
    const prev = edge[i - 1]!;
    edge[i] = Math.sqrt(-2 * Math.log(AREA / prev + Math.exp(-0.5 * prev * prev)));
  }
  edge[LAYERS] = 0;
  for (let i = 0; i < LAYERS; i++) ratio[i] = edge[i + 1]! / edge[i]!;
  return { edge, ratio };
}

/**
 * The body of `fill(state, out, scale)` (with `edge`, `ratio`, `limit` = ratio·2^24 and a scratch `scaled` [128] in
 * scope): out[k] = scale·N(0, 1) for every k; `state` is the Int32Array(4) of
 * xoshiro128** words, advanced in place. Plain ES5 inside so it survives any transpiler unchanged.
 */
export const FILL_SOURCE = `
// The slow path reads and advances the state array; the hot loop keeps the words in locals that no closure
// captures (so they stay in registers) and stores them around the rare slow-path calls.
function next(st) {
  var s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  var m = Math.imul(s1, 5);
  var r = Math.imul((m << 7) | (m >>> 25), 9);
  var t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
  st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
  return r;
}
function uniform(st) { return ((next(st) >>> 0) + 0.5) * 2.3283064365386963e-10; }
function slow(st, u, layer, edge, ratio) {
  for (;;) {
    if (layer === 0) {
      var x, y;
      do { x = Math.log(uniform(st)) / ${R}; y = Math.log(uniform(st)); } while (-2 * y < x * x);
      return u < 0 ? x - ${R} : ${R} - x;
    }
    var v = u * edge[layer];
    var f0 = Math.exp(-0.5 * (edge[layer] * edge[layer] - v * v));
    var f1 = Math.exp(-0.5 * (edge[layer + 1] * edge[layer + 1] - v * v));
    if (f1 + uniform(st) * (f0 - f1) < 1) return v;
    var b = next(st);
    layer = b & 127;
    u = ((b >>> 7) + 0.5) * 5.9604644775390625e-8 - 1;
    if (Math.abs(u) < ratio[layer]) return u * edge[layer];
  }
}
var s0 = state[0] | 0, s1 = state[1] | 0, s2 = state[2] | 0, s3 = state[3] | 0;
// Fast path in the integer units of the draw: j + 0.5 with j the signed top 25 bits, |j + 0.5| < 2^24; the
// tables hold ratio·2^24 and scale·edge·2^-24 (u = (j + 0.5)·2^-24 is uniform on (−1, 1), symmetric).
for (var i = 0; i < 128; i++) scaled[i] = scale * edge[i] * 5.9604644775390625e-8;
for (var k = 0, n = out.length; k < n; k++) {
  var m = Math.imul(s1, 5);
  var bits = Math.imul((m << 7) | (m >>> 25), 9);
  var t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
  var layer = bits & 127;
  var j = (bits >> 7) + 0.5;
  if (Math.abs(j) < limit[layer]) {
    out[k] = j * scaled[layer];
  } else {
    state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
    out[k] = scale * slow(state, j * 5.9604644775390625e-8, layer, edge, ratio);
    s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3];
  }
}
state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
return out;
`;

export type FillKernel = (state: Int32Array, out: Float32Array, scale: number) => Float32Array;

/** The body of a factory `(edge, ratio) → fill`, compiled alike here and in the noise worker thread. */
export const FILL_FACTORY_SOURCE = `
var limit = new Float64Array(128), scaled = new Float64Array(128);
for (var i = 0; i < 128; i++) limit[i] = ratio[i] * 16777216;
return function fill(state, out, scale) {${FILL_SOURCE}};`;

/** The kernel, with the tables bound as constants of its closure (faster than passing them per call). */
export function compileFill(tables = zigguratTables()): FillKernel {
  const factory = new Function('edge', 'ratio', FILL_FACTORY_SOURCE) as (edge: Float64Array, ratio: Float64Array) => FillKernel;
  return factory(tables.edge, tables.ratio);
}

const fillKernel = compileFill();

/** The generator state of the stream keyed by `keys` (as `Rng.stream`). */
export function normalStreamState(keys: readonly number[]): Int32Array {
  return Int32Array.from(streamState(keys), (w) => w | 0);
}

export class NormalStream {
  constructor(readonly state: Int32Array) {}

  /** The stream for a key, e.g. `NormalStream.of(seed, level, chain, purpose)`. */
  static of(...keys: number[]): NormalStream {
    return new NormalStream(normalStreamState(keys));
  }

  /** Fills `out` with independent N(0, scale²) values and returns it. */
  fill(out: Float32Array, scale = 1): Float32Array {
    return fillKernel(this.state, out, scale);
  }
}
