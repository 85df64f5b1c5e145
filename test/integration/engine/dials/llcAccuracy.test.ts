// devinterp's LLC accuracy cases at fast settings (the full set with devinterp's chain counts: npm run test:llc).
import { strict as assert } from 'node:assert';
import { aoyagiDln, aoyagiWatanabeRrr } from '../../../fixtures/learningCoefficients';
import { checkDeepLinear, checkNormalCrossing, RRR_CASES } from '../../../llc/accuracyCases';

describe('llc: accuracy on models with a known learning coefficient (fast settings)', function () {
  this.timeout(300_000);

  it('Aoyagi\'s deep-linear formula gives Aoyagi & Watanabe\'s reduced-rank values in all four cases', () => {
    for (const [m, h, n] of [...RRR_CASES, [2, 1, 2], [1, 4, 2]] as [number, number, number][]) assert.equal(aoyagiDln([m, h, n], 0), aoyagiWatanabeRrr(m, h, n), `${m}, ${h}, ${n}`);
    // By hand: (5, 3, 5) is case 1 with M + H + N odd: (1 + 2·25 + 2·15 + 2·15 − 25 − 25 − 9)/8 = 6.5.
    assert.equal(aoyagiWatanabeRrr(5, 3, 5), 6.5);
    assert.equal(aoyagiWatanabeRrr(4, 3, 8), 6); // M + H < N: M·H/2
  });

  for (const sampler of ['sgld', 'preconditioned-sgld', 'exponential-sgld'] as const) {
    for (const powers of [[0, 1], [2, 2]]) {
      it(`${sampler}: normal crossing x·w^${JSON.stringify(powers)}: λ̂ is the tempered posterior's exact expectation`, async () => {
        await checkNormalCrossing(powers, { chains: 6, draws: 1500, burnIn: 1500, stepSize: 2e-4, localization: 10, sampler });
      });
    }

    it(`${sampler}: reduced-rank regression 5 → 3 → 5 at its most singular point: Aoyagi & Watanabe's λ = 6.5 within 30%`, async () => {
      await checkDeepLinear([5, 3, 5], { chains: 3, draws: 2000, burnIn: 3000, stepSize: 3e-4, localization: 1, sampler });
    });
  }

  // hmc: Metropolis-adjusted, so the exact expectation with no discretization-bias allowance; its draws are
  // trajectories (a few full-data gradients each, far less autocorrelated than SGLD steps), hence the smaller counts.
  for (const powers of [[0, 1], [2, 2]]) {
    it(`hmc: normal crossing x·w^${JSON.stringify(powers)}: λ̂ is the tempered posterior's exact expectation`, async () => {
      await checkNormalCrossing(powers, { chains: 6, draws: 300, burnIn: 50, stepSize: 2e-4, localization: 10, sampler: 'hmc' });
    });
  }
  it('hmc: reduced-rank regression 5 → 3 → 5 at its most singular point: Aoyagi & Watanabe\'s λ = 6.5 within 30%', async () => {
    await checkDeepLinear([5, 3, 5], { chains: 3, draws: 400, burnIn: 100, stepSize: 3e-4, localization: 1, sampler: 'hmc' });
  });
});
