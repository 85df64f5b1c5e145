// `check HYPOTHESIS [--json] [--cost]`: every diagnostic as `path:line:col: severity: message [code]`; with --cost, the
// sweep's expected wall time (worker/costPilot.ts: the last run of the same settings, or a short pilot).
import { WorkerCheckCache } from '../worker/probeCache';
import * as nodePath from 'node:path';
import { checkHypothesisText, formatDiagnostic, readHypothesisFile } from '../hypothesis';
import { Command, EXIT } from './command';
import { displayPath } from './format';
import { estimateCost } from '../worker/costPilot';
import { defaultResultsPath } from '../worker/paths';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check a hypothesis file against its model and data.',
  description: 'Prints one line per problem: path:line:col: error|warning|info: message (hint) [code], lines and columns from 1.\n'
    + 'Status 0 without errors (warnings allowed), 1 with errors (in the hypothesis, its model or its data), 2 when the file cannot be read.\n'
    + '--json prints {file, ok, errors, warnings, diagnostics, hypothesis}; there, lines and columns count from 0.\n'
    + '--cost also states the sweep\'s expected wall time on this machine (a range; see `plan`), for a file without errors.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file', required: true }],
  flags: [
    { name: 'json', type: 'boolean', description: 'print the diagnostics (and the resolved hypothesis) as JSON' },
    { name: 'cost', type: 'boolean', description: 'time a short pilot and state the sweep\'s expected wall time (JSON: cost)' },
    { name: 'workspace', type: 'string', valueName: 'DIR', description: 'folder that relative ../ paths may not leave (default: the file\'s folder)' },
  ],
  async run(args, io) {
    const file = nodePath.resolve(io.cwd, args.positionals[0]);
    const text = readHypothesisFile(file);
    const workspace = typeof args.flags.workspace === 'string' ? nodePath.resolve(io.cwd, args.flags.workspace) : undefined;
    // The probe runs in a budgeted worker (issue 24: a model that loops forever made `check` run forever).
    const cache = new WorkerCheckCache();
    let result: Awaited<ReturnType<typeof checkHypothesisText>>;
    try {
      result = await checkHypothesisText(text, file, { ...(workspace ? { workspaceRoot: workspace } : {}), cache });
    } finally {
      await cache.dispose();
    }
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    const estimate = args.flags.cost && errors === 0 && result.hypothesis
      ? await estimateCost(result.hypothesis, { resultsPath: defaultResultsPath(result.hypothesis.file) })
      : undefined;
    if (args.flags.json) {
      const absolute = result.hypothesis?.file ?? result.draft.file;
      const cost = estimate ? { seconds: estimate.range.seconds, low: estimate.range.low, high: estimate.range.high, basis: estimate.range.basis, workers: estimate.workers, text: estimate.text } : undefined;
      io.out(JSON.stringify({ file: absolute, ok: errors === 0, errors, warnings, diagnostics: result.diagnostics, hypothesis: result.hypothesis ?? null, ...(cost ? { cost } : {}) }, null, 2));
    } else {
      for (const d of result.diagnostics) io.out(formatDiagnostic(d, displayPath(d.file, io.cwd)));
      const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
      io.err(errors + warnings === 0 ? `${displayPath(result.draft.file ?? file, io.cwd)}: no problems` : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
      if (estimate) io.err(`expected wall time of its sweep: ${estimate.text}`);
    }
    return errors > 0 ? EXIT.problems : EXIT.ok;
  },
};
