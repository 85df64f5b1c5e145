// devinterp's RMSprop-SGLD and SGNHT update rules and our preconditioned SGLD as one ONNX step graph each, against the rules computed by hand,
// and each sampler's λ̂ against d/2 on linear regression (a Gaussian posterior: every correct sampler recovers it).
import { strict as assert } from 'node:assert';
import { buildGradientGraph } from '../../../../src/engine/autodiff';
import { estimateLlc } from '../../../../src/engine/dials/llc';
import { buildSgldStepGraph, RMSPROP_ALPHA, RMSPROP_EPS, SGNHT_DIFFUSION } from '../../../../src/engine/dials/sgldGraph';
import { createSession, ort } from '../../../../src/engine/onnx';
import { exponentialCoefficients, metricCoefficients, referenceRate } from '../../../../src/engine/dials/sgldProposal';
import { linearProblem, trace, scale } from '../../../support/linearRegression';
import { close as closeTo } from '../../../support/close';

describe('samplers: rmsprop-sgld and sgnht', function () {
  this.timeout(120_000);
  const p = linearProblem(6, 2, 0.3, 9);
  const w = [0.3, -0.2, 0.1], anchor = [0.25, -0.1, 0.05], scaledNoise = [0.05, -0.15, 0.2];
  const eps = 0.01, nbeta = 7, gamma = 3;
  const t = (v: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(v), dims);
  const split = (v: number[]) => [v.slice(0, 2), v.slice(2)];
  const dims = [[2, 1], [1]];

  /** ∇L by hand (L = mean r², r = x·W + b − y). */
  function lossGradient(): number[] {
    const x = p.data.inputs.x!.data as Float32Array, y = p.data.labels.data as Float32Array;
    const grad = [0, 0, 0];
    for (let i = 0; i < 6; i++) {
      const r = x[2 * i]! * w[0]! + x[2 * i + 1]! * w[1]! + w[2]! - y[i]!;
      [x[2 * i]!, x[2 * i + 1]!, 1].forEach((z, k) => { grad[k]! += (2 / 6) * r * z; });
    }
    return grad;
  }

  async function step(sampler: 'rmsprop-sgld' | 'sgnht' | 'preconditioned-sgld' | 'exponential-sgld', state: number[][], metric?: number[], previous = w) {
    const gradient = await buildGradientGraph({ model: p.model, parameters: p.parameters, loss: { kind: 'mse', output: 'y', targets: 't' }, feedShapes: { x: [6, 2] } });
    const g = buildSgldStepGraph(gradient, p.parameters, { noise: 'fed', sampler });
    const session = await createSession(g.model, { threads: 1 });
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', p.data.inputs.x!.data as Float32Array, [6, 2]), t: new ort.Tensor('float32', p.data.labels.data as Float32Array, [6, 1]),
      [g.inputs.stepSize]: t([eps], []), [g.inputs.nbeta]: t([nbeta], []), [g.inputs.localization]: t([gamma], []),
    };
    p.parameters.forEach((name, i) => {
      feeds[name] = t(split(w)[i]!, dims[i]!);
      feeds[g.inputs.anchor[i]!] = t(split(anchor)[i]!, dims[i]!);
      feeds[g.inputs.previous[i]!] = t(split(previous)[i]!, dims[i]!);
      feeds[g.inputs.noise![i]!] = t(split(scaledNoise)[i]!, dims[i]!);
      if (metric) {
        // exponential-sgld: `metric` is the reference precision P, turned into the step's coefficients at ε.
        const c = sampler === 'exponential-sgld' ? exponentialCoefficients(Float32Array.from(metric), eps, Math.max(...metric)) : metricCoefficients(Float32Array.from(metric));
        feeds[g.inputs.metric![i]!] = t(split([...c.drift])[i]!, dims[i]!);
        feeds[g.inputs.metricSqrt![i]!] = t(split([...c.noise])[i]!, dims[i]!);
        feeds[g.inputs.metricInvSqrt![i]!] = t(split([...c.inverseNoise])[i]!, dims[i]!);
      }
    });
    g.state.inputs.forEach((name, j) => { feeds[name] = t(state[j]!, g.state.shapes[j]!); });
    const out = await session.run(feeds);
    await session.release();
    const flat = (names: readonly string[]) => names.flatMap((n) => Array.from(out[n]!.data as Float32Array));
    return { next: flat(g.outputs.next), state: g.state.outputs.map((n) => Array.from(out[n]!.data as Float32Array)), reverse: Number((out[g.outputs.malaReverse]!.data as Float32Array)[0]), g };
  }

  const close = (a: number[], b: number[], what: string) => closeTo(a, b, (w) => 1e-6 * (1 + Math.abs(w)), what);

  it('rmsprop-sgld: V\' = αV + (1 − α)g², P = 1/(√V\' + λ), w\' = w − (ε/2)P[nβg + γ(w − w*)] + √P·√ε·ξ', async () => {
    const v = [0.04, 0.01, 0.09];
    const r = await step('rmsprop-sgld', split(v));
    const g = lossGradient();
    const v2 = v.map((vk, k) => RMSPROP_ALPHA * vk + (1 - RMSPROP_ALPHA) * g[k]! ** 2);
    const pre = v2.map((vk) => 1 / (Math.sqrt(vk) + RMSPROP_EPS));
    const next = w.map((wk, k) => wk - (eps / 2) * pre[k]! * (nbeta * g[k]! + gamma * (wk - anchor[k]!)) + Math.sqrt(pre[k]!) * scaledNoise[k]!);
    close(r.next, next, "w'");
    close(r.state.flat(), v2, "V'");
  });

  it('sgnht: p\' = p − ε[nβg + γ(w − w*)] − ζp + √(2D)·√ε·ξ, w\' = w + p\', ζ\' = ζ + mean(p\'²) − ε', async () => {
    const momentum = [0.02, -0.03, 0.01], zeta = 0.05;
    const r = await step('sgnht', [[zeta], ...split(momentum)]);
    const g = lossGradient();
    const p2 = momentum.map((pk, k) => pk - eps * (nbeta * g[k]! + gamma * (w[k]! - anchor[k]!)) - zeta * pk + Math.sqrt(2 * SGNHT_DIFFUSION) * scaledNoise[k]!);
    close(r.next, w.map((wk, k) => wk + p2[k]!), "w'");
    close(r.state[0]!, [zeta + p2.reduce((a, v) => a + v * v, 0) / 3 - eps], "ζ'");
    close(r.state.slice(1).flat(), p2, "p'");
  });

  it('preconditioned-sgld: w\' = w − (ε/2)M[nβg + γ(w − w*)] + √M·√ε·ξ, S\' = S + (nβg + γ(w − w*))², reverse residual in M^{-1/2}', async () => {
    const m = [2, 0.5, 7], s0 = [0.1, 0.2, 0.3], prev = [0.28, -0.25, 0.12];
    const r = await step('preconditioned-sgld', split(s0), m, prev);
    const g = lossGradient();
    const force = w.map((wk, k) => nbeta * g[k]! + gamma * (wk - anchor[k]!));
    const drift = w.map((wk, k) => wk - (eps / 2) * m[k]! * force[k]!);
    close(r.next, drift.map((d, k) => d + Math.sqrt(m[k]!) * scaledNoise[k]!), "w'");
    close(r.state.flat(), s0.map((v, k) => v + force[k]! ** 2), "S'");
    close([r.reverse], [prev.reduce((a, p, k) => a + (p - drift[k]!) ** 2 / m[k]!, 0)], 'reverse residual');
  });

  it('exponential-sgld: w\' = w − ((1 − ρ)/P)[nβg + γ(w − w*)] + √((1 − ρ²)/(εP))·√ε·ξ with ρ = exp(−εR/2), R = max P, reverse residual in the noise\'s scale', async () => {
    // εR = 30 (ρ ≈ 3e−7: each step nearly a fresh draw about the drift); P spans 3000×.
    const precision = [2, 50, 6000], s0 = [0.1, 0.2, 0.3], prev = [0.28, -0.25, 0.12];
    const r = await step('exponential-sgld', split(s0), precision, prev);
    const g = lossGradient();
    const force = w.map((wk, k) => nbeta * g[k]! + gamma * (wk - anchor[k]!));
    const rho = Math.exp(-eps * 6000 / 2);
    const drift = w.map((wk, k) => wk - ((1 - rho) / precision[k]!) * force[k]!);
    const noiseScale = precision.map((q) => Math.sqrt((1 - rho ** 2) / (eps * q)));
    close(r.next, drift.map((d, k) => d + noiseScale[k]! * scaledNoise[k]!), "w'");
    close(r.state.flat(), s0.map((v, k) => v + force[k]! ** 2), "S'");
    close([r.reverse], [prev.reduce((a, p, k) => a + (p - drift[k]!) ** 2 / noiseScale[k]! ** 2, 0)], 'reverse residual');
  });

  it('exponential-sgld\'s coefficients tend to preconditioned-sgld\'s metric R/P as εR → 0 and to one step onto the reference as εR → ∞', () => {
    const p = Float32Array.of(1e-6, 4e-6);
    const small = exponentialCoefficients(p, 1e-3, referenceRate([p]));
    closeTo([...small.drift, ...small.noise], [4, 1, 2, 1], () => 1e-6, 'εR = 4e-9');
    // εR = 200: (ε/2)·D = 1/P (the drift lands on the reference's mean for a quadratic), ε·S² = 1/P (its variance).
    const large = exponentialCoefficients(Float32Array.of(2e5), 1e-3, 2e5);
    closeTo([(1e-3 / 2) * large.drift[0]! * 2e5, 1e-3 * large.noise[0]! ** 2 * 2e5, large.noise[0]! * large.inverseNoise[0]!], [1, 1, 1], () => 1e-6, 'εR = 200');
    assert.throws(() => referenceRate([Float32Array.of(1, 0)]), /positive, finite reference precision; weight 1 has 0/);
  });

  for (const sampler of ['sgld', 'preconditioned-sgld', 'exponential-sgld', 'kinetic-langevin', 'rmsprop-sgld', 'sgnht'] as const) {
    it(`${sampler}: λ̂ = d/2 on linear regression (a Gaussian posterior), within 3 se and the step's bias`, async () => {
      const q = linearProblem(256, 5, 0.5, 3);
      const nb = 20;
      // The step's bias for a quadratic potential is ≈ ε_eff·h/4 relative, h ≤ trace(nβH); RMSprop's effective step
      // is up to ε/λ; SGNHT's ε is devinterp's lr, the square of its time step, bounded the same way; a metric raises
      // every direction's ε·M·a towards the stiffest one's (up to 2× for the estimate's error), so it has d such terms.
      const eps2 = sampler === 'sgnht' ? 1e-4 : sampler === 'rmsprop-sgld' ? 2e-4 : 1e-3;
      // exponential-sgld is exact where its reference is the posterior; what its diagonal reference misses of this
      // Hessian is bounded like the metric's error.
      const effective = sampler === 'rmsprop-sgld' ? eps2 / RMSPROP_EPS : sampler === 'preconditioned-sgld' || sampler === 'exponential-sgld' ? 2 * q.d * eps2 : eps2;
      const r = await estimateLlc({ model: q.model, loss: { kind: 'mse', output: 'y' }, data: q.data, nbeta: nb, stepSize: eps2, localization: 0.01, chains: 8, draws: 1200, burnIn: 200, batchSize: q.n, seed: 11, threads: 1, sampler });
      assert.equal(r.sampler, sampler);
      const bias = (effective * trace(scale(q.hessian, nb))) / 4 * (q.d / 2);
      assert.ok(Math.abs(r.llc.mean - q.d / 2) < 3 * r.llc.se! + bias, `λ̂ = ${r.llc.mean} ± ${r.llc.se}, d/2 = ${q.d / 2}, bias ≤ ${bias}`);
      if (sampler !== 'rmsprop-sgld' && sampler !== 'sgnht') assert.ok(r.acceptance.mean > 0.9, `acceptance ${r.acceptance.mean}`);
      else assert.ok(Number.isNaN(r.acceptance.mean), 'no acceptance for an adaptive rule');
    });
  }
});
