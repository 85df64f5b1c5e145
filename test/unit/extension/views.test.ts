// The pure pieces behind the views and commands: run summaries and live chart documents, the chart panel's
// figure (metric toggles, unknown numbers while a sweep runs), sparklines, the CSV level table, completion
// contexts, tensor descriptions on a real model, the model page, and scaffolds that the real checker accepts.
import { isResultsDocument, RESULTS_VERSION } from '../../../src/protocol/results';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANNOTATION, buildFigure, figureTitle, TRACE, SHAPE } from '../../../src/chart/figure';
import { lightTheme } from '../../../src/chart/theme';
import { GraphIndex, loadModel, saveModel, summarizeModel } from '../../../src/engine/onnx';
import { analyzeGradientSupport } from '../../../src/engine/autodiff';
import { parseHypothesis, shownShape } from '../../../src/hypothesis';
import type { Hypothesis } from '../../../src/protocol/hypothesis';
import { chartDocOf, DEFAULT_CHART_OPTIONS } from '../../../src/protocol/webview';
import { completionContextAt } from '../../../src/extension/completionContext';
import { levelTableCsv, levelTableCsvHeader } from '../../../src/extension/csv';
import { inputSpecs } from '../../../src/extension/gradcheckRun';
import { modelMarkdown } from '../../../src/extension/modelMarkdown';
import { chartDocFor, recordFromDocument, type RunRecord, summarize } from '../../../src/extension/runRecord';
import { hypothesisFileName, scaffoldHypothesis } from '../../../src/extension/scaffold';
import { describeTensor, tensorDetail, tensorMarkdown } from '../../../src/extension/tensorInfo';
import { METRIC_TRACES, panelFigure, shapeNames } from '../../../webview/chartDocument';
import { verdictHeader } from '../../../webview/facts';
import { runFacts, verdictWord } from '../../../src/extension/runItems';
import { verdictLines } from '../../../src/cli/table';
import { mlpModel } from '../../fixtures/models';
import { failedCalibration, sampleDocument, sampleDocumentV1 } from '../../support/sampleDocument';

describe('extension: runs, charts and exports', () => {
  it('summarises a finished run with its verdict and a sparkline of every level', () => {
    const doc = sampleDocument();
    const s = summarize(recordFromDocument(doc, '/w/x.results.json', 'x.circuit.yaml'));
    assert.equal(s.id, '/w/x.results.json');
    assert.equal(s.status, 'complete');
    assert.equal(s.tEnt, doc.verdict.tEnt);
    assert.equal(s.cleanlinessDecades, doc.verdict.cleanlinessDecades);
    assert.equal(s.message, doc.verdict.summary);
    assert.deepEqual(s.spark.level, doc.levels.map((l) => l.level));
    assert.deepEqual(s.spark.target, doc.levels.map((l) => l.targetEffect.mean));
    assert.equal(s.progress, null);
    // The verdict facts the runs list shows beside t_ent, JSON-safe (the payload crosses to the webview as JSON).
    const c = doc.verdict.calibration!;
    assert.deepEqual(JSON.parse(JSON.stringify(s)).calibration, { clean: c.clean, of: c.of, summary: c.summary, warning: null });
    assert.deepEqual(s.inconclusive, doc.verdict.inconclusive);
    assert.equal(s.resultsVersion, 2);
  });

  it('runs list: the calibration k/K beside t_ent, a warning past α, inconclusive runs marked, "no null" for version 1', () => {
    const doc = sampleDocument();
    const quiet = runFacts(summarize(recordFromDocument(doc, '/w/x.results.json', 'x')));
    assert.equal(quiet.tEnt, `t_ent ${doc.verdict.tEnt}`);
    assert.deepEqual(quiet.calibration, { text: `${doc.verdict.calibration!.clean}/${doc.verdict.calibration!.of} random clean`, title: doc.verdict.calibration!.summary, warning: false });
    assert.deepEqual(quiet.inconclusive, { badge: '⚠ inconclusive (1)', text: 'inconclusive at 1000 (not converged)', levels: [1000] });
    doc.verdict.calibration = failedCalibration();
    doc.verdict.inconclusive = [];
    const warned = runFacts(summarize(recordFromDocument(doc, '/w/x.results.json', 'x')));
    assert.deepEqual(warned.calibration, { text: '⚠ 3/8 random clean', title: doc.verdict.calibration.warning, warning: true });
    assert.equal(warned.inconclusive, null);
    const v1 = summarize(recordFromDocument(sampleDocumentV1(), '/w/old.results.json', 'old'));
    assert.equal(v1.resultsVersion, 1);
    assert.equal(v1.calibration, null);
    assert.deepEqual(v1.inconclusive, []);
    assert.deepEqual(runFacts(v1).calibration, { text: 'no null', title: 'no null (results version 1)', warning: false });
    // A run whose facts are not known yet (still running: no results version, no calibration) shows none of them.
    const bare = { ...v1, resultsVersion: null, calibration: null, inconclusive: [] };
    assert.deepEqual([runFacts(bare).calibration, runFacts(bare).inconclusive], [null, null]);
  });

  it('chart header: the calibration, its warning, the inconclusive levels and the advice', () => {
    const doc = sampleDocument();
    const h = verdictHeader(JSON.parse(JSON.stringify(chartDocOf(doc))))!;
    assert.equal(h.calibration, `Calibration: ${doc.verdict.calibration!.summary}`);
    assert.equal(h.warning, null);
    assert.equal(h.inconclusive, 'inconclusive at t = 1000 (not converged)');
    assert.deepEqual(h.advice, doc.verdict.advice);
    assert.ok(h.extras.some((e) => e.startsWith('X_T(0) = 0.72')), h.extras.join(' · '));
    doc.verdict.calibration = failedCalibration();
    assert.equal(verdictHeader(chartDocOf(doc))!.warning, `⚠ ${doc.verdict.calibration.warning}`);
    const v1 = verdictHeader(JSON.parse(JSON.stringify(chartDocOf(sampleDocumentV1()))))!;
    assert.equal(v1.calibration, 'no null (results version 1)', 'the payload has no version: recognised by its contents');
    assert.deepEqual([v1.warning, v1.inconclusive, v1.advice], [null, null, []]);
    assert.equal(verdictHeader(null), null);
  });

  it('a circuit not specific at the trained network reads "not specific" once in the headline, and the same word in the Runs tree and the CLI', () => {
    const doc = sampleDocument();
    const summary = 'not specific at the trained network: the exact rank test gives p = 0.44 > α = 0.05 (3 of 8 control sets ablate the target at least as much), so nothing can persist';
    const verdict = { ...doc.verdict, cleanWindow: null, tEnt: null, summary, baselineExcess: { ...doc.verdict.baselineExcess!, specific: false } };
    const notSpecific: typeof doc = { ...doc, verdict };
    const h = verdictHeader(JSON.parse(JSON.stringify(chartDocOf(notSpecific))))!;
    const headline = [summary, ...h.extras, h.sentence].join(' · ');
    assert.equal(headline.match(/not specific at the trained network/g)?.length, 1, headline);
    assert.equal(h.outcome, 'not-specific');
    assert.match(h.sentence, /^Not specific: /);
    const run = summarize(recordFromDocument(notSpecific, '/w/n.results.json', 'n'));
    assert.equal(verdictWord(run), h.word, 'the Runs tree says what the headline says');
    const cli = verdictLines(notSpecific).find((l) => l.startsWith('in words'))!;
    assert.match(cli, /in words\s+Not specific: /);
    assert.ok(!/entangled/i.test([h.word, h.sentence, verdictWord(run), cli].join(' ')), 'never "entangled"');
    // A specific circuit without a window: "entangled" everywhere, with the test that failed.
    const entangled = { ...doc, verdict: { ...verdict, inconclusive: [], summary: 'entangled at every tested temperature', baselineExcess: { ...doc.verdict.baselineExcess!, specific: true } } };
    const e = verdictHeader(chartDocOf(entangled))!;
    assert.equal(e.word, 'entangled');
    assert.equal(verdictWord(summarize(recordFromDocument(entangled, '/w/e.results.json', 'e'))), 'entangled');
    assert.match(e.sentence, /^Entangled: /);
    // Some levels did not converge and no window: "inconclusive" in both, the levels named.
    const partly = { ...doc, verdict: { ...entangled.verdict, inconclusive: [1000] } };
    const i = verdictHeader(chartDocOf(partly))!;
    assert.equal(i.word, verdictWord(summarize(recordFromDocument(partly, '/w/i.results.json', 'i'))));
    assert.equal(i.word, 'inconclusive');
    assert.match(i.sentence, /t = 1000/);
  });

  it('gives a running sweep a live chart: finished levels, thresholds from the hypothesis, unknowns as gaps', () => {
    const doc = sampleDocument();
    const hypothesis = { degradation: { dial: 'sgld' }, verdict: doc.thresholds, circuit: { name: 'c' } } as unknown as Hypothesis;
    const record: RunRecord = {
      id: '/w/x.results.json', hypothesisFile: '/w/x.circuit.yaml', resultsPath: '/w/x.results.json', label: 'x', status: 'running',
      circuitName: 'c', dial: 'sgld', hypothesis, levels: doc.levels.slice(0, 2), progress: null,
    };
    const live = chartDocFor(record);
    assert.ok(live);
    assert.equal(live.levels.length, 2);
    assert.equal(live.verdict, null);
    assert.equal(live.baseline.targetEffect, null);
    assert.match(summarize(record).message, /starting/);
    // JSON (how VS Code carries it) keeps the nulls, and the figure takes them as unknowns: no marker, no line at 0.
    const page = JSON.parse(JSON.stringify(live)) as typeof live;
    assert.equal(page.baseline.targetEffect, null);
    assert.equal(page.watanabeTemperature, null);
    const fig = panelFigure(JSON.parse(JSON.stringify(live)), DEFAULT_CHART_OPTIONS, lightTheme, false);
    // Judged live levels carry their null and excess: the persistence line m_T + ρ·X_T(0) is known already.
    const persistence = fig.data.find((t) => (t as { uid?: string }).uid === TRACE.persistence) as { y: number[] };
    assert.deepEqual(persistence.y, live.levels.map((l) => l.null!.mean + l.excess!.threshold));
    assert.ok(fig.data.some((t) => (t as { uid?: string }).uid === TRACE.null), 'the null is drawn live');
    assert.deepEqual(shapeNames(fig), [], 'no verdict, no Watanabe temperature yet: no markers');
    // Version-1 levels (no tests recorded) have no threshold without the baseline: a gap, not a line at 0.
    const old: RunRecord = { ...record, levels: sampleDocumentV1().levels.slice(0, 2) };
    const oldFig = panelFigure(JSON.parse(JSON.stringify(chartDocFor(old))), DEFAULT_CHART_OPTIONS, lightTheme, false);
    assert.ok((oldFig.data.find((t) => (t as { uid?: string }).uid === TRACE.persistence) as { y: number[] }).y.every(Number.isNaN));
  });

  it('draws the finished chart with the clean window and markers, and hides the metrics switched off', () => {
    const doc = sampleDocument();
    const wire = JSON.parse(JSON.stringify(chartDocOf(doc)));
    assert.deepEqual(wire.levels[0].chains, [], 'chain traces stay in the file');
    const all = panelFigure(wire, DEFAULT_CHART_OPTIONS, lightTheme, true);
    assert.deepEqual(shapeNames(all), [SHAPE.cleanWindow, SHAPE.tEnt, SHAPE.tSurv, SHAPE.watanabe]);
    assert.ok(figureTitle(all), 'exports keep the title');
    const some = panelFigure(wire, { xAxis: 'lossGap', metrics: ['target'] }, lightTheme, false);
    assert.equal(figureTitle(some), undefined, 'the panel shows the title as HTML');
    const visible = (uid: string) => (some.data.find((t) => (t as { uid?: string }).uid === uid) as { visible?: unknown }).visible !== false;
    assert.ok(visible(TRACE.target) && visible(TRACE.targetLower));
    assert.ok(!visible(TRACE.collateral) && !visible(TRACE.lossGap) && !visible(TRACE.llc) && !visible(TRACE.persistence));
    assert.ok(visible(TRACE.null) && visible(TRACE.nullLower) && visible(TRACE.excessBound), 'the null and the excess go with the target');
    assert.ok(!visible(TRACE.tolerance) && !visible(TRACE.toleranceLower), 'both collateral thresholds go with the thresholds');
    const none = panelFigure(wire, { xAxis: 'temperature', metrics: [] }, lightTheme, false);
    const uids = none.data.map((t) => (t as { uid?: string }).uid!);
    // Hover targets over the shapes (window, markers) and the diverged crosses are always shown.
    for (const uid of uids.filter((u) => u !== TRACE.diverged && !u.includes('hover'))) assert.ok(Object.values(METRIC_TRACES).some((m) => m.includes(uid)), `${uid} has a toggle`);
    const x = (some.data.find((t) => (t as { uid?: string }).uid === TRACE.target) as { x: number[] }).x;
    assert.deepEqual(x, doc.levels.map((l) => l.lossGap.mean), 'x axis = degraded loss gap');
  });

  it('shows the calibration warning as HTML above the panel (exports keep it in the figure), and "no null" on a version-1 chart', () => {
    const doc = sampleDocument();
    doc.verdict.calibration = failedCalibration();
    const wire = JSON.parse(JSON.stringify(chartDocOf(doc)));
    const names = (f: ReturnType<typeof panelFigure>) => (f.layout.annotations ?? []).map((a) => a.name);
    assert.deepEqual(names(panelFigure(wire, DEFAULT_CHART_OPTIONS, lightTheme, true)), [ANNOTATION.calibrationWarning, ANNOTATION.title]);
    assert.deepEqual(names(panelFigure(wire, DEFAULT_CHART_OPTIONS, lightTheme, false)), [], 'the panel’s header states it');
    const v1 = JSON.parse(JSON.stringify(chartDocOf(sampleDocumentV1())));
    const fig = panelFigure(v1, DEFAULT_CHART_OPTIONS, lightTheme, false);
    assert.deepEqual(names(fig), [ANNOTATION.noNull]);
    assert.equal(fig.layout.annotations![0].text, 'no null (results version 1)');
    assert.ok(!fig.data.some((t) => (t as { uid?: string }).uid === TRACE.null));
  });

  it('recognises results documents of every readable version and nothing else', () => {
    assert.ok(isResultsDocument(sampleDocument()));
    assert.ok(isResultsDocument(JSON.parse(JSON.stringify(sampleDocumentV1()))), 'version-1 files still open');
    assert.ok(isResultsDocument({ ...sampleDocument(), version: 3 }), 'version 3 adds fields only');
    assert.ok(isResultsDocument({ ...sampleDocument(), version: 4 }), 'version 4 tags the hypothesis\'s degradation by its dial');
    assert.ok(!isResultsDocument({ ...sampleDocument(), version: RESULTS_VERSION + 1 }));
    assert.ok(!isResultsDocument({ ...sampleDocument(), version: '2' }));
    assert.ok(!isResultsDocument({ kind: 'circuit-thermometer/results' }));
    assert.ok(!isResultsDocument(null));
  });

  it('writes the level table as CSV with full-precision numbers', () => {
    const doc = sampleDocument();
    doc.levels[3].error = 'diverged at draw 3, "try ε/10"';
    const lines = levelTableCsv(doc).trimEnd().split('\r\n');
    assert.equal(lines.length, doc.levels.length + 1);
    const head = lines[0].split(',');
    const row = (i: number) => Object.fromEntries(lines[i + 1].match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.slice(0, head.length).map((c, k) => [head[k], c.replace(/,$/, '')]));
    const r1 = row(1);
    assert.equal(Number(r1.level), doc.levels[1].level);
    assert.equal(Number(r1.target_effect_mean), doc.levels[1].targetEffect.mean);
    assert.equal(Number(r1.llc_se), doc.levels[1].llc!.se);
    assert.equal(r1.in_clean_window, 'true');
    assert.equal(row(0).in_clean_window, 'false');
    assert.equal(row(3).error, '"diverged at draw 3, ""try ε/10"""');
  });

  it('writes the version-2 columns: null, excess, bounds, convergence, tests, failed, and each control set', () => {
    const doc = sampleDocument();
    const lines = levelTableCsv(doc).trimEnd().split('\r\n');
    const head = lines[0].split(',');
    assert.deepEqual(head, levelTableCsvHeader(doc));
    const k = doc.controls!.count;
    assert.equal(head.filter((h) => /^control_\d+_/.test(h)).length, 4 * k, 'four columns per control set');
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((c, i) => [head[i], c])));
    assert.equal(rows.length, doc.levels.length);
    doc.levels.forEach((l, i) => {
      const r = rows[i];
      assert.equal(Number(r.null_mean), l.null!.mean);
      assert.equal(Number(r.null_sd), l.null!.sd);
      assert.equal(Number(r.null_band_lower), l.null!.band[0]);
      assert.equal(Number(r.null_band_upper), l.null!.band[1]);
      assert.equal(Number(r.controls), k);
      assert.equal(Number(r.excess_mean), l.excess!.mean);
      assert.equal(Number(r.excess_se), l.excess!.se);
      assert.equal(Number(r.excess_bound), l.excess!.bound);
      assert.equal(Number(r.excess_quantile), l.excess!.quantile);
      assert.equal(Number(r.excess_threshold), l.excess!.threshold);
      assert.equal(Number(r.collateral_lower), l.bounds!.collateralLower);
      assert.equal(Number(r.collateral_upper), l.bounds!.collateralUpper);
      assert.equal(Number(r.collateral_threshold), l.bounds!.collateralThreshold);
      assert.equal(Number(r.rhat_target_effect), l.convergence!.rhat.targetEffect);
      assert.equal(Number(r.ess_per_chain), l.convergence!.essPerChain);
      assert.equal(r.test_converged, String(l.tests!.converged));
      assert.equal(r.test_persists, l.tests!.persists === null ? '' : String(l.tests!.persists), 'a test not held is empty');
      assert.equal(r.failed, l.failed!.join(';'));
      assert.equal(r.clean, String(l.clean));
      assert.equal(r.inconclusive, String(doc.verdict.inconclusive!.includes(l.level)));
      assert.equal(Number(r.target_effect_dof), l.targetEffect.dof);
      for (let c = 0; c < k; c++) {
        assert.equal(Number(r[`control_${c + 1}_target_effect_mean`]), l.controls![c].targetEffect.mean);
        assert.equal(Number(r[`control_${c + 1}_collateral_effect_se`]), l.controls![c].collateralEffect.se);
      }
    });
    assert.equal(rows[4].test_specific, '', 'the unconverged level holds no other test');
    assert.equal(rows[4].inconclusive, 'true');
    // A version-1 file: the same header minus the control columns, its new cells empty.
    const v1 = levelTableCsv(sampleDocumentV1()).trimEnd().split('\r\n');
    const h1 = v1[0].split(',');
    assert.ok(!h1.some((h) => /^control_\d/.test(h)), 'no control sets, no control columns');
    const r0 = Object.fromEntries(v1[1].split(',').map((c, i) => [h1[i], c]));
    for (const key of ['null_mean', 'excess_bound', 'rhat_loss', 'test_converged', 'failed', 'clean', 'collateral_lower']) assert.equal(r0[key], '', key);
    assert.equal(r0.collateral_negligible, 'false');
  });

  it('the CSV re-plots the chart: every drawn band, line and bound equals its column', () => {
    for (const doc of [sampleDocument(), sampleDocumentV1()]) {
      const lines = levelTableCsv(doc).trimEnd().split('\r\n');
      const head = lines[0].split(',');
      const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((c, i) => [head[i], c])));
      const column = (name: string) => rows.filter((r) => r.error === '').map((r) => (r[name] === '' ? NaN : Number(r[name])));
      const fig = buildFigure(chartDocOf(doc), { xAxis: 'temperature', theme: lightTheme });
      const trace = (uid: string) => fig.data.find((d) => (d as { uid?: string }).uid === uid) as { x: number[]; y: number[] } | undefined;
      const drawn: [string, string][] = [
        [TRACE.target, 'target_effect_mean'], [TRACE.targetUpper, 'target_effect_upper'], [TRACE.targetLower, 'target_effect_lower'],
        [TRACE.collateral, 'collateral_effect_mean'], [TRACE.collateralUpper, 'collateral_effect_upper'], [TRACE.collateralLower, 'collateral_effect_lower'],
        [TRACE.lossGap, 'loss_gap_mean'], [TRACE.lossGapUpper, 'loss_gap_upper'], [TRACE.lossGapLower, 'loss_gap_lower'],
        [TRACE.tolerance, 'collateral_tolerance_line'], [TRACE.persistence, 'persistence_line'],
      ];
      for (const [uid, name] of drawn) {
        const t = trace(uid);
        assert.ok(t, `${uid} is drawn`);
        assert.deepEqual(t.x, column('level'), `${uid}: x`);
        assert.deepEqual(t.y, column(name), `${uid} = ${name}`);
      }
      if (doc.version === 2) {
        const bound = trace(TRACE.excessBound)!;
        assert.deepEqual(bound.y, column('excess_bound_line'));
        assert.deepEqual(trace(TRACE.nullUpper)!.y, column('null_band_upper'));
        assert.deepEqual(trace(TRACE.llcUpper)!.y, column('llc_upper'));
      }
      assert.ok(rows.every((r) => Number(r.threshold_collateral_tolerance) === doc.thresholds.collateralTolerance));
      assert.ok(rows.every((r) => Number(r.threshold_persistence) === doc.thresholds.persistence));
      assert.ok(rows.every((r) => Number(r.watanabe_temperature) === doc.watanabeTemperature));
    }
  });
});

describe('extension: language helpers', () => {
  it('knows which name the cursor is typing, in YAML blocks, flow lists and JSON', () => {
    const at = (lines: string[], line: number, col?: number) => completionContextAt(lines, line, col ?? lines[line].length);
    assert.deepEqual(at(['    - tensor: /net/re'], 0), { kind: 'tensor', start: 14, quote: '' });
    assert.deepEqual(at(['loss: { output: "lo'], 0), { kind: 'output', start: 17, quote: '"' });
    assert.deepEqual(at(['    tensors: [a, onnx::Ge'], 0), { kind: 'tensor', start: 17, quote: '' });
    assert.deepEqual(at(['      "tensor": "x'], 0), { kind: 'tensor', start: 17, quote: '"' });
    const noise = ['degradation:', '  noise:', '    tensors:', '      - a', '      - b'];
    assert.deepEqual(at(noise, 4), { kind: 'tensor', start: 8, quote: '' });
    assert.deepEqual(at(['data:', '  inputs:', '    x: ./x.npy', '    in'], 3), { kind: 'input', start: 4, quote: '' });
    assert.equal(at(['circuit:', '  components:', '    - tensor: a', '      units: [1'], 3), undefined);
    assert.equal(at(['  labels: ./y'], 0), undefined);
  });

  it('describes tensors of a real model: op, producer, declared or measured shape, consumers', () => {
    const model = mlpModel();
    const index = GraphIndex.of(model);
    const facts = { model: { proto: model } as never, index, tensorNames: index.tensorNames() };
    const relu = describeTensor(facts, undefined, '/relu/Relu_output_0');
    assert.ok(relu);
    assert.equal(relu.role, 'activation');
    assert.equal(relu.op, 'Relu');
    assert.deepEqual(relu.consumers, [`MatMul ${index.consumersOf('/relu/Relu_output_0')[0].name || '/fc2/MatMul_output_0'}`]);
    const measured = describeTensor(facts, new Map([['/relu/Relu_output_0', { dtype: 'float32', dims: [2, 16] }]]), '/relu/Relu_output_0');
    // The probe ran with a placeholder batch of 2: the hover writes the example axis as the diagnostics do.
    assert.deepEqual(measured?.shape, ['batch', '16']);
    assert.equal(measured?.shapeSource, 'measured');
    assert.equal(tensorDetail(measured!), 'Relu → [batch, 16] float32');
    assert.match(tensorMarkdown(measured!), /shape: `\[batch, 16\]` \(measured by one run; batch: the number of examples\)/);
    assert.equal(shownShape(facts, '/relu/Relu_output_0', [2, 16]), '[batch, 16]', 'the diagnostics\' words');
    assert.equal(shownShape(facts, 'fc1.weight', [16, 8]), '[16, 8]', 'a parameter has no example axis');
    const w = describeTensor(facts, undefined, 'fc1.weight');
    assert.equal(w?.role, 'parameter');
    assert.deepEqual(w?.shape, ['16', '8']);
    assert.equal(describeTensor(facts, undefined, 'x')?.role, 'input');
    assert.equal(describeTensor(facts, undefined, 'logits')?.role, 'output');
    assert.equal(describeTensor(facts, undefined, 'no such tensor'), undefined);
  });

  it('writes the model page: inputs, outputs, gradient support, ops, parameters', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-md-'));
    try {
      saveModel(mlpModel(), path.join(dir, 'mlp.onnx'));
      const loaded = loadModel(path.join(dir, 'mlp.onnx'));
      const s = summarizeModel(loaded);
      const support = analyzeGradientSupport(loaded.proto, s.parameters.tensors.map((p) => p.name), ['logits']);
      const md = modelMarkdown(s, { ...support, outputs: ['logits'] }, 'models/mlp.onnx');
      assert.match(md, /^# mlp\\\.onnx/);
      assert.match(md, /\| `x` \| float32 \| `\[batch, 8\]` \|/);
      assert.match(md, /\| `logits` \| float32 \| `\[batch, 4\]` \|/);
      assert.match(md, /has a gradient rule: the \*\*sgld\*\* dial can run/);
      assert.match(md, /\| `Relu` \| 1 \|/);
      assert.match(md, new RegExp(`${s.parameters.count.toLocaleString('en-US')} in ${s.parameters.tensors.length} tensors`));
      const blocked = modelMarkdown(s, { supported: false, missing: [{ op: 'TopK', node: 'n1', reason: 'no rule' }], outputs: ['logits'] }, 'mlp.onnx');
      assert.match(blocked, /1 node\(s\) on the gradient path have no gradient rule/);
      assert.match(blocked, /\| `TopK` \| `n1` \| no rule \|/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scaffolds a hypothesis that names the model\'s real tensors and that the checker parses cleanly', () => {
    const model = mlpModel();
    const index = GraphIndex.of(model);
    const t = (name: string) => ({ name, op: index.producer.get(name)?.opType, dtype: index.types.get(name)?.dtype ?? 'float32', shape: index.types.get(name)?.shape ?? null });
    const text = scaffoldHypothesis({
      modelPath: './mlp.onnx',
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 8] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 4] }],
      activations: ['/fc1/Gemm_output_0', '/relu/Relu_output_0', '/fc2/MatMul_output_0'].map(t),
      sgld: { stepSize: 1e-4, localization: 100, chains: 4, draws: 200 },
    }, 'mlp circuit');
    const { diagnostics, hypothesis } = parseHypothesis(text, '/w/mlp.circuit.yaml');
    assert.deepEqual(diagnostics, []);
    assert.ok(hypothesis);
    assert.equal(hypothesis.circuit.components[0].tensor, '/relu/Relu_output_0', 'a nonlinearity output comes first');
    assert.deepEqual(Object.keys(hypothesis.data.inputs), ['x']);
    assert.equal(hypothesis.loss.output, 'logits');
    assert.equal(hypothesis.loss.kind, 'cross-entropy');
    // Weight noise first (a sweep that finishes); the sgld settings follow as a comment, from the settings.
    assert.equal(hypothesis.degradation.dial, 'weight-noise');
    assert.equal(hypothesis.degradation.noise.samples, 16);
    assert.equal(hypothesis.degradation.levels.length, 10);
    assert.match(text, /^# {3}sgld: \{ stepSize: 0\.0001, localization: 100, chains: 4, draws: 200, burnIn: auto, batchSize: 256 \}$/m);
    // Uncommented, the sgld alternative is a valid hypothesis too.
    const sgld = text.replace(/^ {2}dial: weight-noise.*$/m, '').replace(/^ {2}noise: .*$/m, '').replace(/^#( {3})(dial|sgld): /gm, '  $2: ').replace(/^ {2}temperatures: \{ from: 0\.001.*$/m, '').replace(/^# {3}temperatures: /m, '  temperatures: ');
    const parsed = parseHypothesis(sgld, '/w/mlp.circuit.yaml');
    // Its one warning is the work: thin: auto (the default) counted as one relaxation of the pull per draw.
    assert.deepEqual(parsed.diagnostics.map((d) => d.code), ['hyp/large-sweep'], sgld);
    assert.match(parsed.diagnostics[0]!.message, /^this sweep is 1\.77M sampler steps .*: about 1\.02 core-hours/);
    assert.equal(parsed.hypothesis?.degradation.dial, 'sgld');
    assert.equal(parsed.hypothesis?.degradation.sgld.chains, 4);
    assert.match(text, /# {3}\/fc1\/Gemm_output_0 {3}Gemm/);
  });

  it('names the new hypothesis file without spaces', () => {
    assert.equal(hypothesisFileName('kappa 0  circuit '), 'kappa-0-circuit.circuit.yaml');
    assert.equal(hypothesisFileName('mlp'), 'mlp.circuit.yaml');
  });
});

describe('extension: gradcheck inputs', () => {
  it('shapes gradcheck inputs like the data: a few examples, integer inputs within the data range', () => {
    assert.deepEqual(inputSpecs({
      x: { dtype: 'float32', shape: [128, 22] },
      ids: { dtype: 'int64', shape: [64, 16], range: [0, 96] },
      one: { dtype: 'float32', shape: [2] },
      flag: { dtype: 'bool', shape: [8] },
      scalar: { dtype: 'float32', shape: [] },
    }), { x: { kind: 'float', dims: [4, 22] }, ids: { kind: 'int', low: 0, high: 97, dims: [4, 16] }, one: { kind: 'float', dims: [2] } });
  });
});
