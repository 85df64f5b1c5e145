// `plan HYPOTHESIS [--shards N] [--workers N] [--no-pilot] [--json]`: the sweep's work units — one per (level, chain)
// — its expected wall time (a short pilot of the model in a worker, or the last run of the same settings), and, with
// --shards, which shard (`sweep --shard I/N`) runs each. The sweep itself does not run; the hypothesis is checked as
// `check` does.
import * as path from 'node:path';
import { checkHypothesisFile, formatDiagnostic } from '../hypothesis';
import { formatLevel } from '../protocol/format';
import { allUnits, shardUnits, unitKey } from '../engine/sweep/units';
import { planShape } from '../worker/parallel';
import { UsageError, wholeNumberFlag } from './args';
import { type Command, EXIT } from './command';
import { displayPath, table } from './format';
import { estimateCost } from '../worker/costPilot';
import { defaultResultsPath } from '../worker/paths';
import { defaultGridPath } from '../engine/sweep/gridFile';

export const planCommand: Command = {
  name: 'plan',
  summary: 'List a sweep\'s work units ((level, chain) pairs) and how --shards would deal them.',
  description:
    'Every unit runs on its own, from random streams keyed by (seed, level, chain): `sweep --shard I/N` runs the units of\n'
    + 'shard I (0-based: every N-th unit from I on), `merge` puts the shards\' files back together into the results a\n'
    + 'one-process run writes. See `slurm` for a job-array script.\n'
    + 'The expected wall time is a range: from the last run of the same settings (its results file), else from a short\n'
    + 'pilot of the model in a worker (a few draws of one level; sgld: a few hundred steps too) and the work model\n'
    + '(levels × chains × draws, burn-in and thin, spread over the workers). --no-pilot states the bench\'s small-MLP pace.\n'
    + 'A two-dial map (degradation.grid) is planned by its cells: checkpoints × levels, each with its step and level.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file', required: true }],
  flags: [
    { name: 'shards', type: 'number', valueName: 'N', description: 'deal the units into N shards and show which runs each' },
    { name: 'workers', type: 'number', valueName: 'N', description: 'worker processes the estimate is for (default: as sweep, min(levels × chains, cores))' },
    { name: 'no-pilot', type: 'boolean', description: 'do not time a pilot: the estimate is the last run\'s, or the bench\'s small-MLP pace' },
    { name: 'json', type: 'boolean', description: 'print {hypothesis, levels, chains, shards, cost: {seconds, low, high, basis, workers}, units: [{levelIndex, level, chain, shard}]}' },
  ],
  async run(args, io) {
    const file = path.resolve(io.cwd, args.positionals[0]!);
    const shards = wholeNumberFlag(args, 'shards', 1) ?? 1;
    const checked = await checkHypothesisFile(file);
    if (!checked.hypothesis) {
      for (const d of checked.diagnostics.filter((x) => x.severity === 'error')) io.err(formatDiagnostic(d, displayPath(d.file, io.cwd)));
      return EXIT.problems;
    }
    const h = checked.hypothesis;
    const shape = planShape(h);
    const grid = h.degradation.levels;
    // A two-dial map's levels are its cells, row by row: level index = row × columns + column.
    const rowsOfMap = h.degradation.grid;
    const units = allUnits(shape.levels, shape.chains);
    if (shards > units.length) throw new UsageError(`--shards ${shards}: the plan has only ${units.length} work units`, `use at most ${units.length} shards`);
    const shardOf = new Map<string, number>();
    for (let i = 0; i < shards; i++) for (const u of shardUnits(units, i, shards)) shardOf.set(unitKey(u), i);
    const rows = units.map((u) => ({
      ...u, level: grid[u.levelIndex % grid.length]!, ...(rowsOfMap ? { step: rowsOfMap.steps[Math.floor(u.levelIndex / grid.length)]! } : {}), shard: shardOf.get(unitKey(u))!,
    }));
    const estimate = await estimateCost(h, { workers: wholeNumberFlag(args, 'workers', 1) ?? 0, resultsPath: rowsOfMap ? defaultGridPath(h.file) : defaultResultsPath(h.file), pilot: !args.flags['no-pilot'] });
    const cost = { seconds: estimate.range.seconds, low: estimate.range.low, high: estimate.range.high, basis: estimate.range.basis, workers: estimate.workers, text: estimate.text };
    if (args.flags.json) {
      const map = rowsOfMap ? { grid: { rows: rowsOfMap.steps.length, columns: grid.length, cells: shape.levels, steps: rowsOfMap.steps, checkpoints: rowsOfMap.checkpoints } } : {};
      io.out(JSON.stringify({ hypothesis: file, dial: h.degradation.dial, levels: shape.levels, chains: shape.chains, ...map, shards, cost, units: rows }, null, 2));
      return EXIT.ok;
    }
    const chains = `${shape.chains} chain${shape.chains === 1 ? '' : 's'}`;
    if (rowsOfMap) {
      const n = rowsOfMap.steps.length;
      io.out(`${displayPath(file, io.cwd)}: a two-dial map of ${shape.levels} cells (${n} checkpoint${n === 1 ? '' : 's'} × ${grid.length} levels of ${h.degradation.dial}), ${units.length} work units (${shape.levels} cells × ${chains})`);
    } else {
      io.out(`${displayPath(file, io.cwd)}: ${units.length} work units (${shape.levels} levels × ${chains}), dial ${h.degradation.dial}`);
    }
    io.out(`expected wall time: ${estimate.text}`);
    if (shards > 1) io.out(`${shards} shards: sweep ${displayPath(file, io.cwd)} --shard I/${shards} for I = 0 … ${shards - 1}, then merge${rowsOfMap ? ' (it writes the grid results)' : ''}`);
    io.out('');
    const header = ['unit', rowsOfMap ? 'cell' : 'level', ...(rowsOfMap ? ['step'] : []), 't', 'chain', ...(shards > 1 ? ['shard'] : [])];
    const body = rows.map((r, i) => [String(i + 1), String(r.levelIndex + 1), ...(r.step !== undefined ? [formatLevel(r.step)] : []), formatLevel(r.level), String(r.chain + 1), ...(shards > 1 ? [String(r.shard)] : [])]);
    for (const line of table([header, ...body])) io.out(line);
    return EXIT.ok;
  },
};
