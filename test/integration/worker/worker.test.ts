// The background worker end to end: real forked processes (src/worker/worker.ts through tsx) running the real
// sweep runner on the planted-circuit examples, by the one sweep path: the hypothesis resolved here
// (resolveSweepHypothesis), its work units sent to the workers (`sweep/shard`), the results assembled and written
// here (runSweepParallel). Cancel, kill -9, divergence, bad files: each gives a clear error, never a hang, and never a
// results file (nor a temp file) behind.
import * as assert from 'assert';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { calibrateHypothesis } from '../../../src/engine/sweep/calibrationGrid';
import { checkHypothesisFile } from '../../../src/hypothesis';
import { PROTOCOL_VERSION, request, type SweepLevel, type SweepProgress, isResponse } from '../../../src/protocol/worker';
import { gradcheck } from '../../../src/engine/autodiff/gradcheck';
import { loadModel } from '../../../src/engine/onnx/load';
import { WorkerClient } from '../../../src/worker/client';
import { WorkerRunError } from '../../../src/worker/errors';
import { resolveWorkerEntry } from '../../../src/worker/paths';
import { planShape, runSweepParallel } from '../../../src/worker/parallel';
import { resolveSweepHypothesis } from '../../../src/worker/resolve';
import { allUnits } from '../../../src/engine/sweep/units';
import type { ParallelOptions } from '../../../src/worker/parallel';
import type { RunCallbacks } from '../../../src/worker/client';
import { readJournal } from '../../../src/engine/sweep/journal';
import { absoluteResults, resolveFromResults } from '../../../src/engine/sweep/resultsPaths';
import { copyPlanted, grid, slow, type PlantedCopy } from '../../support/workerFixtures';

async function rejection(p: Promise<unknown>): Promise<WorkerRunError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WorkerRunError, `a WorkerRunError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the run to fail');
}

/** A whole sweep of `file` in one worker process, by the one path: resolved here, its units sent with it. */
async function sweepInOne(file: string, out?: string, callbacks: RunCallbacks = {}, options: ParallelOptions = {}) {
  return runSweepParallel({ hypothesis: await resolveSweepHypothesis(file), ...(out ? { out } : {}) }, callbacks, { workers: 1, ...options });
}

/** Every work unit of `file`'s plan, with its resolved hypothesis (for a WorkerClient's `runShard`). */
async function wholePlan(file: string) {
  const hypothesis = await resolveSweepHypothesis(file);
  const shape = planShape(hypothesis);
  return { hypothesis, units: allUnits(shape.levels, shape.chains) };
}

/** The level statistics without the wall-clock fields. */
function numbers(levels: unknown): unknown {
  return JSON.parse(JSON.stringify(levels, (k, v) => (k === 'seconds' ? undefined : v)));
}

describe('worker: sweeps in a forked process', function () {
  this.timeout(60_000);
  let planted: PlantedCopy;
  let client: WorkerClient;

  before(() => {
    planted = copyPlanted();
    client = new WorkerClient();
  });
  after(async () => {
    await client.dispose();
    planted.remove();
  });

  it('runs kappa-1 from its file: progress, one level notification per level, then the results file beside it', async () => {
    const before = planted.files();
    const progress: SweepProgress[] = [];
    const levels: SweepLevel[] = [];
    const done = await sweepInOne(planted.hypothesis('kappa-1'), undefined, { onProgress: (p) => progress.push(p), onLevel: (l) => levels.push(l) });

    assert.strictEqual(done.resultsPath, path.join(planted.dir, 'kappa-1.results.json'));
    const onDisk = JSON.parse(fs.readFileSync(done.resultsPath, 'utf8'));
    assert.deepStrictEqual(onDisk, JSON.parse(JSON.stringify(done.document)), 'the file holds the document the client got');
    assert.deepStrictEqual(planted.files(), [...before, 'kappa-1.results.json'].sort(), 'no temp file (nor journal) left');

    const doc = done.document;
    assert.strictEqual(doc.kind, 'circuit-thermometer/results');
    assert.strictEqual(doc.status, 'complete');
    // Recorded relative to the results file (no absolute path of this machine), resolved back by readers.
    assert.strictEqual(doc.hypothesis.file, 'kappa-1.circuit.yaml');
    assert.strictEqual(resolveFromResults(doc.hypothesis.file, done.resultsPath), planted.hypothesis('kappa-1'));
    assert.deepStrictEqual(levels.map((l) => l.levelIndex), doc.levels.map((_, i) => i));
    assert.ok(levels.every((l) => l.levels === doc.levels.length));
    assert.deepStrictEqual(numbers(levels.map((l) => l.result)), numbers(doc.levels.map(({ bounds, ...rest }) => ({ ...rest, bounds }))), 'live levels are the final ones');
    assert.ok(progress.length > 0, 'progress arrives');
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction, 'progress never goes back');
    assert.ok(progress.every((p) => p.runId === done.runId && p.units === doc.levels.length && p.unitsDone <= p.units));
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].unitsDone >= progress[i - 1].unitsDone, 'units done never go back');
  });

  it('gives the same numbers for the same seed, from a resolved hypothesis and another results path', async () => {
    // Its paths are relative to the results file: made absolute again to run its resolved hypothesis.
    const firstFile = path.join(planted.dir, 'kappa-1.results.json');
    const first = absoluteResults(JSON.parse(fs.readFileSync(firstFile, 'utf8')), firstFile);
    const out = path.join(planted.dir, 'again.json');
    const done = await runSweepParallel({ hypothesis: first.hypothesis.resolved, out }, {}, { workers: 1 });
    assert.strictEqual(done.resultsPath, out);
    assert.deepStrictEqual(numbers(done.document.levels), numbers(first.levels));
    assert.deepStrictEqual(done.document.verdict, first.verdict);
    fs.rmSync(out);
  });

  it('runs the sgld dial (the worker hands the runner its sampler): LLC and nβ per level, t_W = log n', async () => {
    const file = planted.variant('sgld', (y) => y.replace(/degradation:[\s\S]*?\n(?=verdict:)/, [
      'degradation:',
      '  dial: sgld',
      '  temperatures: [1, 10]',
      '  sgld: { stepSize: 1e-3, localization: 100, chains: 2, draws: 20, burnIn: 10, thin: 1, batchSize: 64 }',
      '  seed: 0',
      '',
    ].join('\n')));
    const done = await sweepInOne(file);
    const doc = done.document;
    assert.strictEqual(doc.dial, 'sgld');
    assert.strictEqual(doc.watanabeTemperature, Math.log(doc.data.n));
    for (const l of doc.levels) {
      assert.ok(l.llc && l.nbeta !== undefined, 'sgld levels carry λ̂ and nβ');
      assert.ok(Math.abs(l.llc.mean - l.nbeta * l.lossGap.mean) <= 1e-9 * Math.max(1, Math.abs(l.llc.mean)), 'λ̂ = nβ·ΔL');
      assert.strictEqual(l.chains.length, 2);
    }
  });

  it('cancel mid-run: settles within a second, writes nothing, and the worker serves the next run', async () => {
    const file = planted.variant('slow-cancel', slow(400));
    const plan = await wholePlan(file);
    const before = planted.files();
    let cancelledAt = 0;
    let sawProgress = false;
    const run = client.runShard(plan, {
      onProgress: (p) => {
        if (!sawProgress && p.unitsDone >= 1) {
          sawProgress = true;
          cancelledAt = performance.now();
          void client.cancel();
        }
      },
    });
    const pid = client.pid;
    const e = await rejection(run);
    const took = performance.now() - cancelledAt;
    assert.strictEqual(e.code, 'cancelled');
    assert.ok(sawProgress, 'cancelled mid-run');
    assert.ok(took < 1000, `settled ${took.toFixed(0)} ms after cancel`);
    assert.deepStrictEqual(planted.files(), before, 'no results file, no temp file');
    // The runner stops between batches, so the worker answered by itself: same process, still usable.
    assert.strictEqual(client.pid, pid);
    const next = await wholePlan(planted.hypothesis('kappa-0'));
    const done = await client.runShard(next);
    assert.strictEqual(done.units, next.units.length, 'the next run completes in the same worker');
  });

  it('an AbortSignal cancels like cancel()', async () => {
    const file = planted.variant('slow-abort', slow(400));
    const controller = new AbortController();
    const e = await rejection(sweepInOne(file, undefined, { signal: controller.signal, onLevel: () => controller.abort() }));
    assert.strictEqual(e.code, 'cancelled');
    assert.ok(!fs.existsSync(path.join(planted.dir, 'slow-abort.results.json')));
  });

  it('kill -9 of the worker mid-run: rejects as killed, writes nothing; the next run starts a fresh worker', async () => {
    const file = planted.variant('slow-kill', slow(400));
    const plan = await wholePlan(file);
    const before = planted.files();
    let killed = false;
    const e = await rejection(client.runShard(plan, {
      onProgress: () => {
        if (!killed && client.pid !== undefined) {
          killed = true;
          process.kill(client.pid, 'SIGKILL');
        }
      },
    }));
    assert.strictEqual(e.code, 'worker-killed');
    assert.match(e.message, /SIGKILL/);
    assert.deepStrictEqual(planted.files(), before);
    assert.strictEqual(client.pid, undefined, 'the dead worker is forgotten');
    const next = await wholePlan(planted.hypothesis('kappa-0'));
    const done = await client.runShard(next);
    assert.strictEqual(done.units, next.units.length, 'the next run completes in a fresh worker');
  });

  it('a hypothesis whose data file is missing: hypothesis-invalid with the diagnostic, nothing written', async () => {
    const file = planted.variant('missing-data', (y) => y.replace('./data/y.npy', './data/no-such-labels.npy'));
    const e = await rejection(sweepInOne(file));
    assert.strictEqual(e.code, 'hypothesis-invalid');
    assert.ok(e.details?.some((d) => d.includes('no-such-labels.npy') && d.includes(`${file}:`)), JSON.stringify(e.details));
    assert.ok(!fs.existsSync(path.join(planted.dir, 'missing-data.results.json')));
  });

  it('a hypothesis file that cannot be read: unreadable', async () => {
    const e = await rejection(sweepInOne(path.join(planted.dir, 'nope.circuit.yaml'), path.join(planted.dir, 'nope.json')));
    assert.strictEqual(e.code, 'unreadable');
    assert.match(e.message, /nope\.circuit\.yaml/);
  });

  it('every level non-finite (NaN/Inf divergence): run-failed naming the level, nothing written', async () => {
    const file = planted.variant('all-nan', grid([1e25, 1e30]));
    const e = await rejection(sweepInOne(file));
    assert.strictEqual(e.code, 'run-failed');
    assert.match(e.message, /every level diverged.*non-finite loss at t = 1e\+25/);
    assert.strictEqual(e.details?.length, 2);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'all-nan.results.json')));
  });

  it('some levels diverged: the results are written, the diverged level flagged and warned about', async () => {
    const warnings: string[] = [];
    {
      const file = planted.variant('some-nan', grid([0.01, 0.1, 1e30]));
      const done = await sweepInOne(file, undefined, {}, { onWarning: (line) => warnings.push(line) });
      assert.strictEqual(done.document.status, 'diverged');
      assert.deepStrictEqual(done.document.levels.map((l) => l.error !== undefined), [false, false, true]);
      assert.ok(fs.existsSync(done.resultsPath));
      assert.strictEqual(warnings.length, 1);
      assert.match(warnings[0], /1 of 3 levels diverged.*level 1e\+30/);
    }
  });
});

describe('worker: a sweep fanned out over several worker processes', function () {
  this.timeout(60_000);
  let planted: PlantedCopy;

  before(() => {
    planted = copyPlanted();
  });
  after(() => planted.remove());

  it('gives exactly the one-process numbers and verdict, whatever the number of workers', async () => {
    const one = (await sweepInOne(planted.hypothesis('kappa-1'), path.join(planted.dir, 'one.json'))).document;
    const levels: number[] = [];
    const fractions: number[] = [];
    const two = await runSweepParallel(
      { hypothesis: await resolveSweepHypothesis(planted.hypothesis('kappa-1')) },
      { onLevel: (l) => levels.push(l.levelIndex), onProgress: (p) => fractions.push(p.fraction) },
      { workers: 2 },
    );
    assert.strictEqual(two.resultsPath, path.join(planted.dir, 'kappa-1.results.json'));
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(two.resultsPath, 'utf8')), JSON.parse(JSON.stringify(two.document)));
    assert.deepStrictEqual(numbers(two.document.levels), numbers(one.levels));
    assert.deepStrictEqual(two.document.verdict, one.verdict);
    assert.deepStrictEqual(two.document.baseline, one.baseline);
    assert.deepStrictEqual(two.document.hypothesis, one.hypothesis, 'the full hypothesis, not a shard’s');
    assert.deepStrictEqual([...levels].sort((a, b) => a - b), one.levels.map((_, i) => i), 'every level reported once, by its index in the full grid');
    assert.ok(fractions.every((f) => f >= 0 && f <= 1) && fractions.length > 0);
  });

  it('sgld with more workers than levels: chain groups run in separate processes and merge to the one-process numbers', async () => {
    const file = planted.variant('sgld-chains', (y) => y.replace(/degradation:[\s\S]*?seed: 0\n/,
      'degradation:\n  dial: sgld\n  temperatures: { from: 1, to: 100, count: 2 }\n' +
      '  sgld: { stepSize: 0.0001, localization: 100, chains: 4, draws: 8, burnIn: 5, thin: 1, batchSize: 32 }\n  seed: 5\n'));
    const one = (await sweepInOne(file, path.join(planted.dir, 'sgld-one.json'))).document;
    const live: { levelIndex: number; chains: number[] }[] = [];
    const fractions: number[] = [];
    const four = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {
      onLevel: (l) => live.push({ levelIndex: l.levelIndex, chains: l.result.chains.map((c) => c.chain) }),
      onProgress: (p) => fractions.push(p.fraction),
    }, { workers: 4 });
    assert.strictEqual(one.levels.length, 2);
    assert.deepStrictEqual(numbers(four.document.levels), numbers(one.levels));
    assert.deepStrictEqual(four.document.verdict, one.verdict);
    assert.ok(four.document.levels.every((l) => l.chains.every((c) => c.lossGap === undefined)), 'the merged file leaves the gap series out');
    // Each level is reported once, when both of its chain groups are back, with all four chains.
    assert.deepStrictEqual(live.sort((a, b) => a.levelIndex - b.levelIndex), [{ levelIndex: 0, chains: [0, 1, 2, 3] }, { levelIndex: 1, chains: [0, 1, 2, 3] }]);
    assert.ok(fractions.length > 0 && fractions.every((f) => f >= 0 && f <= 1));
  });

  it('cancel stops every shard within a second, writes no results, and keeps the finished units for --resume', async () => {
    const file = planted.variant('slow-parallel', slow(400));
    const controller = new AbortController();
    let cancelledAt = 0;
    const run = runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {
      signal: controller.signal,
      onLevel: () => {
        if (!cancelledAt) {
          cancelledAt = performance.now();
          controller.abort();
        }
      },
    }, { workers: 2 });
    const e = await rejection(run);
    assert.strictEqual(e.code, 'cancelled');
    assert.ok(performance.now() - cancelledAt < 1000, 'within a second');
    assert.deepStrictEqual(planted.files().filter((f) => f.startsWith('slow-parallel.results')), ['slow-parallel.results.journal.jsonl'], 'no results file, no temp file');
    const journal = readJournal(path.join(planted.dir, 'slow-parallel.results.journal.jsonl'))!;
    assert.ok(journal.units.length >= 1 && journal.units.length < 12, `${journal.units.length} units journalled`);
    assert.match(e.hint ?? '', new RegExp(`${journal.units.length} of 12 work units are kept in slow-parallel\\.results\\.journal\\.jsonl; --resume finishes the rest`));
  });

  it('--resume runs only the units the journal lacks and gives the uninterrupted numbers; the journal then goes', async () => {
    const file = planted.hypothesis('slow-parallel');
    const journalFile = path.join(planted.dir, 'slow-parallel.results.journal.jsonl');
    const before = readJournal(journalFile)!.units.length;
    const ran: number[] = [];
    const resumed = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {
      onProgress: (p) => ran.push(p.unitsDone),
    }, { workers: 2, resume: true });
    assert.ok(ran[0]! >= before, 'the journal’s units count as done from the start');
    assert.ok(!fs.existsSync(journalFile), 'the journal is removed once the results are written');
    const one = (await sweepInOne(file, path.join(planted.dir, 'slow-one.json'))).document;
    assert.deepStrictEqual(numbers(resumed.document.levels), numbers(one.levels));
    assert.deepStrictEqual(resumed.document.verdict, one.verdict);
    const e = await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {}, { resume: true }));
    assert.strictEqual(e.code, 'unreadable');
    assert.match(e.message, /no interrupted run to resume \(no slow-parallel\.results\.journal\.jsonl\)/);
  }).timeout(180_000); // three sweeps of the slow fixture: about 56 s alone, past 60 s on a loaded machine

  it('a journal of another plan is refused by --resume, naming both shapes; nothing is written', async () => {
    const file = planted.variant('resume-other', slow(50));
    const journalFile = path.join(planted.dir, 'resume-other.results.journal.jsonl');
    const controller = new AbortController();
    await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, { signal: controller.signal, onLevel: () => controller.abort() }, { workers: 1 }));
    assert.ok(fs.existsSync(journalFile));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/count: 12/, 'count: 5'));
    const e = await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {}, { resume: true }));
    assert.strictEqual(e.code, 'run-failed');
    assert.match(e.message, /resume-other\.results\.journal\.jsonl was written for 12 levels × 1 chains; the hypothesis now plans 5 × 1/);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'resume-other.results.json')));
  });

  it('a shard’s worker killed with -9 is retried once in a fresh worker: the run completes with the one-process numbers', async () => {
    const file = planted.variant('slow-parallel-kill', slow(200));
    const warnings: string[] = [];
    let killed = 0;
    const done = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {
      onProgress: (p) => {
        const workers = childWorkers();
        if (killed === 0 && p.unitsDone >= 1 && workers.length >= 2) {
          killed++;
          process.kill(workers[1]!, 'SIGKILL');
        }
      },
    }, { workers: 2, onWarning: (m) => warnings.push(m) });
    assert.strictEqual(killed, 1);
    assert.ok(warnings.some((w) => /worker \d was lost \(the worker process was killed \(SIGKILL\)\); its \d+ unfinished work units? run again in a fresh worker/.test(w)), warnings.join('\n'));
    const one = (await sweepInOne(file, path.join(planted.dir, 'kill-one.json'))).document;
    assert.deepStrictEqual(numbers(done.document.levels), numbers(one.levels));
    assert.deepStrictEqual(done.document.verdict, one.verdict);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepStrictEqual(childWorkers(), [], 'no worker left running');
  });

  it('a worker killed again after its retry fails the run as killed; the journal keeps what finished, and --resume completes it', async () => {
    const file = planted.variant('slow-parallel-kill2', slow(200));
    const killedPids = new Set<number>();
    const e = await rejection(runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {
      onProgress: (p) => {
        if (p.unitsDone < 1) return;
        // Kill every worker this run starts once a unit is in (the first of each pair, then its replacement).
        for (const pid of childWorkers()) {
          if (killedPids.size < 2 && !killedPids.has(pid)) {
            killedPids.add(pid);
            process.kill(pid, 'SIGKILL');
            break;
          }
        }
      },
    }, { workers: 1 }));
    assert.strictEqual(e.code, 'worker-killed');
    assert.strictEqual(killedPids.size, 2);
    assert.match(e.hint ?? '', /work units are kept in slow-parallel-kill2\.results\.journal\.jsonl; --resume finishes the rest/);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'slow-parallel-kill2.results.json')));
    const resumed = await runSweepParallel({ hypothesis: await resolveSweepHypothesis(file) }, {}, { workers: 2, resume: true });
    const reference = JSON.parse(fs.readFileSync(path.join(planted.dir, 'slow-parallel-kill.results.json'), 'utf8'));
    // Same settings as the previous test's file but another name: the numbers agree.
    assert.deepStrictEqual(numbers(resumed.document.levels), numbers(reference.levels));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepStrictEqual(childWorkers(), [], 'no worker left running');
  });

  it('a bad hypothesis fails where it is resolved, before any shard starts', async () => {
    const file = planted.variant('parallel-missing', (y) => y.replace('./data/x.npy', './data/gone.npy'));
    const e = await rejection(resolveSweepHypothesis(file));
    assert.strictEqual(e.code, 'hypothesis-invalid');
    assert.deepStrictEqual(childWorkers(), []);
  });
});

/** Live child processes of this one that run the worker entry (from /proc; Linux). */
function childWorkers(): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (ppid === process.pid && state !== 'Z' && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('worker.ts')) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('worker: process failures and the handshake', function () {
  this.timeout(30_000);

  it('a worker script that dies at start-up: worker-crashed with its stderr, not a hang', async () => {
    const planted = copyPlanted();
    const script = path.join(planted.dir, 'broken-worker.js');
    fs.writeFileSync(script, 'throw new Error("worker cannot load its engine");\n');
    const c = new WorkerClient({ workerPath: script });
    try {
      const e = await rejection(c.runShard(await wholePlan(planted.hypothesis('kappa-1'))));
      assert.strictEqual(e.code, 'worker-crashed');
      assert.match(e.message, /exit code 1/);
      assert.match(e.hint ?? '', /worker cannot load its engine/);
    } finally {
      await c.dispose();
      planted.remove();
    }
  });

  it('a worker whose header names another hypothesis than it was sent: the run fails, no unit of it is kept, nothing is written', async () => {
    const planted = copyPlanted();
    const warnings: string[] = [];
    try {
      const hypothesis = await resolveSweepHypothesis(planted.hypothesis('kappa-0'));
      const before = planted.files();
      const units: unknown[] = [];
      const e = await rejection(runSweepParallel({ hypothesis }, { onProgress: (p) => units.push(p.unitsDone) }, {
        workers: 1, workerPath: path.resolve(__dirname, '../../support/otherSeedWorker.ts'), onWarning: (m) => warnings.push(m),
      }));
      assert.strictEqual(e.code, 'internal', 'not retried as a lost worker');
      assert.match(e.message, /another hypothesis than the one it was sent/);
      assert.ok(units.every((n) => n === 0), 'no unit counted');
      assert.deepStrictEqual(planted.files(), before, 'no results file, no journal');
      assert.deepStrictEqual(warnings, []);
    } finally {
      planted.remove();
    }
  });

  it('a missing worker script is reported before forking', async () => {
    const c = new WorkerClient({ workerPath: '/nonexistent/dist/worker.js' });
    const e = await rejection(c.start());
    assert.strictEqual(e.code, 'worker-crashed');
    assert.match(e.hint ?? '', /npm run build/);
  });

  it('the worker refuses a client of another protocol version, and exits', async () => {
    const entry = resolveWorkerEntry();
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const reply = new Promise<unknown>((resolve) => child.once('message', resolve));
    child.send(request(1, 'initialize', { protocolVersion: PROTOCOL_VERSION + 1, client: 'from the future' }));
    const m = await reply;
    assert.ok(isResponse(m) && 'error' in m, JSON.stringify(m));
    assert.strictEqual(m.error.code, 'protocol-mismatch');
    assert.strictEqual(await exited, 2);
  });
});

describe('worker: gradient checks over the protocol', function () {
  this.timeout(60_000);
  const model = path.resolve(__dirname, '../../../examples/planted/planted-kappa-1.onnx');

  it('answers with the report the engine gives in-process', async () => {
    const client = new WorkerClient();
    try {
      const inputs = { x: { kind: 'float' as const, dims: [4, 22] } };
      const report = await client.gradcheck({ model, inputs, seed: 3, maxTensors: 2 });
      const here = await gradcheck(loadModel(model).proto, { inputs, seed: 3, maxTensors: 2 });
      assert.deepStrictEqual(report, JSON.parse(JSON.stringify(here)));
      assert.strictEqual(report.pass, true);
      assert.strictEqual(report.checked, 2);
      assert.deepStrictEqual(report.inputs, { x: [4, 22] });
    } finally {
      await client.dispose();
    }
  });

  it('a model it cannot read is a located error; aborting ends the worker and rejects as cancelled', async () => {
    const client = new WorkerClient();
    try {
      await assert.rejects(client.gradcheck({ model: path.join(__dirname, 'no-such.onnx'), inputs: {} }), (e: WorkerRunError) => /no-such\.onnx/.test(e.message));
      const abort = new AbortController();
      const pending = client.gradcheck({ model, inputs: { x: { kind: 'float', dims: [4, 22] } } }, abort.signal);
      setTimeout(() => abort.abort(), 50);
      await assert.rejects(pending, (e: WorkerRunError) => e.code === 'cancelled');
    } finally {
      await client.dispose();
    }
  });
});

describe('worker: the results path is checked before the work starts', function () {
  this.timeout(60_000);
  let planted: PlantedCopy;
  before(() => {
    planted = copyPlanted();
  });
  after(() => planted.remove());

  it('a missing folder or a directory in the way fails at once, naming the file and why, for one worker and for several', async () => {
    const hypothesis = await resolveSweepHypothesis(planted.hypothesis('kappa-1'));
    const cases: [string, RegExp][] = [
      [path.join(planted.dir, 'no-such-folder', 'r.results.json'), /cannot write the results to .*r\.results\.json: its folder does not exist/],
      [planted.dir, /cannot write the results to .*: it is a directory/],
    ];
    for (const [out, why] of cases) {
      for (const workers of [1, 2]) {
        const progress: unknown[] = [];
        await assert.rejects(runSweepParallel({ hypothesis, out }, { onProgress: (p) => progress.push(p) }, { workers }), (e: WorkerRunError) =>
          e.code === 'run-failed' && why.test(e.message) && /--out FILE/.test(e.hint ?? ''));
        assert.deepStrictEqual(progress, [], `${workers} worker(s): no level ran before the check`);
      }
    }
    assert.deepStrictEqual(fs.readdirSync(planted.dir).filter((f) => /probe|\.tmp$/.test(f)), [], 'no probe or temp file left');
  });
});

describe('worker: sampler calibration over the protocol', function () {
  this.timeout(120_000);
  const planted = path.resolve(__dirname, '../../../examples/planted');
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-calibrate-worker-'));
    const text = fs.readFileSync(path.join(planted, 'kappa-1.circuit.yaml'), 'utf8')
      .replace('./planted-kappa-1.onnx', path.join(planted, 'planted-kappa-1.onnx')).replaceAll('./data/', `${planted}/data/`)
      .replace('dial: weight-noise', 'dial: sgld').replace('temperatures: { from: 0.001, to: 3, count: 12 }', 'temperatures: [0.1, 10]\n  sgld: { batchSize: 64 }');
    fs.writeFileSync(path.join(dir, 'sgld.circuit.yaml'), text);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers with the grid the engine gives in-process', async () => {
    const file = path.join(dir, 'sgld.circuit.yaml');
    const client = new WorkerClient();
    try {
      const options = { stepSizes: [1e-4, 1e-5], chains: 2, steps: 20 };
      const report = await client.calibrate({ hypothesis: file, ...options });
      const h = (await checkHypothesisFile(file)).hypothesis!;
      const here = await calibrateHypothesis(h, options);
      assert.deepStrictEqual(report, JSON.parse(JSON.stringify(here)));
      assert.deepStrictEqual(report.levels, [0.1, 10]);
      assert.strictEqual(report.rows[0]!.cells.length, 2);
      await assert.rejects(client.calibrate({ hypothesis: path.join(dir, 'missing.circuit.yaml') }), (e: WorkerRunError) => /missing\.circuit\.yaml/.test(e.message));
    } finally {
      await client.dispose();
    }
  });
});
