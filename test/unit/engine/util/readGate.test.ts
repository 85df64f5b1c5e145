// The read gate (src/engine/util/readGate.ts) and the readers behind it: regular files only (FIFOs refused without
// opening them, directories and devices refused), caps checked before reading, npz bombs stopped while inflating,
// JSON that never echoes its text (a data path that is really /proc/self/environ) nor overflows the stack.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DataError, loadArray, readArrayInfo } from '../../../../src/engine/data';
import { crc32 } from '../../../../src/engine/data/zip';
import { loadModel, ModelError } from '../../../../src/engine/onnx';
import { checkHypothesisText, HypothesisReadError, readHypothesisFile } from '../../../../src/hypothesis';
import { nestingProblem, parseJsonText } from '../../../../src/engine/util/jsonText';
import { confinedFile, inflateBounded, readFileGated, ReadGateError, safeName } from '../../../../src/engine/util/readGate';

function gateError(f: () => unknown, code: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ReadGateError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('read gate', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-gate-'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.onnx')]);
    fs.mkdirSync(path.join(dir, 'folder.npy'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file whole, and refuses one over its cap before reading it', () => {
    const f = path.join(dir, 'ten.bin');
    fs.writeFileSync(f, Buffer.alloc(10, 7));
    assert.deepEqual([...readFileGated(f, 10)], new Array(10).fill(7));
    gateError(() => readFileGated(f, 9, 'model'), 'read/too-large', /is 10 bytes, over the 9 bytes limit for a model/);
  });

  it('refuses FIFOs (without blocking), directories and devices; names a missing file', () => {
    gateError(() => readFileGated(path.join(dir, 'pipe.onnx'), 1e9), 'read/not-a-file', /is a FIFO \(named pipe\)/);
    gateError(() => readFileGated(path.join(dir, 'folder.npy'), 1e9), 'read/not-a-file', /is a directory/);
    gateError(() => readFileGated('/dev/zero', 1e12), 'read/not-a-file', /is a device/);
    gateError(() => readFileGated(path.join(dir, 'nothing'), 1e9), 'read/not-found', /no such file/);
  });

  it('every reader goes through it: model, data, hypothesis', async () => {
    assert.throws(() => loadModel(path.join(dir, 'pipe.onnx')), (e: unknown) => e instanceof ModelError && e.code === 'onnx/not-a-file' && /FIFO/.test(e.message));
    assert.throws(() => loadModel('/dev/zero'), (e: unknown) => e instanceof ModelError && e.code === 'onnx/not-a-file' && /is a device/.test(e.message));
    execFileSync('mkfifo', [path.join(dir, 'pipe.npy'), path.join(dir, 'pipe.json'), path.join(dir, 'pipe.circuit.yaml')]);
    for (const f of ['pipe.npy', 'pipe.json']) {
      await assert.rejects(loadArray(path.join(dir, f)), (e: unknown) => e instanceof DataError && e.code === 'data/io' && /FIFO/.test(e.message));
    }
    await assert.rejects(readArrayInfo(path.join(dir, 'pipe.npy')), (e: unknown) => e instanceof DataError && /FIFO/.test(e.message));
    await assert.rejects(loadArray(path.join(dir, 'folder.npy')), (e: unknown) => e instanceof DataError && /is a directory/.test(e.message));
    assert.throws(() => readHypothesisFile(path.join(dir, 'pipe.circuit.yaml')), (e: unknown) => e instanceof HypothesisReadError && /FIFO/.test(e.message));
    // A hypothesis naming a FIFO as its model: a diagnostic at `model:`, not a hang.
    const r = await checkHypothesisText('model: ./pipe.onnx\n', path.join(dir, 'h.circuit.yaml'));
    const d = r.diagnostics.find((x) => x.code === 'hyp/model-unreadable');
    assert.ok(d, r.diagnostics.map((x) => x.code).join(', '));
    assert.match(d.message, /is a FIFO/);
  });

  it('confines a relative path to its folder after resolving symlinks', () => {
    const folder = path.join(dir, 'conf');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'w.bin'), 'x');
    fs.mkdirSync(path.join(folder, 'sub'));
    fs.writeFileSync(path.join(folder, 'sub', 'v.bin'), 'y');
    assert.equal(confinedFile(folder, 'w.bin'), fs.realpathSync(path.join(folder, 'w.bin')));
    assert.equal(confinedFile(folder, 'sub/v.bin'), fs.realpathSync(path.join(folder, 'sub', 'v.bin')));
    fs.symlinkSync('/etc/hostname', path.join(folder, 'host'));
    fs.symlinkSync('..', path.join(folder, 'up'));
    gateError(() => confinedFile(folder, 'host'), 'read/outside-folder', /through a symbolic link/);
    gateError(() => confinedFile(folder, 'up/ten.bin'), 'read/outside-folder', /through a symbolic link/);
    gateError(() => confinedFile(folder, '../ten.bin'), 'read/outside-folder', /\('\.\.'\)/);
    gateError(() => confinedFile(folder, '/etc/passwd'), 'read/outside-folder', /is absolute/);
    gateError(() => confinedFile(folder, 'a\0b'), 'read/outside-folder', /NUL/);
  });

  it('inflates at most the declared size: a bomb declaring 1000 bytes stops at once', () => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 2 ** 20));
    const r = inflateBounded(bomb, 1000, 2 ** 31 - 1);
    assert.deepEqual(r, { ok: false, problem: 'inflates to more than the 1000 bytes the directory declares' });
    assert.deepEqual(inflateBounded(bomb, 2 ** 32, 2 ** 31 - 1), { ok: false, problem: 'declares 4.0 GiB, over the 2.0 GiB limit for an array' });
    const fine = inflateBounded(zlib.deflateRawSync(Buffer.from('hello')), 5, 100);
    assert.ok(fine.ok && Buffer.from(fine.bytes).toString() === 'hello');
  });

  it('an .npz bomb (256 MiB of zeros declared as 1000 bytes) is refused without inflating it', async () => {
    const member = zlib.deflateRawSync(Buffer.alloc(2 ** 28), { level: 9 });
    const file = path.join(dir, 'bomb.npz');
    fs.writeFileSync(file, deflatedArchive('x.npy', member, 1000));
    const before = process.memoryUsage().rss;
    await assert.rejects(loadArray(file), (e: unknown) => e instanceof DataError && e.code === 'data/bad-zip' && /inflates to more than the 1000 bytes the directory declares/.test(e.message));
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'no gigabyte was allocated');
  });

  it('JSON problems name a line and column and never quote the text; deep nesting is refused, not overflowed', async () => {
    const secret = 'HOME=/root\nSECRET_TOKEN=abc123\n';
    const r = parseJsonText(secret);
    assert.ok(!r.ok);
    assert.equal(r.error.problem, 'invalid JSON: an unexpected character');
    assert.deepEqual([r.error.line, r.error.col], [1, 1]);
    const file = path.join(dir, 'environ.json');
    fs.writeFileSync(file, secret);
    await assert.rejects(loadArray(file), (e: unknown) => {
      assert.ok(e instanceof DataError && e.code === 'data/bad-json');
      assert.ok(!e.message.includes('SECRET') && !e.message.includes('HOME'), e.message);
      assert.match(e.message, /invalid JSON: an unexpected character at line 1, column 1/);
      return true;
    });
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    fs.writeFileSync(path.join(dir, 'deep.json'), deep);
    await assert.rejects(loadArray(path.join(dir, 'deep.json')), /nesting deeper than 64 levels at line 1, column 65/);
    assert.equal(nestingProblem('{"a": "[[[[[[[[["}', 3), null, 'brackets inside strings do not count');
    // The hypothesis parser (YAML) is guarded the same way: the yaml library itself runs out of memory on this.
    const h = await checkHypothesisText(`model: ${deep}\n`, path.join(dir, 'deep.circuit.yaml'));
    assert.deepEqual(h.diagnostics.map((d) => d.code), ['hyp/syntax']);
    assert.match(h.diagnostics[0]!.message, /nests brackets more than 64 levels deep/);
  });

  it('names echoed in messages: control characters escaped, long names cut', () => {
    assert.equal(safeName('a\u001b[31mb\nc'), 'a\\x1b[31mb\\x0ac');
    assert.equal(safeName('\u202eevil'), '\\u202eevil');
    const long = safeName('n'.repeat(1_000_000));
    assert.equal(long, `${'n'.repeat(120)}… (1000000 characters)`);
  });
});

/** A one-member zip whose member is `deflated` data that declares (and is CRC-stamped for) `size` zero bytes. */
function deflatedArchive(member: string, deflated: Uint8Array, size: number): Buffer {
  const name = Buffer.from(member);
  const nameLen = name.length;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflated
  local.writeUInt32LE(crc32(new Uint8Array(size)), 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(nameLen, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(new Uint8Array(size)), 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(nameLen, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = 30 + nameLen + deflated.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + nameLen, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, deflated, central, name, eocd]);
}
