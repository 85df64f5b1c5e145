import { strict as assert } from 'node:assert';
import { estimate, studentTQuantile } from '../../../../src/engine/sweep/stats';
import { Rng } from '../../../../src/engine/util/random';
import { ar1 } from './ar1';


describe('sweep/stats', () => {
  it('Student t quantiles match the tables', () => {
    const table: [number, number, number][] = [[0.975, 1, 12.7062], [0.975, 3, 3.18245], [0.975, 10, 2.22814], [0.95, 5, 2.01505], [0.975, 30, 2.04227], [0.975, Infinity, 1.95996]];
    for (const [p, dof, q] of table) assert.ok(Math.abs(studentTQuantile(p, dof) - q) < 2e-5, `t(${p}, ${dof}) = ${studentTQuantile(p, dof)}, table ${q}`);
    assert.ok(Math.abs(studentTQuantile(0.025, 3) + 3.18245) < 2e-5);
  });

  it('i.i.d. normal draws in one chain: se = sd/√n, and the 95% interval covers 0 in 95% of repeats', () => {
    const rng = Rng.stream(11);
    let covered = 0;
    const repeats = 1000;
    let se2 = 0;
    for (let r = 0; r < repeats; r++) {
      const x = Array.from({ length: 20 }, () => rng.normal());
      const e = estimate([x], { independent: true });
      assert.equal(e.dof, 19);
      se2 += e.se ** 2;
      if (e.ci95[0] < 0 && 0 < e.ci95[1]) covered++;
    }
    // E[se²] = 1/20; the mean of 1000 estimates with 19 dof has relative sd √(2/19/1000) ≈ 0.01.
    assert.ok(Math.abs((se2 / repeats) * 20 - 1) < 0.05, `mean se² · n = ${(se2 / repeats) * 20}`);
    // Binomial sd of the coverage over 1000 repeats: √(0.95·0.05/1000) ≈ 0.0069; allow 3 sd.
    assert.ok(Math.abs(covered / repeats - 0.95) < 0.021, `coverage ${covered / repeats}`);
  });

  it('four chains of i.i.d. draws: se from chain means with t(3) gives 95% coverage (a normal quantile would give ~86%)', () => {
    const rng = Rng.stream(12);
    let covered = 0;
    const repeats = 1000;
    for (let r = 0; r < repeats; r++) {
      const chains = Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => rng.normal()));
      const e = estimate(chains);
      assert.equal(e.dof, 3);
      if (e.ci95[0] < 0 && 0 < e.ci95[1]) covered++;
    }
    assert.ok(Math.abs(covered / repeats - 0.95) < 0.021, `coverage ${covered / repeats}`);
  });

  it('one AR(1) chain (φ = 0.5): batch means recover Var(mean) = 4/n, three times the naive i.i.d. value', () => {
    const rng = Rng.stream(13);
    const n = 4096, repeats = 100, phi = 0.5;
    let se2 = 0, naive2 = 0;
    for (let r = 0; r < repeats; r++) {
      const x = ar1(rng, n, phi);
      se2 += estimate([x]).se ** 2;
      naive2 += estimate([x], { independent: true }).se ** 2;
    }
    const truth = 1 / (1 - phi) ** 2 / n; // long-run variance / n = 4/n
    // Batch size 64: bias −(2/b)·Σk·γ_k/γ_lr = −(2/64)·(8/3)/4 ≈ −2%; each estimate has 63 dof (rel. sd 0.18), the
    // mean of 100 has rel. sd 0.018. Allow bias + 4 sd.
    const ratio = se2 / repeats / truth;
    assert.ok(Math.abs(ratio - 0.98) < 0.08, `batch-means se² / truth = ${ratio}`);
    // The naive estimate sees only the marginal variance 4/3: a third of the truth.
    assert.ok(Math.abs(naive2 / repeats / truth - 1 / 3) < 0.03, `naive se² / truth = ${naive2 / repeats / truth}`);
  });

  it('eight AR(1) chains: chain-means se² has expectation Var(chain mean)/8', () => {
    const rng = Rng.stream(14);
    const n = 512, chains = 8, repeats = 200, phi = 0.5;
    let se2 = 0;
    for (let r = 0; r < repeats; r++) se2 += estimate(Array.from({ length: chains }, () => ar1(rng, n, phi))).se ** 2;
    const truth = 4 / n / chains;
    // 7 dof per estimate: rel. sd √(2/7) ≈ 0.53, over 200 repeats 0.038; allow 4 sd.
    assert.ok(Math.abs(se2 / repeats / truth - 1) < 0.15, `ratio ${se2 / repeats / truth}`);
  });

  it('a deterministic dial gives se = 0 and a zero-width interval; a single random draw gives no finite interval', () => {
    const e = estimate([[1.5]], { deterministic: true });
    assert.deepEqual([e.mean, e.se, e.ci95[0], e.ci95[1]], [1.5, 0, 1.5, 1.5]);
    const one = estimate([[1.5]], { independent: true });
    assert.ok(Number.isNaN(one.se));
    assert.deepEqual(one.ci95, [-Infinity, Infinity]);
  });
});
