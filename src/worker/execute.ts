// One sweep inside the worker: load and check the hypothesis, run the engine's sweep, write the results file
// atomically at the very end (a cancelled or failed run writes nothing), and map failures to protocol errors.
import * as path from 'node:path';
import { checkHypothesisFile, formatDiagnostic, HypothesisReadError, type Hypothesis } from '../hypothesis';
import type { LevelResult, ResultsDocument } from '../protocol/results';
import type { LogMessage, SweepDone, SweepLevel, SweepProgress, SweepStartParams, WorkerError } from '../protocol/worker';
import { writeFileAtomic } from '../engine/util/atomic';
import { cancelledError } from './errors';
import { defaultResultsPath } from './paths';
import { ProgressMeter, type SweepPosition } from './progress';
import { packageVersion } from './version';

export const ENGINE = { name: 'circuit-thermometer', version: packageVersion() };

/** The engine's sweep, as the worker calls it (src/engine/sweep/run.ts). */
export type SweepRunner = (
  hypothesis: Hypothesis,
  options: { onProgress?: (p: SweepPosition) => void; onLevel?: (l: LevelResult, levelIndex: number) => void; signal?: AbortSignal },
) => Promise<ResultsDocument>;

export interface ExecuteHooks {
  signal: AbortSignal;
  onProgress: (p: SweepProgress) => void;
  onLevel: (l: SweepLevel) => void;
  onLog: (m: LogMessage) => void;
}

/** A failure that already knows its protocol error. */
export class SweepFailure extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

export async function executeSweep(params: SweepStartParams, hooks: ExecuteHooks, runner: () => SweepRunner = loadRunner): Promise<SweepDone> {
  const startedAt = performance.now();
  const hypothesis = params.source.kind === 'file' ? await loadHypothesis(params.source.path) : params.source.hypothesis;
  const out = path.resolve(params.out ?? defaultResultsPath(hypothesis.file));
  const meter = new ProgressMeter(params.runId, startedAt);
  const levels = hypothesis.degradation.dial === 'checkpoints' ? (hypothesis.degradation.checkpoints ?? []).length : hypothesis.degradation.temperatures.levels.length;
  let levelIndex = 0;
  const document = await runner()(hypothesis, {
    signal: hooks.signal,
    onProgress: (p) => {
      const n = meter.update(p);
      if (n) hooks.onProgress(n);
    },
    onLevel: (result, index) => {
      levelIndex = index ?? levelIndex;
      hooks.onLevel({ runId: params.runId, levelIndex, levels, result });
      levelIndex++;
    },
  });
  if (hooks.signal.aborted) throw new SweepFailure(cancelledError());
  if (document.status === 'diverged') {
    const bad = document.levels.filter((l) => l.error);
    hooks.onLog({ level: 'warn', message: `${bad.length} of ${document.levels.length} levels diverged: ${bad.map((l) => `t = ${l.level}: ${l.error}`).join('; ')}` });
  }
  writeFileAtomic(out, `${JSON.stringify(document, null, 2)}\n`);
  return { runId: params.runId, resultsPath: out, document };
}

async function loadHypothesis(file: string): Promise<Hypothesis> {
  let result;
  try {
    result = await checkHypothesisFile(file);
  } catch (e) {
    if (e instanceof HypothesisReadError) throw new SweepFailure({ code: 'unreadable', message: e.message });
    throw e;
  }
  if (!result.hypothesis) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    throw new SweepFailure({
      code: 'hypothesis-invalid',
      message: `${path.basename(file)} has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors[0]?.message ?? 'invalid'}`,
      hint: 'run `circuit-thermometer check` on it, or open it in VS Code for the diagnostics',
      details: result.diagnostics.map((d) => formatDiagnostic(d)),
    });
  }
  return result.hypothesis;
}

/** The engine is loaded on the first sweep, not at start-up, so the handshake is fast. */
export function loadRunner(): SweepRunner {
  // TEMPORARY until src/engine/sweep/run.ts lands: a non-literal require keeps esbuild from failing on the
  // missing file (a literal require replaces this so that the runner is bundled into dist/worker.js).
  const runnerModule = '../engine/sweep/run';
  const mod = require(runnerModule) as { runSweep: SweepRunner };
  return mod.runSweep;
}

/** Engine error codes (DataError, ModelError) that mean a file could not be read: CLI exit status 2. */
const UNREADABLE_CODES = new Set(['data/not-found', 'data/io', 'onnx/not-found', 'onnx/not-a-file', 'onnx/external-data-missing']);

/** Any exception → a protocol error with a one-line message (and the hint the engine attached, if any). */
export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof SweepFailure) return e.error;
  if (e instanceof Error) {
    if (e.name === 'AbortError') return cancelledError();
    const hint = (e as { hint?: unknown }).hint;
    const code = (e as { code?: unknown }).code;
    const unreadable = typeof code === 'string' && UNREADABLE_CODES.has(code);
    return {
      code: unreadable ? 'unreadable' : 'run-failed',
      message: e.message.split('\n')[0],
      ...(typeof hint === 'string' ? { hint } : {}),
      ...(e.stack ? { details: [e.stack] } : {}),
    };
  }
  return { code: 'internal', message: `worker error: ${String(e)}` };
}
