// Conversions between ONNX TensorProto and typed arrays.
import { DataType, TensorProto } from './proto';

export type DTypeName = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string' | 'undefined';

const DTYPE_NAMES: Record<number, DTypeName> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.FLOAT16]: 'float16',
  [DataType.BFLOAT16]: 'bfloat16', [DataType.INT8]: 'int8', [DataType.UINT8]: 'uint8',
  [DataType.INT16]: 'int16', [DataType.UINT16]: 'uint16', [DataType.INT32]: 'int32',
  [DataType.UINT32]: 'uint32', [DataType.INT64]: 'int64', [DataType.UINT64]: 'uint64',
  [DataType.BOOL]: 'bool', [DataType.STRING]: 'string',
};

export function dtypeName(dataType: number): DTypeName {
  return DTYPE_NAMES[dataType] ?? 'undefined';
}

export function dataTypeOf(name: DTypeName): number {
  for (const [k, v] of Object.entries(DTYPE_NAMES)) if (v === name) return Number(k);
  return DataType.UNDEFINED;
}

/** Bytes per element, 0 for strings and unknown types. */
export function elementSize(dataType: number): number {
  switch (dataType) {
    case DataType.DOUBLE: case DataType.INT64: case DataType.UINT64: return 8;
    case DataType.FLOAT: case DataType.INT32: case DataType.UINT32: return 4;
    case DataType.FLOAT16: case DataType.BFLOAT16: case DataType.INT16: case DataType.UINT16: return 2;
    case DataType.INT8: case DataType.UINT8: case DataType.BOOL: return 1;
    default: return 0;
  }
}

export const isFloatType = (dataType: number): boolean =>
  dataType === DataType.FLOAT || dataType === DataType.DOUBLE || dataType === DataType.FLOAT16 || dataType === DataType.BFLOAT16;

export function numElements(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array
  | Int16Array | Uint16Array | Uint32Array | BigUint64Array;

function copyBytes(raw: Uint8Array): ArrayBuffer {
  // Copy so the result is aligned and does not alias the model buffer.
  const buf = new ArrayBuffer(raw.byteLength);
  new Uint8Array(buf).set(raw);
  return buf;
}

/** Decodes the values of a tensor whose data lives in the proto (raw_data or typed fields). */
export function tensorValues(t: TensorProto): TypedArray {
  const n = numElements(t.dims);
  const raw = t.rawData && t.rawData.byteLength > 0 ? t.rawData : undefined;
  const size = elementSize(t.dataType);
  if (raw && raw.byteLength !== n * size) {
    throw new Error(`tensor '${t.name}' has ${raw.byteLength} bytes of data; its shape [${t.dims.join(', ')}] needs ${n * size}`);
  }
  switch (t.dataType) {
    case DataType.FLOAT: return raw ? new Float32Array(copyBytes(raw)) : Float32Array.from(t.floatData ?? []);
    case DataType.DOUBLE: return raw ? new Float64Array(copyBytes(raw)) : Float64Array.from(t.doubleData ?? []);
    case DataType.INT32: return raw ? new Int32Array(copyBytes(raw)) : Int32Array.from(t.int32Data ?? []);
    case DataType.INT64: return raw ? new BigInt64Array(copyBytes(raw)) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v)));
    case DataType.UINT64: return raw ? new BigUint64Array(copyBytes(raw)) : BigUint64Array.from((t.uint64Data ?? []).map((v) => BigInt(v)));
    case DataType.UINT32: return raw ? new Uint32Array(copyBytes(raw)) : Uint32Array.from(t.uint64Data ?? []);
    case DataType.BOOL: case DataType.UINT8: return raw ? new Uint8Array(copyBytes(raw)) : Uint8Array.from(t.int32Data ?? []);
    case DataType.INT8: return raw ? new Int8Array(copyBytes(raw)) : Int8Array.from(t.int32Data ?? []);
    case DataType.INT16: return raw ? new Int16Array(copyBytes(raw)) : Int16Array.from(t.int32Data ?? []);
    case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16:
      return raw ? new Uint16Array(copyBytes(raw)) : Uint16Array.from(t.int32Data ?? []);
    default: throw new Error(`tensor '${t.name}' has unsupported data type ${dtypeName(t.dataType)} (${t.dataType})`);
  }
}

/** Values of a float tensor as float32, whatever its storage type. */
export function tensorToFloat32(t: TensorProto): Float32Array {
  const v = tensorValues(t);
  if (v instanceof Float32Array) return v;
  if (t.dataType === DataType.FLOAT16) return Float32Array.from(v as Uint16Array, halfToFloat);
  if (t.dataType === DataType.BFLOAT16) return Float32Array.from(v as Uint16Array, (h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float32Array.from(v, (x) => Number(x));
  return Float32Array.from(v as ArrayLike<number>);
}

/** Values of an integer tensor as plain numbers (shapes, axes, indices). */
export function tensorToNumbers(t: TensorProto): number[] {
  const v = tensorValues(t);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, (x) => Number(x));
  return Array.from(v as ArrayLike<number>);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export function makeTensor(name: string, dims: readonly number[], values: TypedArray | number[], dataType?: number): TensorProto {
  let dt = dataType;
  let arr: TypedArray;
  if (Array.isArray(values)) {
    dt ??= DataType.FLOAT;
    arr = dt === DataType.INT64 ? BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v))))
      : dt === DataType.UINT64 ? BigUint64Array.from(values.map((v) => BigInt(Math.trunc(v))))
      : dt === DataType.INT32 ? Int32Array.from(values)
      : dt === DataType.UINT32 ? Uint32Array.from(values)
      : dt === DataType.INT16 ? Int16Array.from(values)
      : dt === DataType.UINT16 ? Uint16Array.from(values)
      : dt === DataType.INT8 ? Int8Array.from(values)
      : dt === DataType.BOOL || dt === DataType.UINT8 ? Uint8Array.from(values)
      : dt === DataType.DOUBLE ? Float64Array.from(values)
      : dt === DataType.FLOAT ? Float32Array.from(values)
      : undefined as never;
    if (!arr) throw new Error(`makeTensor '${name}': cannot make a ${dtypeName(dt)} tensor from numbers`);
  } else {
    arr = values;
    dt ??= values instanceof Float32Array ? DataType.FLOAT : values instanceof Float64Array ? DataType.DOUBLE
      : values instanceof Int32Array ? DataType.INT32 : values instanceof BigInt64Array ? DataType.INT64
      : values instanceof Int8Array ? DataType.INT8 : DataType.UINT8;
  }
  if (arr.length !== numElements(dims)) throw new Error(`makeTensor '${name}': ${arr.length} values for shape [${dims.join(', ')}]`);
  return { name, dims: [...dims], dataType: dt, rawData: bytesOf(arr) };
}

export const floatTensor = (name: string, dims: readonly number[], values: Float32Array | number[]): TensorProto =>
  makeTensor(name, dims, values instanceof Float32Array ? values : Float32Array.from(values), DataType.FLOAT);
export const int64Tensor = (name: string, dims: readonly number[], values: number[]): TensorProto =>
  makeTensor(name, dims, values, DataType.INT64);
