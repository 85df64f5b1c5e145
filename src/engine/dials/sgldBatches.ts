// Minibatches for SGLD: each epoch is a fresh seeded shuffle of the n examples, cut into batches of a fixed size
// (the step graph is specialised to it) and drawn without replacement; the last n mod size examples of an epoch
// wait for a later shuffle, so every batch is full and every example is equally likely at every step.
// `independent`: each batch is instead b distinct examples drawn afresh at every step (a partial Fisher–Yates
// shuffle), independent of every earlier batch. An epoch's batch gradients sum to the full gradient, so their noise is
// anticorrelated from step to step, which exponential-sgld's noise balance does not model (docs/method.md,
// "Exponential SGLD"; measured there, and not the default).
import * as ort from 'onnxruntime-node';
import type { NdArray, TypedData } from '../data/ndarray';
import type { Rng } from '../util/random';

/** One batch input: the source array [n, …] (already in the graph's dtype) and the graph input it feeds. */
export interface BatchSource {
  input: string;
  array: NdArray;
}

export class MinibatchStream {
  private order: Int32Array = new Int32Array(0);
  private position = 0;
  readonly indices: Int32Array;
  private readonly buffers: TypedData[];
  private readonly rowSizes: number[];

  constructor(private readonly sources: readonly BatchSource[], readonly n: number, readonly batchSize: number, private readonly rng: Rng, private readonly independent = false) {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) throw new RangeError(`batch size must be in [1, ${n}], got ${batchSize}`);
    this.indices = new Int32Array(batchSize);
    this.rowSizes = sources.map((s) => s.array.shape.slice(1).reduce((a, d) => a * d, 1));
    this.buffers = sources.map((s, i) => {
      const Ctor = s.array.data.constructor as new (length: number) => TypedData;
      return new Ctor(batchSize * this.rowSizes[i]!);
    });
  }

  /** Draws the next batch's example indices into `indices` and returns feeds for every source. */
  next(): Record<string, ort.Tensor> {
    if (this.independent && this.batchSize < this.n) {
      if (this.order.length === 0) this.order = identity(this.n);
      // The first b places of a partial shuffle of the whole order: a uniform sample of b distinct examples.
      for (let i = 0; i < this.batchSize; i++) {
        const j = i + this.rng.int(this.n - i);
        const t = this.order[i]!;
        this.order[i] = this.order[j]!;
        this.order[j] = t;
      }
      this.position = 0;
    } else if (this.position + this.batchSize > this.order.length) {
      this.order = this.batchSize === this.n ? identity(this.n) : this.rng.permutation(this.n);
      this.position = 0;
    }
    this.indices.set(this.order.subarray(this.position, this.position + this.batchSize));
    this.position += this.batchSize;
    const feeds: Record<string, ort.Tensor> = {};
    this.sources.forEach((s, k) => {
      const row = this.rowSizes[k]!;
      const src = s.array.data;
      const dst = this.buffers[k]!;
      // Rows of one element (labels) by index; longer rows by block copy.
      if (row === 1) for (let i = 0; i < this.batchSize; i++) (dst as Float32Array)[i] = (src as Float32Array)[this.indices[i]!]!;
      else {
        for (let i = 0; i < this.batchSize; i++) {
          const at = this.indices[i]! * row;
          (dst as Float32Array).set((src as Float32Array).subarray(at, at + row), i * row);
        }
      }
      feeds[s.input] = new ort.Tensor(ortType(s.array), dst as Float32Array, [this.batchSize, ...s.array.shape.slice(1)]);
    });
    return feeds;
  }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** The onnxruntime type name of a data-layer array (bool is stored as 0/1 bytes in both). */
export function ortType(a: NdArray): 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8' {
  return a.dtype;
}
