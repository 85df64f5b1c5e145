// The pure pieces behind the views and commands: run summaries and live chart documents, the chart panel's
// figure (metric toggles, unknown numbers while a sweep runs), sparklines, the CSV level table, completion
// contexts, tensor descriptions on a real model, the model page, and scaffolds that the real checker accepts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TRACE, SHAPE } from '../../../src/chart/figure';
import { lightTheme } from '../../../src/chart/theme';
import { GraphIndex, loadModel, saveModel, summarizeModel } from '../../../src/engine/onnx';
import { analyzeGradientSupport } from '../../../src/engine/autodiff';
import { parseHypothesis } from '../../../src/hypothesis';
import type { Hypothesis } from '../../../src/hypothesis/types';
import { chartDocOf, DEFAULT_CHART_OPTIONS } from '../../../src/protocol/webview';
import { completionContextAt } from '../../../src/extension/completionContext';
import { levelTableCsv } from '../../../src/extension/csv';
import { inputSpecs } from '../../../src/extension/gradcheckRun';
import { modelMarkdown } from '../../../src/extension/modelMarkdown';
import { chartDocFor, isResultsDocument, recordFromDocument, type RunRecord, summarize } from '../../../src/extension/runRecord';
import { scaffoldHypothesis } from '../../../src/extension/scaffold';
import { describeTensor, tensorDetail, tensorMarkdown } from '../../../src/extension/tensorInfo';
import { panelFigure, shapeNames, toChartDocument } from '../../../webview/chartDocument';
import { sparklinePaths } from '../../../webview/sparkline';
import { mlpModel } from '../../fixtures/models';
import { sampleDocument } from '../chart/sampleDocument';

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
    // JSON (how VS Code carries it) keeps nulls, which the page turns into NaN: no persistence line at 0, no marker.
    const page = toChartDocument(JSON.parse(JSON.stringify(live)));
    assert.ok(Number.isNaN(page.baseline.targetEffect));
    assert.ok(Number.isNaN(page.watanabeTemperature));
    const fig = panelFigure(JSON.parse(JSON.stringify(live)), DEFAULT_CHART_OPTIONS, lightTheme, false);
    const persistence = fig.data.find((t) => (t as { uid?: string }).uid === TRACE.persistence) as { y: number[] };
    assert.ok(persistence.y.every(Number.isNaN));
    assert.deepEqual(shapeNames(fig), [], 'no verdict, no Watanabe temperature yet: no markers');
  });

  it('draws the finished chart with the clean window and markers, and hides the metrics switched off', () => {
    const doc = sampleDocument();
    const wire = JSON.parse(JSON.stringify(chartDocOf(doc)));
    assert.deepEqual(wire.levels[0].chains, [], 'chain traces stay in the file');
    const all = panelFigure(wire, DEFAULT_CHART_OPTIONS, lightTheme, true);
    assert.deepEqual(shapeNames(all), [SHAPE.cleanWindow, SHAPE.tEnt, SHAPE.tSurv, SHAPE.watanabe]);
    assert.ok(all.layout.title, 'exports keep the title');
    const some = panelFigure(wire, { xAxis: 'lossGap', metrics: ['target'] }, lightTheme, false);
    assert.equal(some.layout.title, undefined, 'the panel shows the title as HTML');
    const visible = (uid: string) => (some.data.find((t) => (t as { uid?: string }).uid === uid) as { visible?: unknown }).visible !== false;
    assert.ok(visible(TRACE.target) && visible(TRACE.targetLower));
    assert.ok(!visible(TRACE.collateral) && !visible(TRACE.lossGap) && !visible(TRACE.llc) && !visible(TRACE.persistence));
    const x = (some.data.find((t) => (t as { uid?: string }).uid === TRACE.target) as { x: number[] }).x;
    assert.deepEqual(x, doc.levels.map((l) => l.lossGap.mean), 'x axis = degraded loss gap');
  });

  it('recognises results documents and nothing else', () => {
    assert.ok(isResultsDocument(sampleDocument()));
    assert.ok(!isResultsDocument({ ...sampleDocument(), version: 2 }));
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

  it('sparklines: log-scaled x, gaps for missing values, zero line inside the box', () => {
    const p = sparklinePaths({ level: [0.1, 1, 10], target: [1, NaN, 0.5], collateral: [0, -0.5, 0] }, 100, 20, 0);
    assert.equal(p.target, 'M0,0M100,6.7');
    assert.equal(p.collateral, 'M0,13.3L50,20L100,13.3');
    assert.equal(p.zeroY, 13.3);
    assert.deepEqual(sparklinePaths({ level: [], target: [], collateral: [] }, 10, 10), { target: '', collateral: '', zeroY: 5 });
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
    assert.deepEqual(measured?.shape, ['2', '16']);
    assert.equal(measured?.shapeSource, 'measured');
    assert.equal(tensorDetail(measured!), 'Relu → [2, 16] float32');
    assert.match(tensorMarkdown(measured!), /shape: `\[2, 16\]` \(measured by one run\)/);
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
      assert.match(md, /^# mlp\.onnx/);
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
    assert.equal(hypothesis.degradation.sgld.chains, 4);
    assert.match(text, /# {3}\/fc1\/Gemm_output_0 {3}Gemm/);
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
    }), ['x=float:4x22', 'ids=int:0:97:4x16', 'one=float:2']);
  });
});
