import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArray, loadArraySync, parseArrayRef, readArrayInfo, saveNpy } from '../../../../src/engine/data/load';
import { saveNpz } from '../../../fixtures/npzWriter';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { writeNpy } from '../../../../src/engine/data/npy';
import { assertDataError, assertDataErrorAsync, assertMatches, EXPECTED, FIXTURES } from './helpers';

const fx = (name: string) => path.join(FIXTURES, name);

describe('data/load', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-data-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('parseArrayRef splits #member after .npz / .json only', () => {
    assert.deepEqual(parseArrayRef('d/a.npz#x'), { file: 'd/a.npz', member: 'x', format: 'npz' });
    assert.deepEqual(parseArrayRef('d/a.JSON#k'), { file: 'd/a.JSON', member: 'k', format: 'json' });
    assert.deepEqual(parseArrayRef('d/a.npz', 'y'), { file: 'd/a.npz', member: 'y', format: 'npz' });
    assert.deepEqual(parseArrayRef('d/#1.npy'), { file: 'd/#1.npy', format: 'npy' });
    assertDataError(() => parseArrayRef('d/a.npy#x'), 'data/unsupported-format');
    assertDataError(() => parseArrayRef('d/a.npy', 'x'), 'data/not-found', 'd/a.npy#x', 'single array');
  });

  it('loads .npy, .npz (named or single member) and .json', async () => {
    assertMatches(await loadArray(fx('float32_2x3.npy')), EXPECTED['float32_2x3.npy']!, 'npy');
    assertMatches(await loadArray(fx('savez_compressed.npz#x')), EXPECTED['savez_compressed.npz#x']!, 'npz#x');
    assertMatches(await loadArray(fx('savez.npz'), { member: 'mask' }), EXPECTED['savez.npz#mask']!, 'member option');
    assertMatches(await loadArray(fx('single.npz')), EXPECTED['single.npz#arr_0']!, 'single');
    assertMatches(loadArraySync(fx('int64_4.npy')), EXPECTED['int64_4.npy']!, 'sync');
    const json = path.join(tmp, 'a.json');
    fs.writeFileSync(json, '{"x": [[1, 2], [3, 4]], "y": [0.5]}');
    assert.deepEqual(await loadArray(`${json}#x`, { dtype: 'float32' }), makeArray('float32', [2, 2], new Float32Array([1, 2, 3, 4])));
    assert.equal(loadArraySync(json, { member: 'y' }).dtype, 'float32');
  });

  it('readArrayInfo reads only the header of a .npy', async () => {
    assert.deepEqual(await readArrayInfo(fx('float32_2x3.npy')), { dtype: 'float32', shape: [2, 3] });
    assert.deepEqual(await readArrayInfo(fx('v3_header.npy')), { dtype: 'int32', shape: [4] });
    assert.deepEqual(await readArrayInfo(fx('savez.npz#y')), { dtype: 'int64', shape: [4] });
    const long = path.join(tmp, 'long-header.npy');
    fs.writeFileSync(long, writeNpy(makeArray('uint8', new Array<number>(30000).fill(1))));
    assert.equal((await readArrayInfo(long)).shape.length, 30000);
    const cut = path.join(tmp, 'cut.npy');
    fs.writeFileSync(cut, fs.readFileSync(fx('float64_5.npy')).subarray(0, 150));
    await assertDataErrorAsync(() => readArrayInfo(cut), 'data/truncated', cut);
    await assertDataErrorAsync(() => readArrayInfo(fx('fortran_2x3.npy')), 'data/fortran-order');
    await assertDataErrorAsync(() => readArrayInfo(path.join(tmp, 'nope.npy')), 'data/not-found');
  });

  it('saveNpy / saveNpz write atomically and round-trip', async () => {
    const a = makeArray('float64', [2], new Float64Array([0.25, -8]));
    const b = makeArray('int32', [1, 1], new Int32Array([3]));
    saveNpy(path.join(tmp, 'a.npy'), a);
    saveNpz(path.join(tmp, 'ab.npz'), { a, b });
    assert.deepEqual(await loadArray(path.join(tmp, 'a.npy')), a);
    assert.deepEqual(await loadArray(path.join(tmp, 'ab.npz#b')), b);
    assert.ok(!fs.readdirSync(tmp).some((f) => f.endsWith('.tmp')));
  });

  describe('errors carry the path and a hint', () => {
    it('data/not-found: missing file, missing member', async () => {
      const missing = path.join(tmp, 'missing.npy');
      await assertDataErrorAsync(() => loadArray(missing), 'data/not-found', missing, 'no such file', 'check the path');
      assertDataError(() => loadArraySync(missing), 'data/not-found', missing);
      await assertDataErrorAsync(() => loadArray(fx('savez.npz#nope')), 'data/not-found', 'savez.npz#nope', 'x, y, mask');
    });
    it('data/unsupported-format', async () => {
      await assertDataErrorAsync(() => loadArray('x.csv'), 'data/unsupported-format', 'x.csv', "'.csv'", '.npy');
      await assertDataErrorAsync(() => loadArray('x'), 'data/unsupported-format', '(none)');
    });
    it('data/io: a directory', async () => {
      const dir = path.join(tmp, 'dir.npy');
      fs.mkdirSync(dir);
      await assertDataErrorAsync(() => loadArray(dir), 'data/io', dir, 'directory');
    });
    it('binary errors name the file', async () => {
      await assertDataErrorAsync(() => loadArray(fx('object.npy')), 'data/pickle', fx('object.npy'));
      await assertDataErrorAsync(() => loadArray(fx('fortran_2x3.npy')), 'data/fortran-order', 'fortran_2x3.npy', 'np.ascontiguousarray(x)');
      await assertDataErrorAsync(() => loadArray(fx('savez.npz')), 'data/ambiguous-member', 'savez.npz#x');
      const renamed = path.join(tmp, 'zip.npy');
      fs.copyFileSync(fx('savez.npz'), renamed);
      await assertDataErrorAsync(() => loadArray(renamed), 'data/bad-magic', renamed);
      const ragged = path.join(tmp, 'r.json');
      fs.writeFileSync(ragged, '[[1], [2, 3]]');
      await assertDataErrorAsync(() => loadArray(ragged), 'data/ragged', ragged, '[1]');
    });
  });
});
