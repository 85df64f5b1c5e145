/**
 * The subset of ZIP that `.npz` files use: read STORED (np.savez) and DEFLATED
 * (np.savez_compressed) members, ZIP64 records included (numpy writes with
 * force_zip64); write STORED archives. Sizes and offsets come from the central
 * directory, so data descriptors and streamed local headers need no special case.
 */
import * as zlib from 'node:zlib';
import { DataError } from './errors';
import { inflateBounded, READ_LIMITS, safeName } from '../util/readGate';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
export const U32_MAX = 0xffffffff;

function badZip(source: string, problem: string): DataError {
  return new DataError('data/bad-zip', source, problem, 'save it again with np.savez or np.savez_compressed');
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('64-bit zip field too large');
  return Number(v);
}

/** Lists the members of a zip archive from its central directory. */
export function readZipDirectory(bytes: Uint8Array, source = '<buffer>'): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is 22 bytes plus a comment of at most 65 535.
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === SIG_EOCD) { eocd = p; break; }
  }
  if (eocd < 0) {
    throw badZip(source, bytes.length < 22 ? 'the file is too short to be an .npz archive' : 'not a zip archive (no end-of-directory record; truncated, or not an .npz)');
  }
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) throw badZip(source, 'ZIP64 locator missing');
    const z = u64(view, loc + 8);
    if (z + 56 > bytes.length || view.getUint32(z, true) !== SIG_ZIP64_EOCD) throw badZip(source, 'ZIP64 end-of-directory record missing');
    count = u64(view, z + 32);
    cdSize = u64(view, z + 40);
    cdOffset = u64(view, z + 48);
  }
  if (cdOffset + cdSize > bytes.length) throw badZip(source, 'the central directory lies past the end of the file (truncated?)');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== SIG_CENTRAL) throw badZip(source, `central directory entry ${k} is corrupt`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const nameBytes = bytes.subarray(p + 46, p + 46 + nameLen);
    const name = Buffer.from(nameBytes.buffer, nameBytes.byteOffset, nameBytes.byteLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: the 64-bit values, in this order, for each 32-bit field set to 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === U32_MAX) { size = u64(view, q); q += 8; }
        if (compressedSize === U32_MAX) { compressedSize = u64(view, q); q += 8; }
        if (localHeaderOffset === U32_MAX) { localHeaderOffset = u64(view, q); q += 8; }
      }
      e += 4 + len;
    }
    // Bit 0: the member is encrypted (numpy never writes one; its bytes would read as garbage, or fail the CRC by luck only).
    if (flags & 1) throw badZip(source, `member '${safeName(name)}' is encrypted`);
    entries.push({ name, method, crc32, compressedSize, size, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one member, CRC-checked. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, source = '<buffer>', limit: number = READ_LIMITS.arrayFile): Uint8Array {
  const name = safeName(entry.name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const p = entry.localHeaderOffset;
  if (p + 30 > bytes.length || view.getUint32(p, true) !== SIG_LOCAL) throw badZip(source, `local header of '${name}' is corrupt`);
  if (view.getUint16(p + 6, true) & 1) throw badZip(source, `member '${name}' is encrypted`);
  const start = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
  if (start + entry.compressedSize > bytes.length) {
    throw new DataError('data/truncated', source, `member '${name}' runs past the end of the archive`, 'the file is incomplete; save it again');
  }
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = raw;
  } else if (entry.method === 8) {
    // Bounded by the declared size (and the array cap): a small declaration never inflates to gigabytes.
    const inflated = inflateBounded(raw, entry.size, limit);
    if (!inflated.ok) {
      throw entry.size > limit
        ? new DataError('data/too-large', source, `member '${name}' ${inflated.problem}`, 'split the data into several files')
        : badZip(source, `member '${name}' ${inflated.problem}`);
    }
    out = inflated.bytes;
  } else {
    throw new DataError('data/bad-zip', source, `member '${name}' uses zip compression method ${entry.method}`,
      'only stored and deflated members are read; save it with np.savez or np.savez_compressed');
  }
  if (out.length !== entry.size) throw badZip(source, `member '${name}' has ${out.length} bytes, the directory says ${entry.size}`);
  if (crc32(out) !== entry.crc32) throw badZip(source, `member '${name}' fails its CRC check`);
  return out;
}

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(bytes) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
