// Low-rank copies (interventions/lowRank.ts) compute y'·W as y·W − (y − r)[:, S]·W[S, :]: the same numbers as the
// copies that build y' and multiply it in full, up to float32 rounding. Checked on the real examples — modular
// (MatMul, 44 of 256 units, 39 controls) and planted (Gemm with transB) — for every replacement kind, at the trained
// weights and at perturbed ones, on every quantity the verdict reads; and the rewrite must have taken place (no copy
// of the circuit tensor is built), or falls back where it does not apply (positions, a tensor that is not a matrix).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { checkHypothesisFile } from '../../../../src/hypothesis';
import type { Hypothesis } from '../../../../src/protocol/hypothesis';
import { loadSweepInputs, SweepInputs } from '../../../../src/engine/sweep/inputs';
import { openDial } from '../../../../src/engine/sweep/run';
import { PairedEvaluator } from '../../../../src/engine/sweep/evaluation';
import type { DrawMetrics } from '../../../../src/engine/sweep/metrics';
import { ABLATED_PREFIX } from '../../../../src/engine/interventions/paired';
import { Rng } from '../../../../src/engine/util/random';
import { close } from '../../../support/close';

const example = (f: string) => path.resolve(__dirname, '../../../../examples', f);

async function load(file: string): Promise<{ h: Hypothesis; inputs: SweepInputs }> {
  const r = await checkHypothesisFile(example(file));
  assert.ok(r.hypothesis, `${file}: ${JSON.stringify(r.diagnostics)}`);
  return { h: r.hypothesis, inputs: await loadSweepInputs(r.hypothesis) };
}

/** The draw's metrics from copies built in full and from low-rank ones, and whether each built y'. */
async function both(h: Hypothesis, inputs: SweepInputs, weights?: Float32Array[]) {
  const dial = await openDial(h, inputs, { threads: 1 });
  const out: { metrics: DrawMetrics; buildsCopy: boolean }[] = [];
  try {
    for (const lowRank of [false, true]) {
      const ev = await PairedEvaluator.create(h, inputs, dial, { threads: 1, lowRank });
      try {
        const tensor = h.circuit.components[0]!.tensor;
        const buildsCopy = ev.paired.model.graph.node.some((n) => n.output.includes(ABLATED_PREFIX + tensor));
        out.push({ metrics: await ev.evaluate(weights ? { weights } : {}), buildsCopy });
      } finally {
        await ev.release();
      }
    }
  } finally {
    await dial.dispose();
  }
  return { full: out[0]!, low: out[1]! };
}

function perturbed(inputs: SweepInputs, scale: number, seed: number): Float32Array[] {
  const rng = Rng.stream(seed);
  return inputs.initialWeights.map((w) => Float32Array.from(w, (v) => v + scale * rng.normal()));
}

/** Float32 rounding of a loss difference: a few ulps of the losses it is the difference of. */
const tolerance = (w: number) => 2e-5 * (1 + Math.abs(w));

function same(low: DrawMetrics, full: DrawMetrics, what: string): void {
  close(low.loss, full.loss, tolerance, `${what} loss`);
  close(low.targetEffect, full.targetEffect, tolerance, `${what} E_T`);
  close(low.collateralEffect, full.collateralEffect, tolerance, `${what} E_C`);
  close(low.controlTargetEffect, full.controlTargetEffect, tolerance, `${what} E_T^k`);
  close(low.controlCollateralEffect, full.controlCollateralEffect, tolerance, `${what} E_C^k`);
  close(low.rowSe, full.rowSe, tolerance, `${what} row se`);
}

describe('interventions/lowRank: copies as the clean product minus a rank-s correction', function () {
  this.timeout(120_000);

  for (const kind of ['mean', 'zero', 'resample'] as const) {
    it(`modular (MatMul, 44 of 256 units, 39 controls), ${kind}: the verdict's quantities agree with full copies`, async () => {
      const { h, inputs } = await load('modular/addition-frequencies.circuit.yaml');
      const hk: Hypothesis = { ...h, intervention: { ...h.intervention, kind } };
      for (const weights of [undefined, perturbed(inputs, 0.02, 1)]) {
        const { full, low } = await both(hk, inputs, weights);
        assert.ok(full.buildsCopy && !low.buildsCopy, 'the low-rank model builds no ablated copy of the circuit tensor');
        assert.ok(Math.abs(full.metrics.targetEffect) > 0.01, `a real effect is compared (${full.metrics.targetEffect})`);
        same(low.metrics, full.metrics, `${kind}${weights ? ', perturbed' : ''}`);
      }
    });
  }

  it('planted (Gemm, transB = 1), mean and complement scope: the same numbers', async () => {
    const { h, inputs } = await load('planted/kappa-1.circuit.yaml');
    for (const scope of ['circuit', 'complement'] as const) {
      const hs: Hypothesis = { ...h, intervention: { ...h.intervention, scope } };
      const { full, low } = await both(hs, inputs, perturbed(inputs, 0.05, 2));
      assert.ok(!low.buildsCopy, `${scope}: low-rank`);
      same(low.metrics, full.metrics, `planted ${scope}`);
    }
  });

  it('falls back to full copies where the mask is not a set of columns (heads at positions of a [batch, seq, head, d] tensor)', async () => {
    const { h, inputs } = await load('induction/induction-head.circuit.yaml');
    const { full, low } = await both(h, inputs);
    assert.ok(full.buildsCopy && low.buildsCopy, 'both build the copy');
    same(low.metrics, full.metrics, 'induction');
  });
});
