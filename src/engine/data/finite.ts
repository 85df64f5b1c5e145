// A NaN or ±Inf in a model input or in the labels makes every loss non-finite: found with its element, before any run.
import { DataError } from './errors';
import { NdArray } from './ndarray';

/** Flat index of the first NaN or ±Inf of a float array, or -1 (integer and bool arrays hold none). */
export function firstNonFinite(a: NdArray): number {
  if (a.dtype !== 'float32' && a.dtype !== 'float64') return -1;
  const data = a.data as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** The array, or a `data/non-finite` error naming `source`, the value, its index and its row. */
export function requireFinite(a: NdArray, source: string): NdArray {
  const i = firstNonFinite(a);
  if (i < 0) return a;
  const index: number[] = [];
  for (let k = a.shape.length - 1, rest = i; k >= 0; k--) {
    index.unshift(rest % a.shape[k]!);
    rest = Math.floor(rest / a.shape[k]!);
  }
  throw new DataError('data/non-finite', source, `${a.data[i]} at [${index.join(', ')}] (row ${index[0] ?? 0})`,
    'every model input and label must be finite: drop or impute that example');
}
