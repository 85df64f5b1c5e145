// What an entanglement map costs (docs/method.md, "The entanglement map"): the paired evaluation of one draw with
// every scanned unit in one graph, against evaluating the same units as separate one-unit sweeps, each with its own
// v3 null (the other units of its tensor when few, else 39 of them). Measured on the induction example's 16 heads and
// the modular example's 512 neurons, as milliseconds per draw; the ratio says how many separate one-unit sweeps a
// scan's draw costs (16 for the heads: one per head).
import * as path from 'node:path';
import { createWeightNoiseDial } from '../src/engine/dials/weightNoise';
import { PairedEvaluator } from '../src/engine/sweep/evaluation';
import { loadSweepInputs } from '../src/engine/sweep/inputs';
import { scanComponents, unitSets } from '../src/engine/sweep/scan';
import { ScanAccumulator } from '../src/engine/sweep/scanDraw';
import { checkHypothesisFile } from '../src/hypothesis';
import type { Hypothesis, ScanComponent } from '../src/protocol/hypothesis';
import { median, round } from './stats';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

export interface ScanCost {
  example: string;
  units: number;
  rows: number;
  /** Median ms per draw: the scan (all units in one graph), and one separate one-unit sweep (its circuit and null),
   *  averaged over the scanned units (measured once per tensor). */
  scanMsPerDraw: number;
  oneUnitSweepMsPerDraw: number;
  /** Copies in one separate sweep's graph (1 + its null). */
  oneUnitCopies: number;
  /** units × one sweep ÷ scan: how many times cheaper the scan's draw is than sweeping every unit separately. */
  speedup: number;
  /** The scan's draw in units of one separate one-unit sweep's draw (16 heads: ≤ 16 means it beats 16 sweeps). */
  sweepsPerScanDraw: number;
}

async function timed(f: () => Promise<unknown>, repeats: number): Promise<number> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

async function evaluatorFor(h: Hypothesis, threads: number, sets?: (dims: (t: string) => number[]) => ReturnType<typeof unitSets>) {
  const inputs = await loadSweepInputs(h);
  const dial = await createWeightNoiseDial({
    degradation: h.degradation, loss: h.loss, model: inputs.model.proto, parameters: inputs.parameters, initialWeights: inputs.initialWeights,
    data: inputs.data, n: inputs.n, seed: 0, threads,
  });
  const evaluator = await PairedEvaluator.create(h, inputs, dial, { threads, ...(sets ? { sets } : {}) });
  return { evaluator, dial, rows: inputs.n };
}

export async function measureScanCost(example: 'induction' | 'modular', threads: number, repeats: number): Promise<ScanCost> {
  const file = path.join(EXAMPLES, example, example === 'induction' ? 'scan-heads.circuit.yaml' : 'scan-neurons.circuit.yaml');
  const r = await checkHypothesisFile(file);
  if (!r.hypothesis?.scan) throw new Error(`${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const h = r.hypothesis;
  let components: (ScanComponent & { units: number[] })[] = [];
  const scan = await evaluatorFor(h, threads, (dims) => unitSets(components = scanComponents(h.scan!.components, dims)));
  const units = components.reduce((a, c) => a + c.units.length, 0);
  const componentOf = Int32Array.from(components.flatMap((c, k) => c.units.map(() => k)));
  let scanMs: number;
  try {
    scanMs = await timed(() => scan.evaluator.evaluateWith({}, new ScanAccumulator(componentOf, components.length)), repeats);
  } finally {
    await scan.evaluator.release();
    await scan.dial.dispose();
  }
  // Separate sweeps: per scanned tensor, its first unit as a circuit with the null a sweep draws for it (a layer-0
  // head's copies recompute layer 1, a layer-1 head's only the unembedding), times the tensor's units.
  const { scan: _scan, ...plain } = h;
  const perTensor: { units: number; ms: number; copies: number }[] = [];
  for (const c of components) {
    const one: Hypothesis = {
      ...plain,
      circuit: { name: 'one unit', components: [{ tensor: c.tensor, axis: c.axis, units: [c.units[0]!], ...(c.groupSize ? { groupSize: c.groupSize } : {}), ...(c.positions ? { positions: c.positions } : {}) }] },
      controls: { count: 39, enumerate: 256, match: 'size' },
    };
    const single = await evaluatorFor(one, threads);
    try {
      perTensor.push({ units: c.units.length, copies: 1 + single.evaluator.controls.length, ms: await timed(() => single.evaluator.evaluate({}), repeats) });
    } finally {
      await single.evaluator.release();
      await single.dial.dispose();
    }
  }
  const separate = perTensor.reduce((a, t) => a + t.units * t.ms, 0);
  const oneMs = separate / units;
  const oneUnitCopies = perTensor[0]!.copies;
  return {
    example, units, rows: scan.rows, scanMsPerDraw: round(scanMs), oneUnitSweepMsPerDraw: round(oneMs), oneUnitCopies,
    speedup: round((units * oneMs) / scanMs), sweepsPerScanDraw: round(scanMs / oneMs),
  };
}
