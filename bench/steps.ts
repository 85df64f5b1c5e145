// SGLD steps per second as the sweep runs them: the real `SgldSampler` (minibatch gathering, one `session.run`
// per step, diagnostics), on one of the bench problems, for each noise source; and the forward-only against
// forward+backward time of the same batch (what the gradient costs).
import { buildGradientGraph } from '../src/engine/autodiff';
import { takeRows } from '../src/engine/data/ndarray';
import type { SgldNoiseSource } from '../src/engine/dials/sgldGraph';
import { MALA_STEPS } from '../src/engine/dials/sgldMala';
import { SgldSampler } from '../src/engine/dials/sgldSampler';
import { GraphIndex, valueInfoType } from '../src/engine/onnx/graph';
import { createSession, ort } from '../src/engine/onnx/runtime';
import { tensorToFloat32 } from '../src/engine/onnx/tensor';
import type { BenchProblem } from './models';
import { median } from './stats';

export function anchorOf(problem: BenchProblem): Float32Array[] {
  const index = GraphIndex.of(problem.model);
  return problem.parameters.map((p) => tensorToFloat32(index.initializers.get(p)!));
}

/** What the bench compares: the sampler's default, a graph noise source, or fed noise drawn in the worker thread. */
export type BenchSource = SgldNoiseSource | 'default';

export async function createSampler(problem: BenchProblem, source: BenchSource, threads: number): Promise<SgldSampler> {
  const noise = source === 'default' ? {} : { noise: source };
  return SgldSampler.create({
    model: problem.model, parameters: problem.parameters, anchor: anchorOf(problem), loss: problem.loss,
    data: problem.data, batchSize: problem.batchSize, threads, ...noise,
  });
}

/**
 * One chain at the sweep's configuration: `warmup` untimed steps, then `steps` timed ones, thin 1 and a MALA
 * measurement every MALA_STEPS-th draw, as a sweep's chains make them (sgld.ts: every max(1, ⌊16/thin⌋)-th kept
 * draw, so at most one extra pass per 16 steps; `malaEvery: 1`, a second pass at every step, halves the rate). Returns steps per second (wall clock) and the CPU
 * milliseconds per step of the whole process (all threads: onnxruntime's and the noise worker's), which a busy
 * shared machine disturbs far less than the wall clock.
 */
export async function timeChain(sampler: SgldSampler, steps: number, warmup: number, key: number, malaEvery = MALA_STEPS): Promise<{ rate: number; cpuMs: number }> {
  let started = 0;
  let cpu = process.cpuUsage();
  const settings = {
    stepSize: 1e-5, nbeta: sampler.n / Math.log(sampler.n), localization: 100, burnIn: 0, draws: warmup + steps, thin: 1,
    key: [8, key], chain: 0, divergenceLoss: Infinity, malaEvery,
  };
  for await (const d of sampler.chain(settings)) {
    if (d.step === warmup) {
      started = performance.now();
      cpu = process.cpuUsage();
    }
  }
  const used = process.cpuUsage(cpu);
  return { rate: steps / ((performance.now() - started) / 1000), cpuMs: (used.user + used.system) / 1000 / steps };
}

export interface StepRates {
  /** Noise source → median steps/s, and every sample; median CPU ms per step. */
  [noise: string]: { median: number; samples: number[]; cpuMs: number };
}

/**
 * Median steps/s per noise source; the sources are interleaved in every repeat, so a burst of load on the shared
 * machine hits them alike (`samples[r]` of every source come from repeat r: ratios can be taken pairwise).
 * `default` is the sampler's default source; `beforeRepeat` runs at the start of each repeat (a peak probe).
 */
export async function measureSteps(problem: BenchProblem, sources: readonly BenchSource[], threads: number, o: { repeats: number; steps: number; warmup: number; beforeRepeat?: () => Promise<void> }): Promise<StepRates> {
  const samplers = new Map<string, SgldSampler>();
  try {
    for (const s of sources) samplers.set(s, await createSampler(problem, s, threads));
    const samples = new Map<string, number[]>(sources.map((s) => [s, []]));
    const cpu = new Map<string, number[]>(sources.map((s) => [s, []]));
    for (let r = 0; r < o.repeats; r++) {
      await o.beforeRepeat?.();
      for (const s of sources) {
        const t = await timeChain(samplers.get(s)!, o.steps, o.warmup, r);
        samples.get(s)!.push(t.rate);
        cpu.get(s)!.push(t.cpuMs);
      }
    }
    return Object.fromEntries([...samples].map(([s, v]) => [s, { median: median(v), samples: v, cpuMs: median(cpu.get(s)!) }]));
  } finally {
    for (const s of samplers.values()) await s.dispose();
  }
}

export interface ForwardBackward {
  forwardMs: number;
  forwardBackwardMs: number;
  /** forward+backward ÷ forward (3 would be the FLOP ratio of a typical layer stack). */
  ratio: number;
}

/** One minibatch through the loss graph alone, and through the gradient graph (loss + every parameter's gradient). */
export async function measureForwardBackward(problem: BenchProblem, threads: number, repeats: number, runs: number): Promise<ForwardBackward> {
  const labels = '__labels';
  const feedShapes: Record<string, number[]> = {};
  for (const [name, a] of Object.entries(problem.data.inputs)) feedShapes[name] = [problem.batchSize, ...a.shape.slice(1)];
  const spec = { kind: 'cross-entropy' as const, output: problem.loss.output, labels };
  const forward = await buildGradientGraph({ model: problem.model, parameters: [], loss: spec, feedShapes });
  const backward = await buildGradientGraph({ model: problem.model, parameters: problem.parameters, loss: spec, feedShapes });
  const rows = Array.from({ length: problem.batchSize }, (_, i) => i);
  const feedsFor = (model: typeof forward.model, weights: boolean) => {
    const feeds: Record<string, ort.Tensor> = {};
    const anchor = anchorOf(problem);
    for (const v of model.graph.input) {
      const t = valueInfoType(v);
      const source = v.name === labels ? problem.data.labels : problem.data.inputs[v.name];
      if (source) {
        const part = takeRows(source, rows, v.name);
        feeds[v.name] = new ort.Tensor(part.dtype as 'float32', part.data as Float32Array, [...part.shape]);
      } else if (weights) {
        const i = problem.parameters.indexOf(v.name);
        feeds[v.name] = new ort.Tensor('float32', anchor[i]!, t.shape as number[]);
      }
    }
    return feeds;
  };
  const time = async (model: typeof forward.model, weights: boolean): Promise<number> => {
    const session = await createSession(model, { threads });
    try {
      const feeds = feedsFor(model, weights);
      for (let i = 0; i < 5; i++) await session.run(feeds);
      const samples: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t = performance.now();
        for (let i = 0; i < runs; i++) await session.run(feeds);
        samples.push((performance.now() - t) / runs);
      }
      return median(samples);
    } finally {
      await session.release();
    }
  };
  const forwardMs = await time(forward.model, false);
  const forwardBackwardMs = await time(backward.model, true);
  return { forwardMs, forwardBackwardMs, ratio: forwardBackwardMs / forwardMs };
}

export interface RunOverhead {
  /** One `session.run` of the noiseless step graph on fixed feeds, new output tensors every run. */
  runMs: number;
  /** The same with preallocated output tensors (`run(feeds, fetches)`: onnxruntime writes into them). */
  preallocatedRunMs: number;
}

/**
 * The graph's own time per step, without the sampler around it (batch gathering, feeds, diagnostics, await):
 * compared with 1/steps-per-second of the noiseless sampler it bounds what fusing steps (ONNX Loop) could save.
 */
export async function measureRunOverhead(problem: BenchProblem, threads: number, repeats: number, runs: number): Promise<RunOverhead> {
  const sampler = await createSampler(problem, 'none', threads);
  const g = sampler.graph;
  const session = await createSession(g.model, { threads });
  await sampler.dispose();
  try {
    const anchor = anchorOf(problem);
    const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
    const feeds: Record<string, ort.Tensor> = { [g.inputs.stepSize]: scalar(1e-5), [g.inputs.nbeta]: scalar(1000), [g.inputs.localization]: scalar(100) };
    g.parameters.forEach((p, i) => {
      const w = new ort.Tensor('float32', anchor[i]!, g.shapes[i]!);
      feeds[p] = w;
      feeds[g.inputs.anchor[i]!] = w;
      feeds[g.inputs.previous[i]!] = w;
    });
    const rows = Array.from({ length: problem.batchSize }, (_, i) => i);
    for (const name of g.batchInputs) {
      const source = problem.data.inputs[name] ?? problem.data.labels;
      const part = takeRows(source, rows, name);
      feeds[name] = new ort.Tensor(part.dtype as 'float32', part.data as Float32Array, [...part.shape]);
    }
    const fetches: Record<string, ort.Tensor> = {};
    g.outputs.next.forEach((name, i) => { fetches[name] = new ort.Tensor('float32', new Float32Array(anchor[i]!.length), g.shapes[i]!); });
    for (const name of [g.outputs.loss, g.outputs.localizationEnergy, g.outputs.malaReverse]) fetches[name] = scalar(0);
    const time = async (preallocated: boolean) => {
      for (let i = 0; i < 5; i++) await (preallocated ? session.run(feeds, fetches) : session.run(feeds));
      const t = performance.now();
      for (let i = 0; i < runs; i++) await (preallocated ? session.run(feeds, fetches) : session.run(feeds));
      return (performance.now() - t) / runs;
    };
    const plain: number[] = [], pre: number[] = [];
    for (let r = 0; r < repeats; r++) { plain.push(await time(false)); pre.push(await time(true)); }
    return { runMs: median(plain), preallocatedRunMs: median(pre) };
  } finally {
    await session.release();
  }
}
