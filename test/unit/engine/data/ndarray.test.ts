import * as assert from 'node:assert/strict';
import { flatIndexLabel, makeArray, numExamples, takeRows, toFloat32, toFloat64, toInt64 } from '../../../../src/engine/data/ndarray';
import { assertDataError } from './helpers';

describe('data/ndarray', () => {
  it('makeArray checks the element count', () => {
    assert.deepEqual(makeArray('int8', [2, 2]).data, new Int8Array(4));
    assert.throws(() => makeArray('float32', [2, 2], new Float32Array(3)), /needs 4 elements/);
    assert.throws(() => makeArray('float32', [-1]), /invalid shape/);
  });

  it('numExamples is the size of axis 0; 0-d arrays have none', () => {
    assert.equal(numExamples(makeArray('float32', [5, 2])), 5);
    assert.equal(numExamples(makeArray('float32', [0, 2])), 0);
    assertDataError(() => numExamples(makeArray('float32', []), 'x.npy'), 'data/bad-shape', 'x.npy', '0-d');
  });

  it('toFloat32 / toFloat64 convert every dtype, and return float inputs unchanged', () => {
    const i64 = makeArray('int64', [3], new BigInt64Array([1n, -2n, 2n ** 40n]));
    assert.deepEqual(toFloat32(i64), makeArray('float32', [3], new Float32Array([1, -2, 2 ** 40])));
    assert.deepEqual(toFloat64(makeArray('bool', [2], new Uint8Array([1, 0]))).data, new Float64Array([1, 0]));
    assert.deepEqual(toFloat32(makeArray('int8', [1, 2], new Int8Array([-3, 4]))).shape, [1, 2]);
    const f = makeArray('float32', [1]);
    assert.equal(toFloat32(f), f);
    const d = makeArray('float64', [1]);
    assert.equal(toFloat64(d), d);
  });

  it('toInt64 converts integral values and rejects the rest', () => {
    assert.deepEqual(toInt64(makeArray('float64', [2], new Float64Array([3, -4]))).data, new BigInt64Array([3n, -4n]));
    assert.deepEqual(toInt64(makeArray('uint8', [2], new Uint8Array([255, 0]))).data, new BigInt64Array([255n, 0n]));
    const i = makeArray('int64', [0]);
    assert.equal(toInt64(i), i);
    assertDataError(() => toInt64(makeArray('float32', [2, 2], new Float32Array([0, 1, 2, 2.5])), 'y.npy'), 'data/not-integer', 'y.npy', '[1][1]', '2.5');
    assertDataError(() => toInt64(makeArray('float64', [1], new Float64Array([NaN]))), 'data/not-integer', 'NaN');
    assertDataError(() => toInt64(makeArray('float64', [1], new Float64Array([2 ** 64]))), 'data/out-of-range');
  });

  it('takeRows gathers along axis 0 for every row size', () => {
    const a = makeArray('int32', [3, 2], new Int32Array([0, 1, 10, 11, 20, 21]));
    assert.deepEqual(takeRows(a, [2, 0, 2]), makeArray('int32', [3, 2], new Int32Array([20, 21, 0, 1, 20, 21])));
    assert.deepEqual(takeRows(a, new Int32Array(0)).shape, [0, 2]);
    const v = makeArray('int64', [3], new BigInt64Array([5n, 6n, 7n]));
    assert.deepEqual(takeRows(v, new Int32Array([1])).data, new BigInt64Array([6n]));
    const e = makeArray('float32', [2, 0]);
    assert.deepEqual(takeRows(e, [1, 1]).shape, [2, 0]);
    assertDataError(() => takeRows(a, [3], 'x.npy'), 'data/out-of-range', 'x.npy', 'row index 3', '[0, 3)');
    assertDataError(() => takeRows(a, [-1]), 'data/out-of-range');
  });

  it('flatIndexLabel', () => {
    assert.equal(flatIndexLabel([2, 3], 5), '[1][2]');
    assert.equal(flatIndexLabel([4], 3), '[3]');
    assert.equal(flatIndexLabel([], 0), '[]');
  });
});
