// A two-dial map (docs/method.md, "Two dials at once") over worker processes: its cells are the levels of one sweep
// (src/engine/sweep/gridDial.ts), so its (cell, chain) work units are dealt over workers as a sweep's are, and the map
// is assembled here from the units (src/engine/sweep/gridFile.ts): number for number the one-process map. The CLI's
// `grid` and the editor's Run grid go this way. Units are journalled as a sweep's are (src/worker/parallel.ts), so an
// interrupted map resumes with only its missing cells; the grid results file is written atomically at the end (a
// cancelled or failed run writes none).
import * as path from 'node:path';
import { defaultGridPath, gridFromSweep, writeGrid } from '../engine/sweep/gridFile';
import { ResultsWriteError } from '../engine/sweep/writeResults';
import type { GridDocument } from '../protocol/grid';
import type { Hypothesis } from '../protocol/hypothesis';
import type { RunCallbacks } from './client';
import { WorkerRunError } from './errors';
import { type ParallelOptions, runJournalled } from './parallel';

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

/**
 * Runs every cell of the map over worker processes and writes the grid results file. Each finished unit is
 * journalled beside it (`<name>.grid.journal.jsonl`) as a sweep's is; `options.resume` runs only the units the
 * journal lacks. Rejects like `runSweepParallel` (a failed or cancelled map keeps its journal and says so).
 */
export async function runGridParallel(req: GridRunRequest, callbacks: RunCallbacks = {}, options: ParallelOptions = {}): Promise<GridDone> {
  const hypothesis = gridHypothesis(req.hypothesis);
  const out = path.resolve(req.out ?? defaultGridPath(hypothesis.file));
  const runId = req.runId ?? `grid-${Date.now().toString(36)}`;
  return runJournalled({ hypothesis, out, what: 'the grid results file', noun: 'grid' }, callbacks, options, (flat) => {
    const document = gridFromSweep(flat);
    try {
      return { runId, path: out, document: writeGrid(document, out) };
    } catch (e) {
      if (e instanceof ResultsWriteError) throw new WorkerRunError({ code: 'run-failed', message: e.message, hint: e.hint });
      throw new WorkerRunError({ code: 'run-failed', message: `cannot write the grid results to ${out}: ${(e as Error).message}` });
    }
  }, runId);
}
