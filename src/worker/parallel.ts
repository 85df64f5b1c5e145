// A sweep's work units ((level, chain) pairs, src/engine/sweep/units.ts) dealt over several worker processes.
// Every unit's draws come from random streams keyed by (seed, level, chain) alone, so a unit gives the same numbers
// in whichever process runs it, and the document assembled from the units equals a one-process run's up to timings.
// The client journals every unit as it arrives (beside the results file), retries a killed worker's share once,
// and `resume` runs only what an interrupted run's journal lacks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { journalPathFor, JournalError, JournalWriter, readJournal, type Journal } from '../engine/sweep/journal';
import { allUnits, LevelAssembler, missingUnits, resultsFromUnits, shardUnits, unitKey } from '../engine/sweep/units';
import { checkResultsWritable, ResultsWriteError, writeResults } from '../engine/sweep/writeResults';
import { assembledProblem, bindingMismatch, settingChanged } from '../engine/sweep/unitsCheck';
import { hypothesisInputs, type NamedPath, outputClash } from '../engine/util/outputs';
import { safeName } from '../engine/util/readGate';
import { chainsPerLevel, type Hypothesis } from '../protocol/hypothesis';
import type { ResultsDocument } from '../protocol/results';
import type { PlanBinding, SweepHeader, UnitResult, WorkUnit } from '../protocol/shard';
import { type KeptJournal, keptJournalText, resumeAdvice, type SweepDone } from '../protocol/worker';
import { type RunCallbacks, WorkerClient, type WorkerClientOptions } from './client';
import { acceptDocument } from './divergence';
import { WorkerRunError } from './errors';
import { defaultResultsPath } from './paths';
import { ProgressTotal } from './progress';
import { UNREADABLE_CODES } from '../protocol/exitStatus';

export interface ParallelOptions extends WorkerClientOptions {
  /** Worker processes; default `defaultWorkers(levels, cores, chains)`. 1 runs every unit in one worker. */
  workers?: number;
  /** onnxruntime threads per worker; default: the cores divided among the workers. */
  threads?: number;
  /** Warnings for people: diverged levels, a retried worker, a replaced journal. */
  onWarning?: (message: string) => void;
  /** Aborting it kills every worker at once (no grace period): a second Ctrl-C. `callbacks.signal` cancels gracefully. */
  killSignal?: AbortSignal;
  /** Finish an interrupted run: only the units its journal lacks run (the journal must belong to this plan). */
  resume?: boolean;
  /** Other files the caller writes when the run is done (the CLI's `--html` page): checked with the results before
   *  any work, writable and neither an input of the run nor another output. */
  alsoWrites?: readonly NamedPath[];
}

/** min(levels × chains, cores): one unit per core at most. */
export function defaultWorkers(levels: number, cores = os.availableParallelism(), chains = 1): number {
  return Math.max(1, Math.min(levels * Math.max(1, chains), cores));
}

/** A whole sweep: its hypothesis, resolved once where the request entered (src/worker/resolve.ts in the CLI, the
 *  editor's own check), is sent with the work units; no worker resolves it again. */
export interface SweepRequest {
  hypothesis: Hypothesis;
  /** Results file; default `<name>.results.json` beside the hypothesis file. */
  out?: string;
  /** Default: a fresh id. */
  runId?: string;
}

/** What a run of `h` is bound to, from its files as they are now (hashed here; the engine's module loads on first use).
 *  A file that cannot be read is 'unreadable', as `check` says of it. */
function planBinding(h: Hypothesis): PlanBinding {
  try {
    return (require('../engine/sweep/inputs') as typeof import('../engine/sweep/inputs')).planBindingOf(h);
  } catch (e) {
    const { code, hint } = e as { code?: unknown; hint?: unknown };
    throw new WorkerRunError({
      code: typeof code === 'string' && UNREADABLE_CODES.has(code) ? 'unreadable' : 'run-failed',
      message: (e as Error).message,
      ...(typeof hint === 'string' ? { hint } : {}),
    });
  }
}

/** Levels × chains of a hypothesis's plan (noise dials and checkpoints run one chain per level; a two-dial map's
 *  levels are its cells, rows × columns). */
export function planShape(h: Hypothesis): { levels: number; chains: number } {
  return { levels: h.degradation.levels.length * (h.degradation.grid?.checkpoints.length ?? 1), chains: chainsPerLevel(h) };
}

/** What a set of workers gave back for some units: the plan's header and the units (in arrival order). */
export interface UnitsRun {
  header: SweepHeader;
  units: UnitResult[];
}

interface UnitsRunOptions extends ParallelOptions {
  runId: string;
  /** Units already done (a journal's): counted in the progress, not run. */
  alreadyDone?: readonly UnitResult[];
  /** Header of those units: a worker whose plan differs fails the run. */
  expectHeader?: SweepHeader;
  /** Every unit as it arrives, before it counts (a journal writes it here; throwing fails the run). */
  onUnit?: (unit: UnitResult, header: SweepHeader) => void;
  onHeader?: (header: SweepHeader) => void;
  /** Total units of the whole plan, for the progress count (default: alreadyDone + todo). */
  totalUnits?: number;
}

/**
 * Runs `todo` over worker processes and resolves with every unit they return. A worker that is killed or crashes
 * has its unfinished units retried once in a fresh worker; a second loss, any other failure, or a cancel stops
 * every worker and rejects (units that arrived have been handed to `onUnit` already).
 */
export async function runUnitsParallel(hypothesis: Hypothesis, todo: readonly WorkUnit[], callbacks: RunCallbacks, options: UnitsRunOptions): Promise<UnitsRun> {
  const started = performance.now();
  const shape = planShape(hypothesis);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(shape.levels, undefined, shape.chains), Math.max(1, todo.length)));
  const threads = options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / workers));
  const alreadyDone = options.alreadyDone ?? [];
  const total = new ProgressTotal(options.runId, options.totalUnits ?? alreadyDone.length + todo.length, alreadyDone.length, workers, started);
  const received = new Set(alreadyDone.map(unitKey));
  const units: UnitResult[] = [];
  let header: SweepHeader | null = options.expectHeader ?? null;
  const assembler = new LevelAssembler((result, levelIndex) => callbacks.onLevel?.({ runId: options.runId, levelIndex, levels: shape.levels, result }));
  if (header) for (const u of alreadyDone) assembler.add(header, u);

  const clients = new Map<number, WorkerClient>();
  let failure: unknown;
  let cancelled = false;
  const cancelAll = () => Promise.all([...clients.values()].map((c) => c.cancel()));
  const fail = (e: unknown) => {
    if (failure === undefined) failure = e;
    void cancelAll();
  };
  const onAbort = () => {
    cancelled = true;
    void cancelAll();
  };
  const kill = () => void Promise.all([...clients.values()].map((c) => c.cancel({ immediate: true })));
  callbacks.signal?.addEventListener('abort', onAbort);
  options.killSignal?.addEventListener('abort', kill);

  const runShare = async (w: number, share: readonly WorkUnit[], retried: boolean): Promise<void> => {
    if (share.length === 0) return;
    const client = new WorkerClient(options);
    clients.set(w, client);
    try {
      if (cancelled) throw new WorkerRunError({ code: 'cancelled', message: 'the sweep was cancelled' });
      await client.runShard({ hypothesis, units: [...share], runId: `${options.runId}/${w}`, threads }, {
        onProgress: (p) => callbacks.onProgress?.(total.report(w, p)),
        onHeader: ({ header: h }) => {
          if (header && h.plan !== header.plan) {
            fail(new WorkerRunError({ code: 'run-failed', message: 'a worker computed another plan than the one being finished (the hypothesis, its model or the engine changed)', hint: 'delete the journal and start the run over' }));
            return;
          }
          if (!header) {
            header = h;
            try {
              options.onHeader?.(h);
            } catch (e) {
              fail(e);
            }
          }
        },
        onUnit: ({ unit }) => {
          if (failure !== undefined || received.has(unitKey(unit)) || !header) return;
          try {
            options.onUnit?.(unit, header);
          } catch (e) {
            fail(e);
            return;
          }
          received.add(unitKey(unit));
          units.push(unit);
          total.unitDone();
          assembler.add(header, unit);
          callbacks.onProgress?.(total.current());
        },
      });
    } catch (e) {
      total.forget(w);
      // Killed, crashed, or stopped (SIGSTOP) past the watchdog's patience: its share runs again in a fresh worker.
      const lost = e instanceof WorkerRunError && (e.code === 'worker-killed' || e.code === 'worker-crashed' || e.code === 'worker-unresponsive');
      if (lost && !retried && !cancelled && failure === undefined) {
        const rest = share.filter((u) => !received.has(unitKey(u)));
        options.onWarning?.(`worker ${w + 1} was lost (${e.message}); its ${rest.length} unfinished work unit${rest.length === 1 ? '' : 's'} run again in a fresh worker`);
        await client.dispose();
        return runShare(w, rest, true);
      }
      throw e;
    } finally {
      total.forget(w);
    }
  };

  try {
    const settled = await Promise.allSettled(Array.from({ length: workers }, (_, w) => runShare(w, shardUnits(todo, w, workers), false).catch((e: unknown) => {
      // The first failure is the one to report; the cancellations it causes are not.
      fail(e);
      throw e;
    })));
    if (cancelled) throw new WorkerRunError({ code: 'cancelled', message: 'the sweep was cancelled' });
    if (failure !== undefined) throw failure;
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) throw rejected.reason;
    if (!header) throw new WorkerRunError({ code: 'internal', message: 'no worker reported the plan' });
    return { header, units };
  } finally {
    callbacks.signal?.removeEventListener('abort', onAbort);
    options.killSignal?.removeEventListener('abort', kill);
    await Promise.all([...clients.values()].map((c) => c.dispose()));
  }
}

/**
 * Runs the sweep of `req` over worker processes and writes its results file (atomically, at the end). Units are
 * journalled beside the results as they arrive; on success the journal is removed, otherwise it is kept and
 * `resume` finishes the run. Rejects with a `WorkerRunError` whose `code` says why ('run-failed', 'cancelled',
 * 'worker-killed', …); a cancelled or failed run writes no results file (nor a temp file).
 */
export async function runSweepParallel(req: SweepRequest, callbacks: RunCallbacks = {}, options: ParallelOptions = {}): Promise<SweepDone> {
  const { hypothesis } = req;
  if (hypothesis.degradation.grid) throw new WorkerRunError({ code: 'run-failed', message: 'this hypothesis is a two-dial grid (degradation.grid): its cells make a map, not one curve', hint: 'run it with `circuit-thermometer grid` (or Run grid in the editor)' });
  const out = path.resolve(req.out ?? defaultResultsPath(hypothesis.file));
  const runId = req.runId ?? `run-${Date.now().toString(36)}`;
  return runJournalled({ hypothesis, out, what: 'the results file', noun: 'sweep' }, callbacks, options, (assembled) => {
    const unfit = assembledProblem(assembled);
    if (unfit !== null) throw new WorkerRunError({ code: 'run-failed', message: `the results assembled from the work units are not a valid results document (${safeName(unfit, 200)})`, hint: `delete ${path.basename(journalPathFor(out))} and start the run over` });
    const failure = acceptDocument(assembled, (m) => options.onWarning?.(m));
    if (failure) throw new WorkerRunError(failure);
    // The document as written: its paths relative to the results file.
    const document = asRunError(() => writeResults(out, assembled));
    return { runId, resultsPath: out, document };
  }, runId);
}

/** What a journalled run writes: its output file (the journal lies beside it, `journalPathFor(out)`). */
export interface JournalledTarget {
  hypothesis: Hypothesis;
  /** Absolute path of the file the run writes at the end. */
  out: string;
  /** That file in words, for the output checks ("the results file"). */
  what: string;
  /** What the run is called in hints ("run the sweep again"). */
  noun: 'sweep' | 'grid';
}

/**
 * Every work unit of `target`'s plan over worker processes, each journalled as it arrives (beside `target.out`),
 * then `finish` with the document assembled from all of them (it writes the output; throwing fails the run). With
 * `options.resume` only the units the journal lacks run, and the journal must belong to this plan. On success the
 * journal is removed; a failed or cancelled run keeps it when it holds a unit, and says so in its error.
 */
export async function runJournalled<T>(target: JournalledTarget, callbacks: RunCallbacks, options: ParallelOptions, finish: (assembled: ResultsDocument) => T, runId: string): Promise<T> {
  const started = performance.now();
  const { hypothesis, out, noun } = target;
  // A resumed run hashes its files now: the journal must have been written for exactly these (issue 24).
  const binding = options.resume ? planBinding(hypothesis) : null;
  const journalPath = journalPathFor(out);
  checkOutputs([{ path: out, what: target.what }, { path: journalPath, what: 'the journal' }, ...(options.alsoWrites ?? [])], hypothesis);
  const shape = planShape(hypothesis);
  const all = allUnits(shape.levels, shape.chains);
  const journal = binding ? openJournal(journalPath, shape, binding, hypothesis, noun) : null;
  if (!options.resume && fs.existsSync(journalPath)) {
    options.onWarning?.(`${path.basename(journalPath)} held an interrupted run; it is replaced (run with --resume to finish such a run instead)`);
  }
  const todo = journal ? missingUnits(journal.header, journal.units) : all;
  if (callbacks.signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: `the ${noun} was cancelled` });

  let writer: JournalWriter | null = journal ? asRunError(() => JournalWriter.open(journalPath)) : null;
  let journalled = journal?.units.length ?? 0;
  // A journal that cannot be written says itself what it kept; it is not wrapped in the kept-journal hint below.
  const journalFailures = new WeakSet<object>();
  const journalError = (e: unknown) => {
    const failure = new WorkerRunError({
      code: 'run-failed',
      message: `cannot write the journal ${path.basename(journalPath)}: ${(e as Error).message}`,
      hint: `the ${journalled} unit${journalled === 1 ? '' : 's'} journalled so far are kept: free the disk or fix the folder, then run again with --resume`,
    });
    journalFailures.add(failure);
    return failure;
  };
  try {
    const run = todo.length === 0 && journal ? { header: journal.header, units: [] } : await runUnitsParallel(hypothesis, todo, callbacks, {
      ...options,
      runId,
      totalUnits: all.length,
      ...(journal ? { alreadyDone: journal.units, expectHeader: journal.header } : {}),
      onHeader: (header) => {
        try {
          writer ??= JournalWriter.create(journalPath, header);
        } catch (e) {
          throw journalError(e);
        }
      },
      onUnit: (unit) => {
        try {
          writer?.append(unit);
          journalled++;
        } catch (e) {
          throw journalError(e);
        }
      },
    });
    const units = [...(journal?.units ?? []), ...run.units];
    const assembled = resultsFromUnits(run.header, units, (performance.now() - started) / 1000);
    // The workers this run's units were dealt over: the next run's cost estimate scales its seconds by them.
    if (todo.length > 0) assembled.timings.workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(shape.levels, undefined, shape.chains), todo.length));
    const done = finish(assembled);
    writer?.remove();
    writer = null;
    return done;
  } catch (e) {
    // A journal with no unit saves nothing: it goes; one with units stays for --resume (the message says so).
    if (writer && journalled === 0) {
      writer.remove();
      writer = null;
    }
    if (writer && e instanceof WorkerRunError && !e.journal && !journalFailures.has(e)) {
      const journal: KeptJournal = { kept: journalled, of: all.length, file: path.basename(journalPath), ...(e.hint ? { hint: e.hint } : {}) };
      throw new WorkerRunError({ ...e.toJSON(), hint: `${keptJournalText(journal)}; ${resumeAdvice(journal, '--resume')}`, journal });
    }
    throw e;
  } finally {
    writer?.close();
  }
}

/** An interrupted run's journal, checked against the plan about to finish it: its files' hashes, seed, engine and grid. */
function openJournal(file: string, shape: { levels: number; chains: number }, binding: PlanBinding, hypothesis: Hypothesis, noun: 'sweep' | 'grid'): Journal {
  let journal: Journal | null;
  try {
    journal = readJournal(file);
  } catch (e) {
    if (e instanceof JournalError) throw new WorkerRunError({ code: 'unreadable', message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
  if (!journal) throw new WorkerRunError({ code: 'unreadable', message: `there is no interrupted run to resume (no ${path.basename(file)})`, hint: `run the ${noun} without --resume` });
  // The first setting that differs, named: the journal's header holds the hypothesis it was run with.
  const now = JSON.parse(JSON.stringify(hypothesis)) as unknown;
  const changed = settingChanged(journal.header.document.hypothesis.resolved, now);
  const named = changed === null ? '' : `: ${changed}`;
  if (journal.header.levels !== shape.levels || journal.header.chains !== shape.chains) {
    throw new WorkerRunError({
      code: 'run-failed',
      message: `${path.basename(file)} was written for ${journal.header.levels} levels × ${journal.header.chains} chains; the hypothesis now plans ${shape.levels} × ${shape.chains}${named}`,
      hint: `delete the journal and run the ${noun} again, or restore the settings it was run with`,
    });
  }
  const mismatch = bindingMismatch(journal.header, binding);
  if (mismatch !== null) {
    throw new WorkerRunError({ code: 'run-failed', message: `${safeName(path.basename(file))} does not belong to this run: ${mismatch}${named}`, hint: `delete the journal and run the ${noun} again, or restore the files it was run with` });
  }
  // The verdict is judged with the header's hypothesis: it must be this one, as resolved now (JSON, as it travelled).
  if (!isDeepStrictEqual(journal.header.document.hypothesis.resolved, now)) {
    throw new WorkerRunError({ code: 'run-failed', message: `${safeName(path.basename(file))} does not belong to this run: it holds another resolved hypothesis (a path or a setting differs)${named}`, hint: `delete the journal and run the ${noun} again` });
  }
  return journal;
}

/** Every output writable now, none an input of the run or another output: checked before any work (issue 24). */
export function checkOutputs(outputs: readonly NamedPath[], hypothesis: Hypothesis): void {
  const clash = outputClash(outputs, hypothesisInputs(hypothesis));
  if (clash !== null) throw new WorkerRunError({ code: 'run-failed', message: clash, hint: 'write the outputs elsewhere (--out FILE, --html FILE)' });
  for (const [i, o] of outputs.entries()) {
    try {
      checkResultsWritable(o.path);
    } catch (e) {
      if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: i === 0 ? e.message : e.message.replace(/^cannot write the results to/, `cannot write ${o.what} to`), hint: e.hint });
      throw e;
    }
  }
}

/** A results file (or journal) that cannot be written fails the run like any worker's failure: one line, with a hint. */
function asRunError<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: e.message, hint: e.hint });
    if (e instanceof JournalError) throw new WorkerRunError({ code: 'run-failed', message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
}
