// SGLD on a Gaussian-loss model reproduces the known tempered, localized posterior (as discretized by SGLD), with
// and without a fixed diagonal metric.
//
// Target: q(w) ∝ exp(−nβ·L(w) − (γ/2)|w − w*|²), L = L(w0) + ½(w − w0)ᵀH(w − w0)
//   ⇒ Gaussian with precision A = nβ·H + γ·I and mean μ = A⁻¹(nβ·H·w0 + γ·w*).
// SGLD with full-batch gradients is w' − μ = (I − εA/2)(w − μ) + √ε·ξ, whose stationary law is exactly
//   N(μ, Σ_ε), Σ_ε = ε·(I − (I − εA/2)²)⁻¹ = (A − εA²/4)⁻¹  — the posterior with its O(ε) discretization bias.
import { strict as assert } from 'node:assert';
import { SgldSampler } from '../../../../src/engine/dials/sgldSampler';
import { addMatrices, identityMatrix, inverse, linearProblem, matmul, Matrix, scale, solve } from '../../../support/linearRegression';

/** Standard error of a mean of an autocorrelated series: the spread of `batches` consecutive batch means. */
export function batchMeansSe(series: ArrayLike<number>, batches = 25): number {
  const size = Math.floor(series.length / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += series[i]!;
    means.push(s / size);
  }
  const m = means.reduce((a, v) => a + v, 0) / batches;
  const v = means.reduce((a, x) => a + (x - m) ** 2, 0) / (batches - 1);
  return Math.sqrt(v / batches);
}

describe('sgld: posterior of a linear regression (real ONNX MatMul model)', function () {
  this.timeout(30000);

  it('matches the closed-form mean and covariance of the discretized tempered posterior', async () => {
    const p = linearProblem(256, 3, 0.5, 1);
    // εa/4 ≈ 0.19: Σ_ε is ~23% above A⁻¹, far beyond the sampling error, so the test sees the discretization.
    const nbeta = 10, gamma = 5, epsilon = 0.03;
    const A = addMatrices(scale(p.hessian, nbeta), scale(identityMatrix(p.d), gamma));
    const Ainv = inverse(A);
    const mu = matmul(Ainv, p.hessian.map((row, i) => [nbeta * row.reduce((s, v, k) => s + v * p.w0[k]!, 0) + gamma * p.anchor[i]!])).map((r) => r[0]!);
    const sigma: Matrix = inverse(addMatrices(A, scale(matmul(A, A), -epsilon / 4)));

    const sampler = await SgldSampler.create({
      model: p.model, parameters: p.parameters, anchor: [Float32Array.from(p.anchor.slice(0, 3)), Float32Array.from(p.anchor.slice(3))],
      loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: p.n, threads: 1,
    });
    const samples: number[][] = Array.from({ length: p.d }, () => []);
    try {
      for (let chain = 0; chain < 4; chain++) {
        for await (const draw of sampler.chain({ stepSize: epsilon, nbeta, localization: gamma, burnIn: 50, draws: 2000, thin: 1, key: [7, 0, chain], chain, divergenceLoss: 1e6 })) {
          const w = [...draw.weights[0]!, ...draw.weights[1]!];
          w.forEach((v, i) => samples[i]!.push(v));
        }
      }
    } finally {
      await sampler.dispose();
    }

    const mean = (s: number[]) => s.reduce((a, v) => a + v, 0) / s.length;
    for (let i = 0; i < p.d; i++) {
      const m = mean(samples[i]!);
      const se = batchMeansSe(samples[i]!);
      assert.ok(Math.abs(m - mu[i]!) < 4 * se, `mean[${i}] = ${m}, expected ${mu[i]} ± ${se}`);
    }
    let checkedBias = false;
    for (let i = 0; i < p.d; i++) {
      for (let j = i; j < p.d; j++) {
        const products = samples[i]!.map((v, k) => (v - mu[i]!) * (samples[j]![k]! - mu[j]!));
        const c = mean(products);
        const se = batchMeansSe(products);
        assert.ok(Math.abs(c - sigma[i]![j]!) < 4 * se, `cov[${i}][${j}] = ${c}, expected ${sigma[i]![j]} ± ${se}`);
        // On the diagonal the O(ε) term is resolved: the sample variance is closer to Σ_ε than to A⁻¹.
        if (i === j && Math.abs(sigma[i]![i]! - Ainv[i]![i]!) > 5 * se) {
          assert.ok(Math.abs(c - sigma[i]![i]!) < Math.abs(c - Ainv[i]![i]!), `var[${i}] = ${c}: Σ_ε ${sigma[i]![i]}, A⁻¹ ${Ainv[i]![i]}`);
          checkedBias = true;
        }
      }
    }
    assert.ok(checkedBias, 'the test resolves the discretization bias on at least one variance');
  });
  it('preconditioned-sgld with a fixed metric M: the closed-form mean, and the covariance of its discretization', async () => {
    // With a metric, w' − μ = B(w − μ) + √ε·M^{1/2}ξ, B = I − (ε/2)·M·A: the same mean μ, and the stationary
    // covariance solves Σ = BΣBᵀ + εM (vectorized: (I − B⊗B)·vec Σ = ε·vec M). M stretches the weights' steps
    // unequally (×1, ×3, ×0.3, ×2), so B is not symmetric and each weight's bias follows its own step.
    const p = linearProblem(256, 3, 0.5, 1);
    // A ≈ 25·I here: ε·M·a reaches 0.75 on the second weight, 0.075 on the third.
    const nbeta = 10, gamma = 5, epsilon = 0.01;
    const m = [1, 3, 0.3, 2];
    const A = addMatrices(scale(p.hessian, nbeta), scale(identityMatrix(p.d), gamma));
    const mu = matmul(inverse(A), p.hessian.map((row, i) => [nbeta * row.reduce((s, v, k) => s + v * p.w0[k]!, 0) + gamma * p.anchor[i]!])).map((r) => r[0]!);
    const d = p.d;
    const B = identityMatrix(d).map((row, i) => row.map((v, j) => v - (epsilon / 2) * m[i]! * A[i]![j]!));
    const kron: Matrix = [];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      kron.push([]);
      for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) kron[i * d + j]!.push((i * d + j === k * d + l ? 1 : 0) - B[i]![k]! * B[j]![l]!);
    }
    const vecSigma = solve(kron, Array.from({ length: d * d }, (_, ij) => (Math.floor(ij / d) === ij % d ? epsilon * m[ij % d]! : 0)));
    const sigma: Matrix = Array.from({ length: d }, (_, i) => vecSigma.slice(i * d, (i + 1) * d));
    // The continuous-time posterior A⁻¹: the metric's O(εMA) discretization bias lies between it and Σ.
    const exact = inverse(A);

    const sampler = await SgldSampler.create({
      model: p.model, parameters: p.parameters, anchor: [Float32Array.from(p.anchor.slice(0, 3)), Float32Array.from(p.anchor.slice(3))],
      loss: { kind: 'mse', output: 'y' }, data: p.data, batchSize: p.n, threads: 1, sampler: 'preconditioned-sgld',
    });
    const metric = [Float32Array.from(m.slice(0, 3)), Float32Array.from(m.slice(3))];
    const samples: number[][] = Array.from({ length: d }, () => []);
    let acceptance = 0, measured = 0;
    try {
      for (let chain = 0; chain < 4; chain++) {
        for await (const draw of sampler.chain({ stepSize: epsilon, nbeta, localization: gamma, burnIn: 50, draws: 2000, thin: 1, key: [8, 0, chain], chain, divergenceLoss: 1e6, metric, malaEvery: 8 })) {
          const w = [...draw.weights[0]!, ...draw.weights[1]!];
          w.forEach((v, i) => samples[i]!.push(v));
          if (Number.isFinite(draw.acceptance)) { acceptance += draw.acceptance; measured++; }
        }
      }
    } finally {
      await sampler.dispose();
    }
    const mean = (s: number[]) => s.reduce((a, v) => a + v, 0) / s.length;
    for (let i = 0; i < d; i++) {
      const se = batchMeansSe(samples[i]!);
      assert.ok(Math.abs(mean(samples[i]!) - mu[i]!) < 4 * se, `mean[${i}] = ${mean(samples[i]!)}, expected ${mu[i]} ± ${se}`);
    }
    let distinguished = false;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const products = samples[i]!.map((v, k) => (v - mu[i]!) * (samples[j]![k]! - mu[j]!));
        const c = mean(products), se = batchMeansSe(products);
        assert.ok(Math.abs(c - sigma[i]![j]!) < 4 * se, `cov[${i}][${j}] = ${c}, expected ${sigma[i]![j]} ± ${se}`);
        if (Math.abs(sigma[i]![j]! - exact[i]![j]!) > 5 * se) {
          assert.ok(Math.abs(c - sigma[i]![j]!) < Math.abs(c - exact[i]![j]!), `cov[${i}][${j}] = ${c}: discretized ${sigma[i]![j]}, exact ${exact[i]![j]}`);
          distinguished = true;
        }
      }
    }
    assert.ok(distinguished, 'the test resolves the metric\'s discretization bias on at least one entry');
    // A Langevin proposal with a fixed metric: its MALA acceptance is defined and high at this ε.
    assert.ok(measured > 0 && acceptance / measured > 0.9, `acceptance ${acceptance / measured} over ${measured}`);
  });
});
