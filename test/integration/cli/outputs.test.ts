// Issue 24, items 9 and 13: outputs that are inputs or each other, and `--html` checked before the work. Reproduced:
// `--out` onto the hypothesis's own model, a data file or the hypothesis; `--html` onto the results, the hypothesis or
// the model; `--shard … --out` and `merge --out` onto the model all overwrote it (exit 0); `--html` into a missing
// folder failed after the whole sweep as an internal error, without the verdict table. Every refusal here comes
// before any unit runs (no progress), names both files, and leaves every input byte for byte as it was.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { main } from '../../../src/cli/main';
import { sweep } from '../../../src/cli/sweep';
import { copyPlanted, type PlantedCopy } from '../../support/workerFixtures';

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd }, out: () => out, err: () => err };
}

describe('security: outputs never overwrite inputs or each other; --html checked first (issue 24, items 9 and 13)', function () {
  this.timeout(180_000);
  let planted: PlantedCopy;
  let inputHashes: Map<string, string>;
  const hashes = () => new Map(planted.files().filter((f) => fs.statSync(path.join(planted.dir, f)).isFile()).map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(planted.dir, f))).digest('hex')]));
  before(() => {
    planted = copyPlanted();
    inputHashes = hashes();
  });
  after(() => planted.remove());

  const unchanged = () => {
    for (const [f, h] of inputHashes) assert.equal(hashes().get(f), h, `${f} unchanged`);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'kappa-1.results.json')), 'no results written');
  };

  it('sweep --out / --html onto the model, a data file, the hypothesis, or each other: refused before any work', async () => {
    const cases: [string[], RegExp][] = [
      [['--out', 'planted-kappa-1.onnx'], /the results file .*planted-kappa-1\.onnx is the model: writing it would overwrite an input of the run/],
      [['--out', 'data/x.npy'], /the results file .*x\.npy is the data of input 'x'/],
      [['--out', 'kappa-1.circuit.yaml'], /the results file .*kappa-1\.circuit\.yaml is the hypothesis file/],
      [['--html', 'kappa-1.results.json'], /the chart page \(--html\) and the results file are the same file/],
      [['--html', 'kappa-1.circuit.yaml'], /the chart page \(--html\) .*kappa-1\.circuit\.yaml is the hypothesis file/],
      [['--html', './data/../planted-kappa-1.onnx'], /the chart page \(--html\) .*is the model/],
      [['--shard', '0/2', '--out', 'planted-kappa-1.onnx'], /the shard file \(--out\) .*is the model/],
    ];
    // A hard link is the same file under another name.
    fs.linkSync(path.join(planted.dir, 'data/y.npy'), path.join(planted.dir, 'labels-link.json'));
    cases.push([['--out', 'labels-link.json'], /the results file .*labels-link\.json is the labels/]);
    inputHashes = hashes();
    for (const [flags, pattern] of cases) {
      const c = capture(planted.dir);
      const progress: string[] = [];
      const code = await sweep({ hypothesis: 'kappa-1.circuit.yaml', workers: 1, progress: true, ...flagsOf(flags) }, { ...c.io, err: (t) => { progress.push(t); c.io.err(t); } });
      assert.equal(code, 3, `${flags.join(' ')}: ${c.err()}`);
      assert.match(c.err(), pattern, flags.join(' '));
      assert.ok(!progress.some((l) => /level \d+ of/.test(l)), 'no level ran');
      unchanged();
    }
  });

  it('merge --out onto a shard or onto the model the shards name: refused, nothing written', async () => {
    const s = capture(planted.dir);
    assert.equal(await main(['sweep', 'kappa-1.circuit.yaml', '--shard', '0/1', '--workers', '1', '--out', 'k1.shard.json'], s.io), 0, s.err());
    inputHashes = hashes();
    for (const [out, pattern] of [['planted-kappa-1.onnx', /is the model the shards were run on/], ['k1.shard.json', /is the shard k1\.shard\.json/]] as const) {
      const c = capture(planted.dir);
      assert.equal(await main(['merge', 'k1.shard.json', '--out', out], c.io), 2, c.err());
      assert.match(c.err(), pattern);
      unchanged();
    }
  });

  it('--html into a missing folder is refused before the work, not after it as an internal error', async () => {
    const c = capture(planted.dir);
    const t = performance.now();
    const code = await main(['sweep', 'kappa-1.circuit.yaml', '--workers', '1', '--html', 'no/such/folder/k1.html'], c.io);
    assert.equal(code, 3, c.err());
    assert.match(c.err(), /cannot write the chart page \(--html\) to .*k1\.html: its folder does not exist/);
    assert.doesNotMatch(c.err(), /internal error/);
    assert.ok(performance.now() - t < 30_000);
    unchanged();
  });
});

function flagsOf(flags: string[]): { out?: string; html?: string; shard?: { index: number; count: number } } {
  const o: { out?: string; html?: string; shard?: { index: number; count: number } } = {};
  for (let i = 0; i < flags.length; i += 2) {
    const v = flags[i + 1]!;
    if (flags[i] === '--out') o.out = v;
    else if (flags[i] === '--html') o.html = v;
    else if (flags[i] === '--shard') o.shard = { index: Number(v.split('/')[0]), count: Number(v.split('/')[1]) };
  }
  return o;
}
