// Output faults on a real file system: a small tmpfs that fills up mid-sweep (ENOSPC): the run fails with a
// located message naming the units kept, and after space is freed --resume writes the results an uninterrupted run
// writes; a read-only one (EROFS) fails the run before any work. Needs root to
// mount: .ci/run runs it as root (CT_ROOT_TESTS=1 fails it if the mount is refused); elsewhere it skips, saying why.
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '../../../src/engine/sweep/journal';
import { WorkerRunError } from '../../../src/worker/errors';
import { runSweepParallel } from '../../../src/worker/parallel';
import { resolveSweepHypothesis } from '../../../src/worker/resolve';
import { skipUnlessMounted } from '../../support/root';
import { copyPlanted, slow, type PlantedCopy } from '../../support/workerFixtures';

const numbers = (levels: unknown) => JSON.parse(JSON.stringify(levels, (k, v) => (k === 'seconds' ? undefined : v)));

function mountTmpfs(dir: string, size: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('faults mid-sweep: a full disk and a read-only folder, then --resume', function () {
  this.timeout(120_000);
  let planted: PlantedCopy;
  let mnt: string;
  let reference: unknown;

  before(async function () {
    planted = copyPlanted();
    mnt = path.join(planted.dir, 'mnt');
    skipUnlessMounted(this, mountTmpfs(mnt, '48k'), 'filling and remounting a disk mid-sweep');
    const file = planted.variant('faults', slow(48));
    reference = (await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out: path.join(planted.dir, 'reference.json') }, {}, { workers: 1 })).document.levels;
  });
  after(() => {
    try { execFileSync('umount', [mnt], { stdio: 'ignore' }); } catch { /* not mounted */ }
    planted.remove();
  });

  const rejection = async (p: Promise<unknown>): Promise<WorkerRunError> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof WorkerRunError, String(e));
      return e;
    }
    assert.fail('expected the run to fail');
  };

  it('ENOSPC: the journal fills the disk; the run names the file and the units kept; after space is freed, --resume completes it', async () => {
    const file = planted.hypothesis('faults');
    const out = path.join(mnt, 'faults.results.json');
    const e = await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out }, {}, { workers: 2 }));
    assert.strictEqual(e.code, 'run-failed');
    assert.match(e.message, /cannot write the journal faults\.results\.journal\.jsonl: ENOSPC: no space left on device/);
    assert.match(e.hint ?? '', /the \d+ units? journalled so far are kept: free the disk or fix the folder, then run again with --resume/);
    assert.ok(!fs.existsSync(out), 'no results file');
    const kept = readJournal(path.join(mnt, 'faults.results.journal.jsonl'))!;
    assert.ok(kept.units.length >= 1 && kept.units.length < 12, `${kept.units.length} units kept`);
    execFileSync('mount', ['-o', 'remount,size=4m', mnt]);
    const done = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out }, {}, { workers: 2, resume: true });
    assert.deepStrictEqual(numbers(done.document.levels), numbers(reference));
    assert.ok(!fs.existsSync(path.join(mnt, 'faults.results.journal.jsonl')), 'the journal is gone once the results are written');
  });

  it('EROFS: a read-only file system fails the run before any work, naming the file and why', async () => {
    const file = planted.hypothesis('faults');
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      let progressed = false;
      const e = await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out: path.join(mnt, 'ro.results.json') }, { onProgress: () => { progressed = true; } }, { workers: 2 }));
      assert.strictEqual(e.code, 'run-failed');
      assert.match(e.message, /cannot write the results to .*ro\.results\.json: the file system is read-only/);
      assert.ok(!progressed, 'no unit ran');
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
  });
});
