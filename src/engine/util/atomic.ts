import * as fs from 'node:fs';

/** Writes atomically: a temp file in the same folder, then rename, so a crash or cancel never leaves half a file. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
