// `circuit-thermometer sweep HYPOTHESIS [--out FILE] [--html FILE] [--progress] [--json]`
// Runs the sweep in the background worker, shows progress on stderr, prints the verdict table (or the results
// document with --json), and writes the results JSON and optionally a self-contained chart page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { chartPageHtml } from '../chart/page';
import { readPlotlySource } from '../chart/plotlySource';
import { writeFileAtomic } from '../engine/util/atomic';
import type { WorkerErrorCode } from '../protocol/worker';
import { WorkerClient } from '../worker/client';
import { WorkerRunError } from '../worker/errors';
import { defaultResultsPath } from '../worker/paths';
import { ProgressDisplay, type ProgressStream } from './progress';
import { formatVerdictTable } from './table';

export const SWEEP_USAGE = `usage: circuit-thermometer sweep HYPOTHESIS [--out FILE] [--html FILE] [--progress] [--json]

Runs the hypothesis's degradation sweep in a background worker and prints the verdict.
  --out FILE    results JSON (default: <name>.results.json beside the hypothesis)
  --html FILE   also write a self-contained chart page (opens offline from disk)
  --progress    show progress even when stderr is not a terminal (one line per level)
  --json        print the results document on stdout instead of the table
Ctrl-C cancels cleanly: no results file is written.
Exit status: 0 done, 1 hypothesis errors, 2 unreadable file, 3 run failed, 130 cancelled.`;

export const EXIT = { done: 0, hypothesisErrors: 1, unreadable: 2, runFailed: 3, cancelled: 130 } as const;

export interface SweepCommandIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Where SIGINT comes from (default: this process). */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Default: the worker beside this bundle (see resolveWorkerEntry). */
  workerPath?: string;
}

export function exitCodeFor(code: WorkerErrorCode): number {
  switch (code) {
    case 'hypothesis-invalid':
      return EXIT.hypothesisErrors;
    case 'unreadable':
      return EXIT.unreadable;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.runFailed;
  }
}

export async function sweepCommand(argv: string[], io: Partial<SweepCommandIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const signals = io.signals ?? process;

  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, html: { type: 'string' }, progress: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    stderr.write(`sweep: ${(e as Error).message}\n${SWEEP_USAGE}\n`);
    return EXIT.unreadable;
  }
  if (args.values.help) {
    stdout.write(`${SWEEP_USAGE}\n`);
    return EXIT.done;
  }
  if (args.positionals.length !== 1) {
    stderr.write(`sweep: expected one hypothesis file, got ${args.positionals.length}\n${SWEEP_USAGE}\n`);
    return EXIT.unreadable;
  }
  const hypothesisPath = path.resolve(args.positionals[0]);
  if (!fs.existsSync(hypothesisPath) || !fs.statSync(hypothesisPath).isFile()) {
    stderr.write(`sweep: cannot read ${hypothesisPath}: no such file\n`);
    return EXIT.unreadable;
  }
  const out = path.resolve(args.values.out ?? defaultResultsPath(hypothesisPath));
  const html = args.values.html === undefined ? undefined : path.resolve(args.values.html);

  const display = new ProgressDisplay(stderr, stderr.isTTY === true);
  const showLevels = stderr.isTTY === true || args.values.progress === true;
  const client = new WorkerClient({
    workerPath: io.workerPath,
    clientName: 'circuit-thermometer cli',
    onLog: (line, source) => {
      if (source === 'warn' || source === 'info') display.message(`${source === 'warn' ? 'warning: ' : ''}${line}`);
    },
  });
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    display.message(interrupts === 1 ? 'cancelling… (Ctrl-C again to stop at once)' : 'stopping');
    void client.cancel({ immediate: interrupts > 1 });
  };
  signals.on('SIGINT', onInterrupt);
  try {
    const done = await client.run(
      { source: { kind: 'file', path: hypothesisPath }, out },
      {
        onProgress: (p) => display.progress(p),
        onLevel: (l) => {
          if (showLevels) display.level(l);
        },
      },
    );
    display.clear();
    const doc = done.document;
    if (html) writeFileAtomic(html, chartPageHtml(doc, { plotlySource: readPlotlySource() }));
    if (args.values.json) {
      stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      stdout.write(formatVerdictTable(doc));
      stdout.write(`\nresults: ${done.resultsPath}\n`);
      if (html) stdout.write(`chart:   ${html}\n`);
    }
    if (doc.status === 'diverged') stderr.write(`warning: some levels diverged; their statistics are left out of the verdict (see the table)\n`);
    return EXIT.done;
  } catch (e) {
    display.clear();
    if (!(e instanceof WorkerRunError)) {
      stderr.write(`sweep: ${(e as Error).stack ?? String(e)}\n`);
      return EXIT.runFailed;
    }
    if (e.code === 'cancelled') {
      stderr.write('sweep cancelled; no results written\n');
      return EXIT.cancelled;
    }
    stderr.write(`sweep: ${e.message}\n`);
    if (e.code === 'hypothesis-invalid') for (const d of e.details ?? []) stderr.write(`  ${d}\n`);
    if (e.hint) stderr.write(`hint: ${e.hint}\n`);
    return exitCodeFor(e.code);
  } finally {
    signals.off('SIGINT', onInterrupt);
    await client.dispose();
  }
}
