// `slurm HYPOTHESIS --shards N --results RESULTS.json`: prints a bash script that submits the sweep to Slurm as a
// job array — one task per shard, each running `sweep --shard $SLURM_ARRAY_TASK_ID/N` — and a merge job that runs
// after all of them succeeded (--dependency=afterok) and writes RESULTS.json. Nothing is submitted by this command.
import * as path from 'node:path';
import { UsageError, wholeNumberFlag } from './args';
import { type Command, EXIT } from './command';

export const slurmCommand: Command = {
  name: 'slurm',
  summary: 'Print a Slurm submit script: a job array of sweep shards and a merge job.',
  description:
    'Run the printed script with bash on a login node: it creates <results>.shards/, submits the array (one task per\n'
    + 'shard, logs in <results>.shards/shard-<i>.log) and the merge job, and prints both job ids. Arguments to the script\n'
    + 'go to the merge job\'s sbatch: `bash submit.sh --wait` blocks until RESULTS.json is written. A failed shard can be\n'
    + 'run again alone (`sbatch --array=I …` or `sweep FILE --shard I/N`), then `merge`. Paths must be the same on every node.\n'
    + 'A two-dial map (degradation.grid) runs the same way: its cells are the plan\'s levels, and the merge job writes the\n'
    + 'grid results document (as `grid` does) to FILE.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file', required: true }],
  flags: [
    { name: 'shards', type: 'number', valueName: 'N', description: 'array tasks (see `plan --shards N` for what each runs)' },
    { name: 'results', type: 'string', valueName: 'FILE', description: 'where the merge job writes the results' },
    { name: 'cpus-per-task', type: 'number', valueName: 'C', description: 'CPUs per array task (default 1; the shard uses them all)' },
    { name: 'partition', type: 'string', valueName: 'P', description: 'Slurm partition (default: the cluster\'s)' },
    { name: 'time', type: 'string', valueName: 'LIMIT', description: 'time limit per task, e.g. 2:00:00 (default: the partition\'s)' },
    { name: 'cli', type: 'string', valueName: 'COMMAND', description: 'how a node runs this CLI (default: this node and script, by absolute path)' },
  ],
  async run(args, io) {
    const shards = wholeNumberFlag(args, 'shards', 1);
    if (shards === undefined) throw new UsageError('slurm needs --shards N (a whole number ≥ 1)');
    if (typeof args.flags.results !== 'string') throw new UsageError('slurm needs --results FILE (where the merge job writes the results)');
    const cpus = wholeNumberFlag(args, 'cpus-per-task', 1) ?? 1;
    // --cli is a command line the user writes (not quoted here): one line, or it would end the job script early.
    // eslint-disable-next-line no-control-regex
    if (typeof args.flags.cli === 'string' && /[\x00-\x1f\x7f]/.test(args.flags.cli)) throw new UsageError('--cli must be one line of shell (it has a control character)');
    io.out(slurmScript({
      hypothesis: path.resolve(io.cwd, args.positionals[0]!),
      results: path.resolve(io.cwd, args.flags.results),
      shards,
      cpus,
      cli: typeof args.flags.cli === 'string' ? args.flags.cli : `${shellQuote(process.execPath)} ${shellQuote(bundledCli())}`,
      ...(typeof args.flags.partition === 'string' ? { partition: args.flags.partition } : {}),
      ...(typeof args.flags.time === 'string' ? { time: args.flags.time } : {}),
    }));
    return EXIT.ok;
  },
};

export interface SlurmScriptOptions {
  hypothesis: string;
  results: string;
  shards: number;
  cpus: number;
  /** A shell command line that runs the CLI on a node (already quoted). */
  cli: string;
  partition?: string;
  time?: string;
}

export function slurmScript(o: SlurmScriptOptions): string {
  const dir = `${o.results.replace(/\.json$/i, '')}.shards`;
  const name = `ct-${path.basename(o.hypothesis).replace(/\.circuit\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const common = [...(o.partition ? [`--partition=${shellQuote(o.partition)}`] : []), ...(o.time ? [`--time=${shellQuote(o.time)}`] : [])];
  const sbatch = (...parts: string[]) => ['sbatch', '--parsable', ...parts.slice(0, 1), ...common, ...parts.slice(1)].join(' ');
  const shards = Array.from({ length: o.shards }, (_, i) => shellQuote(`${dir}/shard-${i}.json`)).join(' ');
  // The job scripts are quoted here-documents: $SLURM_ARRAY_TASK_ID expands on the node, in the task's environment.
  return [
    '#!/usr/bin/env bash',
    `# Circuit Thermometer: ${commentSafe(path.basename(o.hypothesis))} as a Slurm job array of ${o.shards} shard${o.shards === 1 ? '' : 's'} and a merge job.`,
    '# Written by `circuit-thermometer slurm`. Run it with bash; its arguments go to the merge job\'s sbatch (--wait blocks).',
    'set -euo pipefail',
    `dir=${shellQuote(dir)}`,
    'mkdir -p "$dir"',
    'cat > "$dir/shard.sh" <<\'TASK\'',
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `exec ${o.cli} sweep ${shellQuote(o.hypothesis)} --shard "$SLURM_ARRAY_TASK_ID/${o.shards}" --workers ${o.cpus} --out ${shellQuote(dir)}/shard-"$SLURM_ARRAY_TASK_ID".json`,
    'TASK',
    'cat > "$dir/merge.sh" <<\'TASK\'',
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `exec ${o.cli} merge ${shards} --out ${shellQuote(o.results)}`,
    'TASK',
    `array=$(${sbatch(`--job-name=${name}`, `--array=0-${o.shards - 1}`, `--cpus-per-task=${o.cpus}`, '--output="$dir/shard-%a.log"', '"$dir/shard.sh"')})`,
    'array=${array%%;*}',
    `echo "submitted array job $array (${o.shards} shard${o.shards === 1 ? '' : 's'})"`,
    `merge=$(${sbatch(`--job-name=${name}-merge`, '--dependency=afterok:"$array"', '--output="$dir/merge.log"', '"$@"', '"$dir/merge.sh"')})`,
    'echo "submitted merge job ${merge%%;*}: it writes the results once every shard has succeeded"',
    '',
  ].join('\n');
}

/**
 * A word bash reads back as exactly `s`, on one line: plain words stay bare, others go in `'…'` (single quotes
 * escaped), and a word with a control character in bash's `$'…'` with every such character as `\xHH`, so no newline
 * can end a comment or a here-document of the script early.
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  // eslint-disable-next-line no-control-regex
  return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** A file name for a comment line: control characters shown as `?` (the comment ends at a newline). */
function commentSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, '?');
}

/** The bundled CLI a node runs: dist/cli.js (this file is bundled into it; from source, the repo's build). */
function bundledCli(): string {
  return __filename.endsWith('.ts') ? path.resolve(__dirname, '../../dist/cli.js') : path.join(__dirname, 'cli.js');
}
