import * as assert from 'node:assert/strict';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { listNpz, readNpz, readNpzMember } from '../../../../src/engine/data/npz';
import { writeNpz, writeZip } from '../../../fixtures/npzWriter';
import { writeNpy } from '../../../../src/engine/data/npy';
import { readZipDirectory } from '../../../../src/engine/data/zip';
import { assertDataError, assertMatches, EXPECTED, fixture } from './helpers';

describe('data/npz', () => {
  for (const file of ['savez.npz', 'savez_compressed.npz', 'single.npz']) {
    it(`reads every member of ${file}`, () => {
      const arrays = readNpz(fixture(file), file);
      const names = Object.keys(EXPECTED).filter((k) => k.startsWith(`${file}#`)).map((k) => k.slice(file.length + 1));
      assert.deepEqual([...arrays.keys()].sort(), names.sort());
      for (const name of names) assertMatches(arrays.get(name)!, EXPECTED[`${file}#${name}`]!, `${file}#${name}`);
    });
  }

  it('np.savez members are stored, np.savez_compressed members deflated', () => {
    assert.ok(readZipDirectory(fixture('savez.npz')).every((e) => e.method === 0));
    assert.ok(readZipDirectory(fixture('savez_compressed.npz')).every((e) => e.method === 8));
  });

  it('reads one member by name, or the only member', () => {
    assert.deepEqual(listNpz(fixture('savez.npz')), ['x', 'y', 'mask']);
    assert.deepEqual(readNpzMember(fixture('savez_compressed.npz'), 'y').data, new BigInt64Array([0n, 1n, 1n, 0n]));
    assert.deepEqual(readNpzMember(fixture('single.npz')).shape, [4, 3]);
  });

  it('writeNpz round-trips and keeps member order', () => {
    const x = makeArray('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
    const s = makeArray('int64', [], new BigInt64Array([-7n]));
    const b = makeArray('bool', [3], new Uint8Array([1, 0, 1]));
    const bytes = writeNpz({ x, s, 'nested/b': b });
    const back = readNpz(bytes);
    assert.deepEqual([...back.keys()], ['x', 's', 'nested/b']);
    assert.deepEqual(back.get('x'), x);
    assert.deepEqual(back.get('s'), s);
    assert.deepEqual(back.get('nested/b'), b);
    assert.ok(writeNpz(new Map([['x', x]])).equals(writeNpz({ x })), 'deterministic bytes');
    assert.equal(readNpz(writeNpz({})).size, 0);
  });

  describe('errors', () => {
    it('data/ambiguous-member: several arrays and none named, or none at all', () => {
      assertDataError(() => readNpzMember(fixture('savez.npz'), undefined, 'd.npz'), 'data/ambiguous-member', 'd.npz', 'x, y, mask', 'd.npz#x');
      assertDataError(() => readNpzMember(writeNpz({}), undefined, 'e.npz'), 'data/ambiguous-member', 'no arrays');
    });
    it('data/not-found: a member the archive lacks', () => {
      assertDataError(() => readNpzMember(fixture('savez.npz'), 'z', 'd.npz'), 'data/not-found', 'd.npz#z', 'x, y, mask');
    });
    it('data/bad-zip: not a zip, damaged member', () => {
      assertDataError(() => readNpz(fixture('int8_3.npy'), 'n.npz'), 'data/bad-zip', 'n.npz', 'not a zip archive', 'np.savez');
      const crc = Buffer.from(fixture('savez.npz'));
      crc[crc.indexOf('NUMPY') + 100] ^= 0xff; // inside x's header padding
      assertDataError(() => readNpz(crc), 'data/bad-zip', 'CRC');
      const deflated = Buffer.from(fixture('savez_compressed.npz'));
      const first = readZipDirectory(deflated)[0]!;
      deflated.fill(0xff, first.localHeaderOffset + 40, first.localHeaderOffset + 60);
      assertDataError(() => readNpz(deflated), 'data/bad-zip');
    });
    it('data/bad-zip and data/truncated: archive cut short', () => {
      const bytes = fixture('savez.npz');
      assertDataError(() => readNpz(bytes.subarray(0, bytes.length - 30)), 'data/bad-zip', 'not a zip archive');
      // A directory entry whose size runs past the end of the file.
      const dir = readZipDirectory(bytes);
      const last = dir[dir.length - 1]!;
      const grown = Buffer.from(bytes);
      const entry = grown.lastIndexOf('mask.npy') - 46;
      assert.equal(grown.readUInt32LE(entry), 0x02014b50);
      grown.writeUInt32LE(last.compressedSize + 10_000, entry + 20);
      assertDataError(() => readNpz(grown, 'g.npz'), 'data/truncated', 'g.npz', "'mask.npy'");
    });
    it('errors inside a member name the member', () => {
      const npy = Buffer.from(writeNpy(makeArray('int8', [1])));
      npy.write("'|O' ", npy.indexOf("'|i1'"), 'latin1');
      const bytes = writeZip([{ name: 'obj.npy', data: npy }]);
      assertDataError(() => readNpz(bytes, 'p.npz'), 'data/pickle', 'p.npz#obj');
    });
  });
});
