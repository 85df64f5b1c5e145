// settingChanged: a resume refused for another plan names the first setting that differs, in the hypothesis's own
// field names, with both values (escaped and cut, as any name from a file reaching the terminal).
import { strict as assert } from 'node:assert';
import { settingChanged } from '../../../../src/engine/sweep/unitsCheck';

describe('unitsCheck: settingChanged', () => {
  const h = { file: '/w/m.circuit.yaml', degradation: { dial: 'weight-noise', levels: [0.01, 0.1, 1], seed: 0, grid: { checkpoints: ['/w/a.onnx', '/w/b.onnx'], steps: [100, 200] } } };

  it('is null for equal hypotheses', () => {
    assert.equal(settingChanged(h, structuredClone(h)), null);
  });

  it('names a scalar, a list entry and a nested list entry by path, with both values', () => {
    const seed = structuredClone(h);
    seed.degradation.seed = 1;
    assert.equal(settingChanged(h, seed), 'degradation.seed is 0 in the journal, 1 now');
    const level = structuredClone(h);
    level.degradation.levels[2] = 2;
    assert.equal(settingChanged(h, level), 'degradation.levels[2] is 1 in the journal, 2 now');
    const step = structuredClone(h);
    step.degradation.grid.steps[1] = 300;
    assert.equal(settingChanged(h, step), 'degradation.grid.steps[1] is 200 in the journal, 300 now');
  });

  it('a list of another length is named whole; a key on one side only is absent on the other', () => {
    const longer = structuredClone(h);
    longer.degradation.levels.push(3);
    assert.equal(settingChanged(h, longer), 'degradation.levels is [0.01,0.1,1] in the journal, [0.01,0.1,1,3] now');
    const noGrid: Record<string, unknown> = structuredClone(h);
    delete (noGrid.degradation as Record<string, unknown>).grid;
    assert.equal(settingChanged(h, noGrid), 'degradation.grid is {"checkpoints":["/w/a.onnx","/w/b.onnx"],"steps":[100,200]} in the journal, absent now');
  });

  it('a hostile key or value reaches the terminal escaped and cut', () => {
    const was = { ['\x1b]0;pwned\x07']: 'x'.repeat(500) };
    const text = settingChanged(was, {})!;
    assert.ok(!/[\x1b\x07]/.test(text), text);
    assert.ok(text.length < 300, `${text.length} characters`);
    assert.match(text, / in the journal, absent now$/);
  });
});
