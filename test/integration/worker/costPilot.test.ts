// The estimate stated before a sweep against the sweep's measured wall time, in one test run on this machine
// (issue 28 item 3: within 3×): the shipped weight-noise examples as they are, and the planted sgld example cut to a
// CI-sized grid at the step size, burn-in and thin its committed results calibrated (so the steps dominate). Then the
// same file again: the estimate rests on that run.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHypothesisFile } from '../../../src/hypothesis';
import type { Hypothesis } from '../../../src/protocol/hypothesis';
import { cheaperPreset } from '../../../src/hypothesis/workEstimate';
import { drawPace, estimateAt, estimateCost, pilotHypothesis } from '../../../src/worker/costPilot';
import { runSweepParallel } from '../../../src/worker/parallel';
import { degradationAs } from '../../../src/protocol/hypothesis';

const ROOT = path.resolve(__dirname, '../../..');

async function resolved(rel: string): Promise<Hypothesis> {
  const checked = await checkHypothesisFile(path.join(ROOT, rel));
  assert.ok(checked.hypothesis, rel);
  return checked.hypothesis;
}

describe('cost estimate against the measured wall time (3×)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cost-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Estimate (a pilot), then run the sweep on as many workers (the resolved hypothesis, as `sweep` and the editor
   *  send it), then estimate again from that run. */
  async function measure(name: string, h: Hypothesis): Promise<void> {
    const out = path.join(dir, `${name}.results.json`);
    const estimate = await estimateCost(h, { resultsPath: out });
    assert.equal(estimate.range.basis, 'pilot');
    const t0 = performance.now();
    await runSweepParallel({ hypothesis: h, out }, {}, { workers: estimate.workers });
    const measured = (performance.now() - t0) / 1000;
    const ratio = estimate.range.seconds / measured;
    console.log(`      ${name}: estimated ${estimate.range.seconds.toFixed(1)} s (${estimate.text}), measured ${measured.toFixed(1)} s, ratio ${ratio.toFixed(2)}`);
    assert.ok(ratio >= 1 / 3 && ratio <= 3, `${name}: estimated ${estimate.range.seconds.toFixed(1)} s, measured ${measured.toFixed(1)} s`);
    // The run's results are now the evidence: the same settings, the same work, its own wall time.
    const again = await estimateCost(h, { resultsPath: out });
    assert.equal(again.range.basis, 'last-run');
    const document = JSON.parse(fs.readFileSync(out, 'utf8')) as { timings: { totalSeconds: number } };
    assert.equal(again.lastSeconds, document.timings.totalSeconds);
    assert.ok(again.range.low <= document.timings.totalSeconds && document.timings.totalSeconds <= again.range.high, again.text);
    // The quick look beside it is scaled from that run (no second pilot), and is the smaller.
    const quick = estimateAt(cheaperPreset(h), again);
    assert.equal(quick.range.basis, 'scaled');
    assert.match(quick.text, /\(scaled from the last run/);
    assert.ok(quick.range.seconds < again.range.seconds, `${quick.text} vs ${again.text}`);
  }

  it('modular weight noise (9 levels × 16 samples, 20 controls)', async () => {
    await measure('modular', await resolved('examples/modular/addition-frequencies.circuit.yaml'));
  });

  it('planted κ = 1 weight noise (12 levels × 64 samples)', async () => {
    await measure('planted', await resolved('examples/planted/kappa-1.circuit.yaml'));
  });

  it('planted κ = 1 under sgld, 2 levels × 2 chains × 30 draws at its calibrated ε, burn-in 486, thin 200', async () => {
    const h = await resolved('examples/planted/kappa-1.sgld.circuit.yaml');
    // ε, burn-in: what `auto` chose at t = 1 and t = 10 in examples/planted/kappa-1.sgld.results.json.
    const d = degradationAs(h.degradation, 'sgld');
    d.levels = [1, 10];
    d.sgld = { ...d.sgld, stepSize: 1e-2 / 3 ** 4, burnIn: 486, thin: 200, chains: 2, draws: 30 };
    await measure('planted-sgld', h);
  });
});

describe('cost pilot: what it runs and how it reads its clock', () => {
  it('cuts the hypothesis to the grid\'s middle level and a few draws; sgld to one chain at a fixed ε', async () => {
    const noise = await resolved('examples/modular/addition-frequencies.circuit.yaml');
    const p = pilotHypothesis(noise, 1);
    assert.deepEqual(p.degradation.levels, [noise.degradation.levels[4]]);
    assert.equal(degradationAs(p.degradation, 'weight-noise').noise.samples, 4);
    assert.deepEqual(p.controls, noise.controls, 'the same null: an evaluation costs what the sweep\'s does');
    const sgld = await resolved('examples/modular/addition-frequencies.sgld.circuit.yaml');
    const s = degradationAs(pilotHypothesis(sgld, 50).degradation, 'sgld').sgld;
    assert.deepEqual([s.chains, s.draws, s.burnIn, s.thin, typeof s.stepSize], [1, 4, 0, 50, 'number']);
    assert.equal(degradationAs(sgld.degradation, 'sgld').sgld.stepSize, 'auto', 'the hypothesis itself is untouched');
  });

  it('times the draws after the first from the progress reports', () => {
    // 4 draws: reports after draw 1 (t = 2 s: warm-up), 2, 3, 4 at 0.5 s each.
    const reports = [{ elapsedSeconds: 2, fraction: 0.25 }, { elapsedSeconds: 2.5, fraction: 0.5 }, { elapsedSeconds: 3, fraction: 0.75 }, { elapsedSeconds: 3.5, fraction: 1 }];
    assert.equal(drawPace(reports, 4), 0.5);
    assert.equal(drawPace([reports[0]!, reports[3]!], 4), 0.5, 'throttled reports: the fractions count the draws between');
    assert.equal(drawPace(reports.slice(0, 1), 4), null);
  });
});
