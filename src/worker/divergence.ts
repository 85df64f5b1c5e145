// Whether a finished sweep's document is worth writing: a level that diverged is flagged and left out of the
// verdict, but when every level diverged nothing was measured, and that is a failed run (docs/method.md, "Dials").
import type { ResultsDocument } from '../protocol/results';
import type { WorkerError } from '../protocol/worker';
import { DIALS } from '../protocol/dials';

/** Null when the document may be written (warning through `warn` about diverged levels); else the run's error. */
export function acceptDocument(document: ResultsDocument, warn: (message: string) => void): WorkerError | null {
  const diverged = document.levels.filter((l) => l.error !== undefined);
  if (diverged.length > 0 && diverged.length === document.levels.length) {
    return {
      code: 'run-failed',
      message: `every level diverged; first: ${diverged[0].error}`,
      ...(DIALS[document.dial].divergenceHint ? { hint: DIALS[document.dial].divergenceHint } : {}),
      details: diverged.map((l) => `level ${l.level}: ${l.error}`),
    };
  }
  if (diverged.length > 0) {
    warn(`${diverged.length} of ${document.levels.length} levels diverged and are left out of the verdict: ${diverged.map((l) => `level ${l.level}: ${l.error}`).join('; ')}`);
  }
  return null;
}
