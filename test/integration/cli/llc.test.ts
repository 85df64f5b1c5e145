// `circuit-thermometer llc` end to end: a real ONNX file and .npy data on disk, JSON out; divergence and usage errors.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { saveNpy } from '../../../src/engine/data';
import { saveModel } from '../../../src/engine/onnx';
import { linearProblem } from '../../support/linearRegression';
import { close } from '../../support/close';

describe('cli: llc', function () {
  this.timeout(30000);
  let dir: string;
  const p = linearProblem(128, 2, 0.3, 5);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-llc-'));
    saveModel(p.model, path.join(dir, 'linear.onnx'));
    saveNpy(path.join(dir, 'x.npy'), p.data.inputs.x!);
    saveNpy(path.join(dir, 'y.npy'), p.data.labels);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await main(['llc', ...argv], { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd: dir });
    return { code, out, err };
  }
  const common = ['--model', 'linear.onnx', '--input', 'x=x.npy', '--labels', 'y.npy', '--loss', 'mse', '--output', 'y', '--batch-size', '128'];

  it('prints devinterp\'s estimate as JSON, reproducibly from the seed', async () => {
    const args = [...common, '--nbeta', '20', '--step-size', '1e-3', '--localization', '0.01', '--chains', '3', '--draws', '300', '--burn-in', '100', '--seed', '4', '--json'];
    const a = await run(...args);
    assert.equal(a.code, 0, a.err);
    const r = JSON.parse(a.out);
    assert.deepEqual(Object.keys(r.llc), ['mean', 'se', 'sd', 'chains']);
    assert.equal(r.llc.chains.length, 3);
    assert.equal(r.nbeta, 20);
    assert.equal(r.d, 3);
    assert.equal(r.lossTrace.length, 3);
    assert.equal(r.lossTrace[0].length, 300);
    // λ̂ is the per-chain mean, each nβ·(mean minibatch loss − L_n(w*)).
    const perChain = r.lossTrace.map((t: number[]) => 20 * (t.reduce((s, v) => s + v, 0) / t.length - r.initLoss));
    close(perChain, r.llc.chains, 1e-9, 'per-chain λ̂');
    // devinterp's llc/std: the sample sd (n − 1) of the per-chain values; se = sd/√chains.
    const m = perChain.reduce((s: number, v: number) => s + v, 0) / 3;
    const sd = Math.sqrt(perChain.reduce((s: number, v: number) => s + (v - m) ** 2, 0) / 2);
    assert.ok(Math.abs(r.llc.sd - sd) < 1e-9 && Math.abs(r.llc.se - sd / Math.sqrt(3)) < 1e-9);
    // Three short chains: a sanity range only (test/integration/engine/dials/llc.test.ts checks the estimate against d/2 statistically).
    assert.ok(r.llc.mean > 0.5 && r.llc.mean < 2.5 && r.llc.se > 0, `λ̂ = ${r.llc.mean} ± ${r.llc.se} for d/2 = 1.5`);
    const b = await run(...args);
    assert.deepEqual(JSON.parse(b.out).llc, r.llc);
  });

  it('--nbeta devinterp is devinterp\'s default b / log b for the batch size b; other words are usage errors', async () => {
    const quick = ['--step-size', '1e-3', '--localization', '0.01', '--chains', '2', '--draws', '20', '--burn-in', '0', '--json'];
    const r = await run(...common, '--nbeta', 'devinterp', ...quick);
    assert.equal(r.code, 0, r.err);
    assert.ok(Math.abs(JSON.parse(r.out).nbeta - 128 / Math.log(128)) < 1e-12);
    const bad = await run(...common, '--nbeta', 'lots', ...quick);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--nbeta must be a positive number or devinterp, not 'lots'/);
  });

  it('--init-loss batches subtracts devinterp\'s init loss: the mean over chains of each one\'s first minibatch loss at w*', async () => {
    const quick = ['--input', 'x=x.npy', '--model', 'linear.onnx', '--labels', 'y.npy', '--loss', 'mse', '--output', 'y', '--nbeta', '20', '--step-size', '1e-3', '--localization', '0.01', '--chains', '3', '--draws', '20', '--burn-in', '0', '--json'];
    const batches = JSON.parse((await run(...quick, '--batch-size', '32', '--init-loss', 'batches')).out);
    assert.equal(batches.initLossKind, 'batches');
    // Burn-in 0: each chain's first draw is w* itself, its loss that chain's first minibatch at w*.
    const firsts = batches.lossTrace.map((t: number[]) => t[0]);
    assert.ok(Math.abs(batches.initLoss - firsts.reduce((a: number, v: number) => a + v, 0) / 3) < 1e-12);
    const full = JSON.parse((await run(...quick, '--batch-size', '32')).out);
    assert.equal(full.initLossKind, 'full');
    assert.notEqual(full.initLoss, batches.initLoss);
    // A batch of all n examples is the full loss (float32 sums in another order).
    const whole = JSON.parse((await run(...quick, '--batch-size', '128', '--init-loss', 'batches')).out);
    assert.ok(Math.abs(whole.initLoss - full.initLoss) < 1e-6 * full.initLoss, `${whole.initLoss} vs ${full.initLoss}`);
    const bad = await run(...quick, '--init-loss', 'some');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--init-loss must be full or batches, not 'some'/);
  });

  it('--sampler picks devinterp\'s update rule; --parameters restricts the sampled weights, with their own d', async () => {
    const quick = [...common, '--nbeta', '20', '--step-size', '1e-4', '--localization', '0.01', '--chains', '2', '--draws', '20', '--burn-in', '0', '--json'];
    const sgnht = JSON.parse((await run(...quick, '--sampler', 'sgnht')).out);
    assert.equal(sgnht.sampler, 'sgnht');
    assert.equal(sgnht.acceptance.mean, null, 'no MALA acceptance for a thermostat');
    const bias = JSON.parse((await run(...quick, '--parameters', 'b')).out);
    assert.deepEqual([bias.parameters, bias.d], [['b'], 1]);
    const weights = JSON.parse((await run(...quick, '--parameters', '!b')).out);
    assert.deepEqual([weights.parameters, weights.d], [['W'], 2]);
    const bad = await run(...quick, '--sampler', 'adam');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--sampler must be sgld, preconditioned-sgld, exponential-sgld, kinetic-langevin, rmsprop-sgld, sgnht, hmc, not 'adam'/);
    const typo = await run(...quick, '--parameters', 'Wx');
    assert.equal(typo.code, 2);
    assert.match(typo.err, /--parameters Wx matches none of the model's 2 weights \(did you mean 'W'\?\)/);
  });

  it('stops a diverging chain with a message that names a smaller step size', async () => {
    const r = await run(...common, '--nbeta', '1000', '--step-size', '0.1', '--localization', '0', '--chains', '1', '--draws', '50', '--burn-in', '0');
    assert.equal(r.code, 1);
    assert.match(r.err, /SGLD diverged \(chain 0, step \d+\).*Try stepSize ≤ 0\.01 \(ε\/10\)/);
  });

  it('reports usage errors in one line', async () => {
    const r = await run('--model', 'linear.onnx', '--input', 'z=x.npy', '--labels', 'y.npy', '--loss', 'mse');
    assert.equal(r.code, 2);
    assert.match(r.err, /the model has no input 'z' \(inputs: x\)/);
    const s = await run(...common, '--loss', 'hinge');
    assert.equal(s.code, 2);
    assert.match(s.err, /--loss must be mse or cross-entropy/);
  });
});
