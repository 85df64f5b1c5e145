import * as assert from 'node:assert/strict';
import { allocate, DType, DTYPES, makeArray, NdArray } from '../../../../src/engine/data/ndarray';
import { isNpy, parseNpy, parseNpyHeader, writeNpy } from '../../../../src/engine/data/npy';
import { assertDataError, assertMatches, EXPECTED, fixture } from './helpers';

describe('data/npy', () => {
  describe('reads numpy-written files', () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      if (name.includes('#')) continue;
      it(name, () => assertMatches(parseNpy(fixture(name), name), e, name));
    }
  });

  it('reads header versions 2.0 and 3.0', () => {
    assert.deepEqual(parseNpyHeader(fixture('v2_header.npy')).version, [2, 0]);
    assert.deepEqual(parseNpyHeader(fixture('v3_header.npy')).version, [3, 0]);
  });

  it('header offsets are 64-byte aligned and isNpy sniffs the magic', () => {
    assert.equal(parseNpyHeader(fixture('float32_2x3.npy')).dataOffset, 128);
    assert.ok(isNpy(fixture('int8_3.npy')));
    assert.ok(!isNpy(fixture('savez.npz')));
  });

  describe('writeNpy reproduces numpy byte for byte', () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      if (name.includes('#') || !e.byteExact) continue;
      it(name, () => {
        const bytes = fixture(name);
        assert.ok(writeNpy(parseNpy(bytes)).equals(bytes));
      });
    }
  });

  describe('round-trips every dtype', () => {
    const sample: Record<DType, number[] | bigint[]> = {
      float32: [0, -1.5, 3.25, Infinity, NaN, 1e-40],
      float64: [Math.PI, -0, 1e308, Number.MIN_VALUE, NaN, -Infinity],
      int32: [0, -1, 2147483647, -2147483648, 7, 8],
      int64: [0n, -1n, 9223372036854775807n, -9223372036854775808n, 2n ** 53n + 1n, 5n],
      bool: [1, 0, 0, 1, 1, 0],
      uint8: [0, 1, 127, 128, 255, 9],
      int8: [-128, -1, 0, 1, 127, 3],
    };
    for (const dtype of DTYPES) {
      it(dtype, () => {
        for (const shape of [[6], [2, 3], [3, 1, 2], [], [0], [2, 0, 4]]) {
          const n = shape.reduce((p, d) => p * d, 1);
          const data = allocate(dtype, n);
          (data as unknown as { set(v: ArrayLike<number | bigint>): void }).set(sample[dtype].slice(0, n));
          const a = makeArray(dtype, shape, data as never) as NdArray;
          const back = parseNpy(writeNpy(a));
          assert.equal(back.dtype, dtype);
          assert.deepEqual(back.shape, shape);
          assert.deepEqual([...back.data as Iterable<unknown>], [...a.data as Iterable<unknown>]);
        }
      });
    }
  });

  it('switches to version 2.0 when the header exceeds 64 KiB', () => {
    const shape = new Array<number>(30000).fill(1);
    const a = makeArray('float32', shape, new Float32Array([2.5]));
    const bytes = writeNpy(a);
    const h = parseNpyHeader(bytes);
    assert.deepEqual(h.version, [2, 0]);
    assert.equal(h.dataOffset % 64, 0);
    assert.deepEqual(parseNpy(bytes).data, new Float32Array([2.5]));
  });

  it('copies unaligned data into an owned buffer', () => {
    const bytes = fixture('float64_5.npy');
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    const a = parseNpy(shifted);
    assert.equal(a.data.byteOffset, 0);
    assert.equal(a.data[0], 1.5);
  });

  describe('errors', () => {
    it('data/bad-magic', () => {
      assertDataError(() => parseNpy(fixture('savez.npz'), 'x.npy'), 'data/bad-magic', 'x.npy: ', 'np.save');
      assertDataError(() => parseNpy(new Uint8Array(0), 'x.npy'), 'data/bad-magic');
    });
    it('data/fortran-order', () => {
      assertDataError(() => parseNpy(fixture('fortran_2x3.npy'), 'f.npy'), 'data/fortran-order', 'f.npy', 'Fortran', 'np.ascontiguousarray(x)');
    });
    it('accepts fortran_order True when it cannot differ from C order', () => {
      const bytes = Buffer.from(writeNpy(makeArray('int8', [3, 1], new Int8Array([1, 2, 3]))));
      bytes.write("'fortran_order': True, ", bytes.indexOf("'fortran_order'"), 'latin1'); // one char shorter: a space remains
      assert.ok(bytes.toString('latin1', 0, 128).includes("'fortran_order': True,  'shape': (3, 1)"));
      assert.deepEqual(parseNpy(bytes).data, new Int8Array([1, 2, 3]));
    });
    it('data/pickle', () => {
      assertDataError(() => parseNpy(fixture('object.npy'), 'o.npy'), 'data/pickle', 'o.npy', "'|O'");
    });
    it('data/unsupported-dtype: big-endian, float16, structured', () => {
      assertDataError(() => parseNpy(fixture('bigendian.npy'), 'b.npy'), 'data/unsupported-dtype', 'big-endian', "astype('<f4')");
      assertDataError(() => parseNpy(fixture('float16.npy'), 'h.npy'), 'data/unsupported-dtype', "'<f2'", 'np.float32');
      assertDataError(() => parseNpy(fixture('structured.npy'), 's.npy'), 'data/unsupported-dtype', 'structured');
    });
    it('data/truncated: in the data and in the header', () => {
      const bytes = fixture('float32_2x3.npy');
      assertDataError(() => parseNpy(bytes.subarray(0, bytes.length - 1), 't.npy'), 'data/truncated', 't.npy', '24 bytes', '23');
      assertDataError(() => parseNpy(bytes.subarray(0, 40), 't.npy'), 'data/truncated', 'header');
      assertDataError(() => parseNpy(bytes.subarray(0, 9), 't.npy'), 'data/truncated');
    });
    it('data/bad-header: unknown version, unparsable or incomplete dict', () => {
      const v9 = Buffer.from(fixture('int8_3.npy'));
      v9[6] = 9;
      assertDataError(() => parseNpy(v9), 'data/bad-header', 'version 9.0');
      const garbled = Buffer.from(fixture('int8_3.npy'));
      garbled.write('{descr', 10, 'latin1');
      assertDataError(() => parseNpy(garbled), 'data/bad-header', 'unreadable');
      const noShape = Buffer.from(fixture('int8_3.npy'));
      noShape.write("'shapx'", noShape.indexOf("'shape'"), 'latin1');
      assertDataError(() => parseNpy(noShape), 'data/bad-header', "'shape'");
    });
  });
});
