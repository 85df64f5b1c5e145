// After Calibrate Sampler: the grid kept per file while the file's calibration inputs stay the same (the stale
// rule), the code action that writes its recommendation (where it is offered, its title, the text it leaves), and
// the calibration panel's words (its write button, disabled once the file holds the value or the grid is stale).
import { strict as assert } from 'node:assert';
import { calibrationInputs } from '../../../src/hypothesis/calibrationInputs';
import { parseHypothesis } from '../../../src/hypothesis';
import { CalibrationStore, calibratedStepSizeTitle, calibrationNotice, stepSizeAction } from '../../../src/extension/calibrationStore';
import type { TextEdit } from '../../../src/hypothesis/settingEdit';
import type { CalibrationReport } from '../../../src/protocol/calibration';
import { calibrationFacts } from '../../../webview/calibrationFacts';
import { VALID_MLP } from '../../support/workspace';
import { degradationAs } from '../../../src/protocol/hypothesis';

const FILE = '/w/h.circuit.yaml';

function apply(text: string, e: TextEdit): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; col: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.col;
  return text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
}

function report(recommended: number | null): CalibrationReport {
  const cell = (stepSize: number, acceptance: number) => ({ nbeta: 128, stepSize, acceptance, llc: 3.2, rhat: 1.01, diverged: false });
  return {
    hypothesis: FILE, n: 128, localization: 100, batchSize: 20, chains: 2, steps: 100, levels: [1, 10], recommended,
    rows: [
      { nbeta: 128, recommended: recommended ?? null, cells: [cell(3.3e-3, 0.5), cell(1.23456e-4, 0.94)] },
      { nbeta: 12.8, recommended: recommended === null ? null : 3.3e-3, cells: [cell(3.3e-3, 0.91), cell(1.23456e-4, 0.99)] },
    ],
  };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const BLOCK = VALID_MLP.replace(/  sgld: \{.*\}\n/, '  sgld:\n    chains: 2\n    batchSize: 20\n');
const NO_SGLD = VALID_MLP.replace(/  sgld: \{.*\}\n/, '');

describe('extension: the calibrated step size', () => {
  it('keeps a grid while the model, data, loss and degradation settings are the ones it was measured on', () => {
    const same = [
      VALID_MLP.replace('stepSize: 1e-4', 'stepSize: 3e-3'),
      VALID_MLP.replace('stepSize: 1e-4, ', ''),
      VALID_MLP.replace('name: odd-example units', 'name: renamed'),
      VALID_MLP.replace('verdict: { collateralTolerance: 0.1', 'verdict: { collateralTolerance: 0.2'),
      `# a comment\n${VALID_MLP}`,
      VALID_MLP.replace('  temperatures: { from: 0.1, to: 1000, count: 5 }', '  temperatures:\n    from: 0.1\n    to: 1000\n    count: 5'),
    ];
    for (const text of same) assert.equal(calibrationInputs(text, FILE), calibrationInputs(VALID_MLP, FILE), text);
    const changed = [
      VALID_MLP.replace('count: 5', 'count: 6'),
      VALID_MLP.replace('batchSize: 20', 'batchSize: 40'),
      VALID_MLP.replace('localization: 100', 'localization: 300'),
      VALID_MLP.replace('seed: 0', 'seed: 1'),
      VALID_MLP.replace('./mlp.onnx', './other.onnx'),
      VALID_MLP.replace('./x.npy', './x2.npy'),
      VALID_MLP.replace('kind: cross-entropy', 'kind: mse'),
    ];
    for (const text of changed) assert.notEqual(calibrationInputs(text, FILE), calibrationInputs(VALID_MLP, FILE), text);
  });

  it('the store drops a stale grid at the first look after the inputs changed, and says so', () => {
    const store = new CalibrationStore();
    const heard: string[] = [];
    store.onDidChange((f) => heard.push(f));
    const c = store.set(FILE, report(1.23456e-4), VALID_MLP);
    assert.equal(store.current(FILE, VALID_MLP.replace('stepSize: 1e-4', 'stepSize: 0.000123')), c, 'writing the step size keeps it');
    assert.equal(store.current('/w/other.circuit.yaml', VALID_MLP), undefined);
    assert.equal(store.current(FILE, VALID_MLP.replace('count: 5', 'count: 9')), undefined);
    assert.equal(store.current(FILE, VALID_MLP), undefined, 'gone, even when the text changes back');
    assert.deepEqual(heard, [FILE, FILE]);
  });

  it('offers the code action on the stepSize line, and writes the rounded recommendation there', () => {
    const at = new Date(2025, 4, 6, 14, 5);
    const c = new CalibrationStore().set(FILE, report(1.23456e-4), VALID_MLP, at);
    const line = lineOf(VALID_MLP, 'stepSize:');
    const a = stepSizeAction(c, VALID_MLP, { from: line, to: line }, at)!;
    assert.equal(a.title, 'Use the calibrated step size 0.000123 (from Calibrate Sampler, 14:05)');
    const edited = apply(VALID_MLP, a.edit);
    assert.equal(degradationAs(parseHypothesis(edited, FILE).hypothesis!.degradation, 'sgld').sgld.stepSize, 0.000123);
    assert.match(edited, /sgld: \{ stepSize: 0\.000123, localization: 100/);
    assert.equal(stepSizeAction(c, VALID_MLP, { from: line - 1, to: line - 1 }, at), undefined, 'not on the line above');
    assert.equal(stepSizeAction(c, edited, { from: line, to: line }, at), undefined, 'not once the file holds the value');
    assert.ok(stepSizeAction(c, VALID_MLP, { from: 0, to: 40 }, at), 'a selection over the line');
    assert.equal(stepSizeAction(new CalibrationStore().set(FILE, report(null), VALID_MLP, at), VALID_MLP, { from: line, to: line }, at), undefined, 'nothing to recommend');
  });

  it('without a stepSize: on the sgld: block, else on the degradation: block', () => {
    const at = new Date(2025, 4, 6, 9, 30);
    for (const [text, key, last] of [[BLOCK, '  sgld:', '    batchSize: 20'], [NO_SGLD, 'degradation:', '  seed: 0']] as const) {
      const c = new CalibrationStore().set(FILE, report(1.23456e-4), text, at);
      const from = lineOf(text, key), to = lineOf(text, last);
      for (const l of [from, to]) assert.ok(stepSizeAction(c, text, { from: l, to: l }, at), `offered on line ${l} of\n${text}`);
      assert.equal(stepSizeAction(c, text, { from: to + 1, to: to + 1 }, at), undefined, `not below the block in\n${text}`);
      assert.equal(stepSizeAction(c, text, { from: from - 1, to: from - 1 }, at), undefined, `not above the block in\n${text}`);
      const edited = apply(text, stepSizeAction(c, text, { from, to: from }, at)!.edit);
      const h = parseHypothesis(edited, FILE);
      assert.deepEqual(h.diagnostics.filter((d) => d.severity === 'error'), [], edited);
      assert.equal(degradationAs(h.hypothesis!.degradation, 'sgld').sgld.stepSize, 0.000123, edited);
    }
  });

  it('keeps the grids across a reload (the workspace state), so a restored panel shows its file\'s grid, stale or not', () => {
    const saved = new Map<string, unknown>();
    const memory = { get: <T>(k: string) => saved.get(k) as T | undefined, update: async (k: string, v: unknown) => void saved.set(k, JSON.parse(JSON.stringify(v))) };
    const at = new Date(2025, 4, 6, 14, 5);
    new CalibrationStore(memory).set(FILE, report(1.23456e-4), VALID_MLP, at);
    const reloaded = new CalibrationStore(memory);
    const c = reloaded.get(FILE);
    assert.ok(c, 'the grid is back after a reload');
    assert.equal(c.at.getTime(), at.getTime());
    assert.deepEqual(c.report, report(1.23456e-4));
    assert.equal(reloaded.current(FILE, VALID_MLP), c, 'still describes the file');
    // Stale after the reload: dropped from the store and from what the next window gets.
    assert.equal(reloaded.current(FILE, VALID_MLP.replace('./mlp.onnx', './other.onnx')), undefined);
    assert.equal(new CalibrationStore(memory).get(FILE), undefined);
  });

  it('titles carry the day when the calibration was not today', () => {
    assert.equal(calibratedStepSizeTitle(0.0001, new Date(2025, 0, 2, 8, 7), new Date(2025, 0, 3, 10, 0)), 'Use the calibrated step size 0.0001 (from Calibrate Sampler, Jan 2 08:07)');
  });

  it('the panel: the button writes the recommendation, disabled once the file holds it or the grid is stale', () => {
    const at = new Date(2025, 4, 6, 14, 5);
    const state = { file: FILE, label: 'h.circuit.yaml', report: report(1.23456e-4), at: at.toISOString(), stepSize: 0.000123, current: 0.0001, stale: false } as const;
    const f = calibrationFacts(state, at);
    assert.equal(f.title, 'Sampler calibration: h.circuit.yaml');
    assert.deepEqual(f.write, { label: 'Write stepSize: 0.000123 into h.circuit.yaml', disabled: null, primary: true });
    assert.match(f.rhat, /^† R̂ > 1\.01\. A cell's R̂ is the split-R̂ \(Vehtari et al\. 2021\) of its 2 chains' minibatch loss over the second half of its 100 steps/);
    assert.equal(f.settings, 'n = 128 · batch 20 · γ = 100 · 2 chains × 100 steps per cell · measured 14:05 · h.circuit.yaml sets stepSize: 0.0001');
    assert.match(f.recommendation, /^Recommended: stepSize 0\.000123/);
    assert.deepEqual(f.levels.map((l) => [l.t, l.stepSize, l.acceptance]), [['1', '1.2e-4', '0.94'], ['10', '3.3e-3', '0.91']]);
    assert.equal(f.stale, null);
    assert.equal(calibrationFacts({ ...state, current: 0.000123 }, at).write!.disabled, 'h.circuit.yaml sets stepSize: 0.000123 already');
    const stale = calibrationFacts({ ...state, stale: true }, at);
    assert.equal(stale.write!.disabled, 'the calibration is stale');
    assert.match(stale.stale!, /changed since this calibration/);
    // A file that leaves ε to auto (written or by default), where auto's per-level ε differ (1.2e-4 … 3.3e-3, 26.7×):
    // auto is kept, with the reason; the fixed value is only offered, not the panel's main action.
    for (const current of ['auto', null] as const) {
      const a = calibrationFacts({ ...state, current }, at);
      assert.match(a.recommendation, /^Keep stepSize: auto.*: it picks ε per level, here from 1\.2e-4 at t = 1 to 3\.3e-3 at t = 10 \(26\.7× apart\)\. One fixed stepSize for every level would be 0\.000123, the smallest of them: 26\.7× below what t = 10 takes/);
      assert.equal(/\(the default\)/.test(a.recommendation), current === null);
      assert.deepEqual(a.write, { label: 'Write stepSize: 0.000123 into h.circuit.yaml', disabled: null, primary: false });
    }
    // auto's ε equal at every level: one number loses nothing, and is the recommendation again.
    const flat = report(1.23456e-4);
    const same = calibrationFacts({ ...state, current: 'auto', report: { ...flat, rows: flat.rows.map((r) => ({ ...r, recommended: 1.23456e-4 })) } }, at);
    assert.match(same.recommendation, /^Recommended: stepSize 0\.000123/);
    assert.equal(same.write!.primary, true);
    const none = calibrationFacts({ ...state, report: report(null), stepSize: null }, at);
    assert.equal(none.write, null);
    // The notification after the run says what the panel says: over stepSize: auto its main button no longer writes
    // one fixed ε (issue 28: 1.4e-5 written over auto, 8.7× below the per-level ε at high t); the value comes last.
    const kept = calibrationFacts({ ...state, current: 'auto' }, at);
    const overAuto = calibrationNotice('h.circuit.yaml', kept.recommendation, 0.000123, kept.write!.primary === false);
    assert.match(overAuto.message, /^Calibration of h\.circuit\.yaml: Keep stepSize: auto: it picks ε per level/);
    assert.deepEqual(overAuto.buttons, ['Show Calibration', 'Show Details', 'Write stepSize: 0.000123 anyway']);
    assert.equal(overAuto.write, 'Write stepSize: 0.000123 anyway');
    const fixed = calibrationNotice('h.circuit.yaml', f.recommendation, 0.000123, f.write!.primary === false);
    assert.deepEqual(fixed.buttons, ['Write stepSize: 0.000123', 'Show Calibration', 'Show Details']);
    assert.equal(calibrationNotice('h.circuit.yaml', none.recommendation, null, false).write, null);
    assert.match(none.recommendation, /^No step size of the grid keeps MALA acceptance ≥ 0\.9/);
    assert.deepEqual(none.levels.map((l) => l.stepSize), ['none', 'none']);
  });
});
