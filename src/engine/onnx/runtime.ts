// Running ONNX models on onnxruntime-node, from files or from protos built in memory.
import * as ort from 'onnxruntime-node';
import { encodeModel } from './load';
import { ModelError } from './errors';
import { ModelProto } from './proto';
import { runtimeMessage } from './runtimeMessage';

export type Feeds = Record<string, ort.Tensor>;

export interface SessionOptions {
  /** Threads for one operator (intra-op). Default: onnxruntime's choice. */
  threads?: number;
  executionProviders?: string[];
  /** Let the intra-op threads spin between operators instead of sleeping (onnxruntime's default). Default false:
   *  a sweep alternates sessions (SGLD step, evaluation) and runs one process per core, and every session has a
   *  pool of its own, so a spinning idle pool takes the cores the running one needs; `npm run bench` measured the
   *  default SGLD sweep 1.7–1.8× faster without spinning, and a single session's step no slower. */
  spinning?: boolean;
  /** Graph optimizations before the first run. Default 'all'; a one-run probe asks for 'disabled': on a 100k-node
   *  graph, optimizing takes longer than the run it would speed up. */
  optimization?: 'all' | 'disabled';
}

/**
 * Execution providers when the caller names none: `CIRCUIT_THERMOMETER_EXECUTION_PROVIDER=cuda` (set by the
 * extension's `circuitThermometer.executionProvider` setting, or by hand for the CLI) puts CUDA first, CPU after.
 */
export function defaultExecutionProviders(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.CIRCUIT_THERMOMETER_EXECUTION_PROVIDER === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
}

// The process-wide logger too (it speaks before any session exists, e.g. while registering providers).
ort.env.logLevel = 'fatal';

export async function createSession(model: ModelProto | Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: options.executionProviders ?? defaultExecutionProviders(),
    interOpNumThreads: 1,
    graphOptimizationLevel: options.optimization ?? 'all',
    // Fatal only: onnxruntime's logger writes node names raw to stderr (an OSC or a screen clear in a name reached
    // the terminal); its errors still come back as exceptions, whose text runtimeMessage cleans.
    logSeverityLevel: 4,
  };
  if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
  sessionOptions.extra = { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } };
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (e) {
    // The model passed validation (validate.ts) but onnxruntime still refuses it: its reason, without C++ paths.
    throw new ModelError('onnx/runtime-rejected', `onnxruntime cannot load the model: ${runtimeMessage(e instanceof Error ? e.message : String(e))}`);
  }
}

export { ort };
