// The LLC estimator recovers d/2 for a regular model (linear regression, MSE, Gaussian noise), within its
// reported standard error.
//
// Expected value under SGLD (see sgldSampler.test.ts): with a = eigenvalues of A = nβH + γI and b those of nβH
// (H and I commute), E[nβ·(L − L(w0))] = ½·Σ b/(a·(1 − εa/4)) (+ a negligible shift of the mean by γ).
// γ ≪ nβH and εa/4 ≈ 0.01 make that d/2 within 1.5%, well inside the statistical error, so d/2 is the target.
import { strict as assert } from 'node:assert';
import { estimateLlc, llcFromLosses } from '../../../../src/engine/dials/llc';
import { degradableParameters } from '../../../../src/engine/dials/parameters';
import { globToRegExp, selectParameters } from '../../../../src/engine/dials/parameterSelection';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../../src/engine/onnx/tensor';
import { addMatrices, identityMatrix, inverse, linearProblem, matmul, scale, trace } from '../../../support/linearRegression';
import { close } from '../../../support/close';

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

describe('sgld: weight-restricted LLC', function () {
  this.timeout(60000);

  it('sampling only the regular sub-model (W, b) of y = x·W + b + (x·u)·v at u = v = 0 gives its d/2, with its own d', async () => {
    // With u, v held at 0 the extra branch is identically 0: the restricted posterior is linear regression's.
    const p = linearProblem(256, 5, 0.5, 3);
    const b = new GraphBuilder(17);
    b.initializer(floatTensor('W', [5, 1], p.anchor.slice(0, 5)));
    b.initializer(floatTensor('b', [1], p.anchor.slice(5)));
    b.initializer(floatTensor('branch.u', [5, 1], [0, 0, 0, 0, 0]));
    b.initializer(floatTensor('branch.v', [1], [0]));
    b.op('Add', [b.op('Add', [b.op('MatMul', ['x', 'W']), 'b']), b.mul(b.op('MatMul', ['x', 'branch.u']), 'branch.v')], {}, 'y');
    const model = assembleModel({ name: 'linear+branch', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 5])], outputs: [makeValueInfo('y', 'float32', ['batch', 1])] });
    const nbeta = 20, gamma = 0.01, epsilon = 1e-3;
    const { selected } = selectParameters(degradableParameters(model), { exclude: ['branch.*'] });
    assert.deepEqual(selected.map((s) => s.name), ['W', 'b']);
    const settings = { loss: { kind: 'mse' as const, output: 'y' }, data: p.data, nbeta, stepSize: epsilon, localization: gamma, chains: 8, draws: 1200, burnIn: 200, batchSize: p.n, seed: 11, threads: 1 };
    const result = await estimateLlc({ model, parameters: selected.map((s) => s.name), ...settings });
    assert.equal(result.d, 6);
    assert.deepEqual(result.parameters, ['W', 'b']);
    assert.ok(Math.abs(result.llc.mean - p.d / 2) < 3 * result.llc.se!, `λ̂ = ${result.llc.mean} ± ${result.llc.se}, d/2 = 3`);
    // The same chains as the sub-model's own: the branch adds an exact 0 to every output and gradient.
    const alone = await estimateLlc({ model: p.model, ...settings });
    close(result.llc.chains, alone.llc.chains, (_, got) => 1e-9 * Math.abs(got), 'per-chain λ̂');
    // Unrestricted, the estimate counts the branch too (d = 12) and differs.
    const all = await estimateLlc({ model, ...settings, chains: 2, draws: 50 });
    assert.equal(all.d, 12);
  });

  it('globs: ** anything, * anything but . and /, ? one such character; unmatched patterns are reported', () => {
    const names = ['blocks.0.attn.W_Q', 'blocks.0.attn.W_K', 'blocks.1.mlp.fc', '/mlp/fc1/weight', 'embed'].map((name) => ({ name }));
    const pick = (include?: string[], exclude?: string[]) => selectParameters(names, { include, exclude });
    assert.deepEqual(pick(['blocks.*.attn.*']).selected.map((n) => n.name), ['blocks.0.attn.W_Q', 'blocks.0.attn.W_K']);
    assert.deepEqual(pick(['blocks.**']).selected.length, 3);
    assert.deepEqual(pick(['blocks.*']).selected.length, 0, '* stops at a dot');
    assert.deepEqual(pick(['/mlp/*/weight']).selected.map((n) => n.name), ['/mlp/fc1/weight']);
    assert.deepEqual(pick(undefined, ['**W_?']).selected.map((n) => n.name), ['blocks.1.mlp.fc', '/mlp/fc1/weight', 'embed']);
    assert.deepEqual(pick(['embed', 'embd'], ['nothing']).unmatched, [{ list: 'include', index: 1, pattern: 'embd' }, { list: 'exclude', index: 0, pattern: 'nothing' }]);
    assert.equal(globToRegExp('a+b(c)').test('a+b(c)'), true, 'regex characters are literal');
  });
});
