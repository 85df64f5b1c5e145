// A sweep's hypothesis, resolved once where the request enters (the CLI's `sweep`; the editor resolves it in its own
// check, src/extension/commands.ts) and then sent with the work units: no worker parses or checks it again. The
// checks are `check`'s: they read the files here, and the one that runs the model (the shape probe) runs in a
// budgeted probe worker (src/worker/probeCache.ts), so this process never runs onnxruntime.
import { checkHypothesisText, HypothesisReadError, readHypothesisFile, type Hypothesis } from '../hypothesis';
import { invalidHypothesisError, WorkerRunError } from './errors';
import { WorkerCheckCache } from './probeCache';

export interface ResolveOptions {
  /** The worker script the probe runs in (default: the one beside this bundle). */
  workerPath?: string;
}

/** The checked, resolved hypothesis of `file`; rejects with 'unreadable' or 'hypothesis-invalid' (with every diagnostic). */
export async function resolveSweepHypothesis(file: string, options: ResolveOptions = {}): Promise<Hypothesis> {
  let text: string;
  try {
    text = readHypothesisFile(file);
  } catch (e) {
    if (e instanceof HypothesisReadError) throw new WorkerRunError({ code: 'unreadable', message: e.message });
    throw e;
  }
  const cache = new WorkerCheckCache(options.workerPath);
  let result;
  try {
    result = await checkHypothesisText(text, file, { cache });
  } finally {
    await cache.dispose();
  }
  if (!result.hypothesis) throw new WorkerRunError(invalidHypothesisError(file, result.diagnostics));
  return result.hypothesis;
}
