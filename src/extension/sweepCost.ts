// What a sweep will cost, in the words the CodeLens and the run command use: the work estimate of
// hypothesis/workEstimate.ts spread over the worker processes this machine runs (the workerProcesses setting, or one
// per core), and whether it is long enough to offer a quick look first.
import * as os from 'node:os';
import { sweepWork, wallSeconds, type SweepWork } from '../hypothesis/workEstimate';
import { formatDuration } from '../protocol/format';

/** Above this many seconds of wall time the run command asks before it starts, offering the quick look. */
export const ASK_ABOVE_SECONDS = 120;

export interface SweepCost {
  work: SweepWork;
  workers: number;
  seconds: number;
  /** "about 27 min on 2 workers". */
  text: string;
}

export function sweepCost(degradation: Parameters<typeof sweepWork>[0], workerSetting: number): SweepCost {
  const work = sweepWork(degradation);
  const workers = Math.max(1, Math.min(workerSetting > 0 ? workerSetting : os.cpus().length, work.units || 1));
  const seconds = wallSeconds(work, workers);
  return { work, workers, seconds, text: `about ${formatDuration(seconds)} on ${workers} worker${workers === 1 ? '' : 's'}` };
}

/** "40 levels × 4000 samples" / "9 levels × 4 chains × 200 draws". */
export function workText(w: SweepWork): string {
  return w.steps > 0 ? `${w.levels} levels × ${w.chains} chains × ${w.draws} draws` : `${w.levels} levels × ${w.draws} samples`;
}
