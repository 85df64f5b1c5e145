// draws: auto against AR(1) chains, whose ESS is known: n draws at φ carry n·(1−φ)/(1+φ) effective samples.
import { strict as assert } from 'node:assert';
import { chainEss, convergenceSeries, DRAWS_AUTO_MARGIN, drawsAutoDone, drawsAutoStart, nextReading } from '../../../../src/engine/sweep/drawsAuto';
import { Rng } from '../../../../src/engine/util/random';
import { ar1 } from './ar1';

/** Runs the rule over one series drawn in advance; returns where it stopped and its state. */
function stopOn(x: readonly number[], target: number, cap: number) {
  const s = drawsAutoStart(target, cap);
  let n = 0;
  while (!drawsAutoDone(s, ++n, () => [x.slice(0, n)]));
  return { n, ess: s.ess };
}

describe('draws: auto (drawsAuto.ts)', () => {
  it('reads the ESS first at the target, then every 10% more draws', () => {
    assert.equal(nextReading(0, 100), 100);
    assert.equal(nextReading(99, 100), 100);
    assert.equal(nextReading(100, 100), 110);
    assert.equal(nextReading(110, 100), 121);
    assert.equal(drawsAutoStart(100, 1000).next, 125);
    assert.equal(nextReading(0, 1), 4);
    assert.equal(nextReading(4, 1), 5);
  });

  it('AR(1) chains (φ = 0.5, τ = 3) stop with about 1.25× the target ESS: mean n/τ over 40 seeds within 4 standard errors of 125–138', () => {
    const tau = 3;
    const ratios = Array.from({ length: 40 }, (_, seed) => {
      const r = stopOn(ar1(Rng.stream(25, seed), 3000, 0.5), 100, 3000);
      assert.ok(r.ess >= 100 * DRAWS_AUTO_MARGIN, `seed ${seed}: stopped at n = ${r.n} with ESS ${r.ess}`);
      assert.ok(r.n < 3000, `seed ${seed} reached the cap`);
      return r.n / tau;
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratios.length - 1));
    const se = sd / Math.sqrt(ratios.length);
    // The true ESS at the stop, n/τ: the aim 1.25·100, plus at most the 10% between readings, minus what stopping on
    // a high estimate takes.
    assert.ok(mean >= 125 - 4 * se && mean <= 138 + 4 * se, `mean n/τ = ${mean.toFixed(1)} ± ${se.toFixed(1)}`);
  });

  it('independent draws stop at the first reading or soon after (ESS ≈ n)', () => {
    for (let seed = 0; seed < 10; seed++) {
      const r = stopOn(ar1(Rng.stream(26, seed), 1000, 0), 100, 1000);
      assert.ok(r.n >= 125 && r.n <= 250, `seed ${seed}: n = ${r.n}`);
    }
  });

  it('a chain that cannot reach the target in its cap stops there, with the ESS it reached (φ = 0.9: 600 draws carry ≈ 32)', () => {
    for (let seed = 0; seed < 5; seed++) {
      const r = stopOn(ar1(Rng.stream(27, seed), 600, 0.9), 100, 600);
      assert.equal(r.n, 600);
      assert.ok(r.ess < 100);
      // ESS estimates of chains only ~30 τ long scatter by tens of percent: a factor of 2 either way.
      assert.ok(r.ess > 600 / 19 / 2 && r.ess < (600 / 19) * 2, `seed ${seed}: ESS ${r.ess}`);
    }
  });

  it('the chain ESS is the least over the series, skips a constant one, and cannot be read from a non-finite one', () => {
    const rng = Rng.stream(28, 0);
    const fast = ar1(rng, 400, 0), slow = ar1(rng, 400, 0.9);
    assert.equal(chainEss([fast, slow, new Array(400).fill(2)]), Math.min(chainEss([fast]), chainEss([slow])));
    assert.ok(chainEss([slow]) < chainEss([fast]) / 4);
    assert.ok(Number.isNaN(chainEss([fast, [...slow.slice(0, 399), NaN]])));
  });

  it('reads L_n, E_T, E_C and, with controls, the null\'s per-draw means', () => {
    const c = { lossGap: [1, 2], targetEffect: [3, 4], collateralEffect: [5, 6], controlTargetEffect: [[1, 3], [2, 4]], controlCollateralEffect: [[0, 0], [1, 3]] };
    assert.deepEqual(convergenceSeries(c), [[1, 2], [3, 4], [5, 6], [2, 3], [0, 2]]);
    assert.deepEqual(convergenceSeries({ ...c, controlTargetEffect: [[], []], controlCollateralEffect: [[], []] }), [[1, 2], [3, 4], [5, 6]]);
  });
});
