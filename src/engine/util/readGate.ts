// The one way the tool reads a file a user named (a model, its external data, data arrays, checkpoints, hypothesis
// and results files): regular files only, sizes checked against a cap before a byte is read, FIFOs never opened
// (stat first, then open non-blocking and check the open file again, so a swap between the two cannot block),
// external files confined to a folder after symlinks are resolved, and deflate output bounded while it inflates.
// Every refusal is a ReadGateError with a stable code; names it echoes pass through `safeName`.
import { escapeTerminal } from '../../protocol/escape';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export type ReadGateCode =
  | 'read/not-found' // nothing at the path
  | 'read/not-a-file' // a directory, FIFO, socket or device
  | 'read/too-large' // larger than the cap for its kind
  | 'read/outside-folder' // an external path that leaves its folder (absolute, `..`, or a symlink out)
  | 'read/bad-range' // an offset or length that is not a whole number inside the file
  | 'read/io'; // permission denied and other errors of the system

export class ReadGateError extends Error {
  override readonly name = 'ReadGateError';
  constructor(readonly code: ReadGateCode, readonly file: string, readonly problem: string, readonly hint?: string) {
    super(`${safeName(file, 400)}: ${problem}${hint ? ` (${hint})` : ''}`);
  }
}

/** Caps in bytes, by what is read. Large enough for real files of each kind, small enough that memory stays sane. */
export const READ_LIMITS = {
  /** protobuf's own limit for one message. */
  model: 2 ** 31 - 1,
  /** One external-data file (its tensors are inlined into the in-memory model, which protobuf caps too). */
  externalData: 2 ** 31 - 1,
  /** A .npy or .npz file, and every inflated .npz member. */
  arrayFile: 2 ** 31 - 1,
  /** JSON text (V8 cannot hold a longer string than ~512 MiB; JSON arrays of numbers are 3–20× their binary size). */
  json: 256 * 2 ** 20,
  /** A hypothesis file is a page of YAML. */
  hypothesis: 4 * 2 ** 20,
  /** A results document (one entry per level and control set). */
  results: 256 * 2 ** 20,
} as const;

const MAX_NAME = 120;

/**
 * A name from a file or a path, fit to print: control characters (ANSI escapes, newlines, NUL) shown as `\xNN` /
 * `\uNNNN`, and cut to `max` characters with the full length said, so a 1 MB tensor name prints as one short line.
 */
export function safeName(name: string, max = MAX_NAME): string {
  const escaped = escapeTerminal(name);
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max)}… (${name.length} characters)`;
}

/** Several names fit to print: each escaped and cut, at most `count` of them, the total said when there are more. */
export function safeNameList(names: readonly string[], count = 8): string {
  const shown = names.slice(0, count).map((n) => safeName(n, 60)).join(', ');
  return names.length > count ? `${shown}, … (${names.length} in all)` : shown;
}

function bytesText(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** `a file`, `an external data file`, `a .npy file`. */
function article(what: string): string {
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`;
}

function kindOf(s: fs.Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function systemError(e: unknown, file: string): ReadGateError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ReadGateError('read/not-found', file, 'no such file', 'check the path');
  if (code === 'EACCES' || code === 'EPERM') return new ReadGateError('read/io', file, 'permission denied', 'check its permissions');
  if (code === 'ELOOP') return new ReadGateError('read/io', file, 'too many levels of symbolic links');
  if (code === 'EISDIR') return new ReadGateError('read/not-a-file', file, 'is a directory, not a file');
  return new ReadGateError('read/io', file, `cannot be read (${code ?? 'error'})`);
}

/** The file's stats when it is a regular file within `limit` bytes; a ReadGateError otherwise. Opens nothing. */
function statRegular(file: string, limit: number, what = 'file'): fs.Stats {
  let s: fs.Stats;
  try {
    s = fs.statSync(file);
  } catch (e) {
    throw systemError(e, file);
  }
  if (!s.isFile()) throw new ReadGateError('read/not-a-file', file, `is ${kindOf(s)}, not ${article(what)}`, `point to a regular ${what}`);
  if (s.size > limit) throw new ReadGateError('read/too-large', file, `is ${bytesText(s.size)}, over the ${bytesText(limit)} limit for ${article(what)}`);
  return s;
}

/** Opens a regular file for reading without ever blocking on a FIFO, and checks the opened file is still one. */
function openRegular(file: string, limit: number, what: string): { fd: number; size: number } {
  statRegular(file, limit, what);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw systemError(e, file);
  }
  try {
    const s = fs.fstatSync(fd);
    if (!s.isFile()) throw new ReadGateError('read/not-a-file', file, `is ${kindOf(s)}, not ${article(what)}`, `point to a regular ${what}`);
    if (s.size > limit) throw new ReadGateError('read/too-large', file, `is ${bytesText(s.size)}, over the ${bytesText(limit)} limit for ${article(what)}`);
    return { fd, size: s.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Reads `length` bytes at `position` (stops at end of file; a file that grows past its stat is not read further). */
function readAt(fd: number, file: string, position: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = fs.readSync(fd, out, done, length - done, position + done);
    } catch (e) {
      throw systemError(e, file);
    }
    if (n === 0) break;
    done += n;
  }
  return done === length ? out : out.subarray(0, done);
}

/** The whole of a regular file of at most `limit` bytes. */
export function readFileGated(file: string, limit: number, what = 'file'): Buffer {
  const { fd, size } = openRegular(file, limit, what);
  try {
    return readAt(fd, file, 0, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first bytes of a regular file (a header), at most `length`; the file's size with them. */
export function readHeadGated(file: string, length: number, limit: number, what = 'file'): { bytes: Buffer; size: number } {
  const { fd, size } = openRegular(file, limit, what);
  try {
    return { bytes: readAt(fd, file, 0, Math.min(length, size)), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** A whole number written as decimal digits (what ONNX external-data offsets and lengths are), else undefined. */
export function parseByteCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,16}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `relative` resolved inside `folder`, symlinks followed, when it stays inside: refuses absolute paths, `..`
 * segments, and links whose target lies outside the folder (also resolved). The target must be a regular file.
 */
export function confinedFile(folder: string, relative: string, what = 'file'): string {
  const shown = path.join(folder, relative);
  if (relative === '' || relative.includes('\0')) {
    throw new ReadGateError('read/outside-folder', shown, `the ${what} path is empty or holds a NUL character`);
  }
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) {
    throw new ReadGateError('read/outside-folder', relative, `the ${what} path is absolute; it must be relative to the model's folder`,
      `keep ${what} files beside the model`);
  }
  if (relative.split(/[\\/]/).includes('..')) {
    throw new ReadGateError('read/outside-folder', relative, `the ${what} path climbs out of the model's folder ('..')`, `keep ${what} files beside the model`);
  }
  let realFolder: string;
  let real: string;
  try {
    realFolder = fs.realpathSync(folder);
  } catch (e) {
    throw systemError(e, folder);
  }
  try {
    real = fs.realpathSync(path.join(folder, relative));
  } catch (e) {
    throw systemError(e, shown);
  }
  const rel = path.relative(realFolder, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ReadGateError('read/outside-folder', shown, `the ${what} path leads outside the model's folder (through a symbolic link)`,
      `copy the ${what} file into the model's folder`);
  }
  return real;
}

/** An open regular file to read ranges from (external data: many tensors in one file). */
export class GatedFile {
  private constructor(readonly file: string, private readonly fd: number, readonly size: number) {}

  static open(file: string, limit: number, what = 'file'): GatedFile {
    const { fd, size } = openRegular(file, limit, what);
    return new GatedFile(file, fd, size);
  }

  /** `length` bytes at `offset`; both must be whole numbers and the range must lie inside the file. */
  range(offset: number, length: number): Buffer {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || offset + length > this.size) {
      throw new ReadGateError('read/bad-range', this.file, `the range of ${length} bytes at offset ${offset} lies outside the file's ${this.size} bytes`);
    }
    const bytes = readAt(this.fd, this.file, offset, length);
    if (bytes.length !== length) throw new ReadGateError('read/bad-range', this.file, `the file ended before ${length} bytes at offset ${offset} (it shrank while read)`);
    return bytes;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * Inflates raw deflate data to exactly `expected` bytes (the size an archive declares), never producing more than
 * `min(expected, limit) + 1`: a member that declares a small size and inflates to gigabytes stops at once.
 */
export function inflateBounded(raw: Uint8Array, expected: number, limit: number): { ok: true; bytes: Uint8Array } | { ok: false; problem: string } {
  if (!Number.isSafeInteger(expected) || expected < 0) return { ok: false, problem: `declares an impossible size (${expected})` };
  if (expected > limit) return { ok: false, problem: `declares ${bytesText(expected)}, over the ${bytesText(limit)} limit for an array` };
  try {
    const bytes = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, expected + 1) });
    if (bytes.length !== expected) return { ok: false, problem: `inflates to ${bytes.length} bytes, the directory says ${expected}` };
    return { ok: true, bytes };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return { ok: false, problem: `inflates to more than the ${expected} bytes the directory declares` };
    return { ok: false, problem: `does not inflate (corrupt deflate data${code ? `, ${code}` : ''})` };
  }
}
