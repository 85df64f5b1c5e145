import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, DataErrorCode } from '../../../../src/engine/data/errors';
import { NdArray } from '../../../../src/engine/data/ndarray';

export const FIXTURES = path.join(__dirname, '../../../fixtures/data');

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

export interface Expected {
  dtype: NdArray['dtype'];
  shape: number[];
  values: (string | boolean)[];
  byteExact: boolean;
}

export const EXPECTED: Record<string, Expected> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));

/** Checks dtype, shape and every element against the numpy-written expectation. */
export function assertMatches(a: NdArray, e: Expected, what: string): void {
  assert.equal(a.dtype, e.dtype, `${what}: dtype`);
  assert.deepEqual([...a.shape], e.shape, `${what}: shape`);
  assert.equal(a.data.length, e.values.length, `${what}: length`);
  e.values.forEach((v, i) => {
    const got = a.data[i];
    if (typeof v === 'boolean') assert.equal(got, v ? 1 : 0, `${what}[${i}]`);
    else if (a.dtype === 'int64') assert.equal(got, BigInt(v), `${what}[${i}]`);
    else if (a.dtype === 'float32' || a.dtype === 'float64') {
      const x = v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
      assert.ok(Object.is(got, x), `${what}[${i}]: ${String(got)} !== ${v}`);
    } else assert.equal(got, Number(v), `${what}[${i}]`);
  });
}

/** Asserts that `fn` throws a DataError with `code` whose one-line message contains each of `parts`. */
export function assertDataError(fn: () => unknown, code: DataErrorCode, ...parts: string[]): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  return checkDataError(caught, code, parts);
}

export async function assertDataErrorAsync(fn: () => Promise<unknown>, code: DataErrorCode, ...parts: string[]): Promise<DataError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  return checkDataError(caught, code, parts);
}

function checkDataError(caught: unknown, code: DataErrorCode, parts: string[]): DataError {
  assert.ok(caught instanceof DataError, `expected a DataError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(!caught.message.includes('\n'), 'message is one line');
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  return caught;
}
