// `sweep --shard i/n`: one shard of a plan's work units (the i-th of n, round-robin, src/engine/sweep/units.ts),
// run over this machine's workers and written as a shard document for `merge`. A job array runs one per task.
import * as path from 'node:path';
import { allUnits, shardUnits } from '../engine/sweep/units';
import { checkResultsWritable, ResultsWriteError } from '../engine/sweep/writeResults';
import { writeFileAtomic } from '../engine/util/atomic';
import { hypothesisInputs, outputClash } from '../engine/util/outputs';
import { SHARD_KIND, SHARD_VERSION, type ShardDocument } from '../protocol/shard';
import type { Hypothesis } from '../protocol/hypothesis';
import type { RunCallbacks } from './client';
import { WorkerRunError } from './errors';
import { type ParallelOptions, planShape, runUnitsParallel } from './parallel';

export interface ShardRequest {
  /** Resolved once where the request entered (src/worker/resolve.ts). */
  hypothesis: Hypothesis;
  index: number;
  count: number;
  /** The shard document's path. */
  out: string;
}

export async function runShardToFile(req: ShardRequest, callbacks: RunCallbacks = {}, options: ParallelOptions = {}): Promise<{ path: string; document: ShardDocument }> {
  const started = performance.now();
  const { hypothesis } = req;
  const shape = planShape(hypothesis);
  let units;
  try {
    units = shardUnits(allUnits(shape.levels, shape.chains), req.index, req.count);
  } catch (e) {
    throw new WorkerRunError({ code: 'unreadable', message: (e as Error).message, hint: 'shards are numbered 0 to n − 1, as SLURM_ARRAY_TASK_ID counts with --array=0-(n−1)' });
  }
  const out = path.resolve(req.out);
  const clash = outputClash([{ path: out, what: 'the shard file (--out)' }], hypothesisInputs(hypothesis));
  if (clash !== null) throw new WorkerRunError({ code: 'run-failed', message: clash, hint: 'write the shard elsewhere (--out FILE)' });
  try {
    checkResultsWritable(out);
  } catch (e) {
    if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: e.message, hint: 'write the shard elsewhere (--out FILE)' });
    throw e;
  }
  if (units.length === 0) throw new WorkerRunError({ code: 'unreadable', message: `shard ${req.index} of ${req.count} has no work: the plan has only ${shape.levels * shape.chains} units`, hint: `use at most ${shape.levels * shape.chains} shards` });
  const run = await runUnitsParallel(hypothesis, units, callbacks, { ...options, runId: `shard-${req.index}-of-${req.count}` });
  const document: ShardDocument = {
    kind: SHARD_KIND,
    version: SHARD_VERSION,
    shard: { index: req.index, count: req.count },
    header: run.header,
    units: run.units,
    createdAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
  };
  try {
    writeFileAtomic(out, `${JSON.stringify(document)}\n`);
  } catch (e) {
    throw new WorkerRunError({ code: 'run-failed', message: `cannot write the shard to ${out}: ${(e as Error).message}` });
  }
  return { path: out, document };
}
