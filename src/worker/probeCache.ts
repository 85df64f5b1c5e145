// The checker's cache with its probes in a budgeted worker (probeWorker.ts): what the CLI's `check` uses, so that a
// model that loops or allocates without end is stopped at its budget and the command still ends (a native run
// cannot be interrupted inside a process, and one still running keeps that process from exiting).
import type { ProbedTensor } from '../engine/onnx';
import { CheckCache, type ModelFacts } from '../hypothesis';
import { type ProbeBudget, ProbeWorker } from './probeWorker';

export class WorkerCheckCache extends CheckCache {
  private readonly worker: ProbeWorker;

  constructor(workerPath?: string, budget?: ProbeBudget) {
    super();
    this.worker = new ProbeWorker(workerPath, budget);
  }

  protected override runProbe(facts: ModelFacts, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    return this.worker.probe(facts.model.path, facts.model.sha256, feedDims, only);
  }

  dispose(): Promise<void> {
    return this.worker.dispose();
  }
}
