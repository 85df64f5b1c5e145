// Fed SGLD noise as the sampler uses it: the first step's noise is exactly the chain's ziggurat stream scaled by
// √ε (seen as the difference between a noisy and a noiseless chain from the same key, whose minibatches agree),
// and drawing it a step ahead in the worker thread changes no number.
import { strict as assert } from 'node:assert';
import { SgldSampler, type SgldSamplerSpec } from '../../../../src/engine/dials/sgldSampler';
import { NormalStream } from '../../../../src/engine/util/ziggurat';
import { linearProblem } from '../../../support/linearRegression';

describe('sgld/sampler: fed noise', function () {
  this.timeout(20000);
  const p = linearProblem(40, 2, 0.3, 2);
  const anchor = [Float32Array.from(p.anchor.slice(0, 2)), Float32Array.from(p.anchor.slice(2))];
  const base: SgldSamplerSpec = { model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: 16, threads: 1 };
  const settings = { stepSize: 1e-3, nbeta: 10, localization: 1, burnIn: 0, draws: 6, thin: 1, chain: 0, divergenceLoss: 1e3 };
  const key = [4, 0.25, 1];

  async function weights(spec: SgldSamplerSpec): Promise<number[][]> {
    const sampler = await SgldSampler.create(spec);
    try {
      const out: number[][] = [];
      for await (const d of sampler.chain({ ...settings, key })) out.push([...d.weights[0]!, ...d.weights[1]!]);
      return out;
    } finally {
      await sampler.dispose();
    }
  }

  it('the first step adds √ε times the chain\'s ziggurat stream (key + purpose 2) to the deterministic update', async () => {
    const noisy = await weights({ ...base, noise: 'fed' });
    const plain = await weights({ ...base, noise: 'none' });
    // Draw 0 is w*; draw 1 = w* − drift(w*) + √ε·ξ₀ for both chains' identical first minibatch.
    const xi = NormalStream.of(...key, 2).fill(new Float32Array(3), Math.sqrt(settings.stepSize));
    for (let i = 0; i < 3; i++) {
      const added = noisy[1]![i]! - plain[1]![i]!;
      assert.ok(Math.abs(added - xi[i]!) < 1e-6, `weight ${i}: ${added} vs √ε·ξ ${xi[i]}`);
    }
  });
});
