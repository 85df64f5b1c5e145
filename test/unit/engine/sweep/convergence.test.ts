import { strict as assert } from 'node:assert';
import { constantUpToRounding, convergenceDiagnostics, essBulk, essTail, normalQuantile, splitRhat } from '../../../../src/engine/sweep/convergence';
import { diagnose } from '../../../../src/engine/sweep/level';
import { Rng } from '../../../../src/engine/util/random';
import { ar1 } from './ar1';

type Chains = number[][];

function normals(rng: Rng, n: number, mean = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}


/** Standard Cauchy as a ratio of independent normals. */
function cauchy(rng: Rng, n: number, location = 0): number[] {
  return Array.from({ length: n }, () => location + rng.normal() / rng.normal());
}

/** The classic split-R̂ on the raw draws (no ranks, no folding), to contrast with splitRhat. */
function plainSplitRhat(chains: Chains): number {
  const half = Math.floor(chains[0]!.length / 2);
  const split = chains.flatMap((c) => [c.slice(0, half), c.slice(c.length - half)]);
  const m = split.length, n = half;
  const means = split.map((c) => c.reduce((s, v) => s + v, 0) / n);
  const W = split.reduce((s, c, j) => s + c.reduce((t, v) => t + (v - means[j]!) ** 2, 0) / (n - 1), 0) / m;
  const mu = means.reduce((s, v) => s + v, 0) / m;
  const bOverN = means.reduce((s, v) => s + (v - mu) ** 2, 0) / (m - 1);
  return Math.sqrt((((n - 1) / n) * W + bOverN) / W);
}

describe('sweep/convergence', () => {
  it('normalQuantile matches high-precision values and is antisymmetric', () => {
    // References: mpmath at 40 digits, root of ncdf(x) = p for p the exact double (in the tail the double's rounding
    // moves x by ε/φ(x), 2e-11 at 0.999999). AS 241 is good to ~1e-16 relative; allow 1e-13.
    const table: [number, number][] = [
      [0.975, 1.9599639845400539], [0.5, 0], [1e-10, -6.361340902404056], [0.999, 3.0902323061678133],
      [0.999999, 4.753424308817088], [1e-4, -3.7190164854556806], [0.3, -0.5244005127080408], [1e-300, -37.0470962993612],
    ];
    for (const [p, x] of table) {
      const got = normalQuantile(p);
      assert.ok(Math.abs(got - x) <= 1e-13 * Math.max(1, Math.abs(x)), `Φ⁻¹(${p}) = ${got}, expected ${x}`);
    }
    assert.equal(normalQuantile(0.5), 0);
    for (let k = 1; k < 1000; k++) {
      const p = k / 1000;
      // 1 − p is rounded (≤ 1.1e-16); divided by φ(x) ≥ φ(3.1) ≈ 0.0033 that is < 1e-13.
      assert.ok(Math.abs(normalQuantile(p) + normalQuantile(1 - p)) < 1e-13, `asymmetric at ${p}`);
      if (k > 1) assert.ok(normalQuantile(p) > normalQuantile((k - 1) / 1000), `not increasing at ${p}`);
    }
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    for (const bad of [-0.1, 1.1, NaN]) assert.ok(Number.isNaN(normalQuantile(bad)));
  });

  it('four i.i.d. N(0,1) chains of 1000: R̂ ≈ 1 and ESS ≈ 4000', () => {
    const rng = Rng.stream(31);
    const chains = Array.from({ length: 4 }, () => normals(rng, 1000));
    const d = convergenceDiagnostics(chains);
    // Eight split chains of 500: R̂ ≈ 1 + (χ²₇/7 − 1)/(2·500), sd ≈ 0.0005; 1.01 is ~20 sd away.
    assert.ok(d.rhat < 1.01, `R̂ = ${d.rhat}`);
    // Each ρ̂_t has sd ≈ 1/√4000 ≈ 0.016 and τ̂ sums a few of them twice: over 40 seeds the bulk ESS had relative
    // sd 4.3% (mean 3954); ±15% is ~3.5 sd.
    assert.ok(Math.abs(d.essBulk / 4000 - 1) < 0.15, `bulk ESS = ${d.essBulk}`);
    // The tail ESS is the min of two such estimates (biased low by ~1 sd: mean 3819 over 40 seeds, sd 4.3%).
    assert.ok(d.essTail > 0.8 * 4000 && d.essTail < 1.15 * 4000, `tail ESS = ${d.essTail}`);
    assert.equal(d.rhat, splitRhat(chains));
    assert.equal(d.essBulk, essBulk(chains));
    assert.equal(d.essTail, essTail(chains));
  });

  it('the false-alarm rate of R̂ ≤ 1.01 on converged chains: ~6% per quantity at ESS 125 per chain (draws: auto\'s old aim), under 1% at 250 (its aim now)', () => {
    // Four i.i.d. N(0, 1) chains (converged by construction). The rule's rank-normalized split-R̂ (the larger of
    // the bulk and the folded one) exceeds 1.01 by chance: measured over 1,500 grids, binomial se ≤ 0.7%; the bands
    // are ±4 se around the rates a 4,000-grid run read (6.2% at 125 draws, 0.15% at 250).
    const rate = (n: number, seed: number) => {
      const rng = Rng.stream(seed, n);
      let over = 0;
      for (let r = 0; r < 1500; r++) if (splitRhat(Array.from({ length: 4 }, () => normals(rng, n))) > 1.01) over++;
      return over / 1500;
    };
    const at125 = rate(125, 5), at250 = rate(250, 6);
    assert.ok(at125 > 0.062 - 4 * 0.0062 && at125 < 0.062 + 4 * 0.0062, `P(R̂ > 1.01) at ESS 125: ${at125}`);
    assert.ok(at250 < 0.0015 + 4 * 0.001 + 1e-12, `P(R̂ > 1.01) at ESS 250: ${at250}`);
  });

  it('four AR(1) chains (φ = 0.9) of 2000: bulk ESS ≈ 8000·(1−φ)/(1+φ) ≈ 421', () => {
    const phi = 0.9, repeats = 16;
    const truth = (4 * 2000 * (1 - phi)) / (1 + phi);
    let sum = 0;
    for (let r = 0; r < repeats; r++) {
      const rng = Rng.stream(32, r);
      const ess = essBulk(Array.from({ length: 4 }, () => ar1(rng, 2000, phi)));
      // τ = 19 and the Geyer window reaches lag ~30: one estimate has relative sd ≈ 10% (measured over 40 seeds,
      // range −22%…+22%); ±40% is 4 sd.
      assert.ok(Math.abs(ess / truth - 1) < 0.4, `seed ${r}: bulk ESS = ${ess}`);
      sum += ess;
    }
    // The mean of 16 has relative sd ≈ 2.6%; 8% is 3 sd (Geyer's truncation bias is well below that here).
    const mean = sum / repeats;
    assert.ok(Math.abs(mean / truth - 1) < 0.08, `mean bulk ESS = ${mean}, truth ${truth}`);
  });

  it('one chain offset by 3 sd: R̂ far above 1 (rank normalization bounds it near 1.53 for one chain in four)', () => {
    const rng = Rng.stream(33);
    const shifted = [normals(rng, 1000, 3), normals(rng, 1000), normals(rng, 1000), normals(rng, 1000)];
    const rhat = splitRhat(shifted);
    // Fully separated, that chain holds the top quarter of the normal scores: means 1.27 vs −0.42, variances 0.24
    // vs 0.54, so R̂ → √(1 + (B/n)/W) = √(1 + 0.616/0.462) ≈ 1.528. At 3 sd the chains overlap a little: 1.472 ± 0.005
    // over 40 seeds. Ranks cap R̂ where raw values do not (the plain split-R̂ is ≈ 1.71).
    assert.ok(rhat > 1.4, `R̂ = ${rhat}`);
    assert.ok(plainSplitRhat(shifted) > 1.5, `plain split-R̂ = ${plainSplitRhat(shifted)}`);
    const separated = splitRhat([normals(rng, 1000, 100), normals(rng, 1000), normals(rng, 1000), normals(rng, 1000)]);
    assert.ok(Math.abs(separated - 1.528) < 0.01, `separated R̂ = ${separated}`);
  });

  it('one chain with sd 3 (same mean): the folded R̂ catches it, the plain split-R̂ does not', () => {
    const rng = Rng.stream(34);
    const chains = [normals(rng, 1000, 0, 3), normals(rng, 1000), normals(rng, 1000), normals(rng, 1000)];
    const rhat = splitRhat(chains);
    const plain = plainSplitRhat(chains);
    // Over 40 seeds: folded-rank R̂ 1.145 ± 0.009 (min 1.130), plain split-R̂ 0.9998 ± 0.0005 (max 1.002).
    assert.ok(rhat > 1.1, `R̂ = ${rhat}`);
    assert.ok(plain < 1.01, `plain split-R̂ = ${plain}`);
  });

  it('a single chain with a trend: split-R̂ > 1.1 (its halves disagree)', () => {
    const rng = Rng.stream(35);
    const trend = Array.from({ length: 1000 }, (_, i) => (2 * i) / 1000 + rng.normal());
    // Half means differ by 1 against a within-half sd ≈ 1.03: R̂ 1.21 ± 0.027 over 40 seeds (min 1.15).
    const rhat = splitRhat([trend]);
    assert.ok(rhat > 1.1, `R̂ = ${rhat}`);
    // Without the trend one chain is fine: 2 split chains of 2000, R̂ ≈ 1 + (χ²₁ − 1)/4000 < 1.01 unless χ²₁ > 41.
    const flat = normals(rng, 4000);
    assert.ok(splitRhat([flat]) < 1.01, `flat R̂ = ${splitRhat([flat])}`);
    assert.ok(Math.abs(essBulk([flat]) / 4000 - 1) < 0.15, `flat ESS = ${essBulk([flat])}`);
  });

  it('heavy tails: i.i.d. Cauchy chains give R̂ ≈ 1, and a shifted Cauchy chain is caught where the plain R̂ is blind', () => {
    const rng = Rng.stream(36);
    const iid = Array.from({ length: 4 }, () => cauchy(rng, 1000));
    // Ranks make the draws normal scores, so the i.i.d. bound above applies (1.0003 ± 0.0006 over 40 seeds).
    const rhat = splitRhat(iid);
    assert.ok(rhat < 1.01, `R̂ = ${rhat}`);
    assert.ok(Math.abs(essBulk(iid) / 4000 - 1) < 0.15, `bulk ESS = ${essBulk(iid)}`);
    // One chain shifted by 3 scale units: over 20 seeds rank R̂ 1.09…1.12, plain split-R̂ ≤ 1.004 (the variance
    // is dominated by a few huge draws, which hide the shift).
    const shifted = [cauchy(rng, 1000, 3), cauchy(rng, 1000), cauchy(rng, 1000), cauchy(rng, 1000)];
    assert.ok(splitRhat(shifted) > 1.05, `shifted R̂ = ${splitRhat(shifted)}`);
    assert.ok(plainSplitRhat(shifted) < 1.01, `plain split-R̂ = ${plainSplitRhat(shifted)}`);
  });

  it('antithetic chains: ESS is capped at S·log10(S)', () => {
    const rng = Rng.stream(37);
    // φ = −0.9 has true ESS 19·S; Geyer's sum gives τ̂ ≈ 0.05 < 1/log10(4000), so the cap applies exactly.
    const ess = essBulk(Array.from({ length: 4 }, () => ar1(rng, 1000, -0.9)));
    assert.ok(Math.abs(ess - 4000 * Math.log10(4000)) < 1e-6, `ESS = ${ess}`);
  });

  it('bulk and tail ESS depend only on ranks: unchanged by a monotone transform', () => {
    const rng = Rng.stream(38);
    const chains = Array.from({ length: 4 }, () => ar1(rng, 500, 0.5));
    const exp = chains.map((c) => c.map(Math.exp));
    assert.equal(essBulk(exp), essBulk(chains));
    assert.equal(essTail(exp), essTail(chains));
  });

  it('edge cases: constant or stuck chains, fewer than 4 draws, non-finite draws → NaN; unequal and odd lengths', () => {
    const nan = (d: { rhat: number; essBulk: number; essTail: number }) =>
      Number.isNaN(d.rhat) && Number.isNaN(d.essBulk) && Number.isNaN(d.essTail);
    const rng = Rng.stream(39);
    assert.ok(nan(convergenceDiagnostics([Array(100).fill(2), Array(100).fill(2)])), 'constant');
    assert.ok(nan(convergenceDiagnostics([normals(rng, 100), Array(100).fill(0.5)])), 'one stuck chain');
    assert.ok(nan(convergenceDiagnostics([normals(rng, 3), normals(rng, 3)])), '3 draws');
    assert.ok(nan(convergenceDiagnostics([])), 'no chains');
    const withInf = [normals(rng, 100), normals(rng, 100)];
    withInf[1]![7] = Infinity;
    assert.ok(nan(convergenceDiagnostics(withInf)), 'non-finite');
    const four = convergenceDiagnostics([normals(rng, 4), normals(rng, 4)]);
    assert.ok(Number.isFinite(four.rhat) && Number.isFinite(four.essBulk), `4 draws: ${JSON.stringify(four)}`);

    // Unequal lengths: the same as truncating every chain to the shortest.
    const a = normals(rng, 300), b = normals(rng, 250), c = normals(rng, 280);
    const truncated = [a.slice(0, 250), b, c.slice(0, 250)];
    assert.deepEqual(convergenceDiagnostics([a, b, c]), convergenceDiagnostics(truncated));
    // Odd length: the middle draw is dropped.
    const odd = normals(rng, 201);
    const even = [...odd.slice(0, 100), ...odd.slice(101)];
    assert.deepEqual(convergenceDiagnostics([odd]), convergenceDiagnostics([even]));
  });
});

describe('sweep/convergence: a series constant up to rounding has nothing to mix', () => {
  // The null's E_T at a level that destroyed the network: every control's effect 0 up to the order of float sums.
  const rounding = (seed: number) => {
    const rng = Rng.stream(seed);
    return Array.from({ length: 4 }, () => Array.from({ length: 200 }, () => (rng.uniform() - 0.5) * 2e-13));
  };

  it('rounding-level spread is constant (R̂ and ESS not defined), a real spread is not', () => {
    assert.equal(constantUpToRounding(rounding(1)), true);
    assert.equal(constantUpToRounding([[1, 1, 1], [1, 1, 1]]), true);
    // Relative to the values' size: 1e−10 of a loss of 5 is rounding, 1e−8 of it is not.
    assert.equal(constantUpToRounding([[5, 5 + 2e-10, 5 - 2e-10]]), true);
    assert.equal(constantUpToRounding([[5, 5 + 1e-8]]), false);
    assert.equal(constantUpToRounding([0, 1, 2, 3].map((k) => ar1(Rng.stream(20 + k), 200, 0.5))), false);
    assert.equal(constantUpToRounding([[0, Number.NaN]]), false, 'a non-finite draw is never constant');
    assert.equal(constantUpToRounding([]), false);
  });

  it('the level diagnostics skip it (null), where rank-normalizing the rounding would give a chain to judge', () => {
    assert.deepEqual(diagnose(rounding(3)), { rhat: null, ess: null });
    const judged = splitRhat(rounding(3));
    assert.ok(Number.isFinite(judged), 'rank normalization alone judges the rounding as if it were draws');
    const real = diagnose([0, 1, 2, 3].map((k) => ar1(Rng.stream(40 + k), 200, 0.5)));
    assert.ok(real.rhat !== null && real.ess !== null && real.ess > 50);
  });
});
