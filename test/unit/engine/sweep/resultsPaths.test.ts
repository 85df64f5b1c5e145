// Results files name their hypothesis, model and data relative to their own folder: a committed or copied results
// file carries no absolute path of the machine that made it, and the editor still finds the hypothesis (files
// written before, with absolute paths, read as they did).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResultsDocument } from '../../../../src/protocol/results';
import { readResultsFile } from '../../../../src/engine/sweep/readResults';
import { absoluteResults, relativeToResults, resolveFromResults } from '../../../../src/engine/sweep/resultsPaths';
import { writeResults } from '../../../../src/engine/sweep/writeResults';
import { recordFromDocument } from '../../../../src/extension/runRecord';
import { sampleDocument } from '../../../support/sampleDocument';

const ROOT = path.resolve(__dirname, '../../../..');

/** Every string in `x` that is an absolute path (POSIX or Windows) of a file (tensor names like "/relu/Relu_output_0"
 *  start with "/" too; files end in an extension). */
function absolutePaths(x: unknown): string[] {
  if (typeof x === 'string') return (path.isAbsolute(x) || /^[A-Za-z]:[\\/]/.test(x)) && /\.[a-z]+$/i.test(x) ? [x] : [];
  if (Array.isArray(x)) return x.flatMap(absolutePaths);
  if (x && typeof x === 'object') return Object.values(x).flatMap(absolutePaths);
  return [];
}

describe('sweep: results paths relative to the results file', () => {
  it('writes beside, below and a little above as relative paths with "/", and far away as absolute', () => {
    const r = path.join(path.sep, 'w', 'proj', 'out', 'a.results.json');
    assert.equal(relativeToResults(path.join(path.sep, 'w', 'proj', 'out', 'a.circuit.yaml'), r), 'a.circuit.yaml');
    assert.equal(relativeToResults(path.join(path.sep, 'w', 'proj', 'a.circuit.yaml'), r), '../a.circuit.yaml');
    assert.equal(relativeToResults(path.join(path.sep, 'w', 'proj', 'out', 'data', 'x.npy'), r), 'data/x.npy');
    const far = path.join(path.sep, 'elsewhere', 'deep', 'tree', 'model.onnx');
    assert.equal(relativeToResults(far, r), far, 'three folders up or more: kept absolute');
    assert.equal(relativeToResults('already/relative.npy', r), 'already/relative.npy');
    for (const p of ['a.circuit.yaml', '../a.circuit.yaml', 'data/x.npy', far]) assert.equal(resolveFromResults(relativeToResults(path.resolve(path.dirname(r), p), r), r), path.resolve(path.dirname(r), p), p);
  });

  it('a written results file holds no absolute path; read back, the editor finds its hypothesis where it is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-paths-'));
    try {
      const at = (f: string) => path.join(dir, f);
      const base = sampleDocument();
      const h = base.hypothesis.resolved;
      const doc: ResultsDocument = {
        ...base,
        hypothesis: { ...base.hypothesis, file: at('k.circuit.yaml'), resolved: { ...h, file: at('k.circuit.yaml'), model: at('m.onnx'), data: { ...h.data, inputs: { x: at('data/x.npy') }, labels: at('data/y.npy'), target: { mask: at('data/t.npy') } } } },
        model: { ...base.model, path: at('m.onnx') },
      };
      const file = at('out/k.results.json');
      fs.mkdirSync(path.dirname(file));
      const written = writeResults(file, doc);
      const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsDocument;
      assert.deepEqual(onDisk, JSON.parse(JSON.stringify(written)), 'writeResults returns what it wrote');
      assert.deepEqual(absolutePaths(onDisk), []);
      assert.equal(onDisk.hypothesis.file, '../k.circuit.yaml');
      assert.deepEqual(onDisk.hypothesis.resolved.data.target, { mask: '../data/t.npy' });
      assert.equal(onDisk.model.path, '../m.onnx');
      // Everything else is the document as it was.
      assert.deepEqual({ ...onDisk, hypothesis: null, model: null }, JSON.parse(JSON.stringify({ ...doc, hypothesis: null, model: null })));
      assert.deepEqual(absoluteResults(readResultsFile(file), file), JSON.parse(JSON.stringify(doc)), 'read back and resolved: the document as it was');
      const record = recordFromDocument(readResultsFile(file), file, '');
      assert.equal(record.hypothesisFile, at('k.circuit.yaml'));
      assert.equal(record.hypothesis?.model, at('m.onnx'), 'the run\'s resolved hypothesis has absolute paths again');
      // A file written before (absolute paths) reads as it did.
      const old = at('old.results.json');
      fs.writeFileSync(old, JSON.stringify(doc));
      assert.equal(recordFromDocument(readResultsFile(old), old, '').hypothesisFile, at('k.circuit.yaml'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no committed example results file carries an absolute path', () => {
    const files = ['examples/planted', 'examples/modular', 'examples/induction'].flatMap((d) => {
      const full = path.join(ROOT, d);
      return fs.existsSync(full) ? fs.readdirSync(full).filter((f) => f.endsWith('.results.json')).map((f) => path.join(full, f)) : [];
    });
    assert.ok(files.length >= 2, `the committed results: ${files.join(', ')}`);
    for (const f of files) {
      const doc = readResultsFile(f);
      assert.deepEqual(absolutePaths(doc), [], path.relative(ROOT, f));
      assert.ok(fs.existsSync(resolveFromResults(doc.hypothesis.file, f)), `${path.relative(ROOT, f)} names its hypothesis beside it`);
      assert.ok(fs.existsSync(resolveFromResults(doc.model.path, f)), `${path.relative(ROOT, f)} names its model beside it`);
    }
  });
});
