// Fast standard normals for SGLD noise: the ziggurat method (Marsaglia & Tsang 2000, 256 layers) in Doornik's
// ZIGNOR form (2005: the layer index taken from bits the uniform does not use, which removes the original's
// correlation), on xoshiro128** uniforms.
//
// All of it runs in WebAssembly (ziggurat.wat): the fast path (98.5% of draws: one 32-bit word, one table
// compare, one multiply) in SIMD, four xoshiro128** lanes at once, and the rare rejected draws through the exact
// slow path on a fifth generator of the same key. That costs about 2 ns a normal against 6–9 for the same method
// in scalar JavaScript (bench/README.md), and returns Σx² on the way, which the MALA diagnostics need.
//
// The wrapper below (`compileFill`) owns one WebAssembly instance: its memory holds the tables, the state of the
// stream being drawn, the kernel's records and the output area.
// A stream is keyed like `Rng.stream` (same key hashing): every chain's noise is reproducible from its key.
import { streamState } from './random';
import { WASM_BASE64 } from './zigguratWasm';

const LAYERS = 256;
/** Right edge of the base layer and the common area of every layer, for 256 layers (Marsaglia & Tsang 2000). */
const R = 3.6541528853610088;
const AREA = 4.92867323399e-3;

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

/** The kernel's WebAssembly binary (assembled from ziggurat.wat by `npm run wasm`). */
export function zigguratWasm(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(WASM_BASE64, 'base64'));
}

/** Words of a stream's state: four xoshiro128** lanes for the fast path, word w of lane i at 4w + i (the
 *  kernel's v128 layout), then the slow path's generator. */
export const STATE_WORDS = 20;

export interface FillKernel {
  /** Draws n values of scale·N(0, 1) from `state` (Int32Array(STATE_WORDS), advanced in place) into the kernel's
   *  output area, copies them to `out` when given, and returns their Σx². */
  fill(state: Int32Array, n: number, scale: number, out?: Float32Array): number;
  /** The output area's first n values: a view, valid until the next fill. */
  values(n: number): Float32Array;
}

/** What ziggurat.wat exports. */
interface KernelExports {
  memory: WebAssembly.Memory;
  /** Fast path over `groups` groups of 4 into `out`; rejected draws recorded from `records`; returns their count. */
  fill(out: number, groups: number, records: number): number;
  /** The exact slow path for the `found` recorded draws; returns their Σx². */
  resolve(records: number, found: number, scale: number): number;
}

// Memory: tables and state below RECORDS (see ziggurat.wat), the records of one kernel call, then the output. The
// kernel runs in calls of CHUNK groups of 4 so that the records never need more than 2 MiB.
const RECORDS = 8208;
const CHUNK = 65536;
const OUTPUT = RECORDS + 32 * CHUNK;
const PAGE = 65536;

/**
 * A kernel with its own WebAssembly instance (memory, output area) and the tables written into it. Element 4g + i
 * comes from lane i, so a fill of a multiple of 4 continues exactly where the previous one stopped.
 */
export function compileFill(wasm: Uint8Array<ArrayBuffer> = zigguratWasm(), tables = zigguratTables()): FillKernel {
  const { edge, ratio } = tables;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { host: { exp: Math.exp, log: Math.log } });
  const { memory, fill: kernel, resolve } = instance.exports as unknown as KernelExports;
  let i32 = new Int32Array(memory.buffer);
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  const reserve = (n: number) => {
    const pages = Math.ceil((OUTPUT + 4 * n + 16) / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages <= 0) return;
    memory.grow(pages);
    i32 = new Int32Array(memory.buffer);
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
  };
  reserve(0);
  // The fast test |2j + 1| < ratio·2^24 as (j ^ (j >> 31)) < limit, in integers; the edges and exp(−edge²/2).
  for (let i = 0; i < LAYERS; i++) i32[i] = Math.ceil((ratio[i]! * 16777216 - 1) / 2);
  for (let i = 0; i <= LAYERS; i++) {
    f64[512 + i] = edge[i]!;
    f64[769 + i] = i < LAYERS ? Math.exp(-0.5 * edge[i]! * edge[i]!) : 1;
  }
  return {
    fill(state, n, scale, out) {
      reserve(n);
      let sum = 0;
      const groups = (n + 3) >> 2;
      for (let i = 0; i < LAYERS; i++) f32[256 + i] = scale * edge[i]! * 5.9604644775390625e-8;
      for (let i = 0; i < 16; i++) i32[512 + i] = state[i]!;
      for (let i = 0; i < 4; i++) i32[532 + i] = state[16 + i]!;
      for (let g = 0; g < groups; g += CHUNK) {
        const found = kernel(OUTPUT + 16 * g, Math.min(CHUNK, groups - g), RECORDS);
        sum += f64[264]!;
        sum += resolve(RECORDS, found, scale);
      }
      // The last group's lanes past the end are drawn (every lane advances together) but not kept.
      for (let q = n; q < 4 * groups; q++) {
        const x = f32[(OUTPUT >> 2) + q]!;
        sum -= Math.fround(x * x);
      }
      for (let i = 0; i < 16; i++) state[i] = i32[512 + i]!;
      for (let i = 0; i < 4; i++) state[16 + i] = i32[532 + i]!;
      if (out) out.set(f32.subarray(OUTPUT >> 2, (OUTPUT >> 2) + n));
      return sum;
    },
    // A view of the output area: valid until the next fill that needs more memory.
    values: (n) => new Float32Array(memory.buffer, OUTPUT, n),
  };
}

let fillKernel: FillKernel | undefined;

/** The generator state of the stream keyed by `keys` (as `Rng.stream`): lane i from [...keys, i], the slow path
 *  from [...keys, 4]. */
export function normalStreamState(keys: readonly number[]): Int32Array {
  const state = new Int32Array(STATE_WORDS);
  for (let lane = 0; lane < 5; lane++) {
    const words = streamState([...keys, lane]);
    for (let w = 0; w < 4; w++) state[lane < 4 ? 4 * w + lane : 16 + w] = words[w]! | 0;
  }
  return state;
}

export class NormalStream {
  constructor(readonly state: Int32Array) {}

  /** The stream for a key, e.g. `NormalStream.of(seed, level, chain, purpose)`. */
  static of(...keys: number[]): NormalStream {
    return new NormalStream(normalStreamState(keys));
  }

  /** Fills `out` with independent N(0, scale²) values and returns it. */
  fill(out: Float32Array, scale = 1): Float32Array {
    this.fillSquared(out, scale);
    return out;
  }

  /** Fills `out` as `fill` does and returns Σ out[k]². */
  fillSquared(out: Float32Array, scale = 1): number {
    fillKernel ??= compileFill();
    return fillKernel.fill(this.state, out.length, scale, out);
  }
}
