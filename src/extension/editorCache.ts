// The checker's cache as the editor uses it: probes (one run of the model to measure tensor shapes) are refused
// in an untrusted workspace, and the last probe of each model is remembered for hovers and completions.
import { CheckCache, ModelFacts } from '../hypothesis';
import type { ProbedTensor } from '../engine/onnx';
import type { Feeds } from '../engine/onnx/runtime';

export class EditorCheckCache extends CheckCache {
  private readonly lastProbe = new Map<string, Promise<Map<string, ProbedTensor>>>();

  constructor(private readonly mayExecute: () => boolean) {
    super();
  }

  override probe(facts: ModelFacts, feedDims: Record<string, number[]>, feeds: () => Feeds): Promise<Map<string, ProbedTensor>> {
    if (!this.mayExecute()) return Promise.reject(new Error('models are not run in an untrusted workspace'));
    const p = super.probe(facts, feedDims, feeds);
    this.lastProbe.set(facts.model.sha256, p);
    return p;
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
}
