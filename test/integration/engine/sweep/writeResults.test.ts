// The results write on real file systems: a read-only mount and a full one (a 64 KiB tmpfs) are reported before any
// level runs (checkResultsWritable), in one line naming the file and why; a disk that fills between the check and
// the write fails the write cleanly and leaves no temp file. (faults.test.ts fills a disk mid-sweep and resumes.) Mounting needs root (CAP_SYS_ADMIN): where the
// mount is refused the tests say so and skip, since a chmod cannot stop root and cannot fill a disk.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkResultsWritable, ResultsWriteError, writeResults } from '../../../../src/engine/sweep/writeResults';
import { runSweepParallel } from '../../../../src/worker/parallel';
import { resolveSweepHypothesis } from '../../../../src/worker/resolve';
import type { WorkerRunError } from '../../../../src/worker/errors';
import { sampleDocument } from '../../../support/sampleDocument';
import { skipUnlessMounted } from '../../../support/root';
import { copyPlanted, type PlantedCopy } from '../../../support/workerFixtures';

function mount(target: string, options: string): boolean {
  fs.mkdirSync(target, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target], { stdio: 'ignore' }).status === 0;
}

function unmount(target: string): void {
  spawnSync('umount', [target], { stdio: 'ignore' });
}

describe('results write: read-only and full file systems', function () {
  this.timeout(120_000);
  let root: string;
  let planted: PlantedCopy;
  let mounted = false;
  before(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-faults-'));
    mounted = mount(path.join(root, 'ro'), 'ro,size=64k') && mount(path.join(root, 'full'), 'size=64k');
    skipUnlessMounted(this, mounted, 'writing results to a read-only and a full disk');
    planted = copyPlanted();
  });
  after(() => {
    unmount(path.join(root, 'ro'));
    unmount(path.join(root, 'full'));
    planted?.remove();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a read-only folder: refused before any level runs, for one worker and for several', async () => {
    const out = path.join(root, 'ro', 'r.results.json');
    assert.throws(() => checkResultsWritable(out), (e: unknown) => e instanceof ResultsWriteError && /cannot write the results to .*r\.results\.json: the file system is read-only/.test(e.message));
    for (const workers of [1, 2]) {
      const progress: unknown[] = [];
      await assert.rejects(runSweepParallel({ hypothesis: await resolveSweepHypothesis(planted.hypothesis('kappa-1')), out }, { onProgress: (p) => progress.push(p) }, { workers }),
        (e: WorkerRunError) => e.code === 'run-failed' && /the file system is read-only/.test(e.message) && /--out FILE/.test(e.hint ?? ''));
      assert.deepEqual(progress, [], 'no level ran');
    }
  });

  it('a full disk: refused before any level runs; a disk that fills later fails the write and leaves no temp file', () => {
    const dir = path.join(root, 'full');
    // Fill it to the last byte.
    const filler = path.join(dir, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const out = path.join(dir, 'r.results.json');
    assert.throws(() => checkResultsWritable(out), /cannot write the results to .*: no space left on the device/);
    // Room for the check's one byte, not for the document: the write fails, atomically.
    fs.truncateSync(filler, fs.statSync(filler).size - 8192);
    checkResultsWritable(out);
    const doc = sampleDocument();
    assert.ok(JSON.stringify(doc).length > 16_384, 'the document is larger than the room left');
    assert.throws(() => writeResults(out, doc), (e: unknown) => e instanceof ResultsWriteError && /no space left on the device/.test(e.message));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['filler'], 'no results file, no temp file');
  });
});
