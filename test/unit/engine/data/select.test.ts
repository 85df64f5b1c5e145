import * as assert from 'node:assert/strict';
import { makeArray, NdArray } from '../../../../src/engine/data/ndarray';
import { selectByIndices, selectByLabels, selectByMask, selectExamples } from '../../../../src/engine/data/select';
import { assertDataError } from './helpers';

const i64 = (...v: number[]) => makeArray('int64', [v.length], new BigInt64Array(v.map(BigInt)));
const f32 = (...v: number[]) => makeArray('float32', [v.length], new Float32Array(v));
const bool = (...v: number[]) => makeArray('bool', [v.length], new Uint8Array(v));
const sel = (s: { target: Int32Array; control: Int32Array }) => ({ target: [...s.target], control: [...s.control] });

describe('data/select', () => {
  it('by mask: bool, 0/1 integers or floats, shape [n] or [n, 1]', () => {
    assert.deepEqual(sel(selectByMask(5, bool(1, 0, 0, 1, 0))), { target: [0, 3], control: [1, 2, 4] });
    assert.deepEqual(sel(selectByMask(3, i64(0, 1, 1))), { target: [1, 2], control: [0] });
    assert.deepEqual(sel(selectByMask(3, makeArray('float32', [3, 1], new Float32Array([1, 0, 0])))), { target: [0], control: [1, 2] });
  });

  it('by indices: any order, sorted out; integral floats accepted', () => {
    assert.deepEqual(sel(selectByIndices(6, i64(4, 0, 2))), { target: [0, 2, 4], control: [1, 3, 5] });
    assert.deepEqual(sel(selectByIndices(3, f32(2))), { target: [2], control: [0, 1] });
    assert.deepEqual(sel(selectByIndices(3, makeArray('uint8', [1, 1], new Uint8Array([1])))), { target: [1], control: [0, 2] });
  });

  it('by labels: examples whose label is listed', () => {
    const y = i64(0, 3, 1, 3, 2, 0);
    assert.deepEqual(sel(selectByLabels(6, y, [3, 2])), { target: [1, 3, 4], control: [0, 2, 5] });
    assert.deepEqual(sel(selectByLabels(3, f32(0.5, 1, 0.5), [0.5])), { target: [0, 2], control: [1] });
    assert.deepEqual(sel(selectByLabels(3, bool(1, 0, 0), [true])), { target: [0], control: [1, 2] });
    assert.deepEqual(sel(selectByLabels(2, makeArray('int32', [2, 1], new Int32Array([7, 8])), [8n])), { target: [1], control: [0] });
  });

  it('selectExamples dispatches on the spec', () => {
    const y = i64(0, 1, 1);
    assert.deepEqual(sel(selectExamples(3, { mask: bool(1, 0, 0) })), { target: [0], control: [1, 2] });
    assert.deepEqual(sel(selectExamples(3, { indices: i64(1) })), { target: [1], control: [0, 2] });
    assert.deepEqual(sel(selectExamples(3, { labels: [1], labelArray: y })), { target: [1, 2], control: [0] });
  });

  describe('errors', () => {
    it('data/length-mismatch', () => {
      assertDataError(() => selectByMask(4, bool(1, 0, 1), { source: 'm.npy' }), 'data/length-mismatch', 'm.npy', '3 entries', '4 examples');
      assertDataError(() => selectByLabels(2, i64(0, 1, 2), [1], { source: 'y.npy' }), 'data/length-mismatch', 'y.npy', '3 entries');
    });
    it('data/bad-shape', () => {
      assertDataError(() => selectByMask(4, makeArray('bool', [2, 2]), { source: 'm.npy' }), 'data/bad-shape', 'm.npy', '[2, 2]');
      assertDataError(() => selectByMask(1, makeArray('bool', [])), 'data/bad-shape');
      assertDataError(() => selectByIndices(4, makeArray('int64', [1, 2])), 'data/bad-shape', '1-d');
      assertDataError(() => selectByLabels(2, makeArray('float32', [2, 5]), [1], { source: 'y.npy' }), 'data/bad-shape', 'argmax');
    });
    it('data/bad-mask', () => {
      assertDataError(() => selectByMask(3, i64(0, 2, 1), { source: 'm.npy' }), 'data/bad-mask', 'm.npy', 'entry [1] is 2');
    });
    it('data/out-of-range, data/not-integer, data/duplicate-index', () => {
      assertDataError(() => selectByIndices(5, i64(1, 5), { source: 'i.npy' }), 'data/out-of-range', 'i.npy', 'index 5 at position 1', '[0, 5)');
      assertDataError(() => selectByIndices(5, i64(-1)), 'data/out-of-range', 'negative');
      assertDataError(() => selectByIndices(5, f32(1.5)), 'data/not-integer', '1.5');
      assertDataError(() => selectByIndices(5, bool(1, 0)), 'data/not-integer', '{ mask: ... }');
      assertDataError(() => selectByIndices(5, i64(3, 1, 3), { source: 'i.npy' }), 'data/duplicate-index', 'i.npy', 'index 3 is listed twice (positions 0 and 2)');
    });
    it('data/empty-target and data/empty-control', () => {
      assertDataError(() => selectByMask(3, bool(0, 0, 0), { source: 'm.npy' }), 'data/empty-target', 'm.npy');
      assertDataError(() => selectByMask(2, bool(1, 1)), 'data/empty-control', 'control set is empty');
      assertDataError(() => selectByIndices(3, i64()), 'data/empty-target');
      assertDataError(() => selectByIndices(2, i64(1, 0)), 'data/empty-control');
      assertDataError(() => selectByLabels(3, i64(0, 1, 2), [7], { source: 'y.npy' }), 'data/empty-target', 'target labels [7]', 'labels present include 0, 1, 2');
      assertDataError(() => selectByLabels(3, i64(0, 1, 2), []), 'data/empty-target', 'list of target labels is empty');
      assertDataError(() => selectByLabels(2, i64(4, 4), [4]), 'data/empty-control');
      const none: NdArray = makeArray('bool', [0]);
      assertDataError(() => selectByMask(0, none), 'data/empty-target');
    });
  });
});
