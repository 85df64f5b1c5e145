// A two-dial map (docs/method.md, "Two dials at once") over worker processes: its cells are the levels of one sweep
// (src/engine/sweep/gridDial.ts), so its (cell, chain) work units are dealt over workers as a sweep's are, and the map
// is assembled here from the units (src/engine/sweep/gridFile.ts): number for number the one-process map. The CLI's
// `grid --workers N` and the editor's Run grid go this way; the grid results file is written atomically at the end
// (a cancelled or failed run writes nothing).
import * as path from 'node:path';
import { defaultGridPath, gridFromSweep, writeGrid } from '../engine/sweep/gridFile';
import { allUnits, resultsFromUnits } from '../engine/sweep/units';
import { ResultsWriteError } from '../engine/sweep/writeResults';
import type { GridDocument } from '../protocol/grid';
import type { Hypothesis } from '../protocol/hypothesis';
import type { RunCallbacks } from './client';
import { WorkerRunError } from './errors';
import { checkOutputs, defaultWorkers, type ParallelOptions, planShape, runUnitsParallel } from './parallel';

export interface GridRunRequest {
  /** The map's hypothesis, resolved once where the request entered (the CLI's check, the editor's own; as a sweep's,
   *  src/worker/resolve.ts); it travels with the work units. */
  hypothesis: Hypothesis;
  /** The grid results file; default `<name>.grid.json` beside the hypothesis. */
  out?: string;
  runId?: string;
}

export interface GridDone {
  runId: string;
  /** Absolute path of the grid results file just written. */
  path: string;
  /** The map as written (paths relative to its file). */
  document: GridDocument;
}

/** The hypothesis of a map, refused (with what to run instead) when it has no degradation.grid. */
export function gridHypothesis(h: Hypothesis): Hypothesis & { degradation: { grid: NonNullable<Hypothesis['degradation']['grid']> } } {
  if (!h.degradation.grid) {
    throw new WorkerRunError({ code: 'hypothesis-invalid', message: `${path.basename(h.file)} has no degradation.grid`, hint: 'add degradation.grid: { checkpoints: [...] } (docs/method.md, "Two dials at once"), or run it as a sweep' });
  }
  return h as Hypothesis & { degradation: { grid: NonNullable<Hypothesis['degradation']['grid']> } };
}

/** Runs every cell of the map over worker processes and writes the grid results file. Rejects like `runSweepParallel`. */
export async function runGridParallel(req: GridRunRequest, callbacks: RunCallbacks = {}, options: ParallelOptions = {}): Promise<GridDone> {
  const started = performance.now();
  const hypothesis = gridHypothesis(req.hypothesis);
  const out = path.resolve(req.out ?? defaultGridPath(hypothesis.file));
  checkOutputs([{ path: out, what: 'the grid results file' }, ...(options.alsoWrites ?? [])], hypothesis);
  const shape = planShape(hypothesis);
  const all = allUnits(shape.levels, shape.chains);
  const runId = req.runId ?? `grid-${Date.now().toString(36)}`;
  if (callbacks.signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the grid was cancelled' });
  const run = await runUnitsParallel(hypothesis, all, callbacks, { ...options, runId, totalUnits: all.length });
  const flat = resultsFromUnits(run.header, run.units, (performance.now() - started) / 1000);
  flat.timings.workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(shape.levels, undefined, shape.chains), all.length));
  const document = gridFromSweep(flat);
  try {
    return { runId, path: out, document: writeGrid(document, out) };
  } catch (e) {
    if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: e.message, hint: e.hint });
    throw new WorkerRunError({ code: 'run-failed', message: `cannot write the grid results to ${out}: ${(e as Error).message}` });
  }
}
