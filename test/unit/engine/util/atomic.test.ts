// Issue 24, item 10: the write probe and the atomic write's temp file follow no planted symbolic link. Both used to
// have predictable names (`.<name>.<pid>.probe`, `<name>.<pid>.<time>.tmp`) written with writeFileSync, so a link
// planted under that name in a shared folder had its target overwritten.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createExclusive, writeFileAtomic } from '../../../../src/engine/util/atomic';
import { checkResultsWritable } from '../../../../src/engine/sweep/writeResults';

describe('security: exclusive temp files (issue 24, item 10)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-excl-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the write probe leaves a symbolic link planted under its old name, and its target, untouched', () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    const out = path.join(dir, 'r.results.json');
    fs.symlinkSync(victim, path.join(dir, `.r.results.json.${process.pid}.probe`));
    checkResultsWritable(out);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
    // Nothing is left behind but the planted link and the victim.
    assert.deepEqual(fs.readdirSync(dir).sort(), [`.r.results.json.${process.pid}.probe`, 'victim.txt'].sort());
  });

  it('temp names are random and created with O_EXCL: an existing name is never opened', () => {
    const out = path.join(dir, 'r.json');
    const a = createExclusive(out, '.tmp');
    const b = createExclusive(out, '.tmp');
    fs.closeSync(a.fd);
    fs.closeSync(b.fd);
    assert.notEqual(a.path, b.path);
    assert.match(path.basename(a.path), new RegExp(`^r\\.json\\.${process.pid}\\.[0-9a-f]{24}\\.tmp$`));
    // The same open on a planted link fails instead of following it.
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.rmSync(a.path);
    fs.symlinkSync(victim, a.path);
    assert.throws(() => fs.openSync(a.path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL), /EEXIST/);
    writeFileAtomic(out, 'results');
    assert.equal(fs.readFileSync(out, 'utf8'), 'results');
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  });
});
