/**
 * The one in-memory tensor type of the data layer: dtype, C-order shape and a
 * typed array that owns its elements. `bool` is stored as 0/1 bytes.
 */
import { DataError } from './errors';

export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'int8'];

export interface DTypeDataMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  uint8: Uint8Array;
  int8: Int8Array;
}

export type TypedData = DTypeDataMap[DType];

/**
 * `NdArray` (no argument) is a union discriminated by `dtype`, so
 * `if (a.dtype === 'int64') a.data` is a `BigInt64Array`; `NdArray<'float32'>`
 * is the float32 case alone.
 */
export type NdArray<D extends DType = DType> = D extends DType
  ? { readonly dtype: D; readonly shape: readonly number[]; readonly data: DTypeDataMap[D] }
  : never;

export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
  int8: 1,
};

/** Number of elements of a shape (1 for a 0-d shape). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocate<D extends DType>(dtype: D, length: number): DTypeDataMap[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(length) as DTypeDataMap[D];
    case 'float64': return new Float64Array(length) as DTypeDataMap[D];
    case 'int32': return new Int32Array(length) as DTypeDataMap[D];
    case 'int64': return new BigInt64Array(length) as DTypeDataMap[D];
    case 'bool':
    case 'uint8': return new Uint8Array(length) as DTypeDataMap[D];
    case 'int8': return new Int8Array(length) as DTypeDataMap[D];
    default: throw new Error(`unknown dtype ${String(dtype)}`);
  }
}

/** Builds an array, checking that `data` (zeros when omitted) has the shape's element count. */
export function makeArray<D extends DType>(dtype: D, shape: readonly number[], data?: DTypeDataMap[D]): NdArray<D> {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
  }
  const n = elementCount(shape);
  const values = data ?? allocate(dtype, n);
  if (values.length !== n) {
    throw new RangeError(`shape [${shape.join(', ')}] needs ${n} elements, got ${values.length}`);
  }
  return { dtype, shape: [...shape], data: values } as unknown as NdArray<D>;
}

/** Element `i` (flat, C order) as a JS number (int64 via Number(), bool as 0/1). */
export function getNumber(a: NdArray, i: number): number {
  const v = a.data[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Human form of a shape, e.g. `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Size of axis 0: the number of examples of a batched array. */
export function numExamples(a: NdArray, source = 'array'): number {
  if (a.shape.length === 0) {
    throw new DataError('data/bad-shape', source, 'a 0-d array has no examples axis', 'save one row per example (shape [n, ...])');
  }
  return a.shape[0]!;
}

/** Converts any dtype to float32 (returns `a` itself when it already is float32). */
export function toFloat32(a: NdArray): NdArray<'float32'> {
  if (a.dtype === 'float32') return a;
  const out = new Float32Array(a.data.length);
  if (a.dtype === 'int64') {
    for (let i = 0; i < out.length; i++) out[i] = Number(a.data[i]);
  } else {
    out.set(a.data);
  }
  return makeArray('float32', a.shape, out);
}

/** Converts any dtype to float64 (returns `a` itself when it already is float64). */
export function toFloat64(a: NdArray): NdArray<'float64'> {
  if (a.dtype === 'float64') return a;
  const out = new Float64Array(a.data.length);
  if (a.dtype === 'int64') {
    for (let i = 0; i < out.length; i++) out[i] = Number(a.data[i]);
  } else {
    out.set(a.data);
  }
  return makeArray('float64', a.shape, out);
}

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;

/**
 * Converts any dtype to int64 (returns `a` itself when it already is int64).
 * Float values must be finite integers: anything else is a `data/not-integer` error.
 */
export function toInt64(a: NdArray, source = 'array'): NdArray<'int64'> {
  if (a.dtype === 'int64') return a;
  const out = new BigInt64Array(a.data.length);
  if (a.dtype === 'float32' || a.dtype === 'float64') {
    const d = a.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isInteger(v)) {
        throw new DataError('data/not-integer', source, `element ${flatIndexLabel(a.shape, i)} is ${v}, not an integer`,
          'store integer values (e.g. np.save(path, x.astype(np.int64)))');
      }
      if (v < INT64_MIN || v >= INT64_LIMIT) {
        throw new DataError('data/out-of-range', source, `element ${flatIndexLabel(a.shape, i)} is ${v}, outside int64`);
      }
      out[i] = BigInt(v);
    }
  } else {
    const d = a.data;
    for (let i = 0; i < d.length; i++) out[i] = BigInt(d[i]!);
  }
  return makeArray('int64', a.shape, out);
}

/** `[i][j]…` label of flat index `i` in a C-order array of `shape`. */
export function flatIndexLabel(shape: readonly number[], i: number): string {
  if (shape.length === 0) return '[]';
  const parts: number[] = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    parts[k] = d === 0 ? 0 : i % d;
    i = d === 0 ? 0 : Math.floor(i / d);
  }
  return parts.map((p) => `[${p}]`).join('');
}

/** Gathers rows along axis 0: result shape `[indices.length, ...a.shape.slice(1)]`. */
export function takeRows<D extends DType>(a: NdArray<D>, indices: ArrayLike<number>, source = 'array'): NdArray<D> {
  const n = numExamples(a, source);
  const rowShape = a.shape.slice(1);
  const rowSize = elementCount(rowShape);
  const data = a.data as TypedData;
  const out = allocate(a.dtype as D, indices.length * rowSize) as TypedData;
  for (let k = 0; k < indices.length; k++) {
    const r = indices[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new DataError('data/out-of-range', source, `row index ${r} (position ${k}) is outside [0, ${n})`);
    }
    if (rowSize === 1) {
      (out as { [i: number]: number | bigint })[k] = data[r]!;
    } else {
      // Both sides share the same element type; the union of typed-array `set` signatures needs a cast.
      (out as Float64Array).set((data as Float64Array).subarray(r * rowSize, (r + 1) * rowSize), k * rowSize);
    }
  }
  return makeArray(a.dtype as D, [indices.length, ...rowShape], out as DTypeDataMap[D]);
}
