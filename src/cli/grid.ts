// `circuit-thermometer grid HYPOTHESIS [--out FILE] [--html FILE] [--workers N] [--resume] [--json] [--progress]`
// Two dials at once (docs/method.md, "Two dials at once"): every checkpoint of `degradation.grid` crossed with every
// level of the hypothesis's dial. The cells' work units run in worker processes and are journalled as a sweep's are
// (docs/cluster.md), so `--resume` finishes an interrupted map. Prints the clean map, E_T and E_C per cell, each
// row's window, the correction and the summary; writes the grid results document (kind circuit-thermometer/grid)
// atomically.
import { twoStageInterrupt } from './interrupt';
import * as path from 'node:path';
import { gridPageHtml } from '../chart/gridPage';
import { readPlotlySource } from '../chart/plotlySource';
import { writeFileAtomic } from '../engine/util/atomic';
import { checkResultsWritable } from '../engine/sweep/writeResults';
import { defaultGridPath } from '../engine/sweep/gridFile';
import { formatLevel } from '../protocol/format';
import { checkHypothesisFile, formatDiagnostic } from '../hypothesis';
import type { GridDocument } from '../protocol/grid';
import type { LevelResult } from '../protocol/results';
import { WorkerRunError } from '../worker/errors';
import { runGridParallel } from '../worker/gridParallel';
import { UsageError, wholeNumberFlag } from './args';
import { exitCodeFor } from './sweep';
import { type Command, EXIT } from './command';
import { displayPath } from './format';
import { formatGridTable } from './gridTable';
import { ProgressDisplay } from './progress';

export { defaultGridPath } from '../engine/sweep/gridFile';

export const gridCommand: Command = {
  name: 'grid',
  summary: 'Run a two-dial map (degradation.grid: checkpoints × a second dial) and print where the circuit is clean.',
  description:
    'Every checkpoint listed under degradation.grid (a row) is crossed with every level of the hypothesis\'s dial (a column):\n'
    + 'the dial is applied around that checkpoint\'s weights, and the verdict\'s tests run in every cell against the trained\n'
    + 'network and the same null, persistence and collateral at α/(rows × columns) (Bonferroni over the whole map). Prints the\n'
    + 'clean map, E_T and E_C per cell, each row\'s clean window and the summary; writes <name>.grid.json beside the hypothesis\n'
    + 'unless --out says otherwise. The cells\' work units run in background workers (--workers N; the same map, number for\n'
    + 'number, for any N), each finished unit journalled beside the map (<name>.grid.journal.jsonl); after Ctrl-C, a crash or\n'
    + 'a kill, --resume runs only the missing cells and writes the map an uninterrupted run writes. `plan` states the cells\n'
    + 'and their cost; `slurm` runs the map as a job array whose shards `merge` puts back together into the grid results file.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file with degradation.grid', required: true }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'grid results JSON (default: <name>.grid.json beside the hypothesis)' },
    { name: 'html', type: 'string', valueName: 'FILE', description: 'also write a self-contained page with the map (works offline from disk)' },
    { name: 'json', type: 'boolean', description: 'print the grid results document on stdout instead of the maps' },
    { name: 'workers', type: 'number', valueName: 'N', description: 'worker processes the cells\' (cell, chain) units are dealt over (default: min(cells × chains, cores))' },
    { name: 'resume', type: 'boolean', description: 'finish an interrupted map: only the work units its journal (<grid>.journal.jsonl) lacks run' },
    { name: 'progress', type: 'boolean', description: 'one line per finished cell on stderr' },
  ],
  async run(args, io) {
    const file = path.resolve(io.cwd, args.positionals[0]!);
    const checked = await checkHypothesisFile(file);
    if (!checked.hypothesis) {
      for (const d of checked.diagnostics.filter((x) => x.severity === 'error')) io.err(formatDiagnostic(d, displayPath(d.file, io.cwd)));
      return EXIT.problems;
    }
    const h = checked.hypothesis;
    if (!h.degradation.grid) {
      throw new UsageError(`${displayPath(file, io.cwd)} has no degradation.grid`, 'add degradation.grid: { checkpoints: [...] } (docs/method.md, "Two dials at once"), or run `circuit-thermometer sweep`');
    }
    const out = typeof args.flags.out === 'string' ? path.resolve(io.cwd, args.flags.out) : defaultGridPath(file);
    const html = typeof args.flags.html === 'string' ? path.resolve(io.cwd, args.flags.html) : undefined;
    const workers = wholeNumberFlag(args, 'workers', 1);
    checkResultsWritable(out);
    const rows = h.degradation.grid.steps;
    const columns = h.degradation.levels;
    const tty = process.stderr.isTTY === true;
    const display = new ProgressDisplay(tty ? process.stderr : null, io.err, false);
    const onCell = args.flags.progress ? (level: LevelResult, li: number) => {
      const r = Math.floor(li / columns.length);
      display.message(`cell ${li + 1} of ${rows.length * columns.length}: step ${formatLevel(rows[r]!)}, level ${formatLevel(level.level)}: ${level.clean ? 'clean' : `not clean${level.failed?.length ? ` (${level.failed.join(', ')})` : ''}`}`);
    } : undefined;
    const { cancel, kill, onInterrupt } = twoStageInterrupt((line) => display.message(line));
    process.on('SIGINT', onInterrupt);
    let written: GridDocument;
    try {
      written = (await runGridParallel({ hypothesis: h, out }, {
        signal: cancel.signal,
        onProgress: (p) => display.progress(p),
        ...(onCell ? { onLevel: (l) => onCell(l.result, l.levelIndex) } : {}),
      }, {
        ...(workers === undefined ? {} : { workers }),
        clientName: 'circuit-thermometer cli',
        killSignal: kill.signal,
        resume: args.flags.resume === true,
        onWarning: (m) => display.message(`warning: ${m}`),
        ...(html ? { alsoWrites: [{ path: html, what: 'the map page (--html)' }] } : {}),
      })).document;
      display.clear();
    } catch (e) {
      display.clear();
      if (!(e instanceof WorkerRunError)) throw e;
      if (e.code === 'cancelled') {
        io.err(`grid cancelled; no grid results written${e.hint ? ` (${e.hint})` : ''}`);
        return exitCodeFor(e.code);
      }
      io.err(`circuit-thermometer: ${e.message}`);
      if (e.hint) io.err(`hint: ${e.hint}`);
      return exitCodeFor(e.code, e.engineCode);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    if (html) {
      writeFileAtomic(html, gridPageHtml(written, { plotlySource: readPlotlySource() }));
      io.err(`map page written to ${displayPath(html, io.cwd)}`);
    }
    if (args.flags.json) io.out(JSON.stringify(written, null, 2));
    else io.out(formatGridTable(written));
    io.err(`grid results written to ${displayPath(out, io.cwd)}`);
    return EXIT.ok;
  },
};
