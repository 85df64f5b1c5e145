// Shape probes (the editor's checks, the CLI's `check` and `inspect --tensors`), run in a worker process of their own
// (src/worker/probe.ts) instead of the extension host or the CLI: onnxruntime is native code, a crash there must end
// a child process, not the editor, and a run over its budget must be stoppable. One worker serves every probe,
// starts on the first, is restarted by the next probe after a crash or a budget stop, and exits when idle a while.
import * as fs from 'node:fs';
import type { ProbedTensor } from '../engine/onnx';
import { WorkerClient } from './client';

/** A probe worker holds a model's session memory; after this long without a probe it exits. */
const IDLE_MS = 60_000;

/**
 * What one probe may take (issue 24: a Loop of 1e15 iterations ran forever and queued every later probe; a 300-byte
 * ConstantOfShape allocated 2.9 GB): a minute, and 1 GiB plus four times the model file (its weights, their copy in
 * onnxruntime, and one small batch's activations). Over either, the worker is killed and the checks that need the
 * probe are skipped with that reason; the next probe starts a fresh worker.
 */
export interface ProbeBudget { seconds: number; baseBytes: number; perModelByte: number }
export const PROBE_BUDGET: ProbeBudget = { seconds: 60, baseBytes: 2 ** 30, perModelByte: 4 };

export class ProbeWorker {
  private client: WorkerClient | undefined;
  private idle: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(private readonly workerPath: string | undefined, private readonly budget: ProbeBudget = PROBE_BUDGET) {}

  /** The worker's process id while one runs. */
  get pid(): number | undefined {
    return this.client?.pid;
  }

  async probe(model: string, sha256: string, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    clearTimeout(this.idle);
    this.client ??= new WorkerClient({ ...(this.workerPath ? { workerPath: this.workerPath } : {}), clientName: 'circuit-thermometer probe', args: ['--role', 'probe'] });
    this.inFlight++;
    try {
      const modelBytes = fs.statSync(model, { throwIfNoEntry: false })?.size ?? 0;
      const budget = { seconds: this.budget.seconds, bytes: this.budget.baseBytes + this.budget.perModelByte * modelBytes };
      const { tensors } = await this.client.probe({ model, sha256, feedDims, ...(only ? { only: [...only] } : {}) }, budget);
      return new Map(Object.entries(tensors));
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) {
        this.idle = setTimeout(() => void this.dispose(), IDLE_MS);
        this.idle.unref(); // an idle worker never keeps the host alive
      }
    }
  }

  async dispose(): Promise<void> {
    clearTimeout(this.idle);
    const client = this.client;
    this.client = undefined;
    await client?.dispose();
  }
}
