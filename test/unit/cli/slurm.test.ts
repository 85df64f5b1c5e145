// Issue 24, item 11: a hypothesis file name with a newline broke out of the submit script's comment line, or ended its
// quoted here-document early, and running the printed script ran the injected command. The script is run here with
// bash against a stand-in `sbatch` that records what it would submit; the job scripts are then run with a stand-in CLI
// that prints its arguments, which must come back exactly as the file names given.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellQuote, slurmScript } from '../../../src/cli/slurm';

describe('security: the slurm script quotes every path (issue 24, item 11)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-slurm-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shellQuote round-trips any string through bash, control characters included', () => {
    for (const s of ['plain', "it's", 'a\nb', "x'\n\ttouch pwned; '$(id)`\\\x1b[2J", 'TASK', '\nTASK\ntouch pwned\n']) {
      const r = spawnSync('bash', ['-c', `printf '%s' ${shellQuote(s)}`], { encoding: 'utf8' });
      assert.equal(r.stdout, s);
      assert.ok(!shellQuote(s).includes('\n'));
    }
  });

  it('a hypothesis named to end the comment and the here-document runs nothing it names', () => {
    const pwned = path.join(dir, 'pwned');
    const evil = path.join(dir, `a\ntouch ${pwned}-comment\n.circuit.yaml\nTASK\ntouch ${pwned}-heredoc\nTASK\nx.circuit.yaml`);
    const results = path.join(dir, `r\nTASK\ntouch ${pwned}-results\n.json`);
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // sbatch: records its arguments, prints a job id.
    fs.writeFileSync(path.join(bin, 'sbatch'), `#!/usr/bin/env bash\nprintf '%s\\n' "$@" >> ${shellQuote(path.join(dir, 'sbatch.log'))}\necho 42\n`, { mode: 0o755 });
    const cli = path.join(dir, 'fakecli');
    fs.writeFileSync(cli, `#!/usr/bin/env bash\nprintf '%s\\0' "$@"\n`, { mode: 0o755 });
    const script = slurmScript({ hypothesis: evil, results, shards: 2, cpus: 1, cli: shellQuote(cli) });
    const file = path.join(dir, 'submit.sh');
    fs.writeFileSync(file, script);
    const run = spawnSync('bash', [file], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('pwned')), [], 'no injected command ran');
    // The job scripts hand the CLI the exact names.
    const shardsDir = `${results.replace(/\.json$/, '')}.shards`;
    const task = spawnSync('bash', [path.join(shardsDir, 'shard.sh')], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' } });
    assert.equal(task.status, 0, task.stderr);
    assert.deepEqual(task.stdout.split('\0').slice(0, -1), ['sweep', evil, '--shard', '1/2', '--workers', '1', '--out', `${shardsDir}/shard-1.json`]);
    const merge = spawnSync('bash', [path.join(shardsDir, 'merge.sh')], { encoding: 'utf8' });
    assert.deepEqual(merge.stdout.split('\0').slice(0, -1), ['merge', `${shardsDir}/shard-0.json`, `${shardsDir}/shard-1.json`, '--out', results]);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('pwned')), []);
  });
});
