// Issue 24, item 14 (the watchdog): a sweep worker stopped with SIGSTOP stalled the sweep forever: no exit, no
// message, nothing to retry. Reproduced on the planted example with two workers: one is stopped mid-run; the
// watchdog counts it lost after its patience, kills it, and its unfinished units run again in a fresh worker, so the
// sweep completes with the numbers of an uninterrupted run.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSweepParallel } from '../../../src/worker/parallel';
import { resolveSweepHypothesis } from '../../../src/worker/resolve';
import { copyPlanted, type PlantedCopy, slow } from '../../support/workerFixtures';

/** Pids of this process's children whose command line names the worker. */
function workerChildren(): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /worker/.test(fs.readFileSync(`/proc/${d}/cmdline`, 'utf8'))) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('security: a stopped worker does not stall a sweep (issue 24, item 14)', function () {
  this.timeout(180_000);
  let planted: PlantedCopy;
  before(function () {
    if (!fs.existsSync('/proc/self/status')) this.skip(); // the watchdog reads /proc (Linux)
    planted = copyPlanted();
  });
  after(() => planted?.remove());

  it('SIGSTOP of one of two workers: lost after the watchdog\'s patience, its units rerun, the numbers unchanged', async () => {
    const file = planted.variant('slow', slow(300));
    const reference = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out: path.join(planted.dir, 'ref.json') }, {}, { workers: 1 });
    const warnings: string[] = [];
    let stopped: number | undefined;
    const done = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), out: path.join(planted.dir, 'stopped.json') }, {
      onProgress: () => {
        if (stopped !== undefined) return;
        const pids = workerChildren();
        if (pids.length < 2) return;
        stopped = pids[0]!;
        process.kill(stopped, 'SIGSTOP');
      },
    }, { workers: 2, stoppedSeconds: 2, onWarning: (m) => warnings.push(m) });
    assert.ok(stopped !== undefined, 'a worker was stopped');
    assert.ok(warnings.some((w) => /was lost \(the worker process was stopped \(SIGSTOP or a debugger\) for over 2 s\)/.test(w)), warnings.join('\n'));
    const strip = (d: unknown) => JSON.stringify(d, (k, v) => (k === 'seconds' || k === 'createdAt' || k === 'timings' || k === 'file' ? undefined : v));
    assert.equal(strip(done.document.levels), strip(reference.document.levels));
    assert.ok(!fs.existsSync(`/proc/${stopped}/status`) || !/State:\s+T/.test(fs.readFileSync(`/proc/${stopped}/status`, 'utf8')), 'the stopped worker is gone');
  });
});
