import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A fresh file beside `file`, created exclusively (O_CREAT | O_EXCL, so a symbolic link or a file planted under the
 * name is never followed or overwritten) under an unguessable name `<file>.<pid>.<random><suffix>`. Returns its path;
 * the caller writes through `fd` and removes it.
 */
export function createExclusive(file: string, suffix: string): { path: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const name = path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.${randomBytes(12).toString('hex')}${suffix}`);
    try {
      return { path: name, fd: fs.openSync(name, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o666) };
    } catch (e) {
      // 96 random bits collide only when someone planted the name: try another, a few times.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 3) continue;
      throw e;
    }
  }
}

/** Writes atomically: an exclusive temp file in the same folder, then rename, so a crash or cancel never leaves half a file. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = createExclusive(file, '.tmp');
  try {
    try {
      fs.writeFileSync(tmp.fd, data);
    } finally {
      fs.closeSync(tmp.fd);
    }
    fs.renameSync(tmp.path, file);
  } catch (e) {
    fs.rmSync(tmp.path, { force: true });
    throw e;
  }
}
