// Issue 24, item 5: a 1.8 MB `.npz` whose member declares `<f4` (21500000, 22) of zeros inflated to 5.6 GB in the
// extension host, synchronously, when the editor asked for its dtype and shape (readArrayInfo decoded .npz files in
// full). The same bomb at a test's size (64 MB of zeros in a deflated member of ~64 KB): the info comes from the
// directory and the member's header, inflating at most about a megabyte, and still names dtype and shape; loading the
// array (the worker's job) still checks it whole.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadArray, readArrayInfo } from '../../../../src/engine/data';
import { writeNpy } from '../../../../src/engine/data/npy';
import { listNpz } from '../../../../src/engine/data/npz';
import { crc32, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL } from '../../../../src/engine/data/zip';
import { FIXTURES } from './helpers';

/** A one-member zip whose member is deflated (np.savez_compressed's layout, without ZIP64). */
function deflatedZip(name: string, data: Buffer): Buffer {
  const raw = zlib.deflateRawSync(data, { level: 9 });
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(SIG_LOCAL, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(raw.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(SIG_CENTRAL, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(raw.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + n.length, 12);
  eocd.writeUInt32LE(30 + n.length + raw.length, 16);
  return Buffer.concat([local, n, raw, central, n, eocd]);
}

describe('security: .npz info without inflating the member (issue 24, item 5)', () => {
  let dir: string;
  const inflated: number[] = [];
  // The module object itself (the namespace import is read-only; its getters read this object).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlibModule = require('node:zlib') as { inflateRawSync: typeof zlib.inflateRawSync };
  const real = zlibModule.inflateRawSync;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-npzbomb-'));
    // 800000 × 20 float32 zeros: 64 MB that deflate to about 62 KB.
    const npy = Buffer.from(writeNpy({ dtype: 'float32', shape: [800_000, 20], data: new Float32Array(16_000_000) }));
    fs.writeFileSync(path.join(dir, 'bomb.npz'), deflatedZip('x.npy', npy));
    // Every inflate, measured by what it gives back.
    zlibModule.inflateRawSync = ((buf: zlib.InputType, o?: zlib.ZlibOptions) => {
      const out = real(buf, o);
      inflated.push(out.length);
      return out;
    }) as typeof zlib.inflateRawSync;
  });
  after(() => {
    zlibModule.inflateRawSync = real;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dtype and shape of the bomb, inflating at most a megabyte', async () => {
    const file = path.join(dir, 'bomb.npz');
    assert.ok(fs.statSync(file).size < 200_000);
    inflated.length = 0;
    assert.deepEqual(await readArrayInfo(file), { dtype: 'float32', shape: [800_000, 20] });
    assert.ok(inflated.length > 0 && inflated.every((n) => n <= 2 ** 20), `inflated ${inflated.join(', ')} bytes`);
  });

  it('agrees with the full load on numpy\'s own archives, stored and compressed', async () => {
    for (const file of ['savez.npz', 'savez_compressed.npz']) {
      for (const member of listNpz(fs.readFileSync(path.join(FIXTURES, file)))) {
        const a = await loadArray(path.join(FIXTURES, `${file}#${member}`));
        assert.deepEqual(await readArrayInfo(path.join(FIXTURES, `${file}#${member}`)), { dtype: a.dtype, shape: [...a.shape] }, `${file}#${member}`);
      }
    }
    await assert.rejects(readArrayInfo(path.join(FIXTURES, 'savez.npz')), /holds 3 arrays/);
    await assert.rejects(readArrayInfo(path.join(FIXTURES, 'savez.npz#nope')), /no array 'nope'/);
  });

  it('a member whose header announces more data than the directory declares is refused without inflating it', async () => {
    const npy = Buffer.from(writeNpy({ dtype: 'float32', shape: [4], data: new Float32Array(4) }));
    const lying = Buffer.from(npy);
    lying.write(lying.toString('latin1').replace("'shape': (4,)", "'shape': (9,)"), 'latin1');
    fs.writeFileSync(path.join(dir, 'lying.npz'), deflatedZip('x.npy', lying));
    await assert.rejects(readArrayInfo(path.join(dir, 'lying.npz')), /announces 36 bytes of data but the archive declares 16/);
  });
});
