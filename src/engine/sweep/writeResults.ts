// Writes a results document atomically (temp file + rename): a crash or a cancel never leaves half a file.
import type { ResultsDocument } from '../../protocol/results';
import { writeFileAtomic } from '../util/atomic';

export function writeResults(file: string, document: ResultsDocument): void {
  writeFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`);
}
