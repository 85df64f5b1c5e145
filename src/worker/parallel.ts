// A sweep fanned out over several worker processes. The grid's levels are dealt round-robin to `workers`
// processes; every level's draws come from random streams keyed by (seed, level, chain) alone, so a level gives
// the same numbers in whichever process runs it, and the merged document equals a one-process run's up to timings.
//
// Why levels and not chains: the engine's per-level statistics (chain-means standard errors, verdict tests) need
// all chains of a level in one place; levels are independent. A per-chain entry point in the runner
// (src/engine/sweep/run.ts) would allow finer fan-out for grids with fewer levels than cores.
import * as os from 'node:os';
import { decideVerdict } from '../engine/sweep/verdict';
import { writeResults } from '../engine/sweep/writeResults';
import type { Hypothesis } from '../hypothesis/types';
import type { LevelResult, ResultsDocument } from '../protocol/results';
import type { SweepDone, SweepProgress } from '../protocol/worker';
import { type RunCallbacks, type RunRequest, WorkerClient, type WorkerClientOptions } from './client';
import { acceptDocument } from './divergence';
import { WorkerRunError } from './errors';
import { defaultResultsPath } from './paths';
import * as path from 'node:path';

export interface ParallelOptions extends WorkerClientOptions {
  /** Worker processes; default `defaultWorkers(levels)`. 1 runs the whole sweep in one worker. */
  workers?: number;
  /** onnxruntime threads per worker; default: the cores divided among the workers. */
  threads?: number;
  /** Diverged-level warnings (a one-process run sends them as `log` notifications). */
  onWarning?: (message: string) => void;
  /** Aborting it kills every worker at once (no grace period): a second Ctrl-C. `callbacks.signal` cancels gracefully. */
  killSignal?: AbortSignal;
}

/** min(levels, cores): one level per core at most. */
export function defaultWorkers(levels: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(levels, cores));
}

/** Deals `levels` round-robin into at most `workers` non-empty shards (round-robin balances cheap and costly ends). */
export function dealLevels(levels: readonly number[], workers: number): number[][] {
  const shards: number[][] = Array.from({ length: Math.max(1, Math.min(workers, levels.length)) }, () => []);
  levels.forEach((t, i) => shards[i % shards.length].push(t));
  return shards;
}

/**
 * Runs the sweep of `req` over several worker processes and writes the merged results file (atomically, at the
 * end, like a one-process run). Rejects like `WorkerClient.run`; a failure or cancel in one shard cancels the rest.
 */
export async function runSweepParallel(req: RunRequest, callbacks: RunCallbacks = {}, options: ParallelOptions = {}): Promise<SweepDone> {
  const started = performance.now();
  const planner = new WorkerClient(options);
  const clients: WorkerClient[] = [planner];
  const kill = () => void Promise.all(clients.map((c) => c.cancel({ immediate: true })));
  options.killSignal?.addEventListener('abort', kill);
  try {
    const hypothesis = await planner.plan(req.source);
    const out = path.resolve(req.out ?? defaultResultsPath(hypothesis.file));
    const grid = hypothesis.degradation.temperatures.levels;
    const workers = options.workers ?? defaultWorkers(grid.length);
    // Checkpoints are levels by position in a file list: they stay in one process.
    if (workers <= 1 || grid.length < 2 || hypothesis.degradation.dial === 'checkpoints') {
      return await planner.run({ ...req, source: { kind: 'resolved', hypothesis }, out, threads: options.threads ?? req.threads }, callbacks);
    }
    const shards = dealLevels(grid, workers);
    const threads = options.threads ?? req.threads ?? Math.max(1, Math.floor(os.availableParallelism() / shards.length));
    while (clients.length < shards.length) clients.push(new WorkerClient(options));

    const runId = req.runId ?? `run-${Date.now().toString(36)}`;
    const progress = new Map<number, SweepProgress>();
    const cancelAll = () => Promise.all(clients.map((c) => c.cancel()));
    const onAbort = () => void cancelAll();
    callbacks.signal?.addEventListener('abort', onAbort);
    if (callbacks.signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the sweep was cancelled' });
    let documents: ResultsDocument[];
    try {
      documents = await allOrCancel(
        shards.map((levels, s) =>
          clients[s]
            .runShard({ hypothesis: withLevels(hypothesis, levels), runId: `${runId}/${s}`, threads }, {
              onProgress: (p) => {
                progress.set(s, p);
                callbacks.onProgress?.(combineProgress(runId, grid, shards, progress, p, s, started));
              },
              onLevel: (l) => callbacks.onLevel?.({ runId, levelIndex: grid.indexOf(levels[l.levelIndex]), levels: grid.length, result: l.result }),
            })
            .then((d) => d.document),
        ),
        cancelAll,
      );
    } finally {
      callbacks.signal?.removeEventListener('abort', onAbort);
    }
    const document = mergeShards(hypothesis, grid, documents, (performance.now() - started) / 1000);
    const failure = acceptDocument(document, (m) => options.onWarning?.(m));
    if (failure) throw new WorkerRunError(failure);
    writeResults(out, document);
    return { runId, resultsPath: out, document };
  } finally {
    options.killSignal?.removeEventListener('abort', kill);
    await Promise.all(clients.map((c) => c.dispose()));
  }
}

/** All shards' results, or the first failure once every other shard has been cancelled and has settled. */
async function allOrCancel<T>(runs: Promise<T>[], cancelAll: () => Promise<unknown>): Promise<T[]> {
  let first: unknown;
  const settled = await Promise.allSettled(
    runs.map((r) =>
      r.catch((e: unknown) => {
        // The first failure is the one to report; the cancellations it causes are not.
        if (first === undefined) {
          first = e;
          void cancelAll();
        }
        throw e;
      }),
    ),
  );
  if (first !== undefined) throw first;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function withLevels(h: Hypothesis, levels: number[]): Hypothesis {
  return { ...h, degradation: { ...h.degradation, temperatures: { ...h.degradation.temperatures, levels } } };
}

/** One document for the whole grid: levels in grid order, the verdict over all of them, the full hypothesis. */
export function mergeShards(hypothesis: Hypothesis, grid: readonly number[], documents: ResultsDocument[], totalSeconds: number): ResultsDocument {
  const byLevel = new Map<number, LevelResult>();
  for (const d of documents) for (const l of d.levels) byLevel.set(l.level, l);
  const levels = grid.map((t) => {
    const l = byLevel.get(t);
    if (!l) throw new WorkerRunError({ code: 'internal', message: `no shard returned level ${t}` });
    return l;
  });
  const first = documents[0];
  return {
    ...first,
    createdAt: new Date().toISOString(),
    status: levels.some((l) => l.error !== undefined) ? 'diverged' : 'complete',
    hypothesis: { ...first.hypothesis, resolved: hypothesis },
    levels,
    verdict: decideVerdict(levels),
    timings: { totalSeconds, setupSeconds: Math.max(...documents.map((d) => d.timings.setupSeconds)) },
  };
}

/** The sweep's progress from its shards' latest reports: fraction by levels done everywhere, ETA of the slowest. */
function combineProgress(runId: string, grid: readonly number[], shards: number[][], latest: Map<number, SweepProgress>, p: SweepProgress, s: number, started: number): SweepProgress {
  let done = 0;
  let eta: number | null = 0;
  shards.forEach((levels, i) => {
    const q = latest.get(i);
    done += q ? q.fraction * levels.length : 0;
    if (!q || q.etaSeconds === null || eta === null) eta = null;
    else eta = Math.max(eta, q.etaSeconds);
  });
  return {
    ...p,
    runId,
    levelIndex: grid.indexOf(shards[s][p.levelIndex]),
    levels: grid.length,
    fraction: done / grid.length,
    elapsedSeconds: (performance.now() - started) / 1000,
    etaSeconds: eta,
  };
}
