/**
 * Loading arrays from files: `.npy`, `.npz` (`file.npz#member`, or its only
 * member) and `.json` (nested arrays; `file.json#key` for an object of arrays).
 * Every failure is a {@link DataError} whose message names the path and a fix.
 */
import { readNpzInfo } from './npzInfo';
import * as nodePath from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { READ_LIMITS, readFileGated, readHeadGated, ReadGateError } from '../util/readGate';
import { DataError } from './errors';
import { parseJsonArray } from './json';
import { DType, elementCount, ITEM_SIZE, NdArray } from './ndarray';
import { NpyHeader, parseNpy, parseNpyHeader, trailingBytes, writeNpy } from './npy';
import { readNpzMember } from './npz';

export type ArrayFormat = 'npy' | 'npz' | 'json';

export interface LoadOptions {
  /** Array inside an .npz (or key of a JSON object); overrides a `#member` suffix of the path. */
  member?: string;
  /** For .json only: the dtype to build (inferred when omitted). Binary files keep their dtype. */
  dtype?: DType;
}

export interface ArrayRef {
  file: string;
  member?: string;
  format: ArrayFormat;
}

const FORMATS: Readonly<Record<string, ArrayFormat>> = { '.npy': 'npy', '.npz': 'npz', '.json': 'json' };

function formatOf(file: string): ArrayFormat | undefined {
  return FORMATS[nodePath.extname(file).toLowerCase()];
}

/**
 * Splits `data/xy.npz#x` into file and member (only after .npz / .json) and
 * finds the format from the extension.
 */
export function parseArrayRef(path: string, member?: string): ArrayRef {
  let file = path;
  const hash = path.lastIndexOf('#');
  if (member === undefined && hash > 0) {
    const head = path.slice(0, hash);
    const f = formatOf(head);
    if (f === 'npz' || f === 'json') {
      file = head;
      member = path.slice(hash + 1);
    }
  }
  const format = formatOf(file);
  if (!format) {
    throw new DataError('data/unsupported-format', path, `unsupported file type '${nodePath.extname(file) || '(none)'}'`,
      'use .npy (np.save), .npz (np.savez) or .json (nested lists)');
  }
  if (format === 'npy' && member !== undefined) {
    throw new DataError('data/not-found', `${file}#${member}`, 'a .npy file holds a single array and has no members',
      `drop '#${member}', or store several arrays with np.savez`);
  }
  return member === undefined ? { file, format } : { file, member, format };
}

/** A refusal of the read gate (src/engine/util/readGate.ts) as a data error of the same meaning. */
function ioError(e: unknown, file: string): DataError {
  if (e instanceof DataError) return e;
  if (e instanceof ReadGateError) {
    if (e.code === 'read/not-found') return new DataError('data/not-found', file, 'no such file', 'check the path');
    if (e.code === 'read/too-large') return new DataError('data/too-large', file, e.problem, 'split the data, or save it as .npy');
    return new DataError('data/io', file, e.problem, e.code === 'read/not-a-file' ? 'point to a .npy, .npz or .json file' : e.hint);
  }
  return new DataError('data/io', file, 'cannot be read', 'check its permissions');
}

/** The file's bytes through the read gate, capped by its format. */
function readBytes(ref: ArrayRef): Buffer {
  try {
    return readFileGated(ref.file, ref.format === 'json' ? READ_LIMITS.json : READ_LIMITS.arrayFile, `.${ref.format} file`);
  } catch (e) {
    throw ioError(e, ref.file);
  }
}

function decode(bytes: Buffer, ref: ArrayRef, options: LoadOptions): NdArray {
  switch (ref.format) {
    case 'npy':
      return parseNpy(bytes, ref.file);
    case 'npz':
      return readNpzMember(bytes, ref.member, ref.file);
    case 'json':
      return parseJsonArray(bytes.toString('utf8'), { source: ref.file, member: ref.member, dtype: options.dtype });
  }
}

/** Loads one array. `path` may carry a member: `data/xy.npz#x`. */
export async function loadArray(path: string, options: LoadOptions = {}): Promise<NdArray> {
  const ref = parseArrayRef(path, options.member);
  return decode(readBytes(ref), ref, options);
}

/** Synchronous {@link loadArray}. */
export function loadArraySync(path: string, options: LoadOptions = {}): NdArray {
  const ref = parseArrayRef(path, options.member);
  return decode(readBytes(ref), ref, options);
}

export interface ArrayInfo {
  dtype: DType;
  shape: number[];
}

/**
 * dtype and shape without keeping the elements: reads only the header of a
 * .npy, and the directory and member header of an .npz (cheap on large files); .json is decoded in full.
 * Used by hypothesis checks that compare data shapes with model inputs.
 */
export async function readArrayInfo(path: string, options: LoadOptions = {}): Promise<ArrayInfo> {
  const ref = parseArrayRef(path, options.member);
  // An archive's directory and its member's header only: never the member itself (issue 24).
  if (ref.format === 'npz') {
    try {
      return readNpzInfo(ref.file, ref.member);
    } catch (e) {
      throw ioError(e, ref.file);
    }
  }
  if (ref.format !== 'npy') {
    const a = await loadArray(path, options);
    return { dtype: a.dtype, shape: [...a.shape] };
  }
  try {
    let size = 4096;
    for (;;) {
      const head = readHeadGated(ref.file, size, READ_LIMITS.arrayFile, '.npy file');
      let header: NpyHeader;
      try {
        header = parseNpyHeader(head.bytes, ref.file);
      } catch (e) {
        // A header longer than what was read (v2/v3 headers may exceed 4 KiB): read more of the file.
        if (e instanceof DataError && e.code === 'data/truncated' && head.bytes.length === size && size < head.size) {
          size = Math.min(size * 16, head.size);
          continue;
        }
        throw e;
      }
      const need = elementCount(header.shape) * ITEM_SIZE[header.dtype];
      if (head.size - header.dataOffset < need) {
        throw new DataError('data/truncated', ref.file,
          `the header announces ${need} bytes of data but only ${head.size - header.dataOffset} follow`, 'the file is incomplete; save it again');
      }
      if (head.size - header.dataOffset > need) throw trailingBytes(ref.file, header, need, head.size - header.dataOffset);
      return { dtype: header.dtype, shape: header.shape };
    }
  } catch (e) {
    throw ioError(e, ref.file);
  }
}

/** Saves one array as .npy (numpy's bytes), atomically (temp file + rename). */
export function saveNpy(file: string, array: NdArray): void {
  writeFileAtomic(file, writeNpy(array));
}
