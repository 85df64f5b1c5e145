import * as assert from 'node:assert/strict';
import { fromNested, parseJsonArray } from '../../../../src/engine/data/json';
import { assertDataError } from './helpers';

describe('data/json', () => {
  it('infers int64 for integers, float32 otherwise, bool for booleans', () => {
    const i = parseJsonArray('[[1, 2, 3], [4, 5, -6]]');
    assert.equal(i.dtype, 'int64');
    assert.deepEqual(i.shape, [2, 3]);
    assert.deepEqual(i.data, new BigInt64Array([1n, 2n, 3n, 4n, 5n, -6n]));
    const f = parseJsonArray('[[1, 2.5], [3, 4]]');
    assert.equal(f.dtype, 'float32');
    assert.deepEqual(f.data, new Float32Array([1, 2.5, 3, 4]));
    const b = parseJsonArray('[true, false, true]');
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.data, new Uint8Array([1, 0, 1]));
  });

  it('handles scalars, empty and nested-empty arrays', () => {
    assert.deepEqual(fromNested(7), { dtype: 'int64', shape: [], data: new BigInt64Array([7n]) });
    assert.deepEqual(fromNested([]), { dtype: 'float32', shape: [0], data: new Float32Array(0) });
    assert.deepEqual(fromNested([[], []]).shape, [2, 0]);
    assert.deepEqual(fromNested([[[1], [2]]]).shape, [1, 2, 1]);
  });

  it('builds a requested dtype, checking that values fit', () => {
    assert.deepEqual(fromNested([1, 2], { dtype: 'float64' }).data, new Float64Array([1, 2]));
    assert.deepEqual(fromNested([0, 1, true], { dtype: 'bool' }).data, new Uint8Array([0, 1, 1]));
    assert.deepEqual(fromNested([-128, 127], { dtype: 'int8' }).data, new Int8Array([-128, 127]));
    assert.deepEqual(fromNested([255], { dtype: 'uint8' }).data, new Uint8Array([255]));
    assert.deepEqual(fromNested([[2147483647]], { dtype: 'int32' }).data, new Int32Array([2147483647]));
    assertDataError(() => fromNested([1, 2.5], { dtype: 'int32', source: 'a.json' }), 'data/not-integer', 'a.json', '[1]', '2.5');
    assertDataError(() => fromNested([0, 2], { dtype: 'bool' }), 'data/out-of-range', '[1]', 'bool');
    assertDataError(() => fromNested([[0, 256]], { dtype: 'uint8' }), 'data/out-of-range', '[0][1]', '256');
    assertDataError(() => fromNested([2 ** 63], { dtype: 'int64' }), 'data/out-of-range');
  });

  it('reads an object of arrays by key, or its only key', () => {
    const text = '{"x": [[1.5, 2]], "y": [0, 1]}';
    assert.deepEqual(parseJsonArray(text, { member: 'y' }).data, new BigInt64Array([0n, 1n]));
    assert.deepEqual(parseJsonArray('{"x": [1]}').shape, [1]);
    assertDataError(() => parseJsonArray(text, { source: 'd.json' }), 'data/ambiguous-member', 'd.json', 'x, y', 'd.json#x');
    assertDataError(() => parseJsonArray(text, { source: 'd.json', member: 'z' }), 'data/not-found', 'd.json#z', 'x, y');
    assertDataError(() => parseJsonArray('[1]', { source: 'd.json', member: 'z' }), 'data/not-found', "drop '#z'");
  });

  describe('errors', () => {
    it('data/ragged names the first ragged path', () => {
      const rows = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]];
      const ragged = rows.map((r) => r.map((v) => [v, v]));
      (ragged[3]![1] as number[]).push(99);
      assertDataError(() => fromNested(ragged, { source: 'r.json' }), 'data/ragged', 'r.json', '[3][1] is an array of 3', '[0][0] is an array of 2', 'rectangular');
      assertDataError(() => fromNested([[1, 2], [3]]), 'data/ragged', '[1] is an array of 1');
      assertDataError(() => fromNested([[1, 2], 3]), 'data/ragged', '[1] is a number');
      assertDataError(() => fromNested([1, [2]]), 'data/ragged', '[1] is an array of 1 where [0] is a number');
    });
    it('data/bad-json: syntax, strings, nulls, mixed booleans and numbers', () => {
      assertDataError(() => parseJsonArray('[1, 2', { source: 'j.json' }), 'data/bad-json', 'j.json', 'invalid JSON');
      assertDataError(() => fromNested([[1, 'a']]), 'data/bad-json', '[0][1] is a string');
      assertDataError(() => fromNested([null]), 'data/bad-json', '[0] is null');
      assertDataError(() => fromNested([true, 1]), 'data/bad-json', 'mixes booleans ([0]) and numbers ([1])');
    });
  });
});
