// Seeded, fast pseudo-random numbers: xoshiro128** uniforms and Marsaglia-polar normals.
// Every random stream of a sweep is keyed by (seed, level, chain, …) so a draw never depends on the grid or
// on which other chains ran: same seed, same numbers (docs/architecture.md).

/** 32-bit avalanche mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/**
 * Hashes a key (seed, then any numbers: level values, chain indices, purposes) into 128 bits of state.
 * Numbers are hashed by their float64 bits, so 0.1 and 0.1000001 give unrelated streams.
 */
export function streamState(keys: readonly number[]): Uint32Array {
  const words: number[] = [];
  for (const k of keys) {
    f64[0] = k;
    words.push(f64Words[0]!, f64Words[1]!);
  }
  const state = new Uint32Array(4);
  for (let lane = 0; lane < 4; lane++) {
    let h = mix32(0x9e3779b9 * (lane + 1));
    for (const w of words) h = mix32((h ^ w) + 0x7f4a7c15 + lane);
    state[lane] = mix32(h ^ words.length);
  }
  // xoshiro's only forbidden state is all zeros.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

/** xoshiro128** (Blackman & Vigna): 2^128−1 period, passes BigCrush, four 32-bit words of state. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  private constructor(state: Uint32Array) {
    this.s0 = state[0]!;
    this.s1 = state[1]!;
    this.s2 = state[2]!;
    this.s3 = state[3]!;
  }

  /** The stream for a key, e.g. `Rng.stream(seed, level, chain)`. */
  static stream(...keys: number[]): Rng {
    return new Rng(streamState(keys));
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }

  /** Uniform integer in [0, n) (n ≤ 2^32), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1) || n > 2 ** 32) throw new RangeError(`Rng.int: n must be in [1, 2^32], got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal N(0, 1) (Marsaglia's polar form of Box–Muller; values come in pairs). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    for (;;) {
      const u = this.uniform() * 2 - 1;
      const v = this.uniform() * 2 - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      this.spare = v * f;
      this.hasSpare = true;
      return u * f;
    }
  }

  /** out[i] = base[i] + scale·ξ_i (base omitted: 0). `out` may be `base`. */
  fillNormal(out: Float32Array, scale = 1, base?: ArrayLike<number>): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = (base ? base[i]! : 0) + scale * this.normal();
    return out;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
