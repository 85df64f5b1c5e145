// The checker's cache as the editor uses it: probes (one run of the model to measure tensor shapes) run in a worker
// process (probeWorker.ts), never in the extension host, and are refused in an untrusted workspace; the last probe
// of each model is remembered for hovers and completions.
import { CheckCache, ModelFacts } from '../hypothesis';
import type { ProbedTensor } from '../engine/onnx';
import { ProbeWorker } from './probeWorker';

export class EditorCheckCache extends CheckCache {
  private readonly lastProbe = new Map<string, Promise<Map<string, ProbedTensor>>>();
  private readonly worker: ProbeWorker;

  /** `workerPath`: dist/worker.js (default: the worker beside this bundle, or src/worker/worker.ts under tsx). */
  constructor(private readonly mayExecute: () => boolean, workerPath?: string) {
    super();
    this.worker = new ProbeWorker(workerPath);
  }

  override probe(facts: ModelFacts, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    if (!this.mayExecute()) return Promise.reject(new Error('models are not run in an untrusted workspace'));
    const p = super.probe(facts, feedDims, only);
    this.lastProbe.set(facts.model.sha256, p);
    return p;
  }

  protected override runProbe(facts: ModelFacts, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    return this.worker.probe(facts.model.path, facts.model.sha256, feedDims, only);
  }

  /** A probe worker that crashed or was killed says nothing about the model: the next check probes again. */
  protected override transient(error: unknown): boolean {
    const code = (error as { code?: unknown })?.code;
    return code === 'worker-crashed' || code === 'worker-killed' || code === 'worker-unresponsive';
  }

  /** Shapes measured by the last check of a hypothesis on this model, if any succeeded. */
  async probedShapes(modelSha256: string): Promise<Map<string, ProbedTensor> | undefined> {
    const p = this.lastProbe.get(modelSha256);
    return p ? p.catch(() => undefined) : undefined;
  }

  override clear(): void {
    super.clear();
    this.lastProbe.clear();
  }

  /** The probe worker's process id while one runs. */
  get probePid(): number | undefined {
    return this.worker.pid;
  }

  /** Ends the probe worker (deactivation). */
  dispose(): Promise<void> {
    return this.worker.dispose();
  }
}
