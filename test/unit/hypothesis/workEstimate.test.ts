// The cost a sweep states before it starts, by counting: levels × chains × (burn-in + draws) sampler steps and
// levels × chains × draws paired evaluations, at the bench rates; shared by the workers that can run at once; and
// the quick look, a quarter or less of the work with the same tests and controls.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHypothesis } from '../../../src/hypothesis';
import { cheaperPreset, EVALUATIONS_PER_CORE_SECOND, STEPS_PER_CORE_SECOND, sweepWork, wallSeconds } from '../../../src/hypothesis/workEstimate';

const ROOT = path.resolve(__dirname, '../../..');
const hypothesisOf = (rel: string) => {
  const file = path.join(ROOT, rel);
  const r = parseHypothesis(fs.readFileSync(file, 'utf8'), file);
  assert.ok(r.hypothesis, rel);
  return r.hypothesis;
};

describe('hypothesis: what a sweep costs', () => {
  it('counts steps and evaluations: the e2e long sweep, an sgld grid, and the workers that share them', () => {
    const long = hypothesisOf('test/e2e/fixtures/long.circuit.yaml');
    const w = sweepWork(long.degradation);
    assert.deepEqual([w.levels, w.chains, w.draws, w.steps, w.evaluations], [40, 1, 4000, 0, 160_000]);
    assert.equal(w.coreSeconds, 160_000 / EVALUATIONS_PER_CORE_SECOND);
    assert.equal(wallSeconds(w, 2), w.coreSeconds / 2);
    const sgld = sweepWork({ dial: 'sgld', temperatures: { levels: [1, 10, 100] }, sgld: { stepSize: 1e-4, chains: 4, draws: 200, burnIn: 100, thin: 2 } });
    assert.equal(sgld.steps, 3 * 4 * (100 + 200 * 2));
    assert.equal(sgld.evaluations, 3 * 4 * 200);
    assert.equal(sgld.coreSeconds, sgld.steps / STEPS_PER_CORE_SECOND + sgld.evaluations / EVALUATIONS_PER_CORE_SECOND);
    assert.equal(wallSeconds(sgld, 64), sgld.coreSeconds / 12, 'no more workers than chains × levels');
    // The auto settings are counted before they run: at ε = 1e-4, γ = 100 the burn-in b₀ = max(100, 6/(εγ)) = 600
    // for every chain plus a 2·b₀ pilot, thin: auto as one relaxation time 2/(εγ) = 200 steps per draw plus its pilot
    // (b₀, then 100·200 steps rounded up to a power of two, capped at 32,768), and five rungs of 100-step step-size
    // pilots at two passes a step when the step size is auto too.
    const auto = sweepWork({ dial: 'sgld', temperatures: { levels: [1, 10, 100] }, sgld: { stepSize: 1e-4, localization: 100, chains: 4, draws: 200, burnIn: 'auto', thin: 'auto' } });
    assert.equal(auto.steps, 3 * (4 * (600 + 200 * 200) + 2 * 600 + 600 + 32_768));
    const pre = sweepWork({ dial: 'sgld', temperatures: { levels: [1] }, sgld: { stepSize: 1e-4, chains: 4, draws: 200, burnIn: 100, thin: 1, sampler: 'preconditioned-sgld' } });
    assert.equal(pre.steps, 4 * (100 + 200) + 600, 'the metric pilot\'s two windows');
    const both = sweepWork({ dial: 'sgld', temperatures: { levels: [1] }, sgld: { stepSize: 'auto', localization: 100, chains: 4, draws: 200, burnIn: 100, thin: 1 } });
    assert.equal(both.steps, 4 * (100 + 200) + 5 * 100 * 2);
  });

  it('offers a quick look at a quarter or less of the work, the grid\'s ends and the controls kept', () => {
    for (const rel of ['test/e2e/fixtures/long.circuit.yaml', 'examples/modular/addition-frequencies.circuit.yaml']) {
      const h = hypothesisOf(rel);
      const q = cheaperPreset(h);
      const [full, cheap] = [sweepWork(h.degradation), sweepWork(q.degradation)];
      assert.ok(cheap.coreSeconds <= full.coreSeconds / 4 + 1e-9, `${rel}: ${cheap.coreSeconds} of ${full.coreSeconds}`);
      const [a, b] = [h.degradation.temperatures.levels, q.degradation.temperatures.levels];
      assert.deepEqual([b[0], b.at(-1)], [a[0], a.at(-1)], 'the same range');
      assert.deepEqual(q.controls, h.controls, 'the same null');
      assert.deepEqual(q.verdict, h.verdict, 'the same tests');
      assert.match(q.circuit.name, /\(quick look\)$/);
      assert.equal(h.circuit.name.includes('quick look'), false, 'the hypothesis itself is untouched');
    }
    const sgld = cheaperPreset({ ...hypothesisOf('examples/modular/addition-frequencies.circuit.yaml'), degradation: { ...hypothesisOf('examples/modular/addition-frequencies.circuit.yaml').degradation, dial: 'sgld' } });
    assert.deepEqual([sgld.degradation.sgld.chains, sgld.degradation.sgld.draws, sgld.degradation.sgld.burnIn], [2, 50, 50]);
  });
});
