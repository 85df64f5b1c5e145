/**
 * Target / control split of `n` examples, as the hypothesis `data.target`
 * entry states it: `{ mask }`, `{ indices }` or `{ labels: [...] }` (the
 * examples whose label is listed). Control is always the rest; both sets are
 * sorted example indices and both must be non-empty.
 */
import { DataError } from './errors';
import { DType, formatShape, getNumber, NdArray } from './ndarray';

export interface Selection {
  target: Int32Array;
  control: Int32Array;
}

export type LabelValue = number | boolean | bigint;

export type TargetSpec =
  | { mask: NdArray }
  | { indices: NdArray }
  | { labels: readonly LabelValue[]; labelArray: NdArray };

export interface SelectOptions {
  /** Where the selection array came from (file name), for messages. */
  source?: string;
}

const INTEGER_DTYPES: readonly DType[] = ['int32', 'int64', 'uint8', 'int8'];

/** One entry per example: shape `[n]`, or `[n, 1, …]`. */
function perExample(a: NdArray, n: number, what: string, source: string): void {
  if (a.shape.length === 0 || a.shape.slice(1).some((d) => d !== 1)) {
    throw new DataError('data/bad-shape', source, `the ${what} has shape ${formatShape(a.shape)}; it needs one value per example (shape [${n}])`,
      `save a 1-d array, e.g. np.save(path, ${what === 'mask' ? 'm' : 'y'}.reshape(-1))`);
  }
  if (a.shape[0] !== n) {
    throw new DataError('data/length-mismatch', source, `the ${what} has ${a.shape[0]} entries but there are ${n} examples`,
      `give one ${what === 'mask' ? 'mask value' : 'label'} per example, in the order of the inputs`);
  }
}

/** Splits `isTarget` into sorted target and control index lists, checking neither is empty. */
export function splitByFlag(isTarget: Uint8Array, source: string, detail = ''): Selection {
  let k = 0;
  for (const f of isTarget) k += f;
  const n = isTarget.length;
  if (k === 0) {
    throw new DataError('data/empty-target', source, `the target set is empty${detail}`, 'select at least one example as target');
  }
  if (k === n) {
    throw new DataError('data/empty-control', source, `every one of the ${n} examples is target, so the control set is empty${detail}`,
      'control is the examples outside the target; leave some out of the target');
  }
  const target = new Int32Array(k);
  const control = new Int32Array(n - k);
  let t = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (isTarget[i]) target[t++] = i;
    else control[c++] = i;
  }
  return { target, control };
}

/** Target = examples where `mask` is true / 1 (bool or 0/1 array of length n). */
export function selectByMask(n: number, mask: NdArray, options: SelectOptions = {}): Selection {
  const source = options.source ?? 'mask';
  perExample(mask, n, 'mask', source);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = getNumber(mask, i);
    if (v !== 0 && v !== 1) {
      throw new DataError('data/bad-mask', source, `mask entry [${i}] is ${v}; a mask holds only 0/1 or true/false`,
        'save a boolean array, e.g. np.save(path, m.astype(bool)), or use { indices: ... }');
    }
    flags[i] = v;
  }
  return splitByFlag(flags, source);
}

/** Target = the listed example indices (integer array, each in [0, n), no repeats). */
export function selectByIndices(n: number, indices: NdArray, options: SelectOptions = {}): Selection {
  const source = options.source ?? 'indices';
  if (indices.shape.length === 0 || indices.shape.slice(1).some((d) => d !== 1)) {
    throw new DataError('data/bad-shape', source, `the indices have shape ${formatShape(indices.shape)}; they need to be a 1-d list`,
      'save a 1-d integer array, e.g. np.save(path, np.asarray(idx, dtype=np.int64).reshape(-1))');
  }
  if (indices.dtype === 'bool') {
    throw new DataError('data/not-integer', source, 'the indices are booleans', 'a boolean array is a mask: use { mask: ... }');
  }
  const isInt = INTEGER_DTYPES.includes(indices.dtype);
  const seen = new Int32Array(n).fill(-1);
  const flags = new Uint8Array(n);
  const count = indices.data.length;
  for (let p = 0; p < count; p++) {
    const v = getNumber(indices, p);
    if (!isInt && !Number.isInteger(v)) {
      throw new DataError('data/not-integer', source, `index at position ${p} is ${v}, not an integer`,
        'save integer indices, e.g. np.save(path, idx.astype(np.int64))');
    }
    if (v < 0 || v >= n) {
      throw new DataError('data/out-of-range', source, `index ${v} at position ${p} is outside [0, ${n}) (there are ${n} examples)`,
        v < 0 ? 'indices count from 0; negative indices are not supported' : 'indices count from 0 and must be below the number of examples');
    }
    if (seen[v] !== -1) {
      throw new DataError('data/duplicate-index', source, `index ${v} is listed twice (positions ${seen[v]} and ${p})`,
        'list each example once, e.g. np.unique(idx)');
    }
    seen[v] = p;
    flags[v] = 1;
  }
  return splitByFlag(flags, source);
}

/** Target = examples whose label (in `labelArray`, one per example) is one of `values`. */
export function selectByLabels(n: number, labelArray: NdArray, values: readonly LabelValue[], options: SelectOptions = {}): Selection {
  const source = options.source ?? 'labels';
  if (labelArray.shape.length === 2 && labelArray.shape[1]! > 1) {
    throw new DataError('data/bad-shape', source, `the labels have shape ${formatShape(labelArray.shape)}; selecting by label needs one label per example`,
      'save class ids (e.g. y.argmax(-1)) as the labels, or use { mask: ... }');
  }
  perExample(labelArray, n, 'labels', source);
  if (values.length === 0) {
    throw new DataError('data/empty-target', source, 'the list of target labels is empty', 'list at least one label value');
  }
  const wanted = new Set(values.map((v) => Number(v)));
  const flags = new Uint8Array(n);
  const present = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = getNumber(labelArray, i);
    if (present.size <= 20) present.add(v);
    if (wanted.has(v)) flags[i] = 1;
  }
  const list = (s: Iterable<number>) => [...s].sort((a, b) => a - b).slice(0, 20).join(', ');
  return splitByFlag(flags, source, ` (target labels [${values.join(', ')}]; labels present include ${list(present)})`);
}

/** Dispatches on the form of the `data.target` entry. */
export function selectExamples(n: number, spec: TargetSpec, options: SelectOptions = {}): Selection {
  if ('mask' in spec) return selectByMask(n, spec.mask, options);
  if ('indices' in spec) return selectByIndices(n, spec.indices, options);
  return selectByLabels(n, spec.labelArray, spec.labels, options);
}
