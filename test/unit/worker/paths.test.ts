import * as assert from 'assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../src/engine/util/atomic';
import { defaultResultsPath, resolveWorkerEntry, strayTempFiles } from '../../../src/worker/paths';

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

  it('finds the temp files writeFileAtomic names after a process id, and only those', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-paths-'));
    try {
      const out = path.join(dir, 'a.results.json');
      const mine = `${out}.4242.1700000000000.tmp`;
      fs.writeFileSync(mine, 'partial');
      fs.writeFileSync(`${out}.4243.1700000000000.tmp`, 'another process');
      fs.writeFileSync(path.join(dir, 'b.results.json.4242.1.tmp'), 'another file');
      assert.deepStrictEqual(strayTempFiles(out, 4242), [mine]);
      // A completed atomic write leaves none behind.
      writeFileAtomic(out, 'x');
      assert.deepStrictEqual(strayTempFiles(out, process.pid), []);
      assert.strictEqual(fs.readFileSync(out, 'utf8'), 'x');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches the temp file writeFileAtomic really leaves when its process is killed mid-write', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-paths-'));
    const out = path.join(dir, 'big.results.json');
    const atomic = path.resolve(__dirname, '../../../src/engine/util/atomic.ts');
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', `require(${JSON.stringify(atomic)}).writeFileAtomic(${JSON.stringify(out)}, Buffer.alloc(300e6, 1))`], { stdio: 'ignore' });
    try {
      // Wait until the temp file exists, then kill the writer before it renames.
      let seen: string[] = [];
      const deadline = Date.now() + 20_000;
      while (seen.length === 0 && Date.now() < deadline && child.exitCode === null) {
        seen = fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));
        if (seen.length === 0) await new Promise((r) => setImmediate(r));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      if (fs.existsSync(out)) this.skip(); // the write won the race: nothing to look at
      assert.strictEqual(seen.length, 1, 'the writer made one temp file');
      assert.deepStrictEqual(strayTempFiles(out, child.pid!), [path.join(dir, seen[0])]);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
