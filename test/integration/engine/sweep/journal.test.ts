// Issue 24, items 1, 7 and 12: journals and shard documents are bound to their plan and checked like results files.
// Reproductions: a finished journal of another hypothesis, put beside this one's results, was taken as this run's
// results by `sweep --resume` (no worker started, so no plan was compared); a forged journal header put its seed
// into the chart page; `merge` trusted shard files (`shard.count = 1e9` exhausted the heap, `header.levels = 1e8`
// took 5.4 GB, `units: [null]` was an internal error, garbage draws became a `complete` results file); unit error
// strings reached the terminal raw. Real sweeps of the planted example write the genuine journals and shards here.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../../../../src/cli/command';
import { main } from '../../../../src/cli/main';
import { JournalWriter, readJournal } from '../../../../src/engine/sweep/journal';
import { planFingerprint } from '../../../../src/engine/sweep/units';
import { JOURNAL_KIND, SHARD_VERSION, type ShardDocument } from '../../../../src/protocol/shard';
import { copyPlanted, type PlantedCopy } from '../../../support/workerFixtures';

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd }, out: () => out, err: () => err };
}

/** A results document as text without what depends on when and how fast it ran. */
function withoutTimings(file: string): string {
  return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')), (k, v) => (k === 'seconds' || k === 'createdAt' || k === 'timings' ? undefined : v));
}

const ESC = '\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07';

/** A complete journal holding every unit of a one-shard document, as a finished but unrenamed run leaves it. */
function journalOf(doc: ShardDocument): string {
  return [JSON.stringify({ kind: JOURNAL_KIND, version: SHARD_VERSION, header: doc.header }), ...doc.units.map((unit) => JSON.stringify({ unit }))].join('\n') + '\n';
}

describe('security: journals and shards are bound to their plan and checked (issue 24, items 1, 7, 12)', function () {
  this.timeout(180_000);
  let planted: PlantedCopy;
  let k1: ShardDocument;
  let k2: ShardDocument;
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(planted.dir, name), 'utf8')) as ShardDocument;
  const journal = () => path.join(planted.dir, 'kappa-1.results.journal.jsonl');
  const results = () => path.join(planted.dir, 'kappa-1.results.json');

  before(async () => {
    planted = copyPlanted();
    for (const name of ['kappa-1', 'kappa-0.3']) {
      const c = capture(planted.dir);
      assert.equal(await main(['sweep', `${name}.circuit.yaml`, '--shard', '0/1', '--workers', '1', '--out', `${name}.shard.json`], c.io), 0, c.err());
    }
    const one = capture(planted.dir);
    assert.equal(await main(['sweep', 'kappa-1.circuit.yaml', '--workers', '1', '--out', 'one.json'], one.io), 0, one.err());
    k1 = read('kappa-1.shard.json');
    k2 = read('kappa-0.3.shard.json');
  });
  after(() => planted.remove());
  afterEach(() => {
    fs.rmSync(journal(), { force: true });
    fs.rmSync(results(), { force: true });
  });

  const resume = async (): Promise<{ code: number; out: string; err: string }> => {
    const c = capture(planted.dir);
    const code = await main(['sweep', 'kappa-1.circuit.yaml', '--resume', '--html', 'k1.html'], c.io);
    return { code, out: c.out(), err: c.err() };
  };

  it('a finished journal of another hypothesis is refused by --resume, and nothing is written', async () => {
    fs.writeFileSync(journal(), journalOf(k2));
    const r = await resume();
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /kappa-1\.results\.journal\.jsonl does not belong to this run: it was written for another hypothesis file/);
    assert.ok(!fs.existsSync(results()) && !fs.existsSync(path.join(planted.dir, 'k1.html')));
  });

  it('a forged header is refused: a seed that is markup, or a model and sha256 of its own with the fingerprint recomputed', async () => {
    const seeded = structuredClone(k1);
    (seeded.header.document as { seed: unknown }).seed = '<img src=x onerror=alert(1)>';
    fs.writeFileSync(journal(), journalOf(seeded));
    let r = await resume();
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /line 1: the header \.document\.seed/);
    // Self-consistent forgery: /etc/shadow, a sha256 of zeros and the fingerprint that goes with them.
    const forged = structuredClone(k1);
    const d = forged.header.document;
    d.model = { path: '/etc/shadow', sha256: '0'.repeat(64) };
    forged.header.plan = planFingerprint({ engineVersion: d.engine.version, hypothesisSha256: d.hypothesis.sha256, modelSha256: d.model.sha256, grid: d.hypothesis.resolved.degradation.levels, chains: forged.header.chains, seed: d.seed });
    fs.writeFileSync(journal(), journalOf(forged));
    r = await resume();
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /does not belong to this run: it was written for another model/);
    assert.ok(!fs.existsSync(results()));
  });

  it('the genuine finished journal of this run resumes to the one-process results', async () => {
    fs.writeFileSync(journal(), journalOf(k1));
    const r = await resume();
    assert.equal(r.code, 0, r.err);
    assert.equal(withoutTimings(results()), withoutTimings(path.join(planted.dir, 'one.json')));
    assert.ok(!fs.existsSync(journal()), 'the journal is removed once the results are written');
  });

  it('merge refuses hostile shard files by field, at once, writing nothing', async () => {
    const cases: [string, (d: ShardDocument) => void, RegExp][] = [
      ['count', (d) => { d.shard.count = 1e9; }, /\.shard\.count is not a number of shards from 1 to the plan's 12 units/],
      ['levels', (d) => { d.header.levels = 1e8; }, /\.header\.levels is not the hypothesis's 12 levels/],
      ['null unit', (d) => { (d.units as unknown[])[0] = null; }, /\.units\[0\] is not an object/],
      ['no hypothesis', (d) => { delete (d.header.document as Partial<ShardDocument['header']['document']>).hypothesis; }, /\.header\.document\.hypothesis/],
      ['string draws', (d) => { (d.units[0]!.trace as { lossGap: unknown }).lossGap = 'abc'; }, /\.units\[0\]\.trace\.lossGap is not \d+ finite numbers/],
      ['overflowing draws', (d) => { d.units[0]!.trace.lossGap = d.units[0]!.trace.lossGap.map(() => 1e308); }, /\.units\[0\]\.trace\.lossGap is not \d+ finite numbers/],
      ['unit outside the plan', (d) => { d.units[0]!.levelIndex = 99; }, /\.units\[0\]\.levelIndex is not one of 0 … 11/],
    ];
    for (const [name, edit, pattern] of cases) {
      const doc = structuredClone(k1);
      edit(doc);
      fs.writeFileSync(path.join(planted.dir, `bad-${name}.json`), JSON.stringify(doc));
      const c = capture(planted.dir);
      const t = performance.now();
      assert.equal(await main(['merge', `bad-${name}.json`, '--out', 'merged.json'], c.io), 1, `${name}: ${c.err()}`);
      assert.match(c.err(), new RegExp(`bad-${name}\\.json is not a valid shard document: ${pattern.source}`), name);
      assert.ok(performance.now() - t < 20_000, `${name} refused without a long allocation`);
      assert.ok(!fs.existsSync(path.join(planted.dir, 'merged.json')), `${name}: nothing written`);
    }
    const good = capture(planted.dir);
    assert.equal(await main(['merge', 'kappa-1.shard.json', '--out', 'merged.json'], good.io), 0, good.err());
    assert.equal(withoutTimings(path.join(planted.dir, 'merged.json')), withoutTimings(path.join(planted.dir, 'one.json')));
  });

  it('the journal stores each unit deflated: smaller than plain JSON lines, read back number for number', () => {
    const file = path.join(planted.dir, 'size.journal.jsonl');
    const w = JournalWriter.create(file, k1.header);
    for (const u of k1.units) w.append(u);
    w.close();
    const read = readJournal(file)!;
    assert.deepEqual(read.units, k1.units);
    const plain = Buffer.byteLength(journalOf(k1));
    const size = fs.statSync(file).size;
    assert.ok(size < 0.75 * plain, `${size} bytes against ${plain} as plain JSON lines`);
    fs.rmSync(file);
  });

  it('unit error strings from a shard or a journal reach the terminal escaped', async () => {
    const doc = structuredClone(k1);
    // The last level's only chain stopped with an error full of terminal escapes.
    const last = doc.units.find((u) => u.levelIndex === doc.header.levels - 1)!;
    last.trace.diverged = true;
    last.error = `diverged ${ESC}`;
    fs.writeFileSync(path.join(planted.dir, 'esc.json'), JSON.stringify(doc));
    const m = capture(planted.dir);
    assert.equal(await main(['merge', 'esc.json', '--out', 'esc-merged.json'], m.io), 0, m.err());
    fs.writeFileSync(journal(), journalOf(doc));
    const r = await resume();
    assert.equal(r.code, 0, r.err);
    const printed = m.out() + m.err() + r.out + r.err;
    assert.doesNotMatch(printed, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.ok(r.err.includes('\\x1b]0;pwned\\x07'), r.err);
  });
});
