// The characteristic temperature (docs/method.md): known answers for the interpolation, the band and every case
// outside the swept range, the verdict's field and the results check, and a real sweep on the planted network whose
// reference loss is built so that the answer is one of its own levels.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { characteristicTemperature, type CharacteristicLevel } from '../../../../src/engine/sweep/characteristic';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile, parseHypothesis } from '../../../../src/hypothesis';
import { resultsProblem } from '../../../../src/protocol/results';
import { interpolateLossGap } from '../../../../src/chart/figure';
import { edit, VALID_MLP } from '../../../support/workspace';
import { atLevels } from '../../../support/degradation';

const at = (levels: number[], gaps: number[], half = 0): CharacteristicLevel[] =>
  levels.map((level, i) => ({ level, lossGap: { mean: gaps[i]!, se: half / 1.96, n: 8, ci95: [gaps[i]! - half, gaps[i]! + half] } }));
const close = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

describe('the characteristic temperature', () => {
  it('interpolates linearly on a linear grid: ΔL = 2t reaches g = 1 at t = 0.5 exactly', () => {
    const c = characteristicTemperature(at([0.1, 0.2, 0.4, 0.8], [0.2, 0.4, 0.8, 1.6]), 1.25, 0.25, { scale: 'linear' });
    assert.equal(c.position, 'within');
    assert.equal(c.gap, 1);
    close(c.level, 0.5, 't_c');
    assert.deepEqual(c.bracket, [0.4, 0.8]);
    assert.equal(c.interpolation, 'linear');
    assert.match(c.summary, /t_c ≈ 0\.5: ΔL\(t_c\) = g = L_n\(w\*\) − referenceLoss = 1\.25 − 0\.25 = 1 \(between t = 0\.4 and 0\.8, linear-interpolated/);
  });

  it('interpolates in log t on a log grid: ΔL = 3 + log10 t reaches g = 1.5 at t = 10^−1.5; the band from ΔL ± 0.5', () => {
    const c = characteristicTemperature(at([1e-3, 1e-2, 1e-1, 1], [0, 1, 2, 3], 0.5), 2, 0.5, { scale: 'log' });
    close(c.level, 10 ** -1.5, 't_c');
    assert.equal(c.interpolation, 'log');
    // ΔL + 0.5 reaches 1.5 at ΔL = 1 (t = 0.01); ΔL − 0.5 at ΔL = 2 (t = 0.1).
    close(c.band[0], 1e-2, 'band lower');
    close(c.band[1], 1e-1, 'band upper');
    // A band end past the grid is said, not extrapolated.
    const wide = characteristicTemperature(at([1e-3, 1e-2, 1e-1, 1], [0, 1, 2, 3], 2), 2, 0.5, { scale: 'log' });
    assert.equal(wide.band[0], null);
    assert.match(wide.summary, /band puts it outside the grid … /);
  });

  it('meets g at a level: that level, bracketed by itself', () => {
    const c = characteristicTemperature(at([1, 2, 4], [0.5, 1, 2]), 1, 0, { scale: 'linear' });
    close(c.level, 2, 't_c');
    // The first level reaching g is level 2 (index 1): interpolated between 1 and 2 it lands on 2.
    const first = characteristicTemperature(at([1, 2, 4], [1, 1.5, 2]), 1, 0, { scale: 'linear' });
    assert.equal(first.position, 'within');
    close(first.level, 1, 't_c at the first level');
    assert.deepEqual(first.bracket, [1, 1]);
  });

  it('outside the swept range on either side, or with no gap: no level, and the summary says which', () => {
    const grid = [0.01, 0.1, 1];
    const more = characteristicTemperature(at(grid, [0.1, 0.2, 0.3]), 1, 0, { scale: 'log' });
    assert.equal(more.position, 'more-degraded');
    assert.equal(more.level, null);
    assert.match(more.summary, /stays below .* up to the most degraded level tested \(t = 1, ΔL = 0\.3\)/);
    const less = characteristicTemperature(at(grid, [0.5, 0.6, 0.7]), 1, 0.8, { scale: 'log' });
    assert.equal(less.position, 'less-degraded');
    assert.match(less.summary, /already reaches .* at the least degraded level tested, t = 0\.01/);
    const none = characteristicTemperature(at(grid, [0.5, 0.6, 0.7]), 1, 1.2, { scale: 'log' });
    assert.equal(none.position, 'no-gap');
    assert.ok(none.gap < 0);
    const diverged = characteristicTemperature(at(grid, [0.5, 0.6, 0.7]).map((l) => ({ ...l, error: 'diverged' })), 1, 0.5, { scale: 'log' });
    assert.equal(diverged.position, 'no-levels');
  });

  it('checkpoints degrade towards earlier positions: the crossing is found in that order', () => {
    // Steps 0…3, ΔL 3, 2, 1, 0 (the last checkpoint is w*): g = 1.5 between steps 1 and 2.
    const c = characteristicTemperature(at([0, 1, 2, 3], [3, 2, 1, 0]), 2, 0.5, { scale: 'linear', descending: true });
    assert.equal(c.position, 'within');
    close(c.level, 1.5, 't_c');
    assert.deepEqual(c.bracket, [1, 2]);
    const beyond = characteristicTemperature(at([0, 1, 2, 3], [3, 2, 1, 0]), 5, 0.5, { scale: 'linear', descending: true });
    assert.equal(beyond.position, 'more-degraded');
    assert.match(beyond.summary, /most degraded level tested \(t = 0,/);
  });

  it('a ΔL that is not monotone: every crossing listed, the first reported, diverged levels skipped', () => {
    const levels = at([1, 2, 3, 4, 5], [0, 2, 0.5, 9, 3]);
    levels[3] = { ...levels[3]!, error: 'diverged' };
    const c = characteristicTemperature(levels, 1, 0, { scale: 'linear' });
    close(c.level, 1.5, 't_c');
    assert.equal(c.crossings.length, 3);
    close(c.crossings[1]!, 2 + 1 / 1.5, 'second crossing');
    close(c.crossings[2]!, 3 + 0.5 / 2.5 * 2, 'third crossing (across the diverged level 4)');
    assert.match(c.summary, /crosses g 3 times/);
  });

  it('verdict.referenceLoss is a located schema error when negative or not a number', () => {
    const text = edit(VALID_MLP, 'persistence: 0.25', 'persistence: 0.25, referenceLoss: -0.1');
    const r = parseHypothesis(text, '/ws/project/h.circuit.yaml');
    const d = r.diagnostics.find((x) => x.code === 'hyp/out-of-range');
    assert.equal(d?.message, 'verdict.referenceLoss must be ≥ 0, not -0.1');
    assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.includes('referenceLoss')));
    const s = parseHypothesis(edit(VALID_MLP, 'persistence: 0.25', 'persistence: 0.25, referenceLoss: low'), '/ws/project/h.circuit.yaml');
    assert.match(s.diagnostics.find((x) => x.code === 'hyp/wrong-type')!.message, /verdict\.referenceLoss must be a number/);
    const ok = parseHypothesis(edit(VALID_MLP, 'persistence: 0.25', 'persistence: 0.25, referenceLoss: 0.01'), '/ws/project/h.circuit.yaml');
    assert.equal(ok.hypothesis!.verdict.referenceLoss, 0.01);
  });

  it('a real sweep (planted κ = 0.3, weight noise): a reference loss L_n(w*) − ΔL(t₂) puts t_c at t₂; the document passes the results check', async function () {
    this.timeout(60_000);
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../../examples/planted/kappa-0.3.circuit.yaml'));
    const h = r.hypothesis!;
    const degradation = atLevels(h.degradation, [0.03, 0.1, 0.3], 'log', 4);
    const plain = await runSweep({ ...h, degradation });
    assert.equal(plain.verdict.characteristic, undefined);
    const gaps = plain.levels.map((l) => l.lossGap.mean);
    assert.ok(gaps[0]! < gaps[1]! && gaps[1]! < gaps[2]!, `ΔL rises with σ: ${gaps}`);
    const referenceLoss = plain.baseline.loss - gaps[1]!;
    const doc = await runSweep({ ...h, degradation, verdict: { ...h.verdict, referenceLoss } });
    // Same seed, same numbers: the reference changes only the verdict.
    assert.deepEqual(doc.levels.map((l) => l.lossGap.mean), gaps);
    const c = doc.verdict.characteristic!;
    assert.equal(c.position, 'within');
    assert.ok(Math.abs(c.level! / 0.1 - 1) < 1e-9, `t_c = ${c.level}`);
    // The chart's own log interpolation of ΔL at t_c gives back the gap.
    const mid = characteristicTemperature(doc.levels, doc.baseline.loss, plain.baseline.loss - (gaps[0]! + gaps[1]!) / 2, { scale: 'log' });
    assert.ok(Math.abs(interpolateLossGap(doc.levels, mid.level!)! - mid.gap) < 1e-12);
    assert.equal(resultsProblem(JSON.parse(JSON.stringify(doc))), null);
    assert.equal(resultsProblem(JSON.parse(JSON.stringify({ ...doc, verdict: { ...doc.verdict, characteristic: { ...c, gap: 'big' } } }))), '.verdict.characteristic.gap');
  });
});
