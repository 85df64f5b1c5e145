// What the matched random controls cost: the paired evaluation of one draw (every evaluation batch of the modular
// example's 6962 rows, the addition circuit under mean ablation) with K = 0, 1, 16 and 39 (the default) control sets in the same
// graph, as milliseconds per draw and as a ratio to K = 0 (one clean + one ablated copy). Evaluating K + 1 unit
// sets as K + 1 separate clean + ablated runs would cost K + 1 times the K = 0 figure. Each K is also measured with
// copies built in full (lowRank: false), interleaved draw by draw with the default low-rank copies
// (src/engine/interventions/lowRank.ts): `lowRankSpeedup` is full ÷ low-rank milliseconds, one run.
import * as path from 'node:path';
import { createWeightNoiseDial } from '../src/engine/dials/weightNoise';
import { PairedEvaluator } from '../src/engine/sweep/evaluation';
import { loadSweepInputs } from '../src/engine/sweep/inputs';
import { checkHypothesisFile } from '../src/hypothesis';
import { median, round } from './stats';

const HYPOTHESIS = path.resolve(__dirname, '..', 'examples', 'modular', 'addition-frequencies.circuit.yaml');

export interface ControlsCost {
  rows: number;
  /** Per K: median milliseconds per draw and the ratio to K = 0; the same with full copies, and full ÷ low-rank. */
  byCount: { controls: number; msPerDraw: number; ratio: number; fullMsPerDraw: number; lowRankSpeedup: number }[];
}

export async function measureControlsCost(threads: number, repeats: number): Promise<ControlsCost> {
  const r = await checkHypothesisFile(HYPOTHESIS);
  if (!r.hypothesis) throw new Error(`${HYPOTHESIS}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const byCount: ControlsCost['byCount'] = [];
  let rows = 0;
  for (const count of [0, 1, 16, 39]) {
    const h = { ...r.hypothesis, controls: { count, enumerate: 0, match: 'size' as const } };
    const inputs = await loadSweepInputs(h);
    rows = inputs.n;
    const dial = await createWeightNoiseDial({
      degradation: h.degradation, loss: h.loss, model: inputs.model.proto, parameters: inputs.parameters, initialWeights: inputs.initialWeights,
      data: inputs.data, n: inputs.n, seed: 0, threads,
    });
    const evaluators = [await PairedEvaluator.create(h, inputs, dial, { threads }), await PairedEvaluator.create(h, inputs, dial, { threads, lowRank: false })];
    try {
      const ms: number[][] = [[], []];
      for (const e of evaluators) await e.evaluate({});
      for (let i = 0; i < repeats; i++) {
        for (const [k, e] of evaluators.entries()) {
          const t = performance.now();
          await e.evaluate({});
          ms[k]!.push(performance.now() - t);
        }
      }
      const [low, full] = [median(ms[0]!), median(ms[1]!)];
      byCount.push({ controls: count, msPerDraw: round(low), ratio: 0, fullMsPerDraw: round(full), lowRankSpeedup: round(full / low) });
    } finally {
      for (const e of evaluators) await e.release();
      await dial.dispose();
    }
  }
  const base = byCount[0]!.msPerDraw;
  for (const c of byCount) c.ratio = round(c.msPerDraw / base);
  return { rows, byCount };
}
