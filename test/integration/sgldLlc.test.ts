// The LLC estimator recovers d/2 for a regular model (linear regression, MSE, Gaussian noise), within its
// reported standard error.
//
// Expected value under SGLD (see sgldPosterior.test.ts): with a = eigenvalues of A = nβH + γI and b those of nβH
// (H and I commute), E[nβ·(L − L(w0))] = ½·Σ b/(a·(1 − εa/4)) (+ a negligible shift of the mean by γ).
// γ ≪ nβH and εa/4 ≈ 0.01 make that d/2 within 1.5%, well inside the statistical error, so d/2 is the target.
import { strict as assert } from 'node:assert';
import { estimateLlc, llcFromLosses } from '../../src/engine/dials/llc';
import { addMatrices, identityMatrix, inverse, linearProblem, matmul, scale, trace } from '../unit/sgld/linearRegression';

describe('sgld: LLC estimator', function () {
  this.timeout(30000);

  it('recovers d/2 for linear regression with MSE loss', async () => {
    const p = linearProblem(256, 5, 0.5, 3);
    const nbeta = 20, gamma = 0.01, epsilon = 1e-3;
    const A = addMatrices(scale(p.hessian, nbeta), scale(identityMatrix(p.d), gamma));
    const discretized = addMatrices(A, scale(matmul(A, A), -epsilon / 4));
    const expected = 0.5 * trace(matmul(scale(p.hessian, nbeta), inverse(discretized)));
    assert.ok(Math.abs(expected - p.d / 2) < 0.015 * p.d / 2, `the chosen ε and γ keep the bias small (${expected})`);

    const result = await estimateLlc({
      model: p.model, loss: { kind: 'mse', output: 'y' }, data: p.data, nbeta, stepSize: epsilon, localization: gamma,
      chains: 8, draws: 1200, burnIn: 200, batchSize: p.n, seed: 11, threads: 1,
    });
    assert.equal(result.d, p.d);
    assert.equal(result.llc.chains.length, 8);
    assert.ok(result.llc.se !== null && result.llc.se > 0 && result.llc.se < 0.1 * p.d / 2, `se ${result.llc.se}`);
    assert.ok(Math.abs(result.llc.mean - p.d / 2) < 3 * result.llc.se!, `λ̂ = ${result.llc.mean} ± ${result.llc.se}, d/2 = ${p.d / 2}`);
    // The full-batch quadratic model is close to exact Langevin: MALA accepts nearly every step.
    assert.ok(result.acceptance.mean > 0.9 && result.acceptance.mean <= 1, `acceptance ${result.acceptance.mean}`);
    assert.ok(result.initLoss > 0 && result.initLoss < 0.5, `L_n(w*) ${result.initLoss} ≈ σ² = 0.25`);
  });

  it('is nβ times the mean loss excess, per chain and overall', () => {
    const r = llcFromLosses([[1.5, 2.5], [3, 3]], 1, 10);
    assert.deepEqual(r.chains, [10, 20]);
    assert.equal(r.mean, 15);
    assert.equal(r.se, 5); // sd of {10, 20} = 7.07; /√2
  });
});
