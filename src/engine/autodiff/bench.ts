// Forward-only vs forward+backward time of the modular-addition MLP (226 → 512 → 113, batch 256, cross-entropy):
// the cost of the gradient graph relative to the forward pass. Run: `npx tsx src/engine/autodiff/bench.ts [--json]`.
import { modularMlp } from '../dials/sgldBench';
import { parametersToInputs } from '../onnx/rewrite';
import { createSession, Feeds, ort } from '../onnx/runtime';
import { Rng } from '../util/random';
import { buildGradientGraph } from './index';

export interface AutodiffBench {
  batch: number;
  runs: number;
  threads: number | null;
  forwardMs: number;
  forwardBackwardMs: number;
  ratio: number;
  gradientNodes: Record<string, number>;
}

/** Median times of two runs timed alternately (so that load from other processes affects both alike). */
async function pairedMedianMs(a: () => Promise<unknown>, b: () => Promise<unknown>, runs: number, warmup: number): Promise<[number, number]> {
  for (let i = 0; i < warmup; i++) { await a(); await b(); }
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    tb.push(performance.now() - t0);
  }
  const median = (t: number[]) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)];
  return [median(ta), median(tb)];
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
  rows.forEach((r, i) => x.set((m.data.inputs.x.data as Float32Array).subarray(r * 226, (r + 1) * 226), i * 226));
  const labels = BigInt64Array.from(rows, (r) => (m.data.labels.data as BigInt64Array)[r]);
  const feeds: Feeds = { x: new ort.Tensor('float32', x, [batch, 226]) };
  m.parameters.forEach((p, i) => { feeds[p] = new ort.Tensor('float32', m.anchor[i], i === 0 ? [226, 512] : i === 1 ? [512] : i === 2 ? [512, 113] : [113]); });
  const opts = o.threads === undefined ? {} : { threads: o.threads };
  const forward = await createSession(parametersToInputs(m.model, m.parameters), opts);
  const backward = await createSession(graph.model, opts);
  try {
    const withLabels = { ...feeds, labels: new ort.Tensor('int64', labels, [batch]) };
    const [forwardMs, forwardBackwardMs] = await pairedMedianMs(() => forward.run(feeds), () => backward.run(withLabels), runs, warmup);
    const gradientNodes: Record<string, number> = {};
    for (const n of graph.model.graph.node) gradientNodes[n.opType] = (gradientNodes[n.opType] ?? 0) + 1;
    return { batch, runs, threads: o.threads ?? null, forwardMs, forwardBackwardMs, ratio: forwardBackwardMs / forwardMs, gradientNodes };
  } finally {
    await forward.release();
    await backward.release();
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
      console.log(`  gradient graph ops: ${Object.entries(r.gradientNodes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  })();
}
