// `degradation.dial: sgld` end to end: a committed planted model and hypothesis through the real parser, the real
// sweep runner and the SGLD dial (one step graph on onnxruntime), then a diverging step size.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { createSgldDial } from '../../../../src/engine/dials/sgld';
import { drawsAutoAim } from '../../../../src/protocol/sgldSchedule';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile, type Hypothesis } from '../../../../src/hypothesis';
import { degradationAs, type SgldSettings } from '../../../../src/protocol/hypothesis';

const FILE = path.resolve(__dirname, '../../../../examples/planted/kappa-1.circuit.yaml');

async function sgldHypothesis(stepSize: number, more: Partial<SgldSettings> = {}): Promise<Hypothesis> {
  const r = await checkHypothesisFile(FILE);
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  const h = r.hypothesis;
  return {
    ...h,
    degradation: {
      dial: 'sgld', seed: 3,
      levels: [0.5, 5], scale: 'log',
      sgld: { stepSize, localization: 100, chains: 2, draws: 12, burnIn: 20, thin: 2, batchSize: 32, ...more },
    },
  };
}

describe('sgld dial in the sweep', function () {
  this.timeout(60_000);

  it('runs every level and chain, with nβ = n/t, LLC, loss traces and MALA acceptance; same seed, same numbers', async () => {
    const h = await sgldHypothesis(1e-4);
    const doc = await runSweep(h, { sampler: createSgldDial });
    assert.equal(doc.status, 'complete');
    assert.equal(doc.dial, 'sgld');
    assert.deepEqual(doc.levels.map((l) => l.level), [0.5, 5]);
    for (const l of doc.levels) {
      assert.equal(l.error, undefined);
      assert.ok(Math.abs(l.nbeta! - doc.data.n / l.level) < 1e-9, `nβ at t = ${l.level}`);
      assert.ok(l.llc && Number.isFinite(l.llc.mean) && l.llc.se >= 0, `LLC at t = ${l.level}`);
      assert.equal(l.chains.length, 2);
      for (const c of l.chains) {
        assert.equal(c.loss.length, 12);
        assert.ok(c.loss.every((v) => Number.isFinite(v) && v >= 0));
        assert.ok(c.acceptance !== undefined && c.acceptance > 0 && c.acceptance <= 1, `acceptance ${c.acceptance}`);
      }
    }
    // Hotter posterior, larger loss gap: the chain leaves w* further at t = 5 than at t = 0.5.
    assert.ok(doc.levels[1]!.lossGap.mean > doc.levels[0]!.lossGap.mean, doc.levels.map((l) => l.lossGap.mean).join(' < '));
    const again = await runSweep(h, { sampler: createSgldDial });
    assert.deepEqual(again.levels.map((l) => l.chains), doc.levels.map((l) => l.chains));
  });

  it('degradation.parameters samples only the chosen weights: the results record them and their own d', async () => {
    const h = await sgldHypothesis(1e-4);
    const all = await runSweep({ ...h, controls: { count: 0, match: 'size' } }, { sampler: createSgldDial });
    assert.deepEqual(all.weights, { tensors: 4, d: 96 * 22 + 96 + 4 * 96 + 4, restricted: false });
    const out = await runSweep({ ...h, controls: { count: 0, match: 'size' }, degradation: { ...degradationAs(h.degradation, 'sgld'), parameters: { include: ['out.*'] } } }, { sampler: createSgldDial });
    assert.deepEqual(out.weights, { tensors: 2, d: 4 * 96 + 4, restricted: true });
    // Fewer free weights, a smaller loss gap at the same temperature (each free direction adds ≈ t/2n to ΔL at w*).
    for (let i = 0; i < out.levels.length; i++) assert.ok(out.levels[i]!.lossGap.mean < all.levels[i]!.lossGap.mean, `t = ${out.levels[i]!.level}`);
    await assert.rejects(runSweep({ ...h, degradation: { ...degradationAs(h.degradation, 'sgld'), parameters: { include: ['head.*'] } } }, { sampler: createSgldDial }),
      /degradation\.parameters\.include\[0\]: 'head\.\*' matches no weight of .*planted-kappa-1\.onnx/);
  });

  it('a step size that diverges stops the level with a message naming a smaller ε', async () => {
    const doc = await runSweep(await sgldHypothesis(1), { sampler: createSgldDial });
    assert.equal(doc.status, 'diverged');
    const failed = doc.levels.filter((l) => l.error !== undefined);
    assert.ok(failed.length > 0);
    assert.match(failed[0]!.error!, /SGLD diverged \(at temperature [\d.]+, chain 0, step \d+\): .*Try stepSize ≤ 0\.1 \(ε\/10\)\./);
  });

  it('preconditioned-sgld at a step size that diverges says so with a smaller ε to try', async () => {
    const doc = await runSweep(await sgldHypothesis(1, { sampler: 'preconditioned-sgld' }), { sampler: createSgldDial });
    assert.equal(doc.status, 'diverged');
    const failed = doc.levels.filter((l) => l.error !== undefined);
    assert.ok(failed.length > 0);
    // The metric's pilot runs first at the given ε: it is the one that diverges.
    assert.match(failed[0]!.error!, /preconditioned-sgld diverged \(at temperature [\d.]+, (chain \d+|a calibration pilot), step \d+\): .*Try stepSize ≤ 0\.1 \(ε\/10\)\./);
  });

  it('draws: auto draws until each chain\'s ESS reaches its aim, and stops short of its cap', async () => {
    const h = await sgldHypothesis(1e-4, { draws: 'auto', maxDraws: 200, thin: 20 });
    // R̂ ≤ 26 is judged reliably from ESS 5 a chain (drawsAutoAim), so the aim is 1.25 × 8.
    const verdict = { ...h.verdict, essPerChain: 8, rhat: 26 };
    const aim = drawsAutoAim(verdict);
    assert.equal(aim, 10);
    const doc = await runSweep({ ...h, verdict }, { sampler: createSgldDial });
    for (const l of doc.levels) {
      for (const c of l.chains) {
        assert.ok(c.drawsAuto && !c.drawsAuto.capped && c.drawsAuto.ess! >= aim && c.drawsAuto.target === aim, `t = ${l.level}, chain ${c.chain}: ${JSON.stringify(c.drawsAuto)}`);
        assert.ok(c.loss.length >= 8 && c.loss.length < 200, `t = ${l.level}, chain ${c.chain}: ${c.loss.length} draws`);
      }
    }
    assert.ok(!(doc.verdict.advice ?? []).some((a) => a.includes('at the cap')), (doc.verdict.advice ?? []).join('; '));
  });

  it('draws: auto that hits its cap makes the level inconclusive, saying so with the ESS reached', async () => {
    // thin 1 at ε = 1e-4 (γ = 100: the pull relaxes in 2/(εγ) = 200 steps): 12 draws hold nowhere near 100 ESS.
    const doc = await runSweep(await sgldHypothesis(1e-4, { draws: 'auto', maxDraws: 12, thin: 1 }), { sampler: createSgldDial });
    for (const l of doc.levels) {
      assert.equal(l.tests?.converged, false, `t = ${l.level}`);
      for (const c of l.chains) assert.ok(c.loss.length === 12 && c.drawsAuto?.capped === true, `t = ${l.level}, chain ${c.chain}`);
    }
    assert.deepEqual(doc.verdict.inconclusive, [0.5, 5]);
    const said = (doc.verdict.advice ?? []).join('; ');
    assert.match(said, /inconclusive at the cap: at t = 0\.5, draws: auto drew its cap of 12 draws in 2 of 2 chains, ESS reached = \d+ per chain \(target 250\); raise sgld\.maxDraws/);
    assert.match(said, /at t = 5, draws: auto drew its cap of 12 draws/);
  });
});
