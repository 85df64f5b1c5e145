// The editor's help on the format: hover on every key (description, facts, the method section that exists in
// docs/method.md), the key and value the cursor is typing (block and flow YAML), file candidates ranked for their slot,
// and tensors ranked float activations first on a real model.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphIndex } from '../../../src/engine/onnx';
import { loadModel } from '../../../src/engine/onnx';
import { enumValuesOf, headingLines, keyHelpMarkdown, keyPathAt, keysAt, specAt } from '../../../src/hypothesis/keyHelp';
import { parseText } from '../../../src/hypothesis/parse';
import { HYPOTHESIS_SPEC, type Spec } from '../../../src/protocol/hypothesisSchema';
import { schemaContextAt } from '../../../src/extension/completionContext';
import { rankFiles, slotOf } from '../../../src/extension/dataFiles';
import { describeTensor, tensorRank } from '../../../src/extension/tensorInfo';

const ROOT = path.resolve(__dirname, '../../..');

/** Every key path of the format, lists stepped into with index 0. */
function allKeyPaths(spec: Spec, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  const visit = (s: Spec, p: (string | number)[]) => {
    if (s.type === 'object') {
      for (const [k, sub] of Object.entries(s.properties)) {
        out.push([...p, k]);
        visit(sub, [...p, k]);
      }
    } else if (s.type === 'array') visit(s.items, [...p, 0]);
    else if (s.type === 'oneOf') s.variants.forEach((v) => visit(v, p));
  };
  visit(spec, prefix);
  return out;
}

describe('extension: help on the hypothesis format', () => {
  it('every key has a hover: description, facts, and a method section that docs/method.md has', () => {
    const headings = headingLines(fs.readFileSync(path.join(ROOT, 'docs/method.md'), 'utf8'));
    const paths = allKeyPaths(HYPOTHESIS_SPEC).filter((p) => p[0] !== '$schema');
    assert.ok(paths.length > 50, `${paths.length} keys`);
    for (const p of paths) {
      const found = specAt(p)!;
      assert.ok(found, p.join('.'));
      const links: string[] = [];
      const md = keyHelpMarkdown(p, (s) => {
        links.push(s);
        return `file:///method.md#L${headings.get(s)! + 1}`;
      })!;
      assert.ok(md.includes(found.spec.description), `${p.join('.')}: its description`);
      assert.equal(links.length, 1, `${p.join('.')} links to a method section`);
      assert.ok(headings.has(links[0]!), `${p.join('.')}: section "${links[0]}" is a heading of docs/method.md`);
    }
    const md = keyHelpMarkdown(['verdict', 'collateralTolerance'])!;
    assert.match(md, /^\*\*`verdict\.collateralTolerance`\*\* — number > 0 · default `0\.1`/);
    assert.match(md, /Method: docs\/method\.md, "The tests \(method version 3\)"/);
    assert.match(keyHelpMarkdown(['degradation', 'sgld', 'stepSize'])!, /number > 0 or one of `auto` · default `auto`/);
    assert.equal(specAt(['verdict', 'nope']), undefined);
  });

  it('finds the key under the cursor in a real hypothesis file', () => {
    const file = path.join(ROOT, 'examples/modular/addition-frequencies.circuit.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const parsed = parseText(text, file);
    const at = (needle: string, offset = 1) => {
      const line = lines.findIndex((l) => l.includes(needle));
      return keyPathAt(parsed.root, line, lines[line]!.indexOf(needle) + offset);
    };
    assert.deepEqual(at('alpha'), ['verdict', 'alpha']);
    assert.deepEqual(at('persistence'), ['verdict', 'persistence']);
    assert.deepEqual(at('samples'), ['degradation', 'noise', 'samples']);
    assert.deepEqual(at('axis:'), ['circuit', 'components', 0, 'axis']);
    assert.deepEqual(at('mask:'), ['data', 'target', 'mask']);
    assert.equal(at('./modular.onnx'), undefined, 'a value is not a key');
  });

  it('knows which key or value is being typed, in block and flow style', () => {
    const doc = [
      'data:', '  inputs: { tokens: ./t.npy }', '  labels: ./', '  tar',
      'circuit:', '  components:', '    - tensor: x', '      units: [1, 2]', '      ax', '    - ten',
      'intervention: { kind: me', 'verdict:', '  collateralTolerance: 0.1', '  per', 'degradation:', '  sgld: { stepSize: au',
    ];
    const at = (i: number, col = doc[i]!.length) => schemaContextAt(doc, i, col);
    assert.deepEqual(at(2), { kind: 'value', path: ['data', 'labels'], start: 10, quote: '' });
    assert.deepEqual(at(3), { kind: 'key', path: ['data'], start: 2, present: ['labels', 'inputs'] });
    assert.deepEqual(at(8), { kind: 'key', path: ['circuit', 'components', 0], start: 6, present: ['units', 'tensor'] });
    assert.deepEqual(at(9), { kind: 'key', path: ['circuit', 'components', 0], start: 6, present: [] });
    assert.deepEqual(at(10), { kind: 'value', path: ['intervention', 'kind'], start: 22, quote: '' });
    assert.deepEqual(at(13), { kind: 'key', path: ['verdict'], start: 2, present: ['collateralTolerance'] });
    assert.deepEqual(at(15), { kind: 'value', path: ['degradation', 'sgld', 'stepSize'], start: 20, quote: '' });
    assert.deepEqual(schemaContextAt(['intervention: { kind: mean, sc'], 0, 30), { kind: 'key', path: ['intervention'], start: 28, present: ['kind'] });
    assert.deepEqual(schemaContextAt(['circuit: { components: [ { tensor: x, ax'], 0, 40), { kind: 'key', path: ['circuit', 'components', 0], start: 38, present: ['tensor'] });
    assert.equal(schemaContextAt(['  units: [1, 2'], 0, 14), undefined, 'inside a list of numbers');
    assert.equal(schemaContextAt(['model: x # com'], 0, 14), undefined, 'inside a comment');
    // What the provider then offers.
    assert.deepEqual(keysAt(['verdict']).map((k) => k.key).filter((k) => k.startsWith('per')), ['persistence']);
    assert.deepEqual(enumValuesOf(specAt(['intervention', 'kind'])!.spec), ['zero', 'mean', 'resample']);
    assert.deepEqual(enumValuesOf(specAt(['degradation', 'sgld', 'stepSize'])!.spec), ['auto']);
  });

  it('ranks workspace files for each path slot: y.npy and is_addition.npy where they fit', () => {
    const dir = '/w/examples/modular';
    const files = ['data/tokens.npy', 'data/y.npy', 'data/is_addition.npy', 'data/labels_old.npz', 'a.circuit.json', 'out/x.results.json', 'modular.onnx', '../planted/p.onnx']
      .map((f) => path.resolve(dir, f));
    assert.equal(rankFiles('labels', files, dir)[0], './data/y.npy');
    assert.equal(rankFiles('mask', files, dir)[0], './data/is_addition.npy');
    assert.equal(rankFiles('input', files, dir, 'tokens')[0], './data/tokens.npy');
    assert.deepEqual(rankFiles('model', files, dir), ['./modular.onnx', '../planted/p.onnx']);
    assert.ok(!rankFiles('labels', files, dir).some((f) => /circuit\.json|results\.json/.test(f)), 'hypotheses and results are not data');
    assert.equal(slotOf(['data', 'inputs', 'tokens']), 'input');
    assert.equal(slotOf(['degradation', 'checkpoints', 0]), 'checkpoint');
    assert.equal(slotOf(['circuit', 'name']), undefined);
  });

  it('ranks tensors of a real model: float activations before int64 / bool index tensors and parameters', () => {
    const model = loadModel(path.join(ROOT, 'test/fixtures/torch/gpt2_tiny_dynamo.onnx'));
    const index = GraphIndex.of(model.proto);
    const facts = { model, index, tensorNames: index.tensorNames() };
    const described = facts.tensorNames.map((n) => describeTensor(facts, undefined, n)!).filter(Boolean);
    const ranked = [...described].sort((a, b) => tensorRank(a) - tensorRank(b));
    const firstNonFloat = ranked.findIndex((d) => tensorRank(d) > 0);
    assert.ok(firstNonFloat > 0, 'float activations exist and come first');
    assert.ok(ranked.slice(0, firstNonFloat).every((d) => d.dtype.startsWith('float') && d.role !== 'parameter' && d.role !== 'input'));
    const indexTensors = described.filter((d) => (d.dtype === 'int64' || d.dtype === 'bool') && d.role === 'activation');
    assert.ok(indexTensors.length > 0, 'the model has index tensors');
    assert.ok(indexTensors.every((d) => tensorRank(d) === 3));
    assert.ok(ranked.slice(firstNonFloat).every((d) => !(d.dtype.startsWith('float') && (d.role === 'activation' || d.role === 'output'))));
  });
});
