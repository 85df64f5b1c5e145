// Forward-only vs forward+backward time of the modular-addition MLP (226 → 512 → 113, batch 256, cross-entropy):
// the cost of the gradient graph relative to the forward pass. Run: `npx tsx bench/gradientCost.ts [--json]`.
import { MLP_HIDDEN, modularAdditionData, MODULUS } from './models';
import { GraphBuilder } from '../src/engine/onnx/builder';
import { assembleModel } from '../src/engine/onnx/modelFactory';
import { ModelProto } from '../src/engine/onnx/proto';
import { makeValueInfo, parametersToInputs } from '../src/engine/onnx/rewrite';
import { createSession, Feeds, ort } from '../src/engine/onnx/runtime';
import { floatTensor } from '../src/engine/onnx/tensor';
import { Rng } from '../src/engine/util/random';
import { buildGradientGraph } from '../src/engine/autodiff/gradientGraph';

/** The MLP in MatMul layout ([in, out] weights, which the hand-written backward pass below assumes), seeded
 *  random weights (speed does not depend on training), all p² examples. */
function modularMlp(seed = 0) {
  const p = MODULUS, input = 2 * p, hidden = MLP_HIDDEN;
  const rng = Rng.stream(seed, 113);
  const weights = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const values = { w1: weights(input * hidden, 1 / Math.sqrt(input)), b1: weights(hidden, 0.01), w2: weights(hidden * p, 1 / Math.sqrt(hidden)), b2: weights(p, 0.01) };
  const b = new GraphBuilder(17);
  b.initializer(floatTensor('fc1.weight', [input, hidden], values.w1));
  b.initializer(floatTensor('fc1.bias', [hidden], values.b1));
  b.initializer(floatTensor('fc2.weight', [hidden, p], values.w2));
  b.initializer(floatTensor('fc2.bias', [p], values.b2));
  const h = b.op('Relu', [b.op('Add', [b.op('MatMul', ['x', 'fc1.weight']), 'fc1.bias'])]);
  b.op('Add', [b.op('MatMul', [h, 'fc2.weight']), 'fc2.bias'], {}, 'logits');
  const model = assembleModel({ name: 'modular-mlp', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', input])], outputs: [makeValueInfo('logits', 'float32', ['batch', p])] });
  return { model, parameters: ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], anchor: [values.w1, values.b1, values.w2, values.b2], data: modularAdditionData(p) };
}

export interface AutodiffBench {
  batch: number;
  runs: number;
  threads: number | null;
  forwardMs: number;
  forwardBackwardMs: number;
  /** The same loss and gradients from a hand-written ONNX backward pass (batch 256 only). */
  handWrittenMs: number | null;
  ratio: number;
  gradientNodes: Record<string, number>;
}

/** Median times of several runs timed in turn (so that load from other processes affects all alike). */
async function interleavedMedianMs(fns: (() => Promise<unknown>)[], runs: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const f of fns) await f();
  const times = fns.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, f] of fns.entries()) {
      const t0 = performance.now();
      await f();
      times[k].push(performance.now() - t0);
    }
  }
  return times.map((t) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]);
}

/** The backward pass as one would write it by hand (labels fed as a one-hot matrix), for comparison. */
function handWrittenGradient(model: ModelProto): ModelProto {
  const b = new GraphBuilder(17);
  const h = b.op('Add', [b.op('MatMul', ['x', 'fc1.weight']), 'fc1.bias']);
  const a = b.op('Relu', [h]);
  const z = b.op('Add', [b.op('MatMul', [a, 'fc2.weight']), 'fc2.bias']);
  const logp = b.op('LogSoftmax', [z], { axis: 1 });
  const inv = b.scalarFloat(1 / 256);
  b.op('Neg', [b.mul(b.reduce('ReduceSum', b.mul('onehot', logp), null, false), inv)], {}, 'loss');
  const dz = b.mul(b.sub(b.op('Exp', [logp]), 'onehot'), inv);
  b.reduce('ReduceSum', dz, [0], false);
  b.op('Gemm', [a, dz], { transA: 1 }, 'dW2');
  const dh = b.mul(b.op('Gemm', [dz, 'fc2.weight'], { transB: 1 }), b.op('Sign', [a]));
  b.op('ReduceSum', [dh, b.constInt64([0])], { keepdims: 0 }, 'db1');
  b.op('Gemm', ['x', dh], { transA: 1 }, 'dW1');
  const db2 = b.nodes.find((n) => n.opType === 'ReduceSum' && n.input[0] === dz)!.output[0];
  return assembleModel({
    name: 'hand-written', builder: b,
    inputs: [makeValueInfo('x', 'float32', [256, 226]), makeValueInfo('onehot', 'float32', [256, 113]), ...model.graph.initializer.map((t) => makeValueInfo(t.name, 'float32', t.dims))],
    outputs: ['loss', db2, 'dW2', 'db1', 'dW1'].map((n) => makeValueInfo(n, 'float32', null)),
  });
}

export async function benchAutodiff(o: { batch?: number; runs?: number; warmup?: number; threads?: number } = {}): Promise<AutodiffBench> {
  const batch = o.batch ?? 256, runs = o.runs ?? 101, warmup = o.warmup ?? 10;
  const m = modularMlp();
  const graph = await buildGradientGraph({
    model: m.model, parameters: m.parameters, loss: { kind: 'cross-entropy', output: 'logits', labels: 'labels' }, feedShapes: { x: [batch, 226] },
  });
  const rng = Rng.stream(1);
  const rows = Array.from({ length: batch }, () => rng.int(m.data.labels.data.length));
  const x = new Float32Array(batch * 226);
  rows.forEach((r, i) => x.set((m.data.inputs.x!.data as Float32Array).subarray(r * 226, (r + 1) * 226), i * 226));
  const labels = BigInt64Array.from(rows, (r) => (m.data.labels.data as BigInt64Array)[r]);
  const feeds: Feeds = { x: new ort.Tensor('float32', x, [batch, 226]) };
  m.parameters.forEach((p, i) => { feeds[p] = new ort.Tensor('float32', m.anchor[i], i === 0 ? [226, 512] : i === 1 ? [512] : i === 2 ? [512, 113] : [113]); });
  const opts = o.threads === undefined ? {} : { threads: o.threads };
  const forward = await createSession(parametersToInputs(m.model, m.parameters), opts);
  const backward = await createSession(graph.model, opts);
  const hand = batch === 256 ? await createSession(handWrittenGradient(m.model), opts) : null;
  try {
    const withLabels = { ...feeds, labels: new ort.Tensor('int64', labels, [batch]) };
    const onehot = new Float32Array(batch * 113);
    labels.forEach((l, i) => { onehot[i * 113 + Number(l)] = 1; });
    const withOnehot = { ...feeds, onehot: new ort.Tensor('float32', onehot, [batch, 113]) };
    const fns = [() => forward.run(feeds), () => backward.run(withLabels)];
    if (hand) fns.push(() => hand.run(withOnehot));
    const [forwardMs, forwardBackwardMs, handWrittenMs] = await interleavedMedianMs(fns, runs, warmup);
    const gradientNodes: Record<string, number> = {};
    for (const n of graph.model.graph.node) gradientNodes[n.opType] = (gradientNodes[n.opType] ?? 0) + 1;
    return { batch, runs, threads: o.threads ?? null, forwardMs, forwardBackwardMs, handWrittenMs: handWrittenMs ?? null, ratio: forwardBackwardMs / forwardMs, gradientNodes };
  } finally {
    await forward.release();
    await backward.release();
    await hand?.release();
  }
}

if (require.main === module) {
  void (async () => {
    const threadArg = process.argv.find((a) => a.startsWith('--threads='));
    const r = await benchAutodiff({ threads: threadArg ? Number(threadArg.slice(10)) : undefined });
    if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
    else {
      console.log(`MLP 226→512→113, batch ${r.batch}, median of ${r.runs} alternating runs${r.threads ? `, ${r.threads} threads` : ''}:`);
      console.log(`  forward           ${r.forwardMs.toFixed(3)} ms`);
      console.log(`  forward+backward  ${r.forwardBackwardMs.toFixed(3)} ms  (${r.ratio.toFixed(2)}× forward)`);
      if (r.handWrittenMs !== null) console.log(`  hand-written ONNX forward+backward  ${r.handWrittenMs.toFixed(3)} ms`);
      console.log(`  gradient graph ops: ${Object.entries(r.gradientNodes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  })();
}
