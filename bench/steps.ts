// SGLD steps per second as the sweep runs them: the real `SgldSampler` (minibatch gathering, one `session.run`
// per step, diagnostics), on one of the bench problems, for each noise source; and the forward-only against
// forward+backward time of the same batch (what the gradient costs).
import { buildGradientGraph } from '../src/engine/autodiff';
import { takeRows } from '../src/engine/data/ndarray';
import type { SgldNoiseSource } from '../src/engine/dials/sgldGraph';
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

export async function createSampler(problem: BenchProblem, noise: SgldNoiseSource | undefined, threads: number): Promise<SgldSampler> {
  return SgldSampler.create({
    model: problem.model, parameters: problem.parameters, anchor: anchorOf(problem), loss: problem.loss,
    data: problem.data, batchSize: problem.batchSize, threads, ...(noise ? { noise } : {}),
  });
}

/** Steps per second of one chain: `warmup` untimed steps, then `steps` timed ones. */
export async function timeChain(sampler: SgldSampler, steps: number, warmup: number, key: number): Promise<number> {
  let started = 0;
  const settings = {
    stepSize: 1e-5, nbeta: sampler.n / Math.log(sampler.n), localization: 100, burnIn: 0, draws: warmup + steps, thin: 1,
    key: [8, key], chain: 0, divergenceLoss: Infinity,
  };
  for await (const d of sampler.chain(settings)) if (d.step === warmup) started = performance.now();
  return steps / ((performance.now() - started) / 1000);
}

export interface StepRates {
  /** Noise source → median steps/s, and every sample. */
  [noise: string]: { median: number; samples: number[] };
}

/**
 * Median steps/s per noise source; the sources are interleaved in every repeat, so a burst of load on the shared
 * machine hits them alike. `default` is the sampler's default source.
 */
export async function measureSteps(problem: BenchProblem, sources: readonly (SgldNoiseSource | 'default')[], threads: number, o: { repeats: number; steps: number; warmup: number }): Promise<StepRates> {
  const samplers = new Map<string, SgldSampler>();
  try {
    for (const s of sources) samplers.set(s, await createSampler(problem, s === 'default' ? undefined : s, threads));
    const samples = new Map<string, number[]>(sources.map((s) => [s, []]));
    for (let r = 0; r < o.repeats; r++) {
      for (const s of sources) samples.get(s)!.push(await timeChain(samplers.get(s)!, o.steps, o.warmup, r));
    }
    return Object.fromEntries([...samples].map(([s, v]) => [s, { median: median(v), samples: v }]));
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
