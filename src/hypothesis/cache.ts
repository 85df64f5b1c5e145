// What the semantic checks read from disk, remembered between checks so the editor can re-check on
// every keystroke: models by (path, mtime, size), shape probes by (model sha256, feed dims), arrays by file.
import * as fs from 'node:fs';
import { ArrayInfo, loadArray, NdArray, readArrayInfo } from '../engine/data';
import { feedsOfDims, GraphIndex, loadModel, LoadedModel, ProbedTensor, probeShapes } from '../engine/onnx';
import type { GradientSupport } from './gradientSupport';
import { splitMember } from './resolve';

export interface ModelFacts {
  model: LoadedModel;
  index: GraphIndex;
  /** Every tensor name in the graph, for did-you-mean. */
  tensorNames: string[];
}

/** A settled result: the value, or the error it failed with (errors are cached too, until the file changes). */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
}

/** `path|mtime|size` of the file (member suffix ignored), or undefined when it does not exist. */
function fileStamp(p: string): string | undefined {
  try {
    const s = fs.statSync(splitMember(p).file);
    return `${p}|${s.mtimeMs}|${s.size}|${s.isDirectory() ? 'd' : 'f'}`;
  } catch {
    return undefined;
  }
}

export class CheckCache {
  private readonly models = new Lru<Promise<Settled<ModelFacts>>>(8);
  private readonly probes = new Lru<Promise<Settled<Map<string, ProbedTensor>>>>(8);
  private readonly infos = new Lru<Promise<Settled<ArrayInfo>>>(64);
  private readonly arrays = new Lru<Promise<Settled<NdArray>>>(16);
  private readonly gradients = new Lru<GradientSupport>(8);

  /** Whether the file (without a `#member` suffix) exists. */
  exists(p: string): boolean {
    return fileStamp(p) !== undefined;
  }

  model(p: string): Promise<ModelFacts> {
    return this.memo(this.models, fileStamp(p) ?? `missing|${p}`, async () => {
      const model = loadModel(p);
      const index = GraphIndex.of(model.proto);
      return { model, index, tensorNames: index.tensorNames() };
    });
  }

  /**
   * Shape facts of one run at the given feed dims (zero-filled inputs of the declared dtypes), remembered. `only`
   * limits the measured tensors to those named (large graphs: see LARGE_GRAPH_NODES); default every tensor.
   */
  probe(facts: ModelFacts, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    const key = `${facts.model.sha256}|${JSON.stringify(feedDims)}${only ? `|${JSON.stringify([...only].sort())}` : ''}`;
    return this.memo(this.probes, key, () => this.runProbe(facts, feedDims, only));
  }

  /** Whether an error says nothing about the files (so it is not remembered). */
  protected transient(_error: unknown): boolean {
    return false;
  }

  /** The run itself: onnxruntime in this process (the CLI). The editor's cache sends it to a worker instead. */
  protected runProbe(facts: ModelFacts, feedDims: Record<string, number[]>, only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
    return probeShapes(facts.model.proto, feedsOfDims(facts.model.proto, feedDims), only);
  }

  arrayInfo(p: string): Promise<ArrayInfo> {
    return this.memo(this.infos, fileStamp(p) ?? `missing|${p}`, () => readArrayInfo(p));
  }

  array(p: string): Promise<NdArray> {
    return this.memo(this.arrays, fileStamp(p) ?? `missing|${p}`, () => loadArray(p));
  }

  /** The (synchronous, static) gradient-rule analysis of a model for one loss output. */
  gradientSupport(facts: ModelFacts, output: string, analyze: () => GradientSupport): GradientSupport {
    const key = `${facts.model.sha256}|${output}`;
    let result = this.gradients.get(key);
    if (!result) {
      result = analyze();
      this.gradients.set(key, result);
    }
    return result;
  }

  clear(): void {
    this.gradients.clear();
    this.models.clear();
    this.probes.clear();
    this.infos.clear();
    this.arrays.clear();
  }

  private async memo<T>(lru: Lru<Promise<Settled<T>>>, key: string, make: () => Promise<T>): Promise<T> {
    let entry = lru.get(key);
    if (!entry) {
      entry = make().then((value): Settled<T> => ({ ok: true, value }), (error: unknown): Settled<T> => ({ ok: false, error }));
      lru.set(key, entry);
    }
    const settled = await entry;
    if (settled.ok) return settled.value;
    // A failure of the machinery rather than of the file (a probe worker that died) is tried again next time.
    if (this.transient(settled.error) && lru.get(key) === entry) lru.delete(key);
    throw settled.error;
  }
}

/**
 * Above this many nodes a probe measures only the tensors the hypothesis names: onnxruntime's load time grows
 * quickly with the number of graph outputs (100k exposed outputs: minutes; the named few: seconds).
 */
export const LARGE_GRAPH_NODES = 5000;

/** Shared by every check that is not given its own cache. */
export const defaultCheckCache = new CheckCache();
