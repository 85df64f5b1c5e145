// Checks against real files: fixture models saved as .onnx, real .npy data, shapes measured by onnxruntime.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeArray, saveNpy } from '../../../src/engine/data';
import { saveModel } from '../../../src/engine/onnx';
import { assembleModel } from '../../../src/engine/onnx/modelFactory';
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../src/engine/onnx/tensor';
import { CheckCache, checkHypothesisText, Diagnostic, DiagnosticCode, formatDiagnostic, GradientSupportAnalyzer } from '../../../src/hypothesis';
import { cnnModel, mlpModel, transformerModel } from '../../fixtures/models';
import { applyFix, codes, edit, lineOf, makeWorkspace, VALID_MLP } from '../../support/workspace';
import { degradationAs } from '../../../src/protocol/hypothesis';

function only(diagnostics: Diagnostic[], code: DiagnosticCode): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got: ${diagnostics.map((d) => formatDiagnostic(d)).join(' | ') || 'none'}`);
  return found[0];
}

const TRANSFORMER = `model: ./transformer.onnx
data:
  inputs: { tokens: ./tokens.npy }
  labels: ./ytok.npy
  target: { mask: ./mask12.npy }
loss: { output: logits }
circuit:
  components:
    - tensor: /resid1
      units: [0, 7]
      positions: ["0:6"]
degradation:
  dial: weight-noise
  temperatures: { from: 0.001, to: 0.1, count: 3 }
`;

const CNN = `model: ./cnn.onnx
data:
  inputs: { image: ./image.npy }
  labels: ./ycnn.npy
  target: { mask: ./mask5.npy }
loss: { output: logits }
circuit:
  components:
    - tensor: /relu/Relu_output_0
      axis: 1
      units: [0, 3]
controls: { count: 5 }   # 2 of 4 channels: C(2, 2) = 1 set disjoint from the circuit
degradation:
  dial: weight-noise
  temperatures: [0.01, 0.1]
`;

describe('hypothesis checks against the model and the data', function () {
  let dir: string;
  const cache = new CheckCache();
  const check = (text: string, options: Parameters<typeof checkHypothesisText>[2] = {}) =>
    checkHypothesisText(text, path.join(dir, 'h.circuit.yaml'), { cache, ...options });

  before(async () => {
    dir = await makeWorkspace();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds nothing wrong with the valid MLP example (real gradient analysis included)', async () => {
    const r = await check(VALID_MLP);
    assert.deepEqual(r.diagnostics.map((d) => formatDiagnostic(d)), []);
    assert.equal(r.hypothesis?.model, path.join(dir, 'mlp.onnx'));
  });

  it('finds nothing wrong with the transformer and CNN examples (but the transformer\'s null, N = 15, cannot reject at α = 0.05)', async () => {
    // 2 of 8 units: C(6, 2) = 15 disjoint sets, smallest p-value 1/16 > 0.05: said before any work, at the components.
    const t = (await check(TRANSFORMER)).diagnostics;
    assert.deepEqual(codes(t), ['hyp/null-cannot-reject']);
    assert.match(t[0]!.message, /only N = 15 distinct control sets disjoint from it, so the rank test's smallest p-value is 1\/\(N \+ 1\) = 0\.063 > α = 0\.05/);
    assert.equal(t[0]!.range.start.line, lineOf(TRANSFORMER, '- tensor: /resid1'));
    assert.deepEqual((await check(`${TRANSFORMER}verdict: { alpha: 0.1 }\n`)).diagnostics.map((d) => formatDiagnostic(d)), []);
    const cnn = await check(CNN);
    // 5 examples, but the CNN takes exactly 2 per run: a warning; and 2 of its 4 channels leave one disjoint set.
    assert.equal(only(cnn.diagnostics, 'hyp/static-batch').severity, 'warning');
    assert.match(only(cnn.diagnostics, 'hyp/null-cannot-reject').message, /only N = 1 distinct control sets/);
    assert.equal(cnn.diagnostics.length, 2);
  });

  it('reports a missing model and an unreadable one at the model line', async () => {
    const missing = only((await check(edit(VALID_MLP, './mlp.onnx', './nope.onnx'))).diagnostics, 'hyp/model-not-found');
    assert.equal(missing.range.start.line, 1);
    const text = only((await check(edit(VALID_MLP, './mlp.onnx', './notes.onnx'))).diagnostics, 'hyp/model-unreadable');
    assert.match(text.message, /notes\.onnx: not a readable ONNX model/);
    assert.ok(!text.message.includes('\n'));
  });

  it('reports missing data files at each one', async () => {
    const t = edit(edit(VALID_MLP, './y.npy', './labels.npy'), './mask.npy', './m.npy');
    const r = await check(t);
    assert.deepEqual(codes(r.diagnostics), ['hyp/data-not-found', 'hyp/data-not-found']);
    assert.deepEqual(r.diagnostics.map((d) => d.range.start.line), [lineOf(t, 'labels.npy'), lineOf(t, 'm.npy')]);
    assert.match(r.diagnostics[0].message, /^labels: file not found: .*labels\.npy$/);
  });

  it('a typo in a file name gets the nearest file of its kind as a quick fix; a folder says it is a folder', async () => {
    const typo = edit(VALID_MLP, './mask.npy', './mask_al.npy');
    const d = only((await check(typo)).diagnostics, 'hyp/data-not-found');
    assert.equal(d.hint, "did you mean './mask_all.npy'?");
    assert.equal(d.fix?.newText, './mask_all.npy', 'plain, as written');
    assert.equal(d.range.start.line, lineOf(typo, 'mask_al.npy'));
    assert.deepEqual(codes((await check(applyFix(typo, d))).diagnostics), ['hyp/empty-control'], 'the fixed path is read (mask_all leaves no control)');
    const far = only((await check(edit(VALID_MLP, './y.npy', './labels.npy'))).diagnostics, 'hyp/data-not-found');
    assert.equal(far.fix, undefined, 'no file near labels.npy');
    const model = only((await check(edit(VALID_MLP, './mlp.onnx', './mpl.onnx'))).diagnostics, 'hyp/model-not-found');
    assert.equal(model.fix?.newText, './mlp.onnx');
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'mlp.onnx'), path.join(dir, 'models', 'only.onnx'));
    const folder = only((await check(edit(VALID_MLP, './mlp.onnx', './models'))).diagnostics, 'hyp/model-not-found');
    assert.equal(folder.message, `model: ${path.join(dir, 'models')} is a folder, expected a .onnx file`);
    assert.equal(folder.fix?.newText, './models/only.onnx', 'the only model in the folder');
    const dataFolder = only((await check(edit(VALID_MLP, './y.npy', '.'))).diagnostics, 'hyp/data-not-found');
    assert.equal(dataFolder.message, `labels: ${dir} is a folder, expected a .npy, .npz or .json file`);
    assert.equal(dataFolder.hint, 'name a .npy, .npz or .json file inside it');
    assert.ok(!/unsupported file type/.test(dataFolder.message));
  });

  it('units out of range: the quick fix removes the unit with its comma, or cuts a range to the units that exist', async () => {
    const text = edit(VALID_MLP, '[3, 7, "10:12"]', '[3, 16, "12:17"]');
    const [unit, range] = (await check(text)).diagnostics.filter((d) => d.code === 'hyp/unit-out-of-range');
    assert.equal(unit.fix?.title, 'Remove unit 16');
    assert.ok(applyFix(text, unit).includes('[3, "12:17"]'));
    assert.equal(range.fix?.title, 'Change to "12:16" (the units that exist)');
    const fixed = applyFix(applyFix(text, range), unit);
    assert.ok(fixed.includes('[3, "12:16"]'));
    assert.deepEqual((await check(fixed)).diagnostics, []);
    const first = edit(VALID_MLP, '[3, 7, "10:12"]', '[99, 3]');
    const d = only((await check(first)).diagnostics, 'hyp/unit-out-of-range');
    assert.ok(applyFix(first, d).includes('units: [3]'));
    assert.equal(only((await check(edit(VALID_MLP, '[3, 7, "10:12"]', '[99]'))).diagnostics, 'hyp/unit-out-of-range').fix, undefined, 'a component keeps one unit');
  });

  it('reports an unknown tensor with the nearest name as a quick fix', async () => {
    const text = edit(VALID_MLP, '/relu/Relu_output_0', '/relu/Relu_outptu_0');
    const d = only((await check(text)).diagnostics, 'hyp/unknown-tensor');
    assert.equal(d.message, "the model has no tensor '/relu/Relu_outptu_0'");
    assert.equal(d.hint, "did you mean '/relu/Relu_output_0'?");
    assert.equal(d.fix?.newText, '/relu/Relu_output_0');
    assert.equal(d.range.start.line, lineOf(text, 'outptu'));
    assert.deepEqual((await check(applyFix(text, d))).diagnostics, []);
    const far = only((await check(edit(VALID_MLP, '/relu/Relu_output_0', 'attention.heads'))).diagnostics, 'hyp/unknown-tensor');
    assert.equal(far.fix, undefined);
    assert.match(far.hint!, /circuit-thermometer inspect/);
  });

  it('reports degradation.parameters globs that match no weight, at the glob, with the nearest name', async () => {
    const text = edit(VALID_MLP, '  seed: 0', "  parameters: { include: ['fc1.*', 'fc3.weight'], exclude: ['**.bias', 'head.*'] }\n  seed: 0");
    const r = await check(text);
    assert.deepEqual(codes(r.diagnostics), ['hyp/parameters-unmatched', 'hyp/parameters-unmatched']);
    assert.equal(r.diagnostics[0]!.message, "'fc3.weight' matches none of the model's 4 weights");
    assert.match(r.diagnostics[0]!.hint!, /did you mean 'fc\d\.weight'\?/);
    assert.equal(r.diagnostics[1]!.message, "'head.*' matches none of the model's 4 weights");
    assert.equal(r.diagnostics[0]!.range.start.line, lineOf(text, 'parameters:'));
    // Globs that match but leave nothing.
    const empty = await check(edit(VALID_MLP, '  seed: 0', "  parameters: { include: ['fc1.*'], exclude: ['fc1.**'] }\n  seed: 0"));
    assert.deepEqual(codes(empty.diagnostics), ['hyp/parameters-empty']);
    // A valid selection is carried into the resolved hypothesis.
    const ok = await check(edit(VALID_MLP, '  seed: 0', "  parameters: { include: ['fc1.*'] }\n  seed: 0"));
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual(degradationAs(ok.hypothesis!.degradation, 'sgld').parameters, { include: ['fc1.*'] });
  });

  it('reports units out of range at the offending item, with the tensor\'s size', async () => {
    const text = edit(VALID_MLP, '[3, 7, "10:12"]', '[3, 16, "8:16", "13:17"]');
    const r = await check(text);
    // In column order: 16, then "13:17" repeating 13…15 of "8:16" (an error too) and out of range.
    assert.deepEqual(codes(r.diagnostics), ['hyp/unit-out-of-range', 'hyp/duplicate-unit', 'hyp/unit-out-of-range']);
    const [one, , range] = r.diagnostics;
    assert.equal(one.message, "unit 16 is out of range: '/relu/Relu_output_0' has 16 units along axis -1 (shape [batch, 16])");
    assert.equal(one.hint, 'valid units are 0…15');
    const line = text.split('\n')[lineOf(text, '"13:17"')];
    assert.equal(one.range.start.col, line.indexOf('16'));
    assert.equal(range.range.start.col, line.indexOf('"13:17"'));
    assert.match(range.message, /^unit range "13:17" is out of range/);
  });

  it('the null: a component with too few units outside the circuit, or a null that cannot reject, each located and naming N', async () => {
    const all = only((await check(edit(VALID_MLP, '[3, 7, "10:12"]', '["0:16"]'))).diagnostics, 'hyp/controls-impossible');
    assert.equal(all.message, "no control set can be drawn for this component: 16 units are needed, but '/relu/Relu_output_0' has only 0 units along axis -1 outside the circuit");
    assert.match(all.hint!, /controls\.count: 0/);
    // 9 of 16 units (ranges end-exclusive): 7 left outside the circuit, fewer than 9: no disjoint set exists.
    assert.match(only((await check(edit(VALID_MLP, '[3, 7, "10:12"]', '["0:9"]'))).diagnostics, 'hyp/controls-impossible').message, /9 units are needed, .* only 7 units/);
    // 7 of 16: C(9, 7) = 36 disjoint sets, all used (exact null): smallest p 1/37 < 0.05, fine.
    assert.deepEqual((await check(edit(VALID_MLP, '[3, 7, "10:12"]', '["0:7"]'))).diagnostics, []);
    // 8 of 16: C(8, 8) = 1 set: the null cannot reject; said at the components, naming N.
    const one = only((await check(edit(VALID_MLP, '[3, 7, "10:12"]', '["0:8"]'))).diagnostics, 'hyp/null-cannot-reject');
    assert.match(one.message, /only N = 1 distinct control sets/);
    // K too small for the rank test (N = C(12, 4) = 495 > K): at controls.count.
    const withCount = (n: number) => `${VALID_MLP}controls: { count: ${n} }\n`;
    const small = only((await check(withCount(16))).diagnostics, 'hyp/null-cannot-reject');
    assert.match(small.message, /controls\.count 16 makes the rank test's smallest p-value 1\/\(K \+ 1\) = 0\.059 > α = 0\.05/);
    assert.equal(small.hint, 'use controls.count: 39 (or more)');
    assert.equal(small.range.start.line, lineOf(withCount(16), 'controls:'));
    assert.deepEqual((await check(withCount(0))).diagnostics, []);
    assert.deepEqual((await check(withCount(19))).diagnostics, []);
  });

  it('checks units of a weight along axis 0 (no batch axis there)', async () => {
    const text = edit(edit(VALID_MLP, '/relu/Relu_output_0', 'fc2.weight'), 'axis: -1', 'axis: 0');
    assert.deepEqual((await check(text)).diagnostics, []);
    const d = only((await check(edit(text, '[3, 7, "10:12"]', '[16]'))).diagnostics, 'hyp/unit-out-of-range');
    assert.match(d.message, /'fc2\.weight' has 16 units along axis 0 \(shape \[16, 4\]\)/);
  });

  it('reports an axis beyond the rank, and units along the batch axis', async () => {
    const d = only((await check(edit(VALID_MLP, 'axis: -1', 'axis: 2'))).diagnostics, 'hyp/axis-out-of-range');
    assert.equal(d.message, "axis 2 is out of range for '/relu/Relu_output_0', which has rank 2 (shape [batch, 16])");
    assert.equal(d.hint, 'use an axis in -2…1');
    assert.equal(only((await check(edit(VALID_MLP, 'axis: -1', 'axis: 0'))).diagnostics, 'hyp/batch-axis').severity, 'warning');
  });

  it('reports token positions out of range on the transformer', async () => {
    const d = only((await check(edit(TRANSFORMER, '["0:6"]', '["0:7"]'))).diagnostics, 'hyp/position-out-of-range');
    assert.equal(d.message, 'position range "0:7" is out of range: \'/resid1\' has 6 positions (axis 1 of [batch, 6, 8])');
    assert.match(only((await check(edit(TRANSFORMER, '[0, 7]', '[0, 8]'))).diagnostics, 'hyp/unit-out-of-range').message, /'\/resid1' has 8 units/);
    // The attention pattern is [batch, heads, seq, seq]: 2 heads on axis 1, 6 keys on the last axis.
    const softmax = edit(edit(TRANSFORMER, '/resid1', '/attn/Softmax_output_0'), '[0, 7]', '[0, 5]');
    assert.match(only((await check(softmax)).diagnostics, 'hyp/position-out-of-range').message, /has 2 positions \(axis 1 of \[batch, 2, 6, 6\]\)/);
  });

  it('reports data whose shape does not fit the model input', async () => {
    const text = edit(VALID_MLP, 'x: ./x.npy', 'x: ./x7.npy');
    const d = only((await check(text)).diagnostics, 'hyp/data-shape-mismatch');
    assert.equal(d.message, "input 'x' has shape [40, 7] but the model expects [batch, 8] (axis 1: 7 ≠ 8)");
    assert.equal(d.range.start.line, lineOf(text, 'x7.npy'));
    const rank = only((await check(edit(VALID_MLP, 'x: ./x.npy', 'x: ./y.npy'))).diagnostics, 'hyp/data-shape-mismatch');
    assert.match(rank.message, /has shape \[40\] but the model expects rank 2/);
  });

  it('reads the data values: a NaN or ±Inf in a float input or a JSON 1e400 is an error at the file\'s line, with its element and row', async () => {
    const values = Float32Array.from({ length: 40 * 8 }, (_, i) => (i % 7) / 7);
    values[3 * 8 + 5] = NaN;
    saveNpy(path.join(dir, 'x_nan.npy'), makeArray('float32', [40, 8], values));
    const text = edit(VALID_MLP, './x.npy', './x_nan.npy');
    const d = only((await check(text)).diagnostics, 'hyp/data-non-finite');
    assert.equal(d.message, "input 'x': NaN at [3, 5] (row 3)");
    assert.equal(d.range.start.line, lineOf(text, 'x_nan.npy'));
    const rows = Array.from({ length: 40 }, (_, i) => `[${Array.from({ length: 8 }, (_, j) => (i === 9 && j === 2 ? '-1e400' : '0.5')).join(', ')}]`);
    fs.writeFileSync(path.join(dir, 'x_big.json'), `[${rows.join(',\n')}]`);
    const j = only((await check(edit(VALID_MLP, './x.npy', './x_big.json'))).diagnostics, 'hyp/data-non-finite');
    assert.match(j.message, /^input 'x': .*x_big\.json: \[9\]\[2\] is a number beyond the range of a float64/);
  });

  it('reports float data for an integer input', async () => {
    const d = only((await check(edit(TRANSFORMER, './tokens.npy', './tokens_f.npy'))).diagnostics, 'hyp/data-dtype-mismatch');
    assert.equal(d.message, "input 'tokens' holds float32 but the model takes int64");
  });

  it('reports inputs, labels and mask that disagree on the number of examples', async () => {
    const d = only((await check(edit(VALID_MLP, './y.npy', './y39.npy'))).diagnostics, 'hyp/data-length-mismatch');
    assert.equal(d.message, "labels has 39 examples but input 'x' has 40");
  });

  it('reports data inputs the model lacks (with a fix) and model inputs without data', async () => {
    const text = edit(VALID_MLP, '{ x: ./x.npy }', '{ X: ./x.npy }');
    const r = await check(text);
    const unknown = only(r.diagnostics, 'hyp/unknown-input');
    assert.equal(unknown.fix?.newText, 'x');
    only(r.diagnostics, 'hyp/missing-input');
    assert.deepEqual((await check(applyFix(text, unknown))).diagnostics, []);
  });

  it('reports labels that do not fit the loss', async () => {
    const f = only((await check(edit(VALID_MLP, './y.npy', './yfloat.npy'))).diagnostics, 'hyp/labels-mismatch');
    assert.equal(f.message, 'cross-entropy needs integer class indices, but the labels are float32');
    const out = only((await check(edit(VALID_MLP, './y.npy', './y9.npy'))).diagnostics, 'hyp/label-out-of-range');
    assert.equal(out.message, "label 9 (entry 7) is not a class of 'logits', which has 4 classes");
    // One label per sequence, but the transformer predicts one token per position.
    const shape = only((await check(edit(TRANSFORMER, './ytok.npy', './y12.npy'))).diagnostics, 'hyp/labels-mismatch');
    assert.equal(shape.message, "the labels have shape [12], but 'logits' has shape [batch, 6, 10], so cross-entropy needs one class index per row: [12, 6]");
  });

  it('reports a loss output that is not a model output', async () => {
    const inner = only((await check(edit(VALID_MLP, 'output: logits', 'output: /relu/Relu_output_0'))).diagnostics, 'hyp/loss-output-not-output');
    assert.equal(inner.message, "'/relu/Relu_output_0' is an intermediate tensor, not an output of the model");
    const typo = only((await check(edit(VALID_MLP, 'output: logits', 'output: logit'))).diagnostics, 'hyp/loss-output-not-output');
    assert.equal(typo.fix?.newText, 'logits');
  });

  it('reports a target selection that leaves the target or the control set empty', async () => {
    const all = only((await check(edit(VALID_MLP, './mask.npy', './mask_all.npy'))).diagnostics, 'hyp/empty-control');
    assert.match(all.message, /every one of the 40 examples is target/);
    only((await check(edit(VALID_MLP, './mask.npy', './mask_none.npy'))).diagnostics, 'hyp/empty-target');
    const labels = only((await check(edit(VALID_MLP, '{ mask: ./mask.npy }', '{ labels: [7] }'))).diagnostics, 'hyp/empty-target');
    assert.match(labels.message, /target labels \[7\]; labels present include 0, 1, 2, 3/);
    assert.deepEqual((await check(edit(VALID_MLP, '{ mask: ./mask.npy }', '{ indices: ./idx.npy }'))).diagnostics, []);
  });

  it('warns when the SGLD batch exceeds the data', async () => {
    const d = only((await check(edit(VALID_MLP, 'batchSize: 20', 'batchSize: 64'))).diagnostics, 'hyp/batch-larger-than-data');
    assert.equal(d.severity, 'warning');
    assert.equal(d.message, 'the SGLD batch size (64) exceeds the 40 examples: every step uses all of them');
  });

  it('checks checkpoints: missing, unreadable, and of another graph', async () => {
    const base = edit(edit(VALID_MLP, 'dial: sgld', 'dial: checkpoints'), '  temperatures: { from: 0.1, to: 1000, count: 5 }\n', '  checkpoints: [./mlp.onnx, ./gone.onnx, ./notes.onnx, ./cnn.onnx]\n');
    const r = await check(base, { gradientSupport: null });
    // The sgld block below the list is ignored by the checkpoints dial: a warning.
    assert.deepEqual(codes(r.diagnostics), ['hyp/checkpoint-not-found', 'hyp/checkpoint-unreadable', 'hyp/checkpoint-mismatch', 'hyp/unused-setting']);
    assert.equal(r.diagnostics[2].message, "checkpoint lacks the model's parameter 'fc1.weight'");
  });

  it('reports ops on the gradient path without a gradient rule (real analysis of an op without a rule)', async () => {
    const b = new GraphBuilder(17);
    const w = b.initializer(floatTensor('w', [8, 4], new Float32Array(32).fill(0.1)));
    const h = b.op('MatMul', ['x', w], {}, 'h');
    b.op('Softsign', [h], {}, 'logits');
    const model = assembleModel({ name: 'norule', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 8])], outputs: [makeValueInfo('logits', 'float32', ['batch', 4])] });
    saveModel(model, path.join(dir, 'norule.onnx'));
    const text = edit(edit(VALID_MLP, './mlp.onnx', './norule.onnx'), '/relu/Relu_output_0', 'h');
    const r = await check(edit(text, '[3, 7, "10:12"]', '[0]'));
    const d = only(r.diagnostics, 'hyp/no-gradient-rule');
    assert.match(d.message, /^the sgld dial needs gradients through Softsign \(node '[^']+'\)/);
    assert.equal(d.range.start.line, lineOf(text, 'dial: sgld'));
  });

  it('refuses a model whose op lives in a domain onnxruntime does not know, naming the node and the domain', async () => {
    const b = new GraphBuilder(17);
    const w = b.initializer(floatTensor('w', [8, 4], new Float32Array(32).fill(0.1)));
    const h = b.op('MatMul', ['x', w], {}, 'h');
    b.node('MysteryOp', [h], ['logits'], {}, 'com.example');
    const model = assembleModel({ name: 'custom', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 8])], outputs: [makeValueInfo('logits', 'float32', ['batch', 4])] });
    model.opsetImport.push({ domain: 'com.example', version: 1 });
    saveModel(model, path.join(dir, 'custom.onnx'));
    const text = edit(edit(VALID_MLP, './mlp.onnx', './custom.onnx'), '/relu/Relu_output_0', 'h');
    const d = only((await check(text)).diagnostics, 'hyp/model-unreadable');
    assert.match(d.message, /node 'MysteryOp' \(#1, com\.example\.MysteryOp\) uses domain 'com\.example', which neither onnxruntime nor the model's own functions define/);
    assert.equal(d.range.start.line, lineOf(text, 'model:'));
  });

  it('calls a given gradient analyzer with the parameters and the loss output', async () => {
    const calls: [string[], string][] = [];
    const analyzer: GradientSupportAnalyzer = (_m, params, output) => {
      calls.push([params, output]);
      return { supported: false, missing: [{ op: 'Relu', node: 'relu_node', reason: 'pretend' }] };
    };
    const d = only((await check(VALID_MLP, { gradientSupport: analyzer })).diagnostics, 'hyp/no-gradient-rule');
    assert.equal(d.message, "the sgld dial needs gradients through Relu (node 'relu_node'): pretend");
    assert.deepEqual(calls, [[['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], 'logits']]);
  });

  it('notices a model file that changed between checks (cache keyed by mtime and size)', async () => {
    const file = path.join(dir, 'swap.onnx');
    saveModel(mlpModel(), file);
    const text = edit(VALID_MLP, './mlp.onnx', './swap.onnx');
    assert.deepEqual((await check(text)).diagnostics, []);
    saveModel(transformerModel(), file);
    const r = await check(text);
    assert.ok(codes(r.diagnostics).includes('hyp/unknown-tensor'), r.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    saveModel(cnnModel(), file);
    assert.ok(codes((await check(text)).diagnostics).includes('hyp/unknown-input'));
  });

  it('answers a repeated check from the cache quickly', async () => {
    await check(VALID_MLP);
    const t0 = process.hrtime.bigint();
    const r = await check(VALID_MLP);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.deepEqual(r.diagnostics, []);
    // A probe alone (session creation and a run) costs well over this on the CI machine.
    assert.ok(ms < 100, `a cached check took ${ms.toFixed(1)} ms`);
  });
});
