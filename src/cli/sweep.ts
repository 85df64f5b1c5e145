// `circuit-thermometer sweep HYPOTHESIS [--out FILE] [--html FILE] [--progress] [--json]`
// Runs the sweep in background workers (its (level, chain) pairs dealt over min(levels × chains, cores) processes), shows progress on stderr, prints the verdict table (or the results
// document with --json), and writes the results JSON and optionally a self-contained chart page.
import { twoStageInterrupt } from './interrupt';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { levelSymbol } from '../chart/figure';
import { inconclusiveText } from '../chart/format';
import { chartPageHtml } from '../chart/page';
import { readPlotlySource } from '../chart/plotlySource';
import { writeFileAtomic } from '../engine/util/atomic';
import type { SweepLevel, SweepProgress, WorkerErrorCode } from '../protocol/worker';
import { WorkerRunError } from '../worker/errors';
import { runSweepParallel } from '../worker/parallel';
import { defaultResultsPath, defaultShardPath } from '../worker/paths';
import { resolveSweepHypothesis } from '../worker/resolve';
import { runShardToFile } from '../worker/shard';
import { UsageError } from './args';
import type { CliIO, Command } from './command';
import { EXIT, exitStatusOf } from '../protocol/exitStatus';
import { displayPath } from './format';
import { ProgressDisplay, type ProgressStream } from './progress';
import { formatVerdictTable } from './table';

/** The sweep's exit statuses: every command's (src/protocol/exitStatus.ts), under the sweep's names. */
export const SWEEP_EXIT = { done: EXIT.ok, hypothesisErrors: EXIT.problems, unreadable: EXIT.usage, runFailed: EXIT.internal, cancelled: EXIT.cancelled } as const;

export interface SweepOptions {
  hypothesis: string;
  out?: string;
  html?: string;
  /** Level lines on stderr even when it is not a terminal. */
  progress?: boolean;
  /** The results document on stdout instead of the table. */
  json?: boolean;
  /** Worker processes the grid's (level, chain) pairs are dealt over; default min(levels × chains, cores). */
  workers?: number;
  /** Finish an interrupted run from the journal beside its results. */
  resume?: boolean;
  /** Run only shard `index` of `count` and write a shard document (for `merge`). */
  shard?: { index: number; count: number };
}

/** What the command needs from its process; the defaults are the real ones, tests pass their own. */
export interface SweepEnvironment {
  /** Where the progress bar is redrawn when it is a terminal. Default process.stderr. */
  terminal?: ProgressStream;
  /** Where SIGINT comes from. Default this process. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Default: the worker beside this bundle (see resolveWorkerEntry in src/worker/paths.ts). */
  workerPath?: string;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'Run a hypothesis\'s degradation sweep and print its verdict.',
  description:
    'Runs in a background worker: a progress bar on a terminal, then one row per level (ΔL, target effect E_T, the null of\n'
    + 'matched random sets m_T ± sd, the excess X_T ± se_X, collateral effect E_C, LLC, R̂/ESS per chain, the failed tests)\n'
    + 'and the verdict (t_ent, t_surv, cleanliness, summary), the calibration (k of K matched random sets would be called\n'
    + 'clean; a warning when that rate exceeds α), the inconclusive levels and what to change. Results are written atomically\n'
    + 'at the end, to <name>.results.json beside the hypothesis unless --out says otherwise. Each finished (level, chain) unit\n'
    + 'is journalled beside it (<name>.results.journal.jsonl); after Ctrl-C, a crash or a kill, --resume runs only what is\n'
    + 'missing and gives the numbers of an uninterrupted run. --shard I/N runs one shard for `merge` (see docs/cluster.md).\n'
    + 'A run that fails on its data or model (a NaN in a file too large for the check to scan) exits 1, as `check` would.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file', required: true }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'results JSON (default: <name>.results.json beside the hypothesis)' },
    { name: 'html', type: 'string', valueName: 'FILE', description: 'also write a self-contained chart page (works offline from disk)' },
    { name: 'progress', type: 'boolean', description: 'one line per finished level on stderr, also when it is not a terminal' },
    { name: 'json', type: 'boolean', description: 'print the results document on stdout instead of the table' },
    { name: 'workers', type: 'number', valueName: 'N', description: 'worker processes the (level, chain) pairs are dealt over (default: min(levels × chains, cores); same numbers for any N)' },
    { name: 'resume', type: 'boolean', description: 'finish an interrupted run: only the work units its journal (<results>.journal.jsonl) lacks run' },
    { name: 'shard', type: 'string', valueName: 'I/N', description: 'run only shard I of N (0-based, as SLURM_ARRAY_TASK_ID) and write a shard document to --out for `merge`' },
  ],
  run(args, io) {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return sweep(
      {
        hypothesis: args.positionals[0],
        out: str(args.flags.out),
        html: str(args.flags.html),
        progress: args.flags.progress === true,
        json: args.flags.json === true,
        workers: typeof args.flags.workers === 'number' ? args.flags.workers : undefined,
        resume: args.flags.resume === true,
        shard: shardFlag(str(args.flags.shard)),
      },
      io,
    );
  },
};

/** `--shard 2/8` → { index: 2, count: 8 } (0-based, like SLURM_ARRAY_TASK_ID). */
export function shardFlag(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`--shard takes I/N with 0 ≤ I < N, got '${value}'`, 'shards are numbered 0 to N − 1, as SLURM_ARRAY_TASK_ID counts with --array=0-(N−1)');
  }
  return { index, count };
}

/** A worker's error as an exit status; a run that failed on its data or model (a NaN the check did not scan) exits as `check` would. */
export function exitCodeFor(code: WorkerErrorCode, engineCode?: string): number {
  switch (code) {
    case 'hypothesis-invalid':
      return SWEEP_EXIT.hypothesisErrors;
    case 'unreadable':
      return SWEEP_EXIT.unreadable;
    case 'cancelled':
      return SWEEP_EXIT.cancelled;
    case 'run-failed':
      return exitStatusOf(engineCode) === EXIT.internal ? SWEEP_EXIT.runFailed : exitStatusOf(engineCode);
    default:
      return SWEEP_EXIT.runFailed;
  }
}

export async function sweep(options: SweepOptions, io: CliIO, env: SweepEnvironment = {}): Promise<number> {
  const terminal = env.terminal ?? process.stderr;
  const signals = env.signals ?? process;
  const hypothesisPath = path.resolve(io.cwd, options.hypothesis);
  if (!fs.existsSync(hypothesisPath) || !fs.statSync(hypothesisPath).isFile()) {
    io.err(`circuit-thermometer: cannot read ${displayPath(hypothesisPath, io.cwd)}: no such file`);
    return SWEEP_EXIT.unreadable;
  }
  const out = path.resolve(io.cwd, options.out ?? defaultResultsPath(hypothesisPath));
  const html = options.html === undefined ? undefined : path.resolve(io.cwd, options.html);

  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
    io.err(`circuit-thermometer: --workers takes a whole number ≥ 1, got ${options.workers}`);
    return SWEEP_EXIT.unreadable;
  }

  if (options.shard && options.resume) {
    io.err('circuit-thermometer: --shard and --resume do not go together (a failed shard is simply run again)');
    return SWEEP_EXIT.unreadable;
  }

  const tty = terminal.isTTY === true;
  const display = new ProgressDisplay(tty ? terminal : null, io.err, tty || options.progress === true);
  const warn = (line: string) => display.message(`warning: ${line}`);
  const { cancel, kill, onInterrupt } = twoStageInterrupt((line) => display.message(line));
  signals.on('SIGINT', onInterrupt);
  try {
    const callbacks = { onProgress: (p: SweepProgress) => display.progress(p), onLevel: (l: SweepLevel) => display.level(l), signal: cancel.signal };
    const parallel = {
      workers: options.workers,
      workerPath: env.workerPath,
      clientName: 'circuit-thermometer cli',
      killSignal: kill.signal,
      onWarning: warn,
      resume: options.resume === true,
      // The page is checked with the results before the work: a missing folder or a clash is said at once.
      ...(html ? { alsoWrites: [{ path: html, what: 'the chart page (--html)' }] } : {}),
      onLog: (line: string, source: string) => {
        if (source === 'warn') warn(line);
        else if (source === 'info' && (tty || options.progress)) display.message(line);
      },
    };
    // Resolved once, here; the workers get it with their units (the shape probe runs in a probe worker).
    const hypothesis = await resolveSweepHypothesis(hypothesisPath, env.workerPath ? { workerPath: env.workerPath } : {});
    if (options.shard) {
      const shardOut = path.resolve(io.cwd, options.out ?? defaultShardPath(hypothesisPath, options.shard));
      const shard = await runShardToFile({ hypothesis, ...options.shard, out: shardOut }, callbacks, parallel);
      display.clear();
      io.out(`shard ${options.shard.index} of ${options.shard.count}: ${shard.document.units.length} work units → ${displayPath(shard.path, io.cwd)}`);
      io.out(`merge every shard's file with: circuit-thermometer merge SHARD.json… --out RESULTS.json`);
      return SWEEP_EXIT.done;
    }
    const done = await runSweepParallel({ hypothesis, out }, callbacks, parallel);
    display.clear();
    const doc = done.document;
    // Written after the verdict is printed: a disk that fills in between costs the page, never the table.
    const writePage = (): boolean => {
      if (!html) return true;
      try {
        writeFileAtomic(html, chartPageHtml(doc, { plotlySource: readPlotlySource() }));
        return true;
      } catch (e) {
        io.err(`circuit-thermometer: cannot write the chart page to ${displayPath(html, io.cwd)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (the results are written: ${displayPath(done.resultsPath, io.cwd)})`);
        return false;
      }
    };
    if (options.json) {
      io.out(JSON.stringify(doc, null, 2));
      // The table states these; with --json only stderr can.
      const warning = doc.verdict.calibration?.warning;
      if (warning) io.err(`warning: ${warning}`);
      const inconclusive = inconclusiveText(doc.verdict, levelSymbol(doc.dial));
      if (inconclusive) io.err(`warning: ${inconclusive}`);
      return writePage() ? SWEEP_EXIT.done : SWEEP_EXIT.runFailed;
    }
    io.out(formatVerdictTable(doc));
    io.out(`results: ${displayPath(done.resultsPath, io.cwd)}`);
    if (!writePage()) return SWEEP_EXIT.runFailed;
    if (html) io.out(`chart:   ${displayPath(html, io.cwd)}`);
    return SWEEP_EXIT.done;
  } catch (e) {
    display.clear();
    if (!(e instanceof WorkerRunError)) throw e; // main() reports it as an internal error
    if (e.code === 'cancelled') {
      io.err(`sweep cancelled; no results written${e.hint ? ` (${e.hint})` : ''}`);
      return SWEEP_EXIT.cancelled;
    }
    io.err(`circuit-thermometer: ${e.message}`);
    if (e.code === 'hypothesis-invalid') for (const d of e.details ?? []) io.err(`  ${d}`);
    if (e.hint) io.err(`hint: ${e.hint}`);
    if (process.env.CIRCUIT_THERMOMETER_DEBUG && e.code !== 'hypothesis-invalid') for (const d of e.details ?? []) io.err(d);
    return exitCodeFor(e.code, e.engineCode);
  } finally {
    signals.off('SIGINT', onInterrupt);
  }
}
