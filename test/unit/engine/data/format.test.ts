// What numpy's own reader refuses, refused here too (numpy.lib.format, zipfile): bytes after the array, a shape that
// is a list, keys besides descr/fortran_order/shape, encrypted .npz members; and JSON numbers that overflow a float64.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJsonArray } from '../../../../src/engine/data/json';
import { readArrayInfo } from '../../../../src/engine/data/load';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { parseNpy, writeNpy } from '../../../../src/engine/data/npy';
import { readNpzMember } from '../../../../src/engine/data/npz';
import { requireFinite } from '../../../../src/engine/data/finite';
import { writeZip } from '../../../fixtures/npzWriter';
import { assertDataError, assertDataErrorAsync } from './helpers';

const x = () => writeNpy(makeArray('float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])));

/** A .npy with the header dict `dict` (padded as numpy pads it) and `data` after it. */
function npy(dict: string, data: Uint8Array): Buffer {
  const body = Buffer.from(dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n', 'latin1');
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(body.length, 8);
  return Buffer.concat([head, body, data]);
}

describe('data formats: what numpy would refuse', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-format-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('bytes after the array the header announces: data/trailing-bytes, from the whole file and from the header-only read', async () => {
    const bytes = Buffer.concat([x(), Buffer.alloc(100)]);
    assertDataError(() => parseNpy(bytes, 'x.npy'), 'data/trailing-bytes', 'x.npy', '100 bytes follow the [2, 3] float32', '24 bytes of data', 'np.save');
    const file = path.join(tmp, 'x.npy');
    fs.writeFileSync(file, bytes);
    await assertDataErrorAsync(() => readArrayInfo(file), 'data/trailing-bytes', '100 bytes follow');
    fs.writeFileSync(file, x());
    assert.deepEqual((await readArrayInfo(file)).shape, [2, 3]);
  });

  it('a shape written as a list, and keys besides descr, fortran_order and shape: data/bad-header', () => {
    const data = Buffer.from(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer);
    assertDataError(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", data), 'l.npy'), 'data/bad-header', "'shape' is a list");
    assertDataError(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1, }", data), 'k.npy'), 'data/bad-header', "a key 'extra'");
    assert.deepEqual([...parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data)).shape], [2, 3]);
  });

  it('an encrypted .npz member (flag bit 0, in the directory or the local header): data/bad-zip', () => {
    for (const where of ['central', 'local'] as const) {
      const zip = Buffer.from(writeZip([{ name: 'x.npy', data: x() }]));
      const cd = zip.readUInt32LE(zip.length - 6);
      if (where === 'central') zip.writeUInt16LE(zip.readUInt16LE(cd + 8) | 1, cd + 8);
      else zip.writeUInt16LE(zip.readUInt16LE(6) | 1, 6);
      assertDataError(() => readNpzMember(zip, undefined, 'e.npz'), 'data/bad-zip', 'e.npz', "member 'x.npy' is encrypted");
    }
  });

  it('a JSON number beyond a float64 (1e400) is data/non-finite at its element; NaN and ±Inf in arrays are found with their row', () => {
    assertDataError(() => parseJsonArray('[[1, 2], [3, 1e400]]', { source: 'd.json' }), 'data/non-finite', 'd.json', '[1][1] is a number beyond the range of a float64');
    assertDataError(() => parseJsonArray('[-1e400]', { source: 'd.json' }), 'data/non-finite', '[0]');
    assertDataError(() => requireFinite(makeArray('float32', [2, 2], Float32Array.from([1, 2, NaN, 4])), 'x.npy'), 'data/non-finite', 'x.npy', 'NaN at [1, 0] (row 1)');
    assertDataError(() => requireFinite(makeArray('float64', [3], Float64Array.from([1, -Infinity, 4])), 'y.npy'), 'data/non-finite', '-Infinity at [1] (row 1)');
  });
});
