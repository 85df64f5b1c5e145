// dtype and shape of one `.npz` member without inflating or reading the member: the archive's directory from its
// tail, then the member's first bytes, inflated at most a megabyte or so. The editor asks this of every data file a
// hypothesis names, in the extension host; a 1.8 MB archive that inflated to 5.6 GB took 8 s and that memory there
// (issue 24). Loading the array itself (in a worker) still inflates, bounded by the size the directory declares.
import * as zlib from 'node:zlib';
import { DataError } from './errors';
import { parseNpyHeader } from './npy';
import { memberName } from './npz';
import { ITEM_SIZE } from './ndarray';
import { readZipDirectory, SIG_EOCD, SIG_LOCAL, U32_MAX, type ZipEntry } from './zip';
import { GatedFile, READ_LIMITS, safeName, safeNameList } from '../util/readGate';

/** Larger than the central directory of any archive of arrays a person saves. */
const MAX_DIRECTORY = 16 * 2 ** 20;

function badZip(source: string, problem: string): DataError {
  return new DataError('data/bad-zip', source, problem, 'save it again with np.savez or np.savez_compressed');
}

/** The archive's members, from its tail only: the directory and end records, re-based to offset 0 and parsed. */
function directory(file: GatedFile, source: string): ZipEntry[] {
  const window = Math.min(file.size, 22 + 0xffff);
  const tail = file.range(file.size - window, window);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let p = tail.length - 22; p >= 0; p--) if (view.getUint32(p, true) === SIG_EOCD) { eocd = p; break; }
  if (eocd < 0) throw badZip(source, file.size < 22 ? 'the file is too short to be an .npz archive' : 'not a zip archive (no end-of-directory record; truncated, or not an .npz)');
  const eocdAt = file.size - window + eocd;
  let cdOffset = view.getUint32(eocd + 16, true);
  let zip64At = -1;
  if (cdOffset === U32_MAX || view.getUint16(eocd + 10, true) === 0xffff || view.getUint32(eocd + 12, true) === U32_MAX) {
    if (eocd < 20) throw badZip(source, 'ZIP64 locator missing');
    const z = view.getBigUint64(eocd - 20 + 8, true);
    if (z > BigInt(eocdAt)) throw badZip(source, 'ZIP64 end-of-directory record missing');
    zip64At = Number(z);
    const record = file.range(zip64At, 56);
    cdOffset = Number(record.readBigUInt64LE(48));
  }
  if (!(cdOffset <= eocdAt) || eocdAt - cdOffset > MAX_DIRECTORY) throw badZip(source, 'the central directory lies outside the file, or is implausibly large');
  // Everything from the directory on, with its offsets made relative to it (the members' own offsets stay absolute).
  const rest = Buffer.from(file.range(cdOffset, file.size - cdOffset));
  const base = cdOffset;
  if (zip64At >= 0) {
    rest.writeBigUInt64LE(0n, zip64At - base + 48);
    rest.writeBigUInt64LE(BigInt(zip64At - base), eocdAt - base - 20 + 8);
  } else {
    rest.writeUInt32LE(0, eocdAt - base + 16);
  }
  try {
    return readZipDirectory(rest, source);
  } catch (e) {
    if (e instanceof RangeError) throw badZip(source, 'the archive is corrupt (a size or offset points outside the file)');
    throw e;
  }
}

/** The first `want` uncompressed bytes of a member (fewer when it is shorter), inflating at most ~1000× `want`. */
function memberHead(file: GatedFile, entry: ZipEntry, want: number, source: string): Uint8Array {
  const local = file.range(entry.localHeaderOffset, 30);
  if (local.readUInt32LE(0) !== SIG_LOCAL) throw badZip(source, `local header of '${safeName(entry.name)}' is corrupt`);
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > file.size) throw new DataError('data/truncated', source, `member '${safeName(entry.name)}' runs past the end of the archive`, 'the file is incomplete; save it again');
  if (entry.method === 0) return file.range(start, Math.min(want, entry.compressedSize));
  if (entry.method !== 8) {
    throw new DataError('data/bad-zip', source, `member '${safeName(entry.name)}' uses zip compression method ${entry.method}`, 'only stored and deflated members are read; save it with np.savez or np.savez_compressed');
  }
  // Deflate expands at most 1032:1, so a compressed prefix of k bytes inflates to at most ~1032·k: grow the prefix
  // until `want` bytes come out (a bomb's first 64 bytes already give tens of kilobytes; never gigabytes).
  let out: Uint8Array = new Uint8Array(0);
  for (let k = 64; ; k *= 4) {
    const raw = file.range(start, Math.min(entry.compressedSize, k));
    try {
      out = zlib.inflateRawSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1100 * raw.length, 1024) });
    } catch {
      throw badZip(source, `member '${safeName(entry.name)}' does not inflate (corrupt deflate data)`);
    }
    if (out.length >= want || raw.length === entry.compressedSize) return out.subarray(0, want);
  }
}

/** dtype and shape of `member` (or the only member) of an `.npz` file, reading its directory and header only. */
export function readNpzInfo(path: string, member: string | undefined): { dtype: keyof typeof ITEM_SIZE; shape: number[] } {
  const file = GatedFile.open(path, READ_LIMITS.arrayFile, '.npz file');
  try {
    const members = new Map(directory(file, path).filter((e) => e.name.endsWith('.npy')).map((e) => [e.name.slice(0, -4), e]));
    const names = [...members.keys()];
    const name = memberName(names, member, path);
    const entry = members.get(name);
    if (!entry) throw new DataError('data/not-found', `${path}#${name}`, `no array '${safeName(name)}' in the archive`, names.length ? `it holds: ${safeNameList(names)}` : 'the archive holds no arrays');
    if (entry.size > READ_LIMITS.arrayFile) throw new DataError('data/too-large', path, `member '${safeName(name)}' declares ${entry.size} bytes, over the limit for an array`, 'split the data into several files');
    const source = `${path}#${safeName(name)}`;
    for (const want of [1024, 16_384, 65_552]) {
      const head = memberHead(file, entry, want, path);
      let header: ReturnType<typeof parseNpyHeader>;
      try {
        header = parseNpyHeader(head, source);
      } catch (e) {
        // A header longer than what was read: read more of the member (up to numpy's 64 KiB header).
        if (e instanceof DataError && e.code === 'data/truncated' && want < 65_552) continue;
        throw e;
      }
      const need = header.shape.reduce((x, d) => x * d, 1) * ITEM_SIZE[header.dtype];
      // The directory's declared size is what loading will inflate to (never more): the data must fit in it.
      if (entry.size - header.dataOffset < need) {
        throw new DataError('data/truncated', source, `the header announces ${need} bytes of data but the archive declares ${Math.max(0, entry.size - header.dataOffset)}`, 'the file is incomplete; save it again');
      }
      return { dtype: header.dtype, shape: header.shape };
    }
    throw new DataError('data/bad-header', source, 'its header is longer than 64 KiB', 'save it again with numpy');
  } finally {
    file.close();
  }
}
