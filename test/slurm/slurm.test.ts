// A real Slurm cluster (one node, Debian's slurm-wlm and munge, started and stopped by scripts/slurm-cluster.sh):
// the script `circuit-thermometer slurm` prints submits a 4-task job array of sweep shards and a merge job with
// --dependency=afterok; `bash submit.sh --wait` returns when the merge has run. The merged results must equal a
// one-process run of the same hypothesis bit for bit (timings aside). Needs root and `npm run build` (dist/cli.js).
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPlanted, type PlantedCopy } from '../support/workerFixtures';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const cluster = (action: 'start' | 'stop') => execFileSync('bash', [path.join(ROOT, 'scripts/slurm-cluster.sh'), action], { stdio: ['ignore', 'pipe', 'inherit'] });
const withoutTimings = (file: string) => JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')), (k, v) => (k === 'seconds' || k === 'createdAt' || k === 'timings' ? undefined : v));

describe('slurm: a sharded sweep on a real cluster', function () {
  let planted: PlantedCopy;

  before(function () {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js exists (npm run build)');
    cluster('start');
    planted = copyPlanted();
  });
  after(() => {
    planted?.remove();
    cluster('stop');
  });

  it('a 4-task job array and its merge job write the one-process results', () => {
    const results = path.join(planted.dir, 'merged.results.json');
    const script = execFileSync(process.execPath, [CLI, 'slurm', 'kappa-1.circuit.yaml', '--shards', '4', '--results', results], { cwd: planted.dir, encoding: 'utf8' });
    fs.writeFileSync(path.join(planted.dir, 'submit.sh'), script);
    const submitted = execFileSync('bash', ['submit.sh', '--wait'], { cwd: planted.dir, encoding: 'utf8' });
    assert.match(submitted, /submitted array job \d+ \(4 shards\)/);
    const shards = path.join(planted.dir, 'merged.results.shards');
    assert.deepStrictEqual([0, 1, 2, 3].map((i) => fs.existsSync(path.join(shards, `shard-${i}.json`))), [true, true, true, true]);
    assert.ok(fs.existsSync(results), `merged results written; merge log: ${fs.readFileSync(path.join(shards, 'merge.log'), 'utf8')}`);
    // Every task ran as its own Slurm array task.
    for (const i of [0, 1, 2, 3]) assert.match(fs.readFileSync(path.join(shards, `shard-${i}.log`), 'utf8'), new RegExp(`shard ${i} of 4: 3 work units`));
    execFileSync(process.execPath, [CLI, 'sweep', 'kappa-1.circuit.yaml', '--out', 'one.json'], { cwd: planted.dir, stdio: 'ignore' });
    assert.strictEqual(withoutTimings(results), withoutTimings(path.join(planted.dir, 'one.json')));
  });
});
