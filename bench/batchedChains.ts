// Batched chains, measured (issue 16): C SGLD chains' step graphs as C disjoint copies in one ONNX graph, one
// session.run per step (onnxruntime's parallel executor runs the copies side by side), against C processes that
// each run one copy on one thread — the way sweeps run chains today. Both loops are bare graph runs of the real
// step graph (the modular MLP's gradient + update, fed noise as zeros, the minibatch fixed), so the comparison is
// the execution strategy alone. The sweep keeps whichever wins here (bench/README.md says which did).
import { buildGradientGraph } from '../src/engine/autodiff';
import { takeRows } from '../src/engine/data/ndarray';
import { buildSgldStepGraph, type SgldStepGraph } from '../src/engine/dials/sgldGraph';
import { encodeModel } from '../src/engine/onnx/load';
import type { ModelProto } from '../src/engine/onnx/proto';
import { cloneModel } from '../src/engine/onnx/rewrite';
import { ort } from '../src/engine/onnx/runtime';
import { modularMlp } from './models';
import { type ChildMessage, runChildrenTogether } from './parallel';
import { median } from './stats';
import { anchorOf } from './steps';

export const BATCHED_CHILD_FLAG = '--child-batched';

export interface BatchedChainsResult {
  chains: number;
  /** Aggregate chain-steps/s: C copies in one session (C intra-op threads, parallel executor). */
  oneGraph: number;
  /** Aggregate chain-steps/s: C processes × 1 thread, one copy each. */
  processes: number;
  /** oneGraph ÷ processes: > 1 would favour batching the chains into one graph. */
  ratio: number;
}

async function stepGraph(): Promise<{ graph: SgldStepGraph; feeds: Record<string, ort.Tensor> }> {
  const p = modularMlp();
  const labels = 'labels';
  const feedShapes: Record<string, number[]> = {};
  for (const [name, a] of Object.entries(p.data.inputs)) feedShapes[name] = [p.batchSize, ...a.shape.slice(1)];
  const gradient = await buildGradientGraph({ model: p.model, parameters: [...p.parameters], loss: { kind: 'cross-entropy', output: p.loss.output, labels }, feedShapes });
  const graph = buildSgldStepGraph(gradient, p.parameters, { noise: 'fed' });
  const rows = Int32Array.from({ length: p.batchSize }, (_, i) => i);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, a] of Object.entries(p.data.inputs)) {
    const part = takeRows(a, rows);
    feeds[name] = new ort.Tensor('float32', Float32Array.from(part.data as Float32Array), part.shape as number[]);
  }
  const y = takeRows(p.data.labels, rows);
  feeds[labels] = new ort.Tensor('int64', BigInt64Array.from(y.data as ArrayLike<bigint | number>, (v) => BigInt(v)), y.shape as number[]);
  const anchor = anchorOf(p);
  graph.parameters.forEach((_, i) => {
    const t = new ort.Tensor('float32', anchor[i]!, graph.shapes[i]!);
    feeds[graph.inputs.weights[i]!] = t;
    feeds[graph.inputs.anchor[i]!] = t;
    feeds[graph.inputs.previous[i]!] = t;
    feeds[graph.inputs.noise![i]!] = new ort.Tensor('float32', new Float32Array(anchor[i]!.length), graph.shapes[i]!);
  });
  feeds[graph.inputs.stepSize] = new ort.Tensor('float32', Float32Array.of(1e-5), []);
  feeds[graph.inputs.nbeta] = new ort.Tensor('float32', Float32Array.of(1000), []);
  feeds[graph.inputs.localization] = new ort.Tensor('float32', Float32Array.of(100), []);
  return { graph, feeds };
}

/** C disjoint copies of a graph in one model: every name of copy k prefixed `c<k>/`. */
export function replicate(model: ModelProto, copies: number): ModelProto {
  const out = cloneModel(model);
  const g = out.graph;
  const rename = (k: number) => (name: string) => (name === '' ? '' : `c${k}/${name}`);
  const parts = Array.from({ length: copies }, (_, k) => {
    const r = rename(k);
    const c = cloneModel(model).graph;
    return {
      node: c.node.map((n) => ({ ...n, name: r(n.name || `n${c.node.indexOf(n)}`), input: n.input.map(r), output: n.output.map(r) })),
      input: c.input.map((v) => ({ ...v, name: r(v.name) })),
      output: c.output.map((v) => ({ ...v, name: r(v.name) })),
      initializer: c.initializer.map((t) => ({ ...t, name: r(t.name) })),
      valueInfo: (c.valueInfo ?? []).map((v) => ({ ...v, name: r(v.name) })),
    };
  });
  g.node = parts.flatMap((p) => p.node);
  g.input = parts.flatMap((p) => p.input);
  g.output = parts.flatMap((p) => p.output);
  g.initializer = parts.flatMap((p) => p.initializer);
  g.valueInfo = parts.flatMap((p) => p.valueInfo);
  return out;
}

async function session(model: ModelProto, threads: number, parallel: boolean): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model), {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: parallel ? threads : 1,
    executionMode: parallel ? 'parallel' : 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/** Runs `s` on `feeds` for `seconds` after 5 untimed runs; runs per second. */
async function runsPerSecond(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>, seconds: number): Promise<number> {
  for (let i = 0; i < 5; i++) await s.run(feeds);
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await s.run(feeds);
    runs++;
  }
  return runs / ((performance.now() - start) / 1000);
}

/** The child: one copy on one thread, started on 'go', reports its runs/s. */
export async function runBatchedChild(argv: readonly string[]): Promise<void> {
  const seconds = Number(argv[argv.indexOf(BATCHED_CHILD_FLAG) + 1]);
  const { graph, feeds } = await stepGraph();
  const s = await session(graph.model, 1, false);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send!({ kind: 'ready' });
  });
  const done: ChildMessage = { kind: 'done', stepsPerSec: await runsPerSecond(s, feeds, seconds) };
  process.send!(done);
  await s.release();
  process.disconnect?.();
}

async function processesRate(chains: number, seconds: number): Promise<number> {
  const done = await runChildrenTogether(Array.from({ length: chains }, () => [BATCHED_CHILD_FLAG, String(seconds)]));
  return done.reduce((a, m) => a + m.stepsPerSec!, 0);
}

/** Both strategies for `chains` chains, `repeats` times each (interleaved), medians. */
export async function measureBatchedChains(chains: number, seconds: number, repeats: number): Promise<BatchedChainsResult> {
  const { graph, feeds } = await stepGraph();
  const merged = replicate(graph.model, chains);
  const mergedFeeds: Record<string, ort.Tensor> = {};
  for (let k = 0; k < chains; k++) for (const [name, t] of Object.entries(feeds)) mergedFeeds[`c${k}/${name}`] = t;
  const one = await session(merged, chains, true);
  // The copies compute what one graph does (else the timing would compare different work).
  const single = await session(graph.model, 1, false);
  const [a0, b0] = [await single.run(feeds), await one.run(mergedFeeds)];
  await single.release();
  for (const name of graph.outputs.next) {
    const x = a0[name]!.data as Float32Array;
    const y = b0[`c${chains - 1}/${name}`]!.data as Float32Array;
    if (x.length !== y.length || x.some((v, i) => Math.abs(v - y[i]!) > 1e-6 * Math.max(1, Math.abs(v)))) throw new Error(`copy ${chains - 1} of the batched graph computes another ${name}`);
  }
  const oneGraph: number[] = [];
  const processes: number[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      oneGraph.push(chains * (await runsPerSecond(one, mergedFeeds, seconds)));
      processes.push(await processesRate(chains, seconds));
    }
  } finally {
    await one.release();
  }
  const a = median(oneGraph);
  const b = median(processes);
  return { chains, oneGraph: Math.round(a), processes: Math.round(b), ratio: Math.round((a / b) * 100) / 100 };
}
