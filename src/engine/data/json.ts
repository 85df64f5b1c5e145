/**
 * Nested JSON arrays of numbers or booleans → NdArray. The shape is read from
 * the first element at each depth and every other element must agree
 * (`data/ragged` names the first one that does not, e.g. `[3][1]`).
 * dtype: as requested, else bool when every element is a boolean, int64 when
 * every element is an integer, float32 otherwise.
 * A top-level object of such arrays is read like an .npz: by `member`, or its only key.
 */
import { DataError } from './errors';
import { allocate, DType, flatIndexLabel, makeArray, NdArray } from './ndarray';
import { parseJsonText } from '../util/jsonText';
import { safeName, safeNameList } from '../util/readGate';

export interface JsonArrayOptions {
  /** Requested dtype; values must fit it (integers for int dtypes, 0/1 for bool). */
  dtype?: DType;
  /** Key of a top-level JSON object holding several arrays. */
  member?: string;
  /** File name used in error messages. */
  source?: string;
}

const label = (path: readonly number[]) => (path.length ? path.map((i) => `[${i}]`).join('') : '(top level)');

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

/** Parses JSON text and converts it (see {@link fromNested}). */
export function parseJsonArray(text: string, options: JsonArrayOptions = {}): NdArray {
  const source = options.source ?? '<json>';
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { problem, line, col } = parsed.error;
    throw new DataError('data/bad-json', source, `${problem} at line ${line}, column ${col}`, 'write it with json.dump(x.tolist(), f)');
  }
  return fromNested(parsed.value, options);
}

/** Converts an already-parsed JSON value (nested arrays, or an object of them). */
export function fromNested(value: unknown, options: JsonArrayOptions = {}): NdArray {
  let source = options.source ?? '<json>';
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    let key = options.member;
    if (key === undefined) {
      if (keys.length !== 1) {
        throw new DataError('data/ambiguous-member', source, `the JSON object has ${keys.length} keys (${safeNameList(keys)})`,
          keys.length ? `name one as ${source}#${safeName(keys[0]!)}` : 'store a nested array of numbers');
      }
      key = keys[0]!;
    }
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      throw new DataError('data/not-found', `${source}#${safeName(key)}`, `no key '${safeName(key)}' in the JSON object`, `it has: ${safeNameList(keys)}`);
    }
    source = `${source}#${safeName(key)}`;
    value = obj[key];
  } else if (options.member !== undefined) {
    throw new DataError('data/not-found', `${source}#${options.member}`, `the JSON holds a single array, not an object with key '${options.member}'`,
      `drop '#${options.member}' from the path`);
  }

  // Shape from the first element at each depth.
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }

  const leaves: (number | boolean)[] = [];
  let firstBool: number[] | undefined;
  let firstNumber: number[] | undefined;
  let allIntegers = true;
  const path: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth < shape.length) {
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        const like = label(path.map(() => 0));
        throw new DataError('data/ragged', source,
          `ragged nested arrays: ${label(path)} is ${kindOf(v)} where ${like} is an array of ${shape[depth]}`,
          'every row must have the same length (a rectangular array)');
      }
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    if (Array.isArray(v)) {
      throw new DataError('data/ragged', source,
        `ragged nested arrays: ${label(path)} is ${kindOf(v)} where ${label(path.map(() => 0))} is a number`,
        'every row must have the same length (a rectangular array)');
    }
    if (typeof v === 'boolean') {
      firstBool ??= [...path];
    } else if (typeof v === 'number') {
      // JSON has no NaN or Infinity: a non-finite number is one beyond ±1.8e308 (1e400), which the parser overflowed.
      if (!Number.isFinite(v)) {
        throw new DataError('data/non-finite', source, `${label(path)} is a number beyond the range of a float64 (±1.8e308), read as ${v}`, 'write finite values');
      }
      firstNumber ??= [...path];
      if (!Number.isInteger(v)) allIntegers = false;
    } else {
      throw new DataError('data/bad-json', source, `${label(path)} is ${kindOf(v)}; only numbers and booleans are allowed`,
        'write numeric data, e.g. json.dump(x.tolist(), f)');
    }
    leaves.push(v);
  };
  walk(value, 0);

  if (firstBool && firstNumber && options.dtype === undefined) {
    throw new DataError('data/bad-json', source,
      `mixes booleans (${label(firstBool)}) and numbers (${label(firstNumber)})`, 'use one kind, e.g. 0/1 for all');
  }
  const dtype: DType = options.dtype ?? (firstBool ? 'bool' : firstNumber && allIntegers ? 'int64' : 'float32');
  return makeArray(dtype, shape, fill(dtype, leaves, shape, source) as never);
}

/** [min, max + 1) of the integer dtypes (exclusive upper bound: 2 ** 63 - 1 is not a double). */
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31],
  int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 256],
  int8: [-128, 128],
  bool: [0, 2],
};

function fill(dtype: DType, leaves: readonly (number | boolean)[], shape: readonly number[], source: string) {
  const data = allocate(dtype, leaves.length);
  const range = INT_RANGE[dtype];
  for (let i = 0; i < leaves.length; i++) {
    const raw = leaves[i]!;
    const v = typeof raw === 'boolean' ? Number(raw) : raw;
    if (range) {
      if (!Number.isInteger(v)) {
        throw new DataError('data/not-integer', source, `element ${flatIndexLabel(shape, i)} is ${v}, not valid for dtype ${dtype}`,
          dtype === 'bool' ? 'use true/false or 0/1' : 'store integers');
      }
      if (v < range[0] || v >= range[1]) {
        throw new DataError('data/out-of-range', source, `element ${flatIndexLabel(shape, i)} is ${v}, outside ${dtype}`,
          'request a wider dtype');
      }
    }
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else data[i] = v;
  }
  return data;
}
