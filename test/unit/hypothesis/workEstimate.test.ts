// The cost a sweep states before it starts, by counting: levels × chains × (burn-in + draws) sampler steps and
// levels × chains × draws paired evaluations, at the bench rates; shared by the workers that can run at once; and
// the quick look, a quarter or less of the work with the same tests and controls.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHypothesis } from '../../../src/hypothesis';
import {
  BENCH_RATES, cheaperPreset, costRange, DRAWS_AUTO_GUESS, EVALUATIONS_PER_CORE_SECOND, formatRange, fromLastRun, STEPS_PER_CORE_SECOND, sweepWork, wallSeconds, wallSecondsAt,
} from '../../../src/hypothesis/workEstimate';
import { HMC_LEAPFROG_GUESS } from '../../../src/protocol/hmcSchedule';
import { exponentialRelaxationGuess, KINETIC_FRICTION_PILOT, kineticRelaxationSteps } from '../../../src/protocol/sgldSchedule';
import { degradationAs } from '../../../src/protocol/hypothesis';
import { sgldAt } from '../../support/degradation';

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
    const sgld = sweepWork({ dial: 'sgld', levels: [1, 10, 100], sgld: { stepSize: 1e-4, chains: 4, draws: 200, burnIn: 100, thin: 2 } });
    assert.equal(sgld.steps, 3 * 4 * (100 + 200 * 2));
    assert.equal(sgld.evaluations, 3 * 4 * 200);
    assert.equal(sgld.coreSeconds, sgld.steps / STEPS_PER_CORE_SECOND + sgld.evaluations / EVALUATIONS_PER_CORE_SECOND);
    assert.equal(wallSeconds(sgld, 64), sgld.coreSeconds / 12, 'no more workers than chains × levels');
    // The auto settings are counted before they run: at ε = 1e-4, γ = 100 the burn-in b₀ = max(100, 6/(εγ)) = 600
    // for every chain plus a 2·b₀ pilot, thin: auto as one relaxation time 2/(εγ) = 200 steps per draw plus its pilot
    // (b₀, then 100·200 steps rounded up to a power of two, capped at 32,768), and five rungs of 100-step step-size
    // pilots at two passes a step when the step size is auto too.
    const auto = sweepWork({ dial: 'sgld', levels: [1, 10, 100], sgld: { stepSize: 1e-4, localization: 100, chains: 4, draws: 200, burnIn: 'auto', thin: 'auto' } });
    assert.equal(auto.steps, 3 * (4 * (600 + 200 * 200) + 2 * 600 + 600 + 32_768));
    const pre = sweepWork({ dial: 'sgld', levels: [1], sgld: { stepSize: 1e-4, chains: 4, draws: 200, burnIn: 100, thin: 1, sampler: 'preconditioned-sgld' } });
    assert.equal(pre.steps, 4 * (100 + 200) + 600, 'the metric pilot\'s two windows');
    const both = sweepWork({ dial: 'sgld', levels: [1], sgld: { stepSize: 'auto', localization: 100, chains: 4, draws: 200, burnIn: 100, thin: 1 } });
    assert.equal(both.steps, 4 * (100 + 200) + 5 * 100 * 2);
  });

  it('counts draws: auto (the default) as expected with thin: auto, at its cap otherwise, and at its cap when asked for the most', () => {
    const base = { stepSize: 1e-4, localization: 100, chains: 4, burnIn: 100 } as const;
    // Nothing written: draws and thin are auto; ≈ 500 draws a chain (two a unit of ESS, aimed at 250), at most
    // maxDraws (default 1000).
    const byDefault = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: base });
    assert.deepEqual([byDefault.draws, byDefault.mostDraws, byDefault.drawsUntilEss, byDefault.guessed], [DRAWS_AUTO_GUESS, 1000, true, true]);
    assert.equal(byDefault.evaluations, 2 * 4 * DRAWS_AUTO_GUESS);
    const most = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: base }, undefined, 'most');
    assert.deepEqual([most.draws, most.evaluations], [1000, 2 * 4 * 1000]);
    assert.equal(DRAWS_AUTO_GUESS, 500);
    assert.ok(most.coreSeconds > 1.5 * byDefault.coreSeconds, 'the cap is the upper bound');
    // A fixed thin says nothing about the draws' ESS: the cap; a cap below the guess: the cap.
    assert.equal(sweepWork({ dial: 'sgld', levels: [1], sgld: { ...base, thin: 5 } }).draws, 1000);
    assert.equal(sweepWork({ dial: 'sgld', levels: [1], sgld: { ...base, maxDraws: 100 } }).draws, 100);
    // A number of draws is that number, however counted.
    const fixed = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...base, draws: 40 } }, undefined, 'most');
    assert.deepEqual([fixed.draws, fixed.mostDraws, fixed.drawsUntilEss], [40, 40, false]);
  });

  it('counts kinetic-langevin at its critically damped pull, 2/√(εγ) steps, and its 600-step friction pilot', () => {
    const settings = { stepSize: 'auto', localization: 100, chains: 4, draws: 200, burnIn: 'auto', thin: 'auto' } as const;
    const kinetic = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'kinetic-langevin' } });
    // ε = 1e-2/3⁴, γ = 100: εγ = 1/81, τ = 2/√(εγ) = 18 steps (SGLD's 2/(εγ): 162), so b₀ = max(100, 54) = 100 and
    // thin 18; the pilots: SGLD's ladder (five rungs), the burn-in pilot 2·b₀, the thin pilot b₀ + 2,048 (100·18
    // rounded up to a power of two) and the friction pilot.
    assert.ok(Math.abs(kineticRelaxationSteps(1e-2 / 3 ** 4, 100) - 18) < 1e-9);
    assert.equal(kinetic.unitSteps, 100 + 200 * 18);
    assert.equal(kinetic.pilotPasses, 1000 + 2 * 100 + 100 + 2048 + KINETIC_FRICTION_PILOT);
  });

  it('counts exponential-sgld at its own relaxation, 3^k/2 steps at rung k of its ladder, not SGLD\'s pull; a pilot\'s calibration replaces the guess', () => {
    const settings = { stepSize: 'auto', localization: 100, chains: 4, draws: 200, burnIn: 'auto', thin: 'auto' } as const;
    const sgld = sweepWork({ dial: 'sgld', levels: [1], sgld: settings });
    const exponential = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'exponential-sgld' } });
    // SGLD at the usual ε = 1e-2/3⁴, γ = 100: τ = 2/(εγ) = 162 steps, so b₀ = 486 and thin 162. exponential-sgld at
    // the guessed rung 3: τ = 27/2 = 13.5 steps, b₀ = max(100, ⌈40.5⌉) = 100 and thin 14.
    assert.equal(exponentialRelaxationGuess(), 13.5);
    assert.equal(sgld.unitSteps, 486 + 200 * 162);
    assert.equal(exponential.unitSteps, 100 + 200 * 14);
    // Its pilots: SGLD's ladder (five rungs) and the metric pilot recalibrated after each window, whatever ε says;
    // with auto its own ladder down to rung 3 (four rungs); the burn-in pilot 2·b₀; the thin pilot b₀ + 2,048
    // (100·14 rounded up to a power of two). The planted example's levels t = 10…1000 measured 3,200 passes before
    // their burn-in pilots: the first four terms.
    assert.equal(exponential.pilotPasses, 1000 + (600 + 800) + 4 * 200 + 2 * 100 + 100 + 2048);
    const given = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'exponential-sgld', stepSize: 1e-4, burnIn: 100, thin: 1 } });
    assert.equal(given.pilotPasses, 1000 + 600 + 800, 'a given ε still runs SGLD\'s ladder and the recalibrations');
    // A pilot's calibration of one level replaces the guessed burn-in and thin, and the pilots they make; given
    // settings stay as given.
    const measured = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'exponential-sgld' } }, { burnIn: 400, thin: 19 });
    assert.equal(measured.unitSteps, 400 + 200 * 19);
    assert.equal(measured.pilotPasses, 1000 + (600 + 800) + 4 * 200 + 2 * 400 + 400 + 2048);
    const fixed = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'exponential-sgld', burnIn: 50 } }, { burnIn: 400, thin: 19 });
    assert.equal(fixed.unitSteps, 50 + 200 * 19);
    // preconditioned-sgld's τ = 2/(ε·P_max) is unknown before its metric pilot: counted as SGLD's pull, unless measured.
    const pre = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'preconditioned-sgld' } });
    assert.equal(pre.unitSteps, sgld.unitSteps);
    assert.equal(sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'preconditioned-sgld' } }, { burnIn: 302, thin: 76 }).unitSteps, 302 + 200 * 76);
  });

  it('counts hmc in full-data gradients: L̄ leapfrog steps per iteration, its warm-up and pilots, and its minibatch metric pilot', () => {
    const L = HMC_LEAPFROG_GUESS;
    const settings = { stepSize: 5e-3, chains: 4, draws: 200, burnIn: 40, thin: 4, batchSize: 32 };
    const sgld = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: settings });
    const hmc = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: { ...settings, sampler: 'hmc' } });
    // As many iterations (burn-in + draws × thin = 840) as SGLD's chain has steps, each L̄ full-data gradients; the
    // level's pilots: the metric pilot's 200 + 400 minibatch steps and its recalibration after each window (two
    // 100-step rungs at two passes a step, each: 800; a given ε runs no ladder before) and the warm-up's two windows
    // of 50 + 1 iterations.
    assert.equal(sgld.unitSteps, 840);
    assert.deepEqual([hmc.unitSteps, hmc.unitGradients, hmc.pilotPasses, hmc.pilotGradients], [0, 840 * L, 600 + 800, 102 * L]);
    assert.deepEqual([hmc.steps, hmc.gradients, hmc.evaluations], [2 * 1400, 2 * (4 * 840 * L + 102 * L), sgld.evaluations]);
    assert.equal(hmc.guessed, true, 'L̄ = ⌈T/ε⌉ is chosen at run time (T always)');
    // auto: SGLD's ladder before the metric pilot; burn-in b₀ = 40 iterations plus its 2·b₀ pilot; thin counted as 8
    // iterations plus its pilot (b₀, then 128 doubled to ≥ 100·8: 1024).
    const auto = sweepWork({ dial: 'sgld', levels: [1], sgld: { ...settings, sampler: 'hmc', stepSize: 'auto', burnIn: 'auto', thin: 'auto' } });
    assert.deepEqual([auto.unitGradients, auto.pilotPasses, auto.pilotGradients], [(40 + 200 * 8) * L, 1000 + 600 + 800, (102 + 80 + 40 + 1024) * L]);
    // The stated cost: when a full-data gradient costs n/B minibatch steps (a pass linear in the examples: here
    // n = 128, B = 32), an hmc chain's sampling costs L̄·n/B times SGLD's; the evaluations (the same for both) and
    // hmc's pilots are all that part the two estimates by other than that factor.
    const rates = { fixedSeconds: 3, evaluationSeconds: 0.2, stepSeconds: 0.01, gradientSeconds: 0.01 * (128 / 32) };
    const unit = (w: typeof hmc) => wallSecondsAt({ ...w, levels: 1, units: 1, pilotPasses: 0, pilotGradients: 0 }, { ...rates, fixedSeconds: 0, evaluationSeconds: 0 }, 1);
    assert.ok(Math.abs(unit(hmc) / unit(sgld) - L * (128 / 32)) < 1e-9);
    const evaluations = 200 * 0.2, pilots = 1400 * 0.01 + 102 * L * 0.04;
    const ratio = (wallSecondsAt(hmc, rates, 8) - 3) / (wallSecondsAt(sgld, rates, 8) - 3);
    assert.ok(Math.abs(ratio - (evaluations + unit(hmc) + pilots) / (evaluations + unit(sgld))) < 1e-9, `ratio ${ratio}`);
  });

  it('offers a quick look at a quarter or less of the work, the grid\'s ends and the controls kept', () => {
    for (const rel of ['test/e2e/fixtures/long.circuit.yaml', 'examples/modular/addition-frequencies.circuit.yaml']) {
      const h = hypothesisOf(rel);
      const q = cheaperPreset(h);
      const [full, cheap] = [sweepWork(h.degradation), sweepWork(q.degradation)];
      assert.ok(cheap.coreSeconds <= full.coreSeconds / 4 + 1e-9, `${rel}: ${cheap.coreSeconds} of ${full.coreSeconds}`);
      const [a, b] = [h.degradation.levels, q.degradation.levels];
      assert.deepEqual([b[0], b.at(-1)], [a[0], a.at(-1)], 'the same range');
      assert.deepEqual(q.controls, h.controls, 'the same null');
      assert.deepEqual(q.verdict, h.verdict, 'the same tests');
      assert.match(q.circuit.name, /\(quick look\)$/);
      assert.equal(h.circuit.name.includes('quick look'), false, 'the hypothesis itself is untouched');
    }
    const sgld = cheaperPreset({ ...hypothesisOf('examples/modular/addition-frequencies.circuit.yaml'), degradation: sgldAt(hypothesisOf('examples/modular/addition-frequencies.circuit.yaml').degradation) });
    const settings = degradationAs(sgld.degradation, 'sgld').sgld;
    assert.deepEqual([settings.chains, settings.draws, settings.burnIn], [2, 50, 50]);
  });

  it('states the wall time at measured rates: the busiest worker\'s units, the calibration each worker repeats, the fixed cost', () => {
    const rates = { fixedSeconds: 3, evaluationSeconds: 0.2, stepSeconds: 0.01, gradientSeconds: 0.1 };
    // 9 levels × 16 samples on 2 workers: ⌈9/2⌉ = 5 units of 16 draws at 0.2 s, after 3 s.
    const noise = sweepWork({ dial: 'weight-noise', levels: [1, 2, 3, 4, 5, 6, 7, 8, 9], noise: { samples: 16 } });
    assert.deepEqual([noise.unitSteps, noise.pilotPasses, noise.guessed], [0, 0, false]);
    assert.equal(wallSecondsAt(noise, rates, 2), 3 + 5 * 16 * 0.2);
    assert.equal(wallSecondsAt(noise, rates, 64), 3 + 16 * 0.2, 'one unit per worker at most');
    // sgld, 2 levels × 4 chains × 10 draws, burn-in 100, thin 5, ε given: no pilots. A unit is 100 + 10·5 = 150 steps
    // and 10 evaluations: 1.5 + 2 = 3.5 s; 8 units on 3 workers: the busiest runs 3.
    const fixed = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: { stepSize: 1e-4, chains: 4, draws: 10, burnIn: 100, thin: 5 } });
    assert.deepEqual([fixed.unitSteps, fixed.pilotPasses, fixed.guessed], [150, 0, false]);
    assert.ok(Math.abs(wallSecondsAt(fixed, rates, 3) - (3 + 3 * 3.5)) < 1e-12);
    // stepSize: auto adds five rungs of 100-step pilots at two passes a step (1000 passes) per level, run by every
    // worker that holds one of the level's chains: min(4, 2) = 2 workers × 2 levels × 1000 passes × 0.01 s over 2.
    const auto = sweepWork({ dial: 'sgld', levels: [1, 10], sgld: { stepSize: 'auto', localization: 100, chains: 4, draws: 10, burnIn: 100, thin: 5 } });
    assert.deepEqual([auto.pilotPasses, auto.guessed], [1000, true]);
    assert.ok(Math.abs(wallSecondsAt(auto, rates, 2) - (3 + 4 * 3.5 + (2 * 2 * 1000 * 0.01) / 2)) < 1e-9);
    assert.equal(BENCH_RATES.evaluationSeconds, 1 / EVALUATIONS_PER_CORE_SECOND);
  });

  it('states a range as wide as what it rests on, in readable units', () => {
    assert.deepEqual(costRange(100, 'pilot', false), { seconds: 100, low: 60, high: 180, basis: 'pilot', guessed: false });
    assert.deepEqual([costRange(100, 'last-run', false).low, costRange(100, 'last-run', false).high], [70, 150]);
    const guessed = costRange(90, 'pilot', true);
    assert.deepEqual([guessed.low, guessed.high], [30, 270]);
    assert.deepEqual([costRange(10, 'bench', false).low, costRange(10, 'bench', false).high], [5, 100]);
    assert.equal(formatRange({ low: 15.2, high: 39.6 }), '≈ 15–40 s');
    assert.equal(formatRange({ low: 7.4, high: 7.6 }), '≈ 7–8 s');
    assert.equal(formatRange({ low: 50, high: 125 }), '≈ 50 s–2.1 min');
    assert.equal(formatRange({ low: 600, high: 1500 }), '≈ 10–25 min');
    assert.equal(formatRange({ low: 1980, high: 4320 }), '≈ 33 min–1.2 h');
    assert.equal(formatRange({ low: 0.2, high: 0.4 }), '≈ 1 s', 'never below a second');
  });

  it('learns from the last run: its units\' core-seconds over this run\'s workers, scaled by the modelled work', () => {
    const degradation = { dial: 'weight-noise' as const, levels: [1, 2, 3, 4], noise: { samples: 10 } };
    // The last run: 4 units of 5 s each on 2 workers (10 s of units) and 2 s outside them: 12 s.
    const last = { totalSeconds: 12, setupSeconds: 1, unitSeconds: 20, workers: 2, degradation };
    const same = fromLastRun(last, degradation, 2);
    assert.equal(same.sameWork, true);
    assert.equal(same.seconds, 12, 'the same settings on as many workers: the same wall time');
    assert.equal(fromLastRun(last, degradation, 1).seconds, 2 + 20, 'one worker runs every unit');
    assert.equal(fromLastRun(last, degradation, 4).seconds, 2 + 5);
    assert.equal(fromLastRun({ ...last, workers: undefined }, degradation, 2).seconds, 12, 'an older file without its workers: as many as now');
    // Twice the samples: twice the units' work (the modelled ratio), the same fixed cost.
    const doubled = fromLastRun(last, { ...degradation, noise: { samples: 20 } }, 2);
    assert.equal(doubled.sameWork, false);
    assert.equal(doubled.seconds, 2 + 20);
  });
});
