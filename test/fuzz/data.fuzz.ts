// Data arrays, mutated: .npy (bytes, and header fields: descr, shape, header length), .npz (bytes, and zip fields:
// sizes, offsets, methods, member names, deflate bombs) and .json (text: truncation, hostile values, deep nesting,
// ragged rows). Every mutant is read with loadArray and readArrayInfo: a clean DataError, or an array whose data
// holds exactly the elements its shape says (and readArrayInfo agrees with loadArray).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { elementCount, loadArray, readArrayInfo, writeNpy, makeArray, NdArray } from '../../src/engine/data';
import { writeZip } from '../fixtures/npzWriter';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS, mutateBytes, newTally, outcome, report, Rng } from './harness';

const CASES = 1000;
const FIXTURES = path.join(__dirname, '../fixtures/data');

function consistent(a: NdArray): void {
  assert.equal(a.data.length, elementCount(a.shape), `data of ${a.data.length} for shape [${a.shape.join(', ')}]`);
}

async function readBoth(file: string): Promise<NdArray> {
  const a = await loadArray(file);
  consistent(a);
  const info = await readArrayInfo(file);
  assert.deepEqual([info.dtype, info.shape], [a.dtype, [...a.shape]]);
  return a;
}

/** Header-field mutations of a .npy: rewrite the dict literal with hostile values (header length kept valid). */
function npyHeader(rng: Rng): Buffer {
  const descr = rng.pick(["'<f4'", "'<f8'", "'<i8'", "'|b1'", "'>f4'", "'|O'", "'<U8'", "'<c8'", "[('a', '<f4')]", "'<f4", '1', "''"]);
  const shape = rng.pick(['()', '(3,)', '(2, 3)', `(${rng.pick(HOSTILE_NUMBERS)},)`, `(${rng.pick(HOSTILE_NUMBERS)}, ${rng.pick(HOSTILE_NUMBERS)})`, '(-1,)', '(1e9,)', "('a',)", '(', '[2, 3]']);
  const fortran = rng.pick(['False', 'True', '0', "'no'"]);
  const dict = rng.next() < 0.1 ? rng.pick(HOSTILE_STRINGS) : `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const body = Buffer.from(dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n', 'latin1');
  const header = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(header);
  header.writeUInt16LE(body.length, 8);
  const data = Buffer.from(new Float32Array(rng.int(12)).buffer);
  return Buffer.concat([header, body, data]);
}

let bomb: Buffer | undefined;

/** Zip-field mutations of an .npz: one member with hostile sizes, offsets, method, name, or a deflate bomb. */
function npzFields(rng: Rng): Buffer {
  const member = writeNpy(makeArray('float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])));
  const zip = Buffer.from(writeZip([{ name: rng.next() < 0.2 ? rng.pick(HOSTILE_STRINGS).slice(0, 200) || 'x.npy' : 'x.npy', data: member }]));
  const cd = zip.readUInt32LE(zip.length - 6); // central directory offset (EOCD + 16)
  const field = rng.int(7);
  const value = rng.pick([0, 1, 0xffffffff, 0xfffffffe, 2 ** 31, zip.length, zip.length + 1000, rng.int(2 ** 32)]);
  switch (field) {
    case 0: zip.writeUInt32LE(value, cd + 20); break; // compressed size
    case 1: zip.writeUInt32LE(value, cd + 24); break; // size
    case 2: zip.writeUInt32LE(value, cd + 42); break; // local header offset
    case 3: zip.writeUInt16LE(rng.pick([1, 8, 12, 14, 99]), cd + 10); break; // method
    case 4: zip.writeUInt16LE(rng.pick([0xffff, 1000, 0]), zip.length - 12); break; // entry count
    case 5: zip.writeUInt32LE(value, zip.length - 6); break; // central directory offset
    default: {
      // A deflated member that declares a small size and inflates far beyond it.
      bomb ??= zlib.deflateRawSync(Buffer.alloc(32 * 2 ** 20));
      zip.writeUInt16LE(8, cd + 10);
      return Buffer.concat([zip.subarray(0, 30 + zip.readUInt16LE(26)), bomb, zip.subarray(cd)]);
    }
  }
  return zip;
}

/** JSON text mutations: hostile values, ragged rows, deep nesting, objects of arrays. */
function jsonText(rng: Rng): string {
  const row = () => `[${Array.from({ length: 3 }, () => (rng.next() < 0.15 ? rng.pick(['null', '"x"', 'true', '1e309', '-0', '[1]', '{}', 'NaN', String(rng.pick(HOSTILE_NUMBERS))]) : String(rng.int(100) / 10))).join(', ')}]`;
  const rows = Array.from({ length: 1 + rng.int(4) }, row);
  switch (rng.int(6)) {
    case 0: return `[${rows.join(', ')}]`;
    case 1: return `{${JSON.stringify(rng.pick(HOSTILE_STRINGS))}: [${rows.join(', ')}], "b": [1, 2]}`;
    case 2: return `${'['.repeat(1 + rng.int(200))}1${']'.repeat(1 + rng.int(200))}`;
    case 3: return `[${rows.join(', ')}, [1]]`;
    case 4: return rng.pick(HOSTILE_STRINGS);
    default: return `[${rows.join(', ')}]`.slice(0, rng.int(40));
  }
}

describe('fuzz: data arrays (.npy, .npz, .json)', function () {
  this.timeout(600_000);
  let dir: string;
  const npy: Buffer[] = [];
  const npz: Buffer[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fuzz-data-'));
    for (const f of fs.readdirSync(FIXTURES)) {
      if (f.endsWith('.npy')) npy.push(fs.readFileSync(path.join(FIXTURES, f)));
      if (f.endsWith('.npz')) npz.push(fs.readFileSync(path.join(FIXTURES, f)));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const formats: [string, (rng: Rng, k: number) => Buffer | string][] = [
    ['npy', (rng, k) => (k % 3 === 0 ? npyHeader(rng) : Buffer.from(mutateBytes(npy[k % npy.length]!, rng).bytes))],
    ['npz', (rng, k) => (k % 3 === 0 ? npzFields(rng) : Buffer.from(mutateBytes(npz[k % npz.length]!, rng).bytes))],
    ['json', (rng, k) => (k % 2 === 0 ? jsonText(rng) : Buffer.from(mutateBytes(Buffer.from('[[1.5, 2, 3], [4, 5, 6e-3]]'), rng).bytes))],
  ];

  for (const [ext, make] of formats) {
    it(`${CASES} mutated .${ext} files: a clean DataError or a consistent array`, async () => {
      const rng = new Rng(0xda7a + ext.length);
      const tally = newTally();
      for (let k = 0; k < CASES; k++) {
        const file = path.join(dir, `case-${k}.${ext}`);
        fs.writeFileSync(file, make(rng, k));
        await outcome(tally, `.${ext} case ${k}`, () => readBoth(file));
        fs.rmSync(file);
      }
      console.log(`      ${report(`.${ext}`, tally)}`);
      assert.equal(tally.cases, CASES);
    });
  }
});
