// Requests inside the worker. A sweep is some work units of a hypothesis the client resolved (src/worker/resolve.ts):
// the engine runs them and each is streamed back as it finishes; the client journals, assembles and writes the
// results (src/worker/parallel.ts). Calibration and scans name a hypothesis file, loaded and checked here. Failures
// map to protocol errors.
import { userMessage } from '../engine/onnx/runtimeMessage';
import { checkHypothesisFile, HypothesisReadError, type Hypothesis } from '../hypothesis';
import type { LogMessage, SweepHeaderNotice, SweepProgress, SweepShardDone, SweepShardParams, SweepUnitNotice, WorkerError } from '../protocol/worker';
import type { DialFactory } from '../engine/dials/dial';
import { ENGINE_NAME, ENGINE_VERSION } from '../engine/version';
import type { CalibrationParams, CalibrationReport } from '../protocol/calibration';
import type { ScanDocument } from '../protocol/scan';
import type { GradcheckParams, GradcheckReport } from '../protocol/gradcheck';
import { cancelledError, invalidHypothesisError } from './errors';
import { UNREADABLE_CODES } from '../protocol/exitStatus';
import { toWireHeader } from './header';
import { ProgressMeter } from './progress';

export const ENGINE = { name: ENGINE_NAME, version: ENGINE_VERSION };

/** The engine's sweep of work units (src/engine/sweep/run.ts), or a stand-in with its signature. */
export type SweepRunner = Pick<typeof import('../engine/sweep/run'), 'runUnits'>;

export interface ExecuteHooks {
  signal: AbortSignal;
  onProgress: (p: SweepProgress) => void;
  onHeader: (h: SweepHeaderNotice) => void;
  onUnit: (u: SweepUnitNotice) => void;
  onLog: (m: LogMessage) => void;
}

/** A failure that already knows its protocol error. */
export class SweepFailure extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

/** Some work units of a sweep, streamed back as they finish, written nowhere (the client journals and merges). */
export async function executeShard(params: SweepShardParams, hooks: ExecuteHooks, runner: () => SweepRunner = loadRunner): Promise<SweepShardDone> {
  const { runId } = params;
  const meter = new ProgressMeter(runId, performance.now());
  const run = await runner().runUnits(params.hypothesis, {
    signal: hooks.signal,
    sampler: loadSgldDial,
    units: params.units,
    ...(params.threads ? { threads: params.threads } : {}),
    onProgress: (p) => {
      const n = meter.update(p);
      if (n) hooks.onProgress(n);
    },
    // The client holds the hypothesis it sent: the header names it by a fingerprint (./header.ts).
    onHeader: (header) => hooks.onHeader({ runId, header: toWireHeader(header) }),
    onUnit: (unit) => hooks.onUnit({ runId, unit }),
  });
  if (hooks.signal.aborted) throw new SweepFailure(cancelledError());
  return { runId, units: run.units.length };
}

/** A calibration's or a scan's hypothesis file, checked like `circuit-thermometer check` does. */
async function loadHypothesis(file: string): Promise<Hypothesis> {
  let result;
  try {
    result = await checkHypothesisFile(file);
  } catch (e) {
    if (e instanceof HypothesisReadError) throw new SweepFailure({ code: 'unreadable', message: e.message });
    throw e;
  }
  if (!result.hypothesis) throw new SweepFailure(invalidHypothesisError(file, result.diagnostics));
  return result.hypothesis;
}

/** A gradient check of a model file. The engine loads on first use, as for sweeps. */
export async function executeGradcheck(params: GradcheckParams): Promise<GradcheckReport> {
  const { gradcheck } = require('../engine/autodiff/gradcheck') as typeof import('../engine/autodiff/gradcheck');
  const { loadModel } = require('../engine/onnx/load') as typeof import('../engine/onnx/load');
  const { model, ...options } = params;
  return gradcheck(loadModel(model).proto, options);
}

/** The sampler's calibration grid for a hypothesis file (checked first, like a sweep's). The engine loads on first use. */
export async function executeCalibration(params: CalibrationParams): Promise<CalibrationReport> {
  const h = await loadHypothesis(params.hypothesis);
  const { calibrateHypothesis } = require('../engine/sweep/calibrationGrid') as typeof import('../engine/sweep/calibrationGrid');
  const { hypothesis: _file, ...options } = params;
  return calibrateHypothesis(h, options);
}

/** The entanglement map of a scan file, written atomically to `out` (paths relative to it). */
export async function executeScan(params: { hypothesis: string; out: string }): Promise<{ path: string; document: ScanDocument }> {
  const h = await loadHypothesis(params.hypothesis);
  const { runScan } = require('../engine/sweep/scan') as typeof import('../engine/sweep/scan');
  const { checkScanWritable, writeScan } = require('../engine/sweep/scanFile') as typeof import('../engine/sweep/scanFile');
  checkScanWritable(params.out);
  const document = await runScan(h);
  writeScan(params.out, document);
  return { path: params.out, document };
}

/** The engine is loaded on the first sweep, not at start-up, so the handshake is fast. */
export function loadRunner(): SweepRunner {
  // A literal require: esbuild bundles it into dist/worker.js, and it runs only when a sweep starts.
  return require('../engine/sweep/run') as typeof import('../engine/sweep/run');
}

/** The sgld dial, loaded only when a hypothesis uses it (the runner asks for it by this option). */
const loadSgldDial: DialFactory = (ctx) => (require('../engine/dials/sgld') as typeof import('../engine/dials/sgld')).createSgldDial(ctx);

/** Any exception → a protocol error with a one-line message (and the hint the engine attached, if any). */
export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof SweepFailure) return e.error;
  if (e instanceof Error) {
    if (e.name === 'AbortError') return cancelledError();
    const hint = (e as { hint?: unknown }).hint;
    const code = (e as { code?: unknown }).code;
    const unreadable = typeof code === 'string' && UNREADABLE_CODES.has(code); // CLI exit status 2 (src/protocol/exitStatus.ts)
    return {
      code: unreadable ? 'unreadable' : 'run-failed',
      message: userMessage(e),
      ...(typeof hint === 'string' ? { hint } : {}),
      ...(e.stack ? { details: [e.stack] } : {}),
      ...(typeof code === 'string' ? { engineCode: code } : {}),
    };
  }
  return { code: 'internal', message: `worker error: ${String(e)}` };
}
