// The verdict's measured false-positive rate: random unit sets, which are by construction no circuit, swept like
// any hypothesis on the planted and the modular models. The fraction called clean must not exceed α plus its
// binomial 95% margin (one-sided), and the test prints the rate it measured.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { HIDDEN, HIDDEN_TENSOR as PLANTED_HIDDEN } from '../../../../examples/planted/generate';
import { runSweep } from '../../../../src/engine/sweep/run';
import { Rng } from '../../../../src/engine/util/random';
import { checkHypothesisFile, type Hypothesis } from '../../../../src/hypothesis';
import { degradationAs, type WeightNoiseDegradation } from '../../../../src/protocol/hypothesis';

const ROOT = path.resolve(__dirname, '../../../..');
const MODULAR_HIDDEN = '/mlp/relu/Relu_output_0';
const MODULAR_WIDTH = 256;

async function base(file: string): Promise<Hypothesis> {
  const r = await checkHypothesisFile(path.join(ROOT, file));
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  return r.hypothesis;
}

/** `size` units of a `width`-unit layer, drawn with their own seed (not the controls' stream). */
function randomUnits(seed: number, width: number, size: number): number[] {
  return Array.from(Rng.stream(9000 + seed).permutation(width).slice(0, size)).sort((a, b) => a - b);
}

function withUnits(h: Hypothesis, tensor: string, units: number[], degradation: Partial<WeightNoiseDegradation> = {}): Hypothesis {
  return { ...h, circuit: { name: 'random units', components: [{ tensor, axis: -1, units }] }, degradation: { ...degradationAs(h.degradation, 'weight-noise'), ...degradation } };
}

describe('verdict: measured false-positive rate', function () {
  this.timeout(900_000);

  it('random unit sets of several sizes on the planted and modular models are called clean at most α + margin of the time', async () => {
    const cases: { name: string; h: Hypothesis }[] = [];
    let seed = 0;
    for (const kappa of [0, 1]) {
      const h = await base(`examples/planted/kappa-${kappa}.circuit.yaml`);
      for (const size of [2, 4, 8]) {
        // A shorter sweep than the committed file's (6 levels, 16 samples): the rate is a property of the tests.
        const short = { levels: [0.001, 0.005, 0.02, 0.08, 0.3, 1], scale: 'log' as const, noise: { samples: 16 } };
        for (let r = 0; r < 6; r++) cases.push({ name: `planted κ = ${kappa}, ${size} units`, h: withUnits(h, PLANTED_HIDDEN, randomUnits(seed++, HIDDEN, size), short) });
      }
    }
    // The modular network under weight noise (independent draws: the SGLD chains of the shipped example are far from
    // converged at any length this suite can afford, and an unconverged level holds no test anyway).
    const modular = await base('examples/modular/random-neurons.circuit.yaml');
    const noise = { dial: 'weight-noise' as const, levels: [0.01, 0.0316, 0.1, 0.316], scale: 'log' as const, noise: { samples: 8 } };
    for (const size of [22, 44]) {
      // K = 19, the fewest controls whose rank test can reject at α = 0.05 (p ≥ 1/20), to keep the 6962-row model quick.
      for (let r = 0; r < 6; r++) cases.push({ name: `modular, ${size} units`, h: { ...withUnits(modular, MODULAR_HIDDEN, randomUnits(seed++, MODULAR_WIDTH, size), noise), controls: { count: 19, enumerate: 0, match: 'size' } } });
    }
    let clean = 0;
    const calledClean: string[] = [];
    for (const c of cases) {
      const doc = await runSweep(c.h);
      if (doc.verdict.cleanWindow !== null) {
        clean++;
        calledClean.push(`${c.name}: ${doc.verdict.summary}`);
      }
    }
    const n = cases.length;
    const alpha = 0.05;
    const margin = 1.645 * Math.sqrt((alpha * (1 - alpha)) / n);
    const rate = clean / n;
    console.log(`      measured false-positive rate: ${clean} of ${n} random hypotheses called clean (${(100 * rate).toFixed(1)}%; bound ${(100 * (alpha + margin)).toFixed(1)}%)`);
    assert.ok(n >= 40);
    assert.ok(rate <= alpha + margin, `${clean} of ${n} called clean: ${calledClean.join('; ')}`);
  });
});
