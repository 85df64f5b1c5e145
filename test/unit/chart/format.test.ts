// The verdict's small texts that the chart page, the CLI table and the webview share.
import { strict as assert } from 'node:assert';
import { calibrationText, samplerLine } from '../../../src/chart/format';
import type { LevelResult } from '../../../src/protocol/results';

describe('chart/format', () => {
  it('calibrationText says why there is none: sufficiency is not calibrated; otherwise too few control sets', () => {
    assert.match(calibrationText({ calibration: null, question: 'sufficiency' }, false), /^no calibration \(sufficiency is not calibrated/);
    assert.match(calibrationText({ calibration: null, question: 'necessity' }, false), /needs ≥ 3 matched random sets/);
  });

  it('samplerLine: sgld\'s ε, burn-in steps and MALA acceptance; hmc\'s T, L̄, iterations and Metropolis acceptance', () => {
    const level = (more: Partial<LevelResult>) => ({ level: 1, stepSize: 1.2e-4, burnIn: 600, thin: 100, acceptance: 0.93, ...more }) as LevelResult;
    assert.equal(samplerLine(level({})), 'sampler: ε = 1.20e-4 · burn-in 600 steps · thin 100 · MALA acceptance 0.93');
    assert.equal(samplerLine(level({ stepSize: 5e-3, burnIn: 40, thin: 4, trajectory: 0.07, leapfrog: 14, acceptance: 0.81 })),
      'sampler: ε = 0.005 · T = 0.07 · L̄ = 14 leapfrog steps · burn-in 40 iterations · thin 4 · Metropolis acceptance 0.81');
    assert.equal(samplerLine({ level: 1 } as LevelResult), undefined, 'not a sampled level');
  });
});
