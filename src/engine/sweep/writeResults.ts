// Writes a results document atomically (temp file + rename): a crash or a cancel never leaves half a file. The
// folder is checked before a sweep starts, so a read-only or missing folder, a full disk or a directory in the
// way is reported at once, not after hours of work.
import * as fs from 'node:fs';
import type { ResultsDocument } from '../../protocol/results';
import { createExclusive, writeFileAtomic } from '../util/atomic';
import { portableResults } from './resultsPaths';

/** The results file cannot be written: one line naming the file and why, and what to do instead. */
export class ResultsWriteError extends Error {
  override readonly name = 'ResultsWriteError';
  readonly hint = 'write the results elsewhere (sweep --out FILE, or the setting circuitThermometer.resultsFolder)';
}

const WHY: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its folder path is a file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
};

function failure(file: string, e: unknown): ResultsWriteError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = (code && WHY[code]) ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
  return new ResultsWriteError(`cannot write the results to ${file}: ${why}`);
}

/** Throws ResultsWriteError unless `file` can be written now (a directory in the way, no folder, no space, no right). */
export function checkResultsWritable(file: string): void {
  try {
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    // A byte, written and removed beside the file, where the atomic write will put its temp file. Created exclusively
    // under a random name: in a shared folder a planted symbolic link is never followed.
    const probe = createExclusive(file, '.probe');
    try {
      fs.writeSync(probe.fd, 'x');
    } finally {
      fs.closeSync(probe.fd);
      fs.rmSync(probe.path, { force: true });
    }
  } catch (e) {
    throw failure(file, e);
  }
}

/** Writes the document with its file paths relative to `file`'s folder (resultsPaths.ts) and returns what it wrote. */
export function writeResults(file: string, document: ResultsDocument): ResultsDocument {
  const portable = portableResults(document, file);
  try {
    writeFileAtomic(file, `${JSON.stringify(portable, null, 2)}\n`);
  } catch (e) {
    throw failure(file, e);
  }
  return portable;
}
