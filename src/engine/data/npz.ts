/**
 * NumPy `.npz` archives: a zip of `.npy` files, one per array (`name.npy` → `name`).
 * Reads np.savez (stored) and np.savez_compressed (deflated); writes stored.
 */
import { DataError } from './errors';
import { NdArray } from './ndarray';
import { parseNpy } from './npy';
import { readZipDirectory, readZipEntry, ZipEntry } from './zip';
import { safeName, safeNameList } from '../util/readGate';

/** A field of the archive that points outside it (DataView's RangeError) is a corrupt archive, said as such. */
function guarded<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new DataError('data/bad-zip', source, 'the archive is corrupt (a size or offset points outside the file)', 'save it again with np.savez or np.savez_compressed');
    }
    throw e;
  }
}

function arrayMembers(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const members = new Map<string, ZipEntry>();
  for (const e of guarded(source, () => readZipDirectory(bytes, source))) {
    if (e.name.endsWith('.npy')) members.set(e.name.slice(0, -4), e);
  }
  return members;
}

/** Names of the arrays in an archive, in archive order. */
export function listNpz(bytes: Uint8Array, source = '<buffer>'): string[] {
  return [...arrayMembers(bytes, source).keys()];
}

/** Every array of an archive, in archive order (members not ending in `.npy` are skipped). */
export function readNpz(bytes: Uint8Array, source = '<buffer>'): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  for (const [name, entry] of arrayMembers(bytes, source)) {
    out.set(name, parseNpy(guarded(source, () => readZipEntry(bytes, entry, source)), `${source}#${safeName(name)}`));
  }
  return out;
}

/** The member to read: the one named, or the only one (an archive of several needs `file#name`). */
export function memberName(names: readonly string[], member: string | undefined, source: string): string {
  if (member !== undefined) return member;
  if (names.length !== 1) {
    throw new DataError('data/ambiguous-member', source,
      names.length === 0 ? 'the archive holds no arrays' : `the archive holds ${names.length} arrays (${safeNameList(names)})`,
      names.length === 0 ? 'save at least one array with np.savez' : `name one as ${source}#${safeName(names[0]!)}`);
  }
  return names[0]!;
}

/**
 * One array of an archive: `member`, or the only one when `member` is omitted
 * (several members and none named is a `data/ambiguous-member` error).
 */
export function readNpzMember(bytes: Uint8Array, member?: string, source = '<buffer>'): NdArray {
  const members = arrayMembers(bytes, source);
  const names = [...members.keys()];
  const name = memberName(names, member, source);
  const entry = members.get(name);
  if (!entry) {
    throw new DataError('data/not-found', `${source}#${name}`,  `no array '${safeName(name)}' in the archive`,
      names.length ? `it holds: ${safeNameList(names)}` : 'the archive holds no arrays');
  }
  return parseNpy(guarded(source, () => readZipEntry(bytes, entry, source)), `${source}#${safeName(name)}`);
}
