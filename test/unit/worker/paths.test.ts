import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultResultsPath, resolveWorkerEntry } from '../../../src/worker/paths';

describe('worker paths', () => {
  it('puts results beside the hypothesis as <name>.results.json', () => {
    assert.strictEqual(defaultResultsPath('/a/b/add.circuit.yaml'), '/a/b/add.results.json');
    assert.strictEqual(defaultResultsPath('/a/b/add.circuit.json'), '/a/b/add.results.json');
    assert.strictEqual(defaultResultsPath('/a/b/add.yml'), '/a/b/add.results.json');
    assert.strictEqual(defaultResultsPath('/a/b/add'), '/a/b/add.results.json');
  });

  it('from source, the worker entry is worker.ts loaded through tsx; an explicit .js path runs plainly', () => {
    const entry = resolveWorkerEntry();
    assert.strictEqual(entry.path, path.resolve(__dirname, '../../../src/worker/worker.ts'));
    assert.ok(fs.existsSync(entry.path));
    assert.deepStrictEqual(entry.execArgv.slice(0, 1), ['--require']);
    assert.deepStrictEqual(resolveWorkerEntry('/x/dist/worker.js'), { path: '/x/dist/worker.js', execArgv: [] });
  });
});
