/** Data layer: .npy / .npz / .json tensors and the target/control split. */
export { DataError, isDataError } from './errors';
export { firstNonFinite, requireFinite } from './finite';
export type { DataErrorCode } from './errors';
export {
  DTYPES, ITEM_SIZE, allocate, elementCount, flatIndexLabel, formatShape, getNumber, makeArray, numExamples, takeRows,
  toFloat32, toFloat64, toInt64,
} from './ndarray';
export type { DType, DTypeDataMap, NdArray, TypedData } from './ndarray';
export { isNpy, parseNpy, parseNpyHeader, writeNpy } from './npy';
export type { NpyHeader } from './npy';
export { listNpz, readNpz, readNpzMember } from './npz';
export { fromNested, parseJsonArray } from './json';
export type { JsonArrayOptions } from './json';
export { loadArray, loadArraySync, parseArrayRef, readArrayInfo, saveNpy } from './load';
export type { ArrayFormat, ArrayInfo, ArrayRef, LoadOptions } from './load';
export { selectByIndices, selectByLabels, selectByMask, selectExamples, splitByFlag } from './select';
export type { LabelValue, SelectOptions, Selection, TargetSpec } from './select';
