// A scan's results file: `<name>.scan.json` beside its hypothesis, written atomically with its file paths relative to
// its folder (as sweep results are, resultsPaths.ts), read back through the read gate and checked field by field.
import * as path from 'node:path';
import { currentScan, type ScanDocument, scanProblem } from '../../protocol/scan';
import { writeFileAtomic } from '../util/atomic';
import { readGatedDocument } from './readResults';
import { mapResultsPaths, relativeToResults, resolveFromResults } from './resultsPaths';
import { checkResultsWritable, ResultsWriteError } from './writeResults';

const SUFFIXES = ['.circuit.yaml', '.circuit.yml', '.circuit.json', '.yaml', '.yml', '.json'];

/** `<dir>/<name>.scan.json` for `<dir>/<name>.circuit.yaml`. */
export function defaultScanPath(hypothesisFile: string): string {
  const base = path.basename(hypothesisFile);
  const suffix = SUFFIXES.find((s) => base.toLowerCase().endsWith(s) && base.length > s.length);
  return path.join(path.dirname(hypothesisFile), `${suffix ? base.slice(0, -suffix.length) : base}.scan.json`);
}

/** Whether a file name is a scan's results file. */
export const isScanFileName = (file: string): boolean => /\.scan\.json$/i.test(file);

export { checkResultsWritable as checkScanWritable };

/** Writes the document with its paths relative to `file`'s folder; returns what it wrote. */
export function writeScan(file: string, doc: ScanDocument): ScanDocument {
  const portable = mapResultsPaths(doc, (f) => relativeToResults(f, file));
  try {
    writeFileAtomic(file, `${JSON.stringify(portable, null, 2)}\n`);
  } catch (e) {
    throw new ResultsWriteError(`cannot write the scan to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return portable;
}

/** Reads a scan file; its paths made absolute again. Throws ResultsFileError naming the first bad field. */
export function readScanFile(file: string): ScanDocument {
  const scan = readGatedDocument<ScanDocument>(file, 'scan file', 'scan', scanProblem);
  return mapResultsPaths(currentScan(scan), (f) => resolveFromResults(f, file));
}
