// Parallel chains across processes: k forked processes, each running one MLP chain on t intra-op threads, all
// started together after their setup; aggregate steps/s = the sum of their rates. Compares e.g. 1 × 1, 2 × 1 and
// 1 × 2 (processes × threads) on the same cores.
import { fork } from 'node:child_process';
import { modularMlp } from './models';
import { median } from './stats';
import { BenchSource, createSampler } from './steps';

export const CHILD_FLAG = '--child-chain';

export interface ParallelResult {
  processes: number;
  threads: number;
  source: BenchSource;
  /** Sum over processes of steps/s (median over repeats). */
  aggregateStepsPerSec: number;
  perProcess: number[];
}

export interface ChildMessage { kind: 'ready' | 'done'; stepsPerSec?: number }

/** The child side: set up, report ready, run for `seconds` after 'go', report the rate, exit. */
export async function runChild(argv: readonly string[]): Promise<void> {
  const threads = Number(argv[argv.indexOf(CHILD_FLAG) + 1]);
  const seconds = Number(argv[argv.indexOf(CHILD_FLAG) + 2]);
  const key = Number(argv[argv.indexOf(CHILD_FLAG) + 3]);
  const source = (argv[argv.indexOf(CHILD_FLAG) + 4] ?? 'default') as BenchSource;
  const sampler = await createSampler(modularMlp(), source, threads);
  const send = (m: ChildMessage) => process.send!(m);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    send({ kind: 'ready' });
  });
  const settings = { stepSize: 1e-5, nbeta: 1000, localization: 100, burnIn: 0, draws: 1e9, thin: 1, key: [9, key], chain: key, divergenceLoss: Infinity };
  let steps = 0, start = 0;
  for await (const d of sampler.chain(settings)) {
    if (d.step === 10) start = performance.now();
    if (d.step > 10) {
      steps++;
      if (performance.now() - start > seconds * 1000) break;
    }
  }
  send({ kind: 'done', stepsPerSec: steps / ((performance.now() - start) / 1000) });
  await sampler.dispose();
  process.disconnect?.();
}

async function runOnce(processes: number, threads: number, seconds: number, source: BenchSource): Promise<number[]> {
  const done = await runChildrenTogether(Array.from({ length: processes }, (_, i) => [CHILD_FLAG, String(threads), String(seconds), String(i), source]));
  return done.map((m) => m.stepsPerSec!);
}

/**
 * Forks one bench child per argument list (this bundle, a child flag first), waits until every one has set up
 * ('ready'), starts them together ('go'), and returns their 'done' messages once all have exited.
 */
export async function runChildrenTogether(argLists: readonly string[][]): Promise<ChildMessage[]> {
  const children = argLists.map((args) => fork(process.argv[1]!, args, { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const next = (c: (typeof children)[number], kind: ChildMessage['kind']) => new Promise<ChildMessage>((resolve, reject) => {
    const onMessage = (m: ChildMessage) => { if (m.kind === kind) { c.off('message', onMessage); resolve(m); } };
    c.on('message', onMessage);
    c.once('exit', (code) => reject(new Error(`bench child exited (${code}) before '${kind}'`)));
  });
  await Promise.all(children.map((c) => next(c, 'ready')));
  const done = children.map((c) => next(c, 'done'));
  for (const c of children) c.send('go');
  const messages = await Promise.all(done);
  await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))));
  return messages;
}

/** Processes × threads, and the noise source when it is not the run's (e.g. `none`, for the noise cost). */
export type ParallelConfig = readonly [processes: number, threads: number, source?: BenchSource];

/** Every configuration once per repeat, interleaved. */
export async function measureParallel(configs: readonly ParallelConfig[], seconds: number, repeats: number, source: BenchSource = 'default'): Promise<ParallelResult[]> {
  const results: ParallelResult[] = [];
  const samples = configs.map(() => [] as number[][]);
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < configs.length; i++) samples[i]!.push(await runOnce(configs[i]![0], configs[i]![1], seconds, configs[i]![2] ?? source));
  }
  configs.forEach(([processes, threads, own], i) => {
    const totals = samples[i]!.map((rates) => rates.reduce((a, v) => a + v, 0));
    const best = samples[i]![totals.indexOf(median(totals))] ?? samples[i]![0]!;
    results.push({ processes, threads, source: own ?? source, aggregateStepsPerSec: median(totals), perProcess: best });
  });
  return results;
}
