// The values the editor points at (hover and Ctrl+click, issue 28): on a shipped example, the values that name files
// become links to exactly those files (the model, the data arrays), tensor names do not, and the value under the
// cursor is found with the key it sets.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseText } from '../../../src/hypothesis/parse';
import { fileValues, formatBytes, isTensorValue, valueAt } from '../../../src/extension/valueSpans';

const ROOT = path.resolve(__dirname, '../../..');
const FILE = path.join(ROOT, 'examples/modular/addition-frequencies.circuit.yaml');

describe('extension: values that name files, and the value under the cursor', () => {
  const text = fs.readFileSync(FILE, 'utf8');
  const lines = text.split('\n');
  const root = parseText(text, FILE).root;

  it('links the model and the data arrays to the files they name, with their sizes; not the tensor', () => {
    const files = fileValues(root, FILE);
    const dir = path.dirname(FILE);
    assert.deepEqual(files.map((f) => [f.path.join('.'), f.target]), [
      ['model', path.join(dir, 'modular.onnx')],
      ['data.inputs.tokens', path.join(dir, 'data/tokens.npy')],
      ['data.labels', path.join(dir, 'data/y.npy')],
      ['data.target.mask', path.join(dir, 'data/is_addition.npy')],
    ]);
    for (const f of files) {
      assert.equal(f.bytes, fs.statSync(f.target).size);
      // The link covers the value as written on its line.
      const written = lines[f.range.start.line]!.slice(f.range.start.col, f.range.end.col);
      assert.equal(path.resolve(dir, written.replace(/^['"]|['"]$/g, '')), f.target);
    }
    assert.equal(fileValues(parseText(text.replace('./modular.onnx', './missing.onnx'), FILE).root, FILE).some((f) => f.path[0] === 'model'), false, 'a missing file is no link');
  });

  it('finds the value under the cursor and the key it sets; a tensor name is the tensor hover\'s', () => {
    const dialLine = lines.findIndex((l) => l.includes('dial: weight-noise'));
    const v = valueAt(root, dialLine, lines[dialLine]!.indexOf('weight-noise') + 3)!;
    assert.deepEqual([v.path, v.value], [['degradation', 'dial'], 'weight-noise']);
    assert.equal(isTensorValue(v), false);
    const tensorLine = lines.findIndex((l) => l.includes('tensor: /mlp/relu'));
    const t = valueAt(root, tensorLine, lines[tensorLine]!.indexOf('/mlp') + 2)!;
    assert.deepEqual(t.path, ['circuit', 'components', 0, 'tensor']);
    assert.equal(isTensorValue(t), true);
    assert.equal(valueAt(root, dialLine, 3), undefined, 'on the key, not a value');
  });

  it('says sizes in decimal units', () => {
    assert.deepEqual([512, 1000, 1234, 12_345, 1_234_567, 3.4e9].map(formatBytes), ['512 B', '1.0 kB', '1.2 kB', '12 kB', '1.2 MB', '3.4 GB']);
  });
});
