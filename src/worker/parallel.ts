// A sweep fanned out over several worker processes, one unit of work a (level, chain) pair. The grid's levels are
// dealt round-robin to the processes; when there are more processes than levels and the dial runs several chains
// (sgld), each level's chains are split into groups too, so that a 13-level, 4-chain grid fills 16 or 52 cores.
// Every chain's draws come from random streams keyed by (seed, level, chain) alone, so a chain gives the same
// numbers in whichever process runs it; a level's statistics are computed over its chains once they are all back
// (src/engine/sweep/level.ts), and the merged document equals a one-process run's up to timings.
import * as os from 'node:os';
import { ChainWithGaps, levelResult, MARKOV_CHAIN_DRAWS, withoutSeries } from '../engine/sweep/level';
import { judgeContext, judgeLevel, judgeLevels } from '../engine/sweep/verdict';
import { checkResultsWritable, ResultsWriteError, writeResults } from '../engine/sweep/writeResults';
import type { Hypothesis } from '../protocol/hypothesis';
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

/** min(levels × chains, cores): one (level, chain) pair per core at most. */
export function defaultWorkers(levels: number, cores = os.availableParallelism(), chains = 1): number {
  return Math.max(1, Math.min(levels * Math.max(1, chains), cores));
}

/** A shard's work: its levels, and for a chain-split grid the chains it runs at each (undefined: all of them). */
export interface ShardPlan {
  levels: number[];
  chains?: number[];
}

/**
 * At most `workers` shards covering every (level, chain) pair once. Levels alone while they are at least as many
 * as the workers; otherwise each level's chains go into g = min(chains, ⌈workers / levels⌉) contiguous groups and
 * the levels into ⌊workers / g⌋ round-robin shards, each shard one (level shard, chain group) pair.
 */
export function planShards(levels: readonly number[], chains: number, workers: number): ShardPlan[] {
  const groups = Math.max(1, Math.min(chains, Math.ceil(workers / Math.max(1, levels.length))));
  if (groups === 1) return dealLevels(levels, workers).map((l) => ({ levels: l }));
  const chainGroups = Array.from({ length: groups }, (_, g) =>
    Array.from({ length: chains }, (_, c) => c).filter((c) => Math.floor((c * groups) / chains) === g));
  return dealLevels(levels, Math.floor(workers / groups)).flatMap((l) => chainGroups.map((c) => ({ levels: l, chains: c })));
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
    asRunError(() => checkResultsWritable(out));
    const grid = hypothesis.degradation.temperatures.levels;
    const chains = hypothesis.degradation.dial === 'sgld' ? hypothesis.degradation.sgld.chains : 1;
    const workers = options.workers ?? defaultWorkers(grid.length, undefined, chains);
    // Checkpoints are levels by position in a file list: they stay in one process.
    const shards = hypothesis.degradation.dial === 'checkpoints' ? [{ levels: grid }] : planShards(grid, chains, workers);
    if (shards.length <= 1) {
      return await planner.run({ ...req, source: { kind: 'resolved', hypothesis }, out, threads: options.threads ?? req.threads }, callbacks);
    }
    const threads = options.threads ?? req.threads ?? Math.max(1, Math.floor(os.availableParallelism() / shards.length));
    while (clients.length < shards.length) clients.push(new WorkerClient(options));

    const runId = req.runId ?? `run-${Date.now().toString(36)}`;
    const progress = new Map<number, SweepProgress>();
    // A chain-split level is reported once all of its groups are back, merged.
    const parts = new Map<number, LevelResult[]>();
    const groupsOf = (t: number) => shards.filter((sh) => sh.levels.includes(t)).length;
    const cancelAll = () => Promise.all(clients.map((c) => c.cancel()));
    const onAbort = () => void cancelAll();
    callbacks.signal?.addEventListener('abort', onAbort);
    if (callbacks.signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the sweep was cancelled' });
    let documents: ResultsDocument[];
    try {
      documents = await allOrCancel(
        shards.map((shard, s) =>
          clients[s]
            .runShard({ hypothesis: withLevels(hypothesis, shard.levels), runId: `${runId}/${s}`, threads, ...(shard.chains ? { chains: shard.chains } : {}) }, {
              onProgress: (p) => {
                progress.set(s, p);
                callbacks.onProgress?.(combineProgress(runId, grid, chains, shards, progress, p, s, started));
              },
              onLevel: (l) => {
                const t = shard.levels[l.levelIndex]!;
                const got = [...(parts.get(t) ?? []), l.result];
                parts.set(t, got);
                if (got.length < groupsOf(t)) return;
                const merged = got.length === 1 ? got[0]! : mergeChainGroups(t, got);
                // Judged against the whole grid (a shard's own judgement counts only its levels).
                const judged = l.baseline ? judgeLevel(merged, judgeContext(hypothesis, l.baseline, grid.length)) : merged;
                const result = withoutShardSeries(judged);
                callbacks.onLevel?.({ runId, levelIndex: grid.indexOf(t), levels: grid.length, result });
              },
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
    asRunError(() => writeResults(out, document));
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

/** One document for the whole grid: levels in grid order (chain groups merged), the verdict over all of them, the full hypothesis. */
export function mergeShards(hypothesis: Hypothesis, grid: readonly number[], documents: ResultsDocument[], totalSeconds: number): ResultsDocument {
  const byLevel = new Map<number, LevelResult[]>();
  for (const d of documents) for (const l of d.levels) byLevel.set(l.level, [...(byLevel.get(l.level) ?? []), l]);
  const first = documents[0];
  const levels = grid.map((t) => {
    const got = byLevel.get(t);
    if (!got) throw new WorkerRunError({ code: 'internal', message: `no shard returned level ${t}` });
    return got.length === 1 ? got[0]! : mergeChainGroups(t, got);
  });
  const judged = judgeLevels(levels, judgeContext(hypothesis, first.baseline, grid.length));
  return {
    ...first,
    createdAt: new Date().toISOString(),
    status: levels.some((l) => l.error !== undefined) ? 'diverged' : 'complete',
    hypothesis: { ...first.hypothesis, resolved: hypothesis },
    levels: judged.levels.map(withoutShardSeries),
    verdict: judged.verdict,
    timings: { totalSeconds, setupSeconds: Math.max(...documents.map((d) => d.timings.setupSeconds)) },
  };
}

/** The sweep's progress from its shards' latest reports: fraction of (level, chain) pairs done, ETA of the slowest. */
function combineProgress(runId: string, grid: readonly number[], chains: number, shards: readonly ShardPlan[], latest: Map<number, SweepProgress>, p: SweepProgress, s: number, started: number): SweepProgress {
  let done = 0;
  let eta: number | null = 0;
  shards.forEach((shard, i) => {
    const q = latest.get(i);
    const weight = (shard.levels.length * (shard.chains?.length ?? chains)) / (grid.length * chains);
    done += q ? q.fraction * weight : 0;
    if (!q || q.etaSeconds === null || eta === null) eta = null;
    else eta = Math.max(eta, q.etaSeconds);
  });
  return {
    ...p,
    runId,
    levelIndex: grid.indexOf(shards[s]!.levels[p.levelIndex]!),
    levels: grid.length,
    fraction: Math.min(1, done),
    elapsedSeconds: (performance.now() - started) / 1000,
    etaSeconds: eta,
  };
}

/**
 * A level whose chains ran in groups on several shards, as one process would have given it: the chains in order,
 * cut after the first that diverged (one process stops a level there), statistics over them.
 */
function mergeChainGroups(level: number, parts: readonly LevelResult[]): LevelResult {
  const all = parts.flatMap((p) => p.chains).sort((a, b) => a.chain - b.chain);
  for (const c of all) {
    if (!c.lossGap || !c.controlLossGap || !c.targetLossGap || !c.controlTargetEffect || !c.controlCollateralEffect) {
      throw new WorkerRunError({ code: 'internal', message: `chain ${c.chain} of level ${level} came back without its per-draw series` });
    }
  }
  const diverged = all.findIndex((c) => c.diverged);
  const chains = (diverged >= 0 ? all.slice(0, diverged + 1) : all) as ChainWithGaps[];
  const error = diverged >= 0 ? parts.find((p) => p.chains.includes(all[diverged]!))?.error : undefined;
  const nbeta = parts[0]!.nbeta;
  const stepSize = parts[0]!.stepSize;
  const merged = levelResult(
    { level, chains, seconds: Math.max(...parts.map((p) => p.seconds)), ...(error !== undefined ? { error } : {}), ...(nbeta !== undefined ? { nbeta } : {}) },
    MARKOV_CHAIN_DRAWS,
  );
  if (stepSize !== undefined) merged.stepSize = stepSize;
  const burnIn = parts[0]!.burnIn;
  if (burnIn !== undefined) merged.burnIn = burnIn;
  // Every shard calibrated the level (the same pilots): the cost of one.
  const calibration = parts[0]!.calibration;
  if (calibration) merged.calibration = calibration;
  return merged;
}

/** A results file (and a live level) keeps no per-draw series of the shards' statistics (only the chain traces). */
function withoutShardSeries(l: LevelResult): LevelResult {
  return { ...l, chains: l.chains.map(withoutSeries) };
}

/** A results file that cannot be written fails the run like any worker's failure: one line, with a hint. */
function asRunError(write: () => void): void {
  try {
    write();
  } catch (e) {
    if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: e.message, hint: e.hint });
    throw e;
  }
}
