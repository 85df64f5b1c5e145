// The devinterp accuracy cases (tests/slt/sampler_accuracy_test.py, rrr_test.py) and a deep linear network, with
// the checks both test runs share: `npm test` runs a few at fast settings, `npm run test:llc` all of them with
// devinterp's chain and draw counts. Where our settings differ from devinterp's, docs/method.md says why.
import { strict as assert } from 'node:assert';
import { estimateLlc, LlcResult } from '../../src/engine/dials/llc';
import type { SamplerKind } from '../../src/engine/dials/sgldGraph';
import { aoyagiWatanabeRrr, deepLinear, KnownModel, normalCrossing, normalCrossingExpectation } from '../fixtures/learningCoefficients';

export const NORMAL_CROSSING_POWERS: readonly number[][] = [[0, 1], [1, 1], [0, 2], [1, 2], [2, 2], [0, 3], [1, 3], [2, 3], [3, 3]];
/** devinterp's rrr_test cases (M, H, N), one per case of Aoyagi & Watanabe's formula. */
export const RRR_CASES: readonly [number, number, number][] = [[5, 3, 5], [5, 4, 5], [4, 3, 8], [8, 3, 4], [3, 8, 4]];

export interface RunSettings {
  chains: number;
  draws: number;
  burnIn: number;
  stepSize: number;
  localization: number;
  /** Default sgld. preconditioned-sgld: ε is the stiffest weight's step, and the metric brings every other weight's
   *  ε·M·a up to about that weight's, so the same bias bound holds; exponential-sgld likewise (exact on its diagonal
   *  Gaussian reference, so its bias is only what that misses, within the same bound). hmc: ε is the metric pilot's SGLD step; the
   *  chains are Metropolis-adjusted, so there is no discretization bias to allow for. */
  sampler?: SamplerKind | 'hmc';
}

/** n = 1000 examples, full batch, nβ = n / log n (devinterp's optimal_nbeta for a full-batch loader). */
const N = 1000;
const NBETA = N / Math.log(N);

async function estimate(k: KnownModel, s: RunSettings): Promise<LlcResult> {
  return estimateLlc({
    model: k.model, loss: { kind: 'mse', output: 'y' }, data: k.data, nbeta: NBETA, batchSize: N, seed: 42, threads: 1, ...s,
  });
}

/**
 * Normal crossing f(x) = x·∏wᵢ^kᵢ at w* = 0: λ̂ against the exact expectation of nβ·(L − L(w*)) under the
 * localized posterior at these nβ and γ (quadrature), within 3 standard errors over chains plus SGLD's
 * discretization bias, which for a quadratic potential of curvature h is a factor 1/(1 − εh/4): at most
 * ε·(2·mean x²·nβ)/4 relative, the regular case's curvature (the singular cases are flatter). Also reports where
 * devinterp's check, λ = 1/(2·max k) within 2 sd over chains, stands.
 */
export async function checkNormalCrossing(powers: readonly number[], s: RunSettings): Promise<{ estimate: number; exact: number; lambda: number; sd: number | null }> {
  const k = normalCrossing(powers, N);
  const r = await estimate(k, s);
  const exact = normalCrossingExpectation(k, powers, NBETA, s.localization);
  const x = k.data.inputs.x!.data as Float32Array;
  const meanSquare = x.reduce((a, v) => a + v * v, 0) / x.length;
  const bias = s.sampler === 'hmc' ? 0 : (s.stepSize * 2 * meanSquare * NBETA) / 4;
  const tolerance = 3 * r.llc.se! + bias * Math.abs(exact);
  assert.ok(Math.abs(r.llc.mean - exact) <= tolerance,
    `${s.sampler ?? 'sgld'}, powers ${powers}: λ̂ = ${r.llc.mean.toFixed(4)} ± ${r.llc.se!.toFixed(4)}, exact at nβ = ${NBETA.toFixed(1)}, γ = ${s.localization}: ${exact.toFixed(4)} (tolerance ${tolerance.toFixed(4)})`);
  return { estimate: r.llc.mean, exact, lambda: k.lambda, sd: r.llc.sd };
}

/**
 * A deep linear network (widths H₀ … H_L; two layers: reduced-rank regression) at w* = 0 with y independent of x:
 * λ̂ against Aoyagi's λ with devinterp's rrr_test tolerance, 30% relative.
 */
export async function checkDeepLinear(widths: readonly number[], s: RunSettings): Promise<{ estimate: number; lambda: number }> {
  const k = deepLinear(widths, N);
  if (widths.length === 3) assert.equal(k.lambda, aoyagiWatanabeRrr(widths[0]!, widths[1]!, widths[2]!), 'Aoyagi\'s DLN formula is Aoyagi & Watanabe\'s for two layers');
  const r = await estimate(k, s);
  assert.ok(Math.abs(r.llc.mean - k.lambda) <= 0.3 * k.lambda, `${s.sampler ?? 'sgld'}, widths ${widths}: λ̂ = ${r.llc.mean.toFixed(3)} ± ${r.llc.se?.toFixed(3)}, Aoyagi's λ = ${k.lambda}`);
  return { estimate: r.llc.mean, lambda: k.lambda };
}
