// Where things are: the results file beside a hypothesis, the worker entry beside the bundle.
import * as path from 'node:path';

const HYPOTHESIS_SUFFIXES = ['.circuit.yaml', '.circuit.yml', '.circuit.json', '.yaml', '.yml', '.json'];

/** `<dir>/<name>.results.json` for `<dir>/<name>.circuit.yaml` (or .yml/.json). */
export function defaultResultsPath(hypothesisFile: string): string {
  const dir = path.dirname(hypothesisFile);
  const base = path.basename(hypothesisFile);
  const suffix = HYPOTHESIS_SUFFIXES.find((s) => base.toLowerCase().endsWith(s) && base.length > s.length);
  return path.join(dir, `${suffix ? base.slice(0, -suffix.length) : base}.results.json`);
}

/** `<dir>/<name>.shard-2-of-8.json` for shard 2 of 8 of `<dir>/<name>.circuit.yaml`. */
export function defaultShardPath(hypothesisFile: string, shard: { index: number; count: number }): string {
  return defaultResultsPath(hypothesisFile).replace(/\.results\.json$/, `.shard-${shard.index}-of-${shard.count}.json`);
}

export interface WorkerEntry {
  /** The script `child_process.fork` runs. */
  path: string;
  /** Node flags for it (a TypeScript entry needs tsx's loader). */
  execArgv: string[];
}

/**
 * The worker script that belongs with this copy of the client:
 * - bundled (dist/cli.js, dist/extension.js): `worker.js` in the same folder, i.e. dist/worker.js;
 * - from source under tsx (tests, `npx tsx src/cli/main.ts`): src/worker/worker.ts, loaded through tsx.
 * An explicit path (e.g. the extension's `context.asAbsolutePath('dist/worker.js')`) wins; a `.ts` path gets tsx.
 */
export function resolveWorkerEntry(explicit?: string): WorkerEntry {
  if (explicit) return { path: explicit, execArgv: explicit.endsWith('.ts') ? tsxFlags() : [] };
  const fromSource = __filename.endsWith('.ts');
  const file = path.join(__dirname, fromSource ? 'worker.ts' : 'worker.js');
  return { path: file, execArgv: fromSource ? tsxFlags() : [] };
}

function tsxFlags(): string[] {
  const loader = 'tsx/cjs'; // resolved at run time only: a dev dependency, never bundled
  return ['--require', require.resolve(loader)];
}
