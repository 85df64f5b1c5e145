// SGLD steps per second on the modular-addition MLP (one-hot a, b → 226 → ReLU 512 → 113 logits, batch 256,
// cross-entropy): the sweep's hot loop as the sampler runs it (batch gathering, one session.run per step).
// Used by `npm run bench` and runnable alone: `npx tsx bench/sgldStep.ts [--json]`.
import { makeArray } from '../src/engine/data/ndarray';
import { GraphBuilder } from '../src/engine/onnx/builder';
import { assembleModel } from '../src/engine/onnx/modelFactory';
import { ModelProto } from '../src/engine/onnx/proto';
import { makeValueInfo } from '../src/engine/onnx/rewrite';
import { floatTensor } from '../src/engine/onnx/tensor';
import { Rng } from '../src/engine/util/random';
import { SgldNoiseSource } from '../src/engine/dials/sgldGraph';
import { SgldSampler } from '../src/engine/dials/sgldSampler';

export const MODULUS = 113;
export const HIDDEN = 512;

/** The MLP with seeded random weights (speed does not depend on training) and all p² examples. */
export function modularMlp(seed = 0): { model: ModelProto; parameters: string[]; anchor: Float32Array[]; data: { inputs: { x: ReturnType<typeof makeArray<'float32'>> }; labels: ReturnType<typeof makeArray<'int64'>> } } {
  const p = MODULUS, input = 2 * p;
  const rng = Rng.stream(seed, 113);
  const weights = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const values = { w1: weights(input * HIDDEN, 1 / Math.sqrt(input)), b1: weights(HIDDEN, 0.01), w2: weights(HIDDEN * p, 1 / Math.sqrt(HIDDEN)), b2: weights(p, 0.01) };
  const b = new GraphBuilder(17);
  b.initializer(floatTensor('fc1.weight', [input, HIDDEN], values.w1));
  b.initializer(floatTensor('fc1.bias', [HIDDEN], values.b1));
  b.initializer(floatTensor('fc2.weight', [HIDDEN, p], values.w2));
  b.initializer(floatTensor('fc2.bias', [p], values.b2));
  const h = b.op('Relu', [b.op('Add', [b.op('MatMul', ['x', 'fc1.weight']), 'fc1.bias'])]);
  b.op('Add', [b.op('MatMul', [h, 'fc2.weight']), 'fc2.bias'], {}, 'logits');
  const model = assembleModel({ name: 'modular-mlp', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', input])], outputs: [makeValueInfo('logits', 'float32', ['batch', p])] });
  const x = new Float32Array(p * p * input);
  const y = new BigInt64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let c = 0; c < p; c++) {
      const i = a * p + c;
      x[i * input + a] = 1;
      x[i * input + p + c] = 1;
      y[i] = BigInt((a + c) % p);
    }
  }
  return {
    model, parameters: ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], anchor: [values.w1, values.b1, values.w2, values.b2],
    data: { inputs: { x: makeArray('float32', [p * p, input], x) }, labels: makeArray('int64', [p * p], y) },
  };
}

export interface SgldBenchResult {
  noise: SgldNoiseSource;
  batchSize: number;
  threads: number | null;
  steps: number;
  stepsPerSecond: number;
}

/** Times `steps` SGLD steps after `warmup` untimed ones. */
export async function benchmarkSgldMlp(o: { noise?: SgldNoiseSource; steps?: number; warmup?: number; batchSize?: number; threads?: number } = {}): Promise<SgldBenchResult> {
  const m = modularMlp();
  const noise = o.noise ?? 'counter', steps = o.steps ?? 300, warmup = o.warmup ?? 20, batchSize = o.batchSize ?? 256;
  const sampler = await SgldSampler.create({ model: m.model, parameters: m.parameters, anchor: m.anchor, loss: { kind: 'cross-entropy', output: 'logits' }, data: m.data, batchSize, noise, threads: o.threads });
  try {
    let started = 0;
    const settings = { stepSize: 1e-5, nbeta: 1000, localization: 100, burnIn: 0, draws: warmup + steps, thin: 1, key: [0], chain: 0, divergenceLoss: Infinity };
    for await (const d of sampler.chain(settings)) if (d.step === warmup) started = performance.now();
    return { noise, batchSize, threads: o.threads ?? null, steps, stepsPerSecond: steps / ((performance.now() - started) / 1000) };
  } finally {
    await sampler.dispose();
  }
}

/** Milliseconds JavaScript needs to draw the normals of one MLP step (what `fed` noise adds to a step). */
export function jsNoiseMilliseconds(repeats = 20): number {
  const size = 2 * MODULUS * HIDDEN + HIDDEN + HIDDEN * MODULUS + MODULUS;
  const buffer = new Float32Array(size);
  const rng = Rng.stream(1);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    rng.fillNormal(buffer, 0.01);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

if (require.main === module) {
  void (async () => {
    const at = process.argv.indexOf('--threads');
    const threads = at > 0 ? Number(process.argv[at + 1]) : undefined;
    const results: SgldBenchResult[] = [];
    for (const noise of ['counter', 'fed', 'none'] as const) results.push(await benchmarkSgldMlp({ noise, threads }));
    const noiseMs = jsNoiseMilliseconds();
    if (process.argv.includes('--json')) console.log(JSON.stringify({ results, jsNoiseMilliseconds: noiseMs }, null, 2));
    else {
      for (const r of results) console.log(`MLP 226→512→113, batch ${r.batchSize}, threads ${r.threads ?? 'default'}, noise ${r.noise.padEnd(7)} ${r.stepsPerSecond.toFixed(0)} steps/s`);
      console.log(`JavaScript normals for one step: ${noiseMs.toFixed(2)} ms`);
    }
  })();
}
