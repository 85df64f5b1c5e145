// Running ONNX models on onnxruntime-node, from files or from protos built in memory.
import * as ort from 'onnxruntime-node';
import { encodeModel } from './load';
import { ModelProto } from './proto';

export type Feeds = Record<string, ort.Tensor>;

export interface SessionOptions {
  /** Threads for one operator (intra-op). Default: onnxruntime's choice. */
  threads?: number;
  executionProviders?: string[];
}

/**
 * Execution providers when the caller names none: `CIRCUIT_THERMOMETER_EXECUTION_PROVIDER=cuda` (set by the
 * extension's `circuitThermometer.executionProvider` setting, or by hand for the CLI) puts CUDA first, CPU after.
 */
export function defaultExecutionProviders(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.CIRCUIT_THERMOMETER_EXECUTION_PROVIDER === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
}

export async function createSession(model: ModelProto | Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: options.executionProviders ?? defaultExecutionProviders(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
  return ort.InferenceSession.create(bytes, sessionOptions);
}

export { ort };
