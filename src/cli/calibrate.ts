// `circuit-thermometer calibrate HYPOTHESIS [--step-sizes E,…] [--chains C] [--steps N] [--html FILE] [--json]`: the ε × nβ grid
// of the sgld sampler (devinterp's EpsilonBetaAnalyzer) at the hypothesis's temperatures, with the MALA acceptance,
// λ̂, R̂ and divergence of every cell, and the step size to write into the hypothesis.
import * as path from 'node:path';
import { calibrationPageHtml } from '../chart/calibrationPage';
import { readPlotlySource } from '../chart/plotlySource';
import { PILOT_ACCEPTANCE } from '../engine/dials/sgld';
import { writeFileAtomic } from '../engine/util/atomic';
import { calibrateHypothesis, DEFAULT_CALIBRATION_STEP_SIZES, type CalibrationRow } from '../engine/sweep/calibrationGrid';
import { checkHypothesisFile, formatDiagnostic } from '../hypothesis';
import { formatLevel } from '../protocol/format';
import { UsageError, wholeNumberFlag } from './args';
import { type CliIO, type Command, EXIT } from './command';
import { displayPath, table } from './format';
import { DIALS } from '../protocol/dials';

const DEFAULT_STEP_SIZES = DEFAULT_CALIBRATION_STEP_SIZES;

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'Measure the sgld sampler on an ε × nβ grid (MALA acceptance, λ̂, R̂, divergence) and recommend a step size.',
  description:
    'For every temperature t of the hypothesis (nβ = n/t, or nbeta/t) and every step size ε, C chains of N steps run from w*\n'
    + '(same sampler, batch size, localization and weights as the sweep). Per cell: the mean MALA acceptance (both ends of each\n'
    + 'step on its own minibatch), λ̂ = nβ·(mean L_B − L_n(w*)) and split-R̂ of the loss traces over the chains\' second halves,\n'
    + `and whether a chain diverged. Recommended per level: the largest ε with acceptance ≥ ${PILOT_ACCEPTANCE} that did not diverge (stepSize: auto's rule);\n`
    + 'for the hypothesis: the smallest of those (one ε that suits every level), or stepSize: auto to calibrate per level.\n'
    + 'Status 1 also when no step size qualifies at some level.',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file (its dial\'s temperatures are the grid\'s nβ)', required: true }],
  flags: [
    { name: 'step-sizes', type: 'string', valueName: 'E,…', description: `step sizes to try (default ${DEFAULT_STEP_SIZES.map((e) => e.toExponential(1)).join(', ')})` },
    { name: 'chains', type: 'number', valueName: 'C', description: 'chains per cell (default 2; R̂ needs 2)' },
    { name: 'steps', type: 'number', valueName: 'N', description: 'steps per chain (default 100)' },
    { name: 'html', type: 'string', valueName: 'FILE', description: 'also write a self-contained page with the grid as a Plotly heatmap (works offline)' },
    { name: 'json', type: 'boolean', description: 'print {hypothesis, n, localization, batchSize, chains, steps, rows: [{level, nbeta, recommended, cells: [{stepSize, acceptance, llc, rhat, diverged}]}], recommended}' },
  ],
  async run(args, io) {
    const file = path.resolve(io.cwd, args.positionals[0]!);
    const stepSizes = parseStepSizes(args.flags['step-sizes']);
    const chains = wholeNumberFlag(args, 'chains', 1) ?? 2;
    const steps = wholeNumberFlag(args, 'steps', 4) ?? 100;
    const checked = await checkHypothesisFile(file);
    if (!checked.hypothesis) {
      for (const d of checked.diagnostics.filter((x) => x.severity === 'error')) io.err(formatDiagnostic(d, displayPath(d.file, io.cwd)));
      return EXIT.problems;
    }
    const h = checked.hypothesis;
    if (DIALS[h.degradation.dial].levels !== 'temperatures') throw new UsageError('calibrate needs temperatures: the checkpoints dial has none', 'use a hypothesis with dial: sgld');
    const html = typeof args.flags.html === 'string' ? path.resolve(io.cwd, args.flags.html) : undefined;
    const report = await calibrateHypothesis(h, { stepSizes, chains, steps });
    if (html) writeFileAtomic(html, calibrationPageHtml(report, readPlotlySource()));
    const { rows, levels, recommended } = report;
    if (args.flags.json) {
      io.out(JSON.stringify({
        ...report, levels: undefined,
        rows: rows.map((r, i) => ({ level: levels[i], ...r, cells: r.cells.map(({ nbeta: _nb, ...c }) => c) })),
      }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
    } else {
      io.out(formatGrid(rows, levels, recommended, { file: displayPath(file, io.cwd), chains, steps, n: report.n }, io));
      if (html) io.out(`heatmap: ${displayPath(html, io.cwd)}`);
    }
    return recommended === null ? EXIT.problems : EXIT.ok;
  },
};

function formatGrid(rows: CalibrationRow[], levels: readonly number[], recommended: number | null, m: { file: string; chains: number; steps: number; n: number }, _io: CliIO): string {
  const stepSizes = rows[0]?.cells.map((c) => c.stepSize) ?? [];
  const cellText = (r: CalibrationRow, j: number) => {
    const c = r.cells[j]!;
    if (c.diverged) return 'diverged';
    const mark = r.recommended === c.stepSize ? ' ◀' : '';
    return `${c.acceptance.toFixed(2)} / ${c.llc === null ? '—' : c.llc.toPrecision(3)}${c.rhat !== null && c.rhat > 1.1 ? ' R̂!' : ''}${mark}`;
  };
  const lines = [
    `${m.file}: ${m.chains} chains × ${m.steps} steps per cell; MALA acceptance / λ̂ (◀ recommended: the largest ε with acceptance ≥ ${PILOT_ACCEPTANCE}; R̂! when R̂ > 1.1)`,
    '',
    ...table([['ε \\ t (nβ)', ...levels.map((t, i) => `${formatLevel(t)} (${rows[i]!.nbeta.toPrecision(3)})`)], ...stepSizes.map((e, j) => [e.toExponential(1), ...rows.map((r) => cellText(r, j))])], '  '),
    '',
    `per level: ${rows.map((r, i) => `t = ${formatLevel(levels[i]!)}: ${r.recommended === null ? 'none' : r.recommended.toExponential(1)}`).join(', ')}`,
    recommended === null
      ? 'no step size of the grid qualifies at every level: try smaller ones (--step-sizes), raise the lowest temperature, or use stepSize: auto (the default)'
      : `recommended: sgld: { stepSize: ${Number(recommended.toPrecision(3))} } (one ε for every level), or stepSize: auto, the default (ε per level)`,
  ];
  return lines.join('\n');
}

function parseStepSizes(v: unknown): number[] {
  if (v === undefined) return [...DEFAULT_STEP_SIZES];
  const list = String(v).split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((e) => !(e > 0) || !Number.isFinite(e))) throw new UsageError(`--step-sizes takes positive numbers separated by commas, not '${String(v)}'`);
  return [...new Set(list)].sort((a, b) => b - a);
}

