// kinetic-langevin on linear regression (a Gaussian posterior, U = ½·δᵀAδ with A = nβ·H + γI): its step is a linear
// recursion in (δ, p), whose stationary law is computed exactly here; the chains' mean L_n − L_n(w*) must match it
// within Monte Carlo error. That law's positions are SGLD's at the same ε, (A·(I − εA/4))⁻¹, whatever the friction
// (the Verlet part preserves a modified energy, the refresh the momentum's N(0, I)): the momentum changes how fast the
// chain mixes, not what it samples. The GHMC acceptance is near 1 at a small step and falls as the step grows.
import { strict as assert } from 'node:assert';
import { kineticFriction } from '../../../../src/engine/dials/sgldGraph';
import { SgldSampler } from '../../../../src/engine/dials/sgldSampler';
import { addMatrices, identityMatrix, inverse, linearProblem, matmul, scale, temperedPosterior, trace, type Matrix } from '../../../support/linearRegression';
import { lossGapOfChains } from '../../../support/lossGapChains';

/** The stationary covariance of positions of the step (see sgldGraph.ts) on U = ½·δᵀAδ, with per-weight frictions
 *  (kineticFriction of γ and each weight's curvature): Σ = M·Σ·Mᵀ + N·Nᵀ in (δ, p). */
function stationaryPositions(a: Matrix, stepSize: number, localization: number, curvature: readonly number[] = a.map(() => localization)): Matrix {
  const d = a.length;
  const h = Math.sqrt(stepSize);
  const c = curvature.map((q) => Math.exp(-kineticFriction(localization, q) * h));
  const I = identityMatrix(d);
  const C: Matrix = I.map((row, i) => row.map((v) => v * c[i]!));
  const S: Matrix = I.map((row, i) => row.map((v) => v * Math.sqrt(1 - c[i]! ** 2)));
  const kick = scale(a, h / 2);
  // p' = C·(p − kick·δ) + S·ξ − kick·δ = C·p − (C + I)·kick·δ + S·ξ;  δ' = δ + h·p'.
  const pFromD = scale(matmul(addMatrices(C, I), kick), -1), pFromP = C;
  const dFromD = addMatrices(I, scale(pFromD, h)), dFromP = scale(pFromP, h);
  const m: Matrix = [...dFromD.map((row, i) => [...row, ...dFromP[i]!]), ...pFromD.map((row, i) => [...row, ...pFromP[i]!])];
  const n: Matrix = [...scale(S, h), ...S];
  const transpose = (x: Matrix) => x[0]!.map((_, j) => x.map((row) => row[j]!));
  const q = matmul(n, transpose(n));
  let sigma: Matrix = q;
  for (let k = 0; k < 200_000; k++) {
    const next = addMatrices(matmul(matmul(m, sigma), transpose(m)), q);
    const change = next.reduce((x, row, i) => x + row.reduce((y, v, j) => y + Math.abs(v - sigma[i]![j]!), 0), 0);
    sigma = next;
    if (change < 1e-15) break;
  }
  return sigma.slice(0, d).map((row) => row.slice(0, d));
}

describe('kinetic-langevin on linear regression (exact Gaussian posterior)', function () {
  this.timeout(120_000);
  const p = linearProblem(256, 2, 0.3, 5);
  const anchor = [Float32Array.from(p.anchor.slice(0, 2)), Float32Array.from(p.anchor.slice(2))];
  const nbeta = 1000, gamma = 1;
  const { precision: a, lossGap: exact } = temperedPosterior(p, nbeta, gamma);
  const stiffest = Math.max(...a.map((row, i) => row[i]!));
  const create = () => SgldSampler.create({
    model: p.model, parameters: p.parameters, anchor, loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: p.n, threads: 1, sampler: 'kinetic-langevin',
  });

  const sample = async (stepSize: number, chains: number, draws: number, burnIn: number, precision?: Float32Array[]) => {
    const s = await create();
    try {
      return await lossGapOfChains(s, chains, 4, { stepSize, nbeta, localization: gamma, burnIn, draws, thin: 1, divergenceLoss: 100, malaEvery: 4, ...(precision ? { precision } : {}) });
    } finally {
      await s.dispose();
    }
  };

  it('its stationary positions are SGLD\'s at the same ε, (A·(I − εA/4))⁻¹, at any friction, uniform or per weight', () => {
    const diagonal = a.map((row, i) => row[i]!);
    for (const [epsA, localization, curvature] of [[0.5, 1, undefined], [2, 1, undefined], [0.5, 400, undefined], [0.5, 1, diagonal], [2, 1, [3, 5e4, 40]]] as const) {
      const stepSize = epsA / stiffest;
      const got = stationaryPositions(a, stepSize, localization, curvature);
      const sgld = inverse(matmul(a, addMatrices(identityMatrix(a.length), scale(a, -stepSize / 4))));
      got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - sgld[i]![j]!) < 1e-9 * Math.abs(sgld[i]![i]!), `ε·a = ${epsA}, γ = ${localization}: Σ[${i}][${j}] ${v} against ${sgld[i]![j]}`)));
    }
  });

  it('with per-weight friction from the curvature (2√A_ii): the same law, and ×2 the ESS of the loss at 2√γ (×3.1 measured)', async () => {
    const stepSize = 0.1 / stiffest;
    const curvature = a.map((row, i) => row[i]!);
    const precision = [Float32Array.of(curvature[0]!, curvature[1]!), Float32Array.of(curvature[2]!)];
    const predicted = 0.5 * trace(matmul(p.hessian, stationaryPositions(a, stepSize, gamma, curvature)));
    const perWeight = await sample(stepSize, 4, 2000, 1000, precision);
    assert.ok(Math.abs(perWeight.mean - predicted) < 4 * perWeight.se, `ΔL ${perWeight.mean} ± ${perWeight.se}, predicted ${predicted}`);
    assert.ok(perWeight.acceptance > 0.97, `acceptance ${perWeight.acceptance}`);
    const uniform = await sample(stepSize, 4, 2000, 1000);
    assert.ok(perWeight.ess > 2 * uniform.ess, `ESS ${perWeight.ess} (per weight) against ${uniform.ess} (2√γ)`);
  });

  // Weak friction (γ = 1: f = 2) against curvatures of ≈ 10³ relaxes the loss in ≈ 1/(f·√ε) steps: ≈ 70 at ε·a = 0.1.
  for (const [epsA, burnIn, draws] of [[0.1, 1000, 2000], [1, 200, 600]] as const) {
    it(`E_q[L_n] − L_n(w*) matches the step's stationary law at ε·a = ${epsA}, with a GHMC acceptance ${epsA < 0.5 ? 'near 1' : 'below it'}`, async () => {
      const stepSize = epsA / stiffest;
      const predicted = 0.5 * trace(matmul(p.hessian, stationaryPositions(a, stepSize, gamma)));
      const r = await sample(stepSize, 4, draws, burnIn);
      assert.ok(Math.abs(r.mean - predicted) < 4 * r.se, `ΔL ${r.mean} ± ${r.se}, predicted ${predicted} (continuous: ${exact})`);
      assert.ok(r.se < 0.1 * predicted, `se ${r.se} for ${predicted}`);
      if (epsA < 0.5) assert.ok(r.acceptance > 0.97, `acceptance ${r.acceptance}`);
      else assert.ok(r.acceptance < 0.97 && r.acceptance > 0.3, `acceptance ${r.acceptance}`);
    });
  }
});
