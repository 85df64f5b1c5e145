// Scale-out without a scheduler: `plan`, `sweep --shard I/N`, `merge` through the CLI on the planted example. The
// merged file equals a one-process run's number for number; bad shard sets are refused by name, writing nothing.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { main } from '../../../src/cli/main';
import { slurmScript } from '../../../src/cli/slurm';
import type { ShardDocument } from '../../../src/protocol/shard';
import { copyPlanted, type PlantedCopy } from '../../support/workerFixtures';

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd }, out: () => out, err: () => err };
}

/** A results document as text without what depends on when and how fast it ran. */
export function withoutTimings(file: string): string {
  return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')), (k, v) => (k === 'seconds' || k === 'createdAt' || k === 'timings' ? undefined : v));
}

describe('cli: plan, sweep --shard, merge', function () {
  this.timeout(120_000);
  let planted: PlantedCopy;
  const shardFiles: string[] = [];

  before(() => {
    planted = copyPlanted();
  });
  after(() => planted.remove());

  it('plan lists every (level, chain) unit and the shard that runs it', async () => {
    const c = capture(planted.dir);
    assert.strictEqual(await main(['plan', 'kappa-1.circuit.yaml', '--shards', '5', '--json'], c.io), 0, c.err());
    const plan = JSON.parse(c.out()) as { levels: number; chains: number; units: { levelIndex: number; chain: number; shard: number }[] };
    assert.strictEqual(plan.units.length, plan.levels * plan.chains);
    assert.deepStrictEqual(plan.units.map((u) => u.shard), plan.units.map((_, i) => i % 5));
    const text = capture(planted.dir);
    assert.strictEqual(await main(['plan', 'kappa-1.circuit.yaml', '--shards', '99'], text.io), 2);
    assert.match(text.err(), /--shards 99: the plan has only 12 work units/);
  });

  it('three shards merged equal the one-process run, whatever order the files come in', async () => {
    for (const i of [0, 1, 2]) {
      const c = capture(planted.dir);
      const out = path.join(planted.dir, `s${i}.json`);
      assert.strictEqual(await main(['sweep', 'kappa-1.circuit.yaml', '--shard', `${i}/3`, '--workers', '1', '--out', out], c.io), 0, c.err());
      assert.match(c.out(), new RegExp(`shard ${i} of 3: 4 work units`));
      shardFiles.push(out);
    }
    const one = capture(planted.dir);
    assert.strictEqual(await main(['sweep', 'kappa-1.circuit.yaml', '--out', 'one.json'], one.io), 0, one.err());
    const merged = capture(planted.dir);
    assert.strictEqual(await main(['merge', shardFiles[2]!, shardFiles[0]!, shardFiles[1]!, '--out', 'merged.json'], merged.io), 0, merged.err());
    assert.match(merged.out(), /results: merged\.json \(3 shards merged\)/);
    assert.strictEqual(withoutTimings(path.join(planted.dir, 'merged.json')), withoutTimings(path.join(planted.dir, 'one.json')));
  });

  it('refuses a missing shard, a shard twice, another plan and another engine by name, and writes nothing', async () => {
    const refuse = async (args: string[], pattern: RegExp, code = 1) => {
      const c = capture(planted.dir);
      assert.strictEqual(await main(['merge', ...args, '--out', 'bad.json'], c.io), code, c.err());
      assert.match(c.err(), pattern);
      assert.ok(!fs.existsSync(path.join(planted.dir, 'bad.json')), 'nothing written');
    };
    const [a, b, c] = shardFiles as [string, string, string];
    await refuse([a, c], /shard 1 of 3 is missing[\s\S]*hint: run `sweep FILE --shard 1\/3` again/);
    await refuse([a, b, c, b], /s1\.json and s1\.json are both shard 1 of 3|both shard 1 of 3/);
    // A shard of another hypothesis (kappa-0.3's plan).
    const other = capture(planted.dir);
    assert.strictEqual(await main(['sweep', 'kappa-0.3.circuit.yaml', '--shard', '1/3', '--workers', '1', '--out', 'k2.json'], other.io), 0, other.err());
    await refuse([a, 'k2.json', c], /k2\.json belongs to another plan than s0\.json/);
    // A shard written by another engine version.
    const doc = JSON.parse(fs.readFileSync(b, 'utf8')) as ShardDocument;
    doc.header.document.engine.version = '0.0.9';
    fs.writeFileSync(path.join(planted.dir, 'old.json'), JSON.stringify(doc));
    await refuse([a, 'old.json', c], /old\.json is not a valid shard document: \.header was written by engine 0\.0\.9; this build is \d/);
    await refuse([a, 'kappa-1.circuit.yaml', c], /kappa-1\.circuit\.yaml is not JSON/, 2);
    await refuse([a, 'one.json', c], /one\.json is not a shard document/, 2);
    await refuse([a, 'nope.json'], /cannot read nope\.json: no such file/, 2);
  });

  it('--shard out of range and --shard with --resume are usage errors', async () => {
    const c = capture(planted.dir);
    assert.strictEqual(await main(['sweep', 'kappa-1.circuit.yaml', '--shard', '3/3'], c.io), 2);
    assert.match(c.err(), /--shard takes I\/N with 0 ≤ I < N, got '3\/3' \(shards are numbered 0 to N − 1/);
    const d = capture(planted.dir);
    assert.strictEqual(await main(['sweep', 'kappa-1.circuit.yaml', '--shard', '0/3', '--resume'], d.io), 2);
  });

  it('slurm prints a script: an array of N shard tasks, a merge job after them, paths quoted for the shell', () => {
    const script = slurmScript({ hypothesis: "/data/it's here/a.circuit.yaml", results: '/data/out/r.json', shards: 4, cpus: 2, cli: 'circuit-thermometer', partition: 'gpu' });
    assert.match(script, /^#!\/usr\/bin\/env bash\n/);
    assert.match(script, /sbatch --parsable --job-name=ct-a --partition=gpu --array=0-3 --cpus-per-task=2 --output="\$dir\/shard-%a\.log" "\$dir\/shard\.sh"/);
    assert.match(script, /exec circuit-thermometer sweep '\/data\/it'\\''s here\/a\.circuit\.yaml' --shard "\$SLURM_ARRAY_TASK_ID\/4" --workers 2 --out \/data\/out\/r\.shards\/shard-"\$SLURM_ARRAY_TASK_ID"\.json/);
    assert.match(script, /--dependency=afterok:"\$array" --output="\$dir\/merge\.log" "\$@" "\$dir\/merge\.sh"/);
    assert.match(script, /merge \/data\/out\/r\.shards\/shard-0\.json \/data\/out\/r\.shards\/shard-1\.json \/data\/out\/r\.shards\/shard-2\.json \/data\/out\/r\.shards\/shard-3\.json --out \/data\/out\/r\.json/);
  });
});
