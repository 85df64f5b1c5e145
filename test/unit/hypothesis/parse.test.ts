// Syntax, shape, types, defaults and grids: the checks that read no file (parseHypothesis).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Diagnostic, formatDiagnostic, parseHypothesis } from '../../../src/hypothesis';
import { applyFix, codes, edit, lineOf, VALID_MLP } from '../../support/workspace';
import { degradationAs } from '../../../src/protocol/hypothesis';

const FILE = path.resolve('/ws/project/h.circuit.yaml');
const JSON_FILE = path.resolve('/ws/project/h.circuit.json');

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got: ${diagnostics.map((d) => formatDiagnostic(d)).join(' | ') || 'none'}`);
  return found[0];
}

describe('hypothesis parsing and validation', () => {
  it('resolves the valid example: absolute paths, defaults, expanded units, log grid', () => {
    const r = parseHypothesis(VALID_MLP, FILE);
    assert.deepEqual(r.diagnostics, []);
    const h = r.hypothesis!;
    assert.equal(h.model, path.resolve('/ws/project/mlp.onnx'));
    assert.deepEqual(h.data.inputs, { x: path.resolve('/ws/project/x.npy') });
    assert.deepEqual(h.data.target, { mask: path.resolve('/ws/project/mask.npy') });
    assert.deepEqual(h.circuit.components, [{ tensor: '/relu/Relu_output_0', axis: -1, units: [3, 7, 10, 11] }]);
    assert.deepEqual({ levels: h.degradation.levels, scale: h.degradation.scale }, { levels: [0.1, 1, 10, 100, 1000], scale: 'log' });
    assert.deepEqual(degradationAs(h.degradation, 'sgld').sgld, { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20, sampler: 'sgld' });
    assert.deepEqual(h.verdict, { collateral: 'noise', collateralTolerance: 0.1, behaviour: 0.5, persistence: 0.25, noiseFloor: 1e-3, alpha: 0.05, sufficiencyTolerance: 0.1, rhat: 1.01, essPerChain: 100 });
    assert.deepEqual(h.controls, { count: 39, enumerate: 256, match: 'size' });
    assert.equal(h.metric, 'loss');
    assert.equal(h.reference, 'all');
    // The file's noise settings resolve (defaults filled); the sgld dial's tagged degradation holds only its own.
    assert.deepEqual(r.draft.degradation?.noise, { samples: 8 });
    assert.equal('noise' in h.degradation, false);
  });

  it('fills every default of a minimal file', () => {
    const text = [
      'model: m.onnx',
      'data: { inputs: { x: x.npy }, labels: y.npy, target: { labels: [1, 2] } }',
      'loss: { output: logits }',
      'circuit: { components: [ { tensor: h, units: [0] } ] }',
      'degradation: { temperatures: [1, 10] }',
    ].join('\n');
    const r = parseHypothesis(text, FILE);
    assert.deepEqual(r.diagnostics, []);
    const h = r.hypothesis!;
    assert.deepEqual(degradationAs(h.degradation, 'sgld').sgld, { stepSize: 'auto', localization: 100, chains: 4, draws: 'auto', burnIn: 'auto', thin: 'auto', batchSize: 256, sampler: 'sgld' });
    assert.equal(h.degradation.dial, 'sgld');
    assert.equal(h.degradation.seed, 0);
    assert.deepEqual(h.intervention, { kind: 'mean', scope: 'circuit' });
    assert.equal(h.loss.kind, 'cross-entropy');
    assert.equal(h.circuit.name, 'circuit');
    assert.equal(h.circuit.components[0].axis, -1);
    assert.deepEqual(h.data.target, { labels: [1, 2] });
    assert.deepEqual({ levels: h.degradation.levels, scale: h.degradation.scale }, { levels: [1, 10], scale: 'log' });
  });

  it('reads the same hypothesis from JSON', () => {
    const json = JSON.stringify({
      $schema: '../schemas/circuit-hypothesis.schema.json',
      model: './mlp.onnx',
      data: { inputs: { x: './x.npy' }, labels: './y.npy', target: { mask: './mask.npy' } },
      loss: { output: 'logits', kind: 'cross-entropy' },
      circuit: { name: 'odd-example units', components: [{ tensor: '/relu/Relu_output_0', axis: -1, units: [3, 7, '10:12'] }] },
      intervention: { kind: 'mean', scope: 'circuit' },
      degradation: { dial: 'sgld', temperatures: { from: 0.1, to: 1000, count: 5 }, sgld: { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20 }, seed: 0 },
      verdict: { collateralTolerance: 0.1, persistence: 0.25 },
    }, null, 2);
    const fromJson = parseHypothesis(json, JSON_FILE);
    assert.deepEqual(fromJson.diagnostics, []);
    const fromYaml = parseHypothesis(VALID_MLP, FILE);
    assert.deepEqual({ ...fromJson.hypothesis, file: '' }, { ...fromYaml.hypothesis, file: '' });
  });

  it('reports malformed YAML at the line of the mistake, and nothing else', () => {
    const text = edit(VALID_MLP, '  labels: ./y.npy', '  labels: ./y.npy: extra');
    const r = parseHypothesis(text, FILE);
    const d = only(r.diagnostics, 'hyp/syntax');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(d.range.start.line, lineOf(text, 'extra'));
    assert.equal(r.hypothesis, undefined);
    const indent = edit(VALID_MLP, '  labels: ./y.npy', '   labels: ./y.npy');
    assert.equal(only(parseHypothesis(indent, FILE).diagnostics, 'hyp/syntax').range.start.line, lineOf(indent, '   labels'));
  });

  it('names the mis-indented line itself, not a correct neighbour, and its fix restores the file', () => {
    // Each line of the file indented one space too far or too short: the first entry of a block (which the YAML
    // parser takes as the block's column, blaming every correct line after it), a later entry, a list item, a key
    // that opens a block, a top-level key. Every case must be named on its own line with the column of its block.
    const lines = VALID_MLP.split('\n');
    const cases: [string, number][] = [
      ['  inputs: { x: ./x.npy }', 3], ['  labels: ./y.npy', 1], ['  name: odd-example units', 3], ['  components:', 3],
      ['  components:', 1], ['    - tensor: /relu/Relu_output_0', 5], ['      axis: -1', 7], ['      axis: -1', 5],
      ['      units: [3, 7, "10:12"]', 5], ['  dial: sgld', 3], ['  seed: 0', 1], ['data:', 1],
    ];
    for (const [line, indent] of cases) {
      const at = lines.indexOf(line);
      assert.ok(at >= 0, line);
      const text = [...lines.slice(0, at), ' '.repeat(indent) + line.trimStart(), ...lines.slice(at + 1)].join('\n');
      const r = parseHypothesis(text, FILE);
      const d = only(r.diagnostics, 'hyp/syntax');
      assert.equal(r.diagnostics.length, 1, `${line} at ${indent}: ${r.diagnostics.map((x) => `${x.range.start.line}: ${x.message}`).join('; ')}`);
      assert.equal(d.range.start.line, at, `${JSON.stringify(line.trim())} indented ${indent}: reported on line ${d.range.start.line + 1}, not ${at + 1} (${d.message})`);
      const expected = line.length - line.trimStart().length;
      assert.match(d.message, new RegExp(`indented ${indent} spaces?, where .* are indented ${expected}$`), d.message);
      assert.equal(d.fix?.title, expected === 0 ? 'Remove the indentation' : `Indent with ${expected} space${expected === 1 ? '' : 's'}`);
      assert.equal(applyFix(text, d), VALID_MLP, `the fix of ${line.trim()}`);
    }
    // A syntax error that is not about indentation keeps the parser's words.
    const colon = edit(VALID_MLP, '  labels: ./y.npy', '  labels: ./y.npy: extra');
    assert.doesNotMatch(only(parseHypothesis(colon, FILE).diagnostics, 'hyp/syntax').message, /indented/);
  });

  it('reports invalid JSON with JSON\'s own message at the right line (trailing comma)', () => {
    const text = '{\n  "model": "./m.onnx",\n  "loss": { "output": "y", },\n  "data": {}\n}';
    const d = only(parseHypothesis(text, JSON_FILE).diagnostics, 'hyp/syntax');
    assert.match(d.message, /invalid JSON/);
    assert.equal(d.range.start.line, 2);
  });

  it('reports an empty file and a comment-only file as hyp/empty', () => {
    assert.deepEqual(codes(parseHypothesis('', FILE).diagnostics), ['hyp/empty']);
    assert.deepEqual(codes(parseHypothesis('# nothing yet\n', FILE).diagnostics), ['hyp/empty']);
  });

  it('reports duplicate keys at the second occurrence, naming the first line', () => {
    const text = edit(VALID_MLP, 'loss: { output: logits, kind: cross-entropy }', 'loss: { output: logits, kind: cross-entropy }\nmodel: ./other.onnx');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/duplicate-key');
    assert.equal(d.range.start.line, lineOf(text, 'other.onnx'));
    assert.match(d.message, /duplicate key 'model' \(first defined on line 2\)/);
    const json = '{"model": "a.onnx", "model": "b.onnx"}';
    assert.equal(only(parseHypothesis(json, JSON_FILE).diagnostics, 'hyp/duplicate-key').range.start.col, 20);
  });

  it('fixes a duplicate key by removing the later entry: its lines in a block map (nested ones too), the pair in a flow map', () => {
    // A scalar entry in a block map: the file is back to the valid one.
    const line = edit(VALID_MLP, 'loss: { output: logits, kind: cross-entropy }', 'loss: { output: logits, kind: cross-entropy }\nmodel: ./other.onnx');
    const d = only(parseHypothesis(line, FILE).diagnostics, 'hyp/duplicate-key');
    assert.equal(d.fix?.title, "Remove this 'model' (line " + (lineOf(line, 'other.onnx') + 1) + '), keep line 2');
    assert.equal(applyFix(line, d), VALID_MLP);
    // A key whose value is a nested block: every line of it goes, nothing after it.
    const block = edit(VALID_MLP, 'loss: { output: logits, kind: cross-entropy }', 'loss: { output: logits, kind: cross-entropy }\ndata:\n  inputs: { x: ./other.npy }\n  labels: ./other.npy');
    const fixed = applyFix(block, only(parseHypothesis(block, FILE).diagnostics, 'hyp/duplicate-key'));
    assert.equal(fixed, VALID_MLP);
    assert.deepEqual(parseHypothesis(fixed, FILE).diagnostics.filter((x) => x.severity === 'error'), []);
    // A flow map (and JSON): the pair and its comma.
    const flow = edit(VALID_MLP, 'loss: { output: logits, kind: cross-entropy }', 'loss: { output: logits, kind: cross-entropy, output: probs }');
    assert.equal(applyFix(flow, only(parseHypothesis(flow, FILE).diagnostics, 'hyp/duplicate-key')), VALID_MLP);
    const json = '{"model": "a.onnx", "model": "b.onnx"}';
    assert.equal(applyFix(json, only(parseHypothesis(json, JSON_FILE).diagnostics, 'hyp/duplicate-key')), '{"model": "a.onnx"}');
  });

  it('reports wrong types with the expected type, and a hint for quoted numbers', () => {
    const text = edit(VALID_MLP, 'chains: 2', 'chains: "2"');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/wrong-type');
    assert.equal(d.message, 'degradation.sgld.chains must be an integer, not the string "2"');
    assert.equal(d.hint, 'remove the quotes');
    assert.equal(d.range.start.line, lineOf(text, 'chains: "2"'));
    const half = parseHypothesis(edit(VALID_MLP, '[3, 7, "10:12"]', '[3, 7.5]'), FILE);
    assert.match(only(half.diagnostics, 'hyp/wrong-type').message, /circuit\.components\[0\]\.units\[1\] must be an integer, not the number 7\.5/);
    const list = parseHypothesis(edit(VALID_MLP, 'model: ./mlp.onnx', 'model: [./mlp.onnx]'), FILE);
    assert.equal(only(list.diagnostics, 'hyp/wrong-type').message, 'model must be a string, not a list');
    assert.equal(list.hypothesis, undefined);
  });

  it('defaults stepSize to auto for sgld and to a number for the samplers without a MALA proposal; auto written there is an error', () => {
    const unset = (sampler: string) => parseHypothesis(edit(VALID_MLP, 'stepSize: 1e-4, ', `sampler: ${sampler}, `), FILE);
    assert.equal(degradationAs(unset('sgld').hypothesis!.degradation, 'sgld').sgld.stepSize, 'auto');
    for (const sampler of ['rmsprop-sgld', 'sgnht']) {
      const r = unset(sampler);
      assert.deepEqual(r.diagnostics, [], sampler);
      assert.equal(degradationAs(r.hypothesis!.degradation, 'sgld').sgld.stepSize, 1e-4, sampler);
    }
    const written = parseHypothesis(edit(VALID_MLP, 'stepSize: 1e-4, ', 'stepSize: auto, sampler: sgnht, '), FILE);
    assert.match(only(written.diagnostics, 'hyp/step-size-auto-sampler').message, /MALA acceptance .* sgnht/);
  });

  it('reports numbers out of range with the bound', () => {
    const r = parseHypothesis(edit(VALID_MLP, 'persistence: 0.25', 'persistence: 2'), FILE);
    assert.equal(only(r.diagnostics, 'hyp/out-of-range').message, 'verdict.persistence must be ≤ 1, not 2');
    const step = parseHypothesis(edit(VALID_MLP, 'stepSize: 1e-4', 'stepSize: 0'), FILE);
    assert.equal(only(step.diagnostics, 'hyp/out-of-range').message, 'degradation.sgld.stepSize must be > 0, not 0');
    const chains = parseHypothesis(edit(VALID_MLP, 'chains: 2', 'chains: 0'), FILE);
    assert.equal(only(chains.diagnostics, 'hyp/out-of-range').message, 'degradation.sgld.chains must be ≥ 1, not 0');
  });

  it('reports unknown keys with a did-you-mean fix that repairs the file', () => {
    const text = edit(VALID_MLP, '  sgld: {', '  sgdl: {');
    const r = parseHypothesis(text, FILE);
    const d = only(r.diagnostics, 'hyp/unknown-key');
    assert.equal(d.message, "unknown key 'sgdl' in degradation");
    assert.equal(d.hint, "did you mean 'sgld'?");
    assert.deepEqual(d.fix?.range, { start: { line: lineOf(text, 'sgdl'), col: 2 }, end: { line: lineOf(text, 'sgdl'), col: 6 } });
    assert.equal(d.fix?.newText, 'sgld');
    assert.deepEqual(parseHypothesis(applyFix(text, d), FILE).diagnostics, []);
    // In JSON the fix keeps the quotes.
    const json = parseHypothesis('{"modle": "m.onnx"}', JSON_FILE).diagnostics.find((x) => x.code === 'hyp/unknown-key')!;
    assert.equal(json.fix?.newText, '"model"');
    // Far from every key: no guess, the known keys instead.
    const far = only(parseHypothesis(`${VALID_MLP}zzzzzz: 1\n`, FILE).diagnostics, 'hyp/unknown-key');
    assert.equal(far.fix, undefined);
    assert.match(far.hint!, /^known keys: model, data, loss/);
  });

  it('reports invalid choices with a did-you-mean fix', () => {
    const text = edit(VALID_MLP, 'kind: mean', 'kind: meen');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/invalid-value');
    assert.equal(d.message, "intervention.kind must be one of 'zero', 'mean', 'resample', not 'meen'");
    assert.equal(d.fix?.newText, 'mean');
    assert.deepEqual(parseHypothesis(applyFix(text, d), FILE).diagnostics, []);
  });

  it('reports missing keys at the enclosing key', () => {
    const text = edit(VALID_MLP, '  labels: ./y.npy\n', '');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/missing-key');
    assert.equal(d.message, "data needs 'labels'");
    assert.equal(d.range.start.line, lineOf(text, 'data:'));
  });

  it('rejects two target selections at once', () => {
    const text = edit(VALID_MLP, 'target: { mask: ./mask.npy }', 'target: { mask: ./mask.npy, indices: ./idx.npy }');
    assert.match(only(parseHypothesis(text, FILE).diagnostics, 'hyp/conflicting-keys').message, /one of 'mask', 'indices'/);
  });

  it('checks unit lists: empty ranges, repeats', () => {
    const empty = parseHypothesis(edit(VALID_MLP, '"10:12"', '"12:10"'), FILE);
    assert.equal(only(empty.diagnostics, 'hyp/bad-range').hint, 'did you mean "10:12"?');
    const repeat = parseHypothesis(edit(VALID_MLP, '"10:12"', '"6:9"'), FILE);
    const d = only(repeat.diagnostics, 'hyp/duplicate-unit');
    // An error: [3, 3] is one unit, so the circuit (and its matched controls) would not have the size the list says.
    assert.equal(d.severity, 'error');
    assert.equal(d.message, 'unit 7 is already listed');
    assert.equal(repeat.hypothesis, undefined);
    assert.deepEqual(repeat.draft.circuit?.components?.[0]?.units, [3, 6, 7, 8]);
  });

  it('refuses what reads as something else than was written: a number as a name, a section left null, levels float32 cannot hold', () => {
    for (const name of ['7', '3.5', '0x10', 'true']) {
      const d = only(parseHypothesis(edit(VALID_MLP, 'name: odd-example units', `name: ${name}`), FILE).diagnostics, 'hyp/wrong-type');
      assert.match(d.message, /^circuit\.name must be a string, not /);
      if (name !== 'true') assert.equal(d.hint, `write it in quotes: "${name}"`);
    }
    assert.equal(parseHypothesis(edit(VALID_MLP, 'name: odd-example units', 'name: "7"'), FILE).hypothesis?.circuit.name, '7');
    for (const [from, to, line] of [[/verdict: .*\n/, 'verdict:\n', 'verdict'], [/ {2}sgld: .*\n/, '  sgld: ~\n', 'degradation.sgld'], [/intervention: .*\n/, 'intervention: null\n', 'intervention']] as const) {
      const r = parseHypothesis(VALID_MLP.replace(from, to), FILE);
      const d = only(r.diagnostics, 'hyp/wrong-type');
      assert.equal(d.message, `${line} is empty (null); it needs its settings`);
      assert.equal(d.range.start.line, lineOf(VALID_MLP, `${line.split('.').pop()}:`));
    }
    assert.ok(parseHypothesis(VALID_MLP.replace(/verdict: .*\n/, 'verdict: {}\n'), FILE).hypothesis, 'an empty mapping is the defaults');
    for (const [grid, message] of [
      ['{ from: 1e-320, to: 1000, count: 5 }', /^'from' \(1e-320\) is outside what the engine's float32 arithmetic holds \(1\.18e-38 to 3\.40e\+38\)$/],
      ['{ from: 0.1, to: 1e308, count: 5 }', /^'to' \(1e\+308\) is outside what the engine's float32 arithmetic holds/],
      ['[0.1, 1, 1e39]', /^level 1e\+39 is outside what the engine's float32 arithmetic holds/],
    ] as const) {
      assert.match(only(parseHypothesis(edit(VALID_MLP, '{ from: 0.1, to: 1000, count: 5 }', grid), FILE).diagnostics, 'hyp/out-of-range').message, message);
    }
  });

  it('keys named __proto__ or constructor reach no behaviour: the resolved values and Object.prototype are as without them', () => {
    const plain = parseHypothesis(VALID_MLP, FILE).draft;
    const hostile = VALID_MLP
      .replace('model: ./mlp.onnx', 'model: ./mlp.onnx\n__proto__: { polluted: yes, model: ./evil.onnx }\nconstructor: { prototype: { polluted: yes } }')
      .replace('  name: odd-example units', '  name: odd-example units\n  __proto__: { name: evil, components: [] }\n  constructor: { prototype: { polluted: yes } }');
    const r = parseHypothesis(hostile, FILE);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r.draft), Object.prototype);
    assert.deepEqual({ ...r.draft }, { ...plain });
    assert.equal(Object.getPrototypeOf(r.draft.circuit), Object.prototype);
  });

  describe('temperature grids', () => {
    const grid = (g: string, dial = 'sgld') => parseHypothesis(edit(edit(VALID_MLP, '{ from: 0.1, to: 1000, count: 5 }', g), 'dial: sgld', `dial: ${dial}`), FILE);

    it('rejects a log grid from ≤ 0', () => {
      const d = only(grid('{ from: 0, to: 1, count: 5 }').diagnostics, 'hyp/grid-nonpositive');
      assert.equal(d.message, 'a log grid starts above 0, not at 0');
    });
    it('rejects to ≤ from', () => {
      assert.equal(only(grid('{ from: 10, to: 10, count: 5 }').diagnostics, 'hyp/grid-order').message, "'to' (10) must be above 'from' (10)");
    });
    it('rejects count < 2', () => {
      assert.equal(only(grid('{ from: 1, to: 10, count: 1 }').diagnostics, 'hyp/grid-count').message, 'a grid needs at least 2 levels, not 1');
    });
    it('rejects lists that do not increase, at the offending item', () => {
      const text = edit(VALID_MLP, '{ from: 0.1, to: 1000, count: 5 }', '[0.1, 1, 1, 10]');
      const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/grid-not-increasing');
      assert.equal(d.message, 'the levels must increase strictly, but 1 follows 1');
      assert.equal(d.range.start.col, text.split('\n')[d.range.start.line].indexOf('1, 10'));
    });
    it('rejects zero temperatures on the sgld dial but allows σ = 0 for noise dials', () => {
      assert.equal(only(grid('[0, 1, 2]').diagnostics, 'hyp/grid-nonpositive').message, 'level 0 is not a temperature: sgld levels must be > 0');
      const noise = grid('{ from: 0, to: 0.5, count: 3, scale: linear }', 'weight-noise');
      assert.deepEqual(codes(noise.diagnostics), ['hyp/unused-setting']); // the sgld block is ignored by weight-noise
      assert.deepEqual({ levels: noise.hypothesis?.degradation.levels, scale: noise.hypothesis?.degradation.scale }, { levels: [0, 0.25, 0.5], scale: 'linear' });
    });
  });

  it('warns when burn-in is at least as long as the draws', () => {
    const d = only(parseHypothesis(edit(VALID_MLP, 'burnIn: 10', 'burnIn: 50'), FILE).diagnostics, 'hyp/burn-in-long');
    assert.equal(d.severity, 'warning');
  });

  it('requires checkpoints on the checkpoints dial and resolves their levels', () => {
    const base = edit(VALID_MLP, 'dial: sgld', 'dial: checkpoints');
    const none = parseHypothesis(base, FILE);
    assert.ok(codes(none.diagnostics).includes('hyp/missing-key'));
    const text = edit(edit(base, '  temperatures: { from: 0.1, to: 1000, count: 5 }\n', '  checkpoints: [a.onnx, b.onnx]\n  steps: [100, 200]\n'),
      '  sgld: { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20 }\n', '');
    const r = parseHypothesis(text, FILE);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.hypothesis && degradationAs(r.hypothesis.degradation, 'checkpoints').checkpoints, [path.resolve('/ws/project/a.onnx'), path.resolve('/ws/project/b.onnx')]);
    assert.deepEqual({ levels: r.hypothesis?.degradation.levels, scale: r.hypothesis?.degradation.scale }, { levels: [100, 200], scale: 'linear' });
  });

  it('rejects relative paths that leave the workspace through ..', () => {
    const text = edit(VALID_MLP, 'labels: ./y.npy', 'labels: ../../secrets/y.npy');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/path-outside-workspace');
    assert.equal(d.range.start.line, lineOf(text, 'secrets'));
    assert.match(d.message, /'..\/..\/secrets\/y.npy' leads outside the workspace/);
    // Inside a wider workspace the same path is fine; absolute paths are the user's explicit choice.
    assert.deepEqual(parseHypothesis(edit(VALID_MLP, 'labels: ./y.npy', 'labels: ../data/y.npy'), FILE, { workspaceRoot: '/ws' }).diagnostics, []);
    assert.deepEqual(parseHypothesis(edit(VALID_MLP, 'labels: ./y.npy', 'labels: /data/y.npy'), FILE).diagnostics, []);
  });

  it('keeps an .npz member suffix on resolved data paths', () => {
    const r = parseHypothesis(edit(VALID_MLP, 'x: ./x.npy', 'x: ./all.npz#x'), FILE);
    assert.equal(r.hypothesis?.data.inputs.x, `${path.resolve('/ws/project/all.npz')}#x`);
  });

  it('reports several independent problems in one pass', () => {
    const text = edit(edit(edit(VALID_MLP, 'kind: mean', 'kind: meen'), 'chains: 2', 'chains: -1'), 'circuit:\n', 'circut:\n');
    const r = parseHypothesis(text, FILE);
    // 'circut' is a misspelling of the required 'circuit': one error at the key, none at the top.
    assert.deepEqual(new Set(codes(r.diagnostics)), new Set(['hyp/invalid-value', 'hyp/out-of-range', 'hyp/unknown-key']));
    // Sorted by position.
    const lines = r.diagnostics.map((d) => d.range.start.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  });

  it('a misspelt required key is one error at the key, with the fix; a key nothing resembles still leaves "needs"', () => {
    const text = edit(VALID_MLP, 'loss:', 'lsos:');
    const d = only(parseHypothesis(text, FILE).diagnostics, 'hyp/unknown-key');
    assert.equal(parseHypothesis(text, FILE).diagnostics.length, 1, 'no second error at the top of the file');
    assert.equal(d.message, "unknown key 'lsos' at the top level; 'loss' is required");
    assert.equal(d.range.start.line, lineOf(text, 'lsos:'));
    assert.deepEqual(parseHypothesis(applyFix(text, d), FILE).diagnostics, []);
    const gone = parseHypothesis(edit(VALID_MLP, 'loss:', 'zzzzzzzz:'), FILE).diagnostics;
    assert.deepEqual(new Set(codes(gone)), new Set(['hyp/unknown-key', 'hyp/missing-key']));
  });

  it('a missing } or ] is one error of ours on the line it belongs to, in YAML and JSON', () => {
    const yaml = edit(VALID_MLP, 'inputs: { x: ./x.npy }', 'inputs: { x: ./x.npy');
    const d = only(parseHypothesis(yaml, FILE).diagnostics, 'hyp/syntax');
    assert.equal(parseHypothesis(yaml, FILE).diagnostics.length, 1);
    assert.equal(d.message, "invalid YAML: this '{' is never closed: '}' is missing");
    assert.equal(d.range.start.line, lineOf(yaml, 'inputs: { x'));
    const list = edit(VALID_MLP, '[3, 7, "10:12"]', '[3, 7, "10:12"');
    const l = only(parseHypothesis(list, FILE).diagnostics, 'hyp/syntax');
    assert.match(l.message, /this '\[' is never closed: '\]' is missing/);
    assert.equal(l.range.start.line, lineOf(list, '[3, 7'));
    const wrong = edit(VALID_MLP, 'inputs: { x: ./x.npy }', 'inputs: { x: ./x.npy ]');
    assert.match(only(parseHypothesis(wrong, FILE).diagnostics, 'hyp/syntax').message, /'\]' closes the '\{' opened on line \d+, which needs '\}'/);
    const json = '{\n  "model": "m.onnx",\n  "data": { "inputs": { "x": "x.npy" },\n  "loss": { "output": "logits" }\n}\n';
    const j = only(parseHypothesis(json, JSON_FILE).diagnostics, 'hyp/syntax');
    assert.match(j.message, /^invalid JSON: this '\{' \(opened on line 1\) is never closed/);
    // Brackets inside plain and quoted text are text: the scan finds the one real problem.
    const texty = edit(edit(yaml, 'name: odd-example units', 'name: odd {x} c[d] units # a [comment'), 'kind: mean', "kind: 'me{an'");
    const t = only(parseHypothesis(texty, FILE).diagnostics, 'hyp/syntax');
    assert.equal(t.range.start.line, lineOf(texty, 'inputs: { x'));
  });

  it('survives recursive aliases with one error', () => {
    assert.deepEqual(codes(parseHypothesis('a: &x [*x]\n', FILE).diagnostics), ['hyp/syntax']);
  });

  it('bounds the work: a billion levels, chains or draws is a located error with the limit, at once', () => {
    const started = performance.now();
    const levels = only(parseHypothesis(edit(VALID_MLP, 'count: 5', 'count: 1000000000'), FILE).diagnostics, 'hyp/out-of-range');
    assert.match(levels.message, /count must be ≤ 1000, not 1000000000/);
    assert.equal(levels.range.start.line, lineOf(VALID_MLP, 'count: 5'));
    assert.match(only(parseHypothesis(edit(VALID_MLP, 'chains: 2', 'chains: 1000000000'), FILE).diagnostics, 'hyp/out-of-range').message, /chains must be ≤ 256/);
    assert.match(only(parseHypothesis(edit(VALID_MLP, 'draws: 50', 'draws: 1000000000'), FILE).diagnostics, 'hyp/out-of-range').message, /draws must be ≤ 1000000/);
    assert.match(only(parseHypothesis(`${VALID_MLP}controls: { count: 100000 }\n`, FILE).diagnostics, 'hyp/out-of-range').message, /count must be ≤ 1024/);
    assert.ok(performance.now() - started < 1000, 'no grid of a billion levels is built');
  });

  it('states the cost of a sweep that runs into hours, and says nothing for a modest one', () => {
    assert.deepEqual(parseHypothesis(VALID_MLP, FILE).diagnostics, []);
    // 5 levels × 64 chains × (10 + 100000) steps = 32M steps (at 500/s) and 32M evaluations (at 50/s): 196 h.
    const big = only(parseHypothesis(edit(edit(VALID_MLP, 'chains: 2', 'chains: 64'), 'draws: 50', 'draws: 100000'), FILE).diagnostics, 'hyp/large-sweep');
    assert.equal(big.severity, 'warning');
    assert.match(big.message, /32M sampler steps and 32M paired evaluations \(each the clean network and 40 intervened copies on every example\): about 196 core-hours/);
    // draws: auto is counted at its cap (maxDraws): an upper bound, worded as one.
    const capped = only(parseHypothesis(edit(edit(VALID_MLP, 'chains: 2', 'chains: 64'), 'draws: 50', 'draws: auto, maxDraws: 100000'), FILE).diagnostics, 'hyp/large-sweep');
    assert.match(capped.message, /this sweep is at most 32M sampler steps and 32M paired evaluations .*: up to 196 core-hours/);
    // So is the default (draws unwritten is draws: auto).
    const byDefault = only(parseHypothesis(edit(edit(VALID_MLP, 'chains: 2', 'chains: 64, maxDraws: 100000'), 'draws: 50, ', ''), FILE).diagnostics, 'hyp/large-sweep');
    assert.match(byDefault.message, /this sweep is at most 32M sampler steps and 32M paired evaluations .*: up to 196 core-hours/);
  });
});
