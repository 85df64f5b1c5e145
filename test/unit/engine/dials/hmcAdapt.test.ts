// Dual averaging of the hmc warm-up: on a known acceptance curve it settles where the acceptance is the target.
import { strict as assert } from 'node:assert';
import { DualAveraging, HMC_TARGET_ACCEPTANCE } from '../../../../src/engine/dials/hmcAdapt';
import { Rng } from '../../../../src/engine/util/random';

describe('hmc: dual averaging of the step size', () => {
  // a(ε) = exp(−(ε/0.1)²): the target 0.8 is met at ε* = 0.1·√(−ln 0.8) ≈ 0.0472.
  const acceptance = (e: number) => Math.exp(-((e / 0.1) ** 2));
  const exact = 0.1 * Math.sqrt(-Math.log(HMC_TARGET_ACCEPTANCE));

  for (const initial of [1e-4, 0.03, 3]) {
    it(`reaches ε* from ε₀ = ${initial} (deterministic acceptance)`, () => {
      const d = new DualAveraging(initial);
      for (let m = 0; m < 200; m++) d.update(acceptance(d.stepSize));
      assert.ok(Math.abs(d.final / exact - 1) < 0.1, `ε̄ = ${d.final}, ε* = ${exact}`);
    });
  }

  it('with Bernoulli-like noisy acceptances the average still lands near ε* (within 25%)', () => {
    const rng = Rng.stream(3);
    const d = new DualAveraging(0.01);
    // A noisy observation whose mean is a(ε): 1 or 0 (a divergent or rejected proposal) — the hardest feed.
    for (let m = 0; m < 1000; m++) d.update(rng.uniform() < acceptance(d.stepSize) ? 1 : 0);
    assert.ok(Math.abs(d.final / exact - 1) < 0.25, `ε̄ = ${d.final}, ε* = ${exact}`);
  });

  it('rejects a non-positive start', () => {
    assert.throws(() => new DualAveraging(0), /initial step size/);
  });
});
