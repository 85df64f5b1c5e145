// What the calibration panel says, as plain text (pure: no DOM, so unit tests run it): the grid's settings, the
// recommendation, the write button's label and whether it can be pressed, and the recommended ε per level.
import { calibrationRhatNote } from '../src/chart/calibrationFigure';
import { formatLevel } from '../src/chart/format';
import { formatRunTime } from '../src/protocol/format';
import type { CalibrationState } from '../src/protocol/webview';

export interface CalibrationFacts {
  title: string;
  /** "n = 128 · batch 64 · γ = 100 · 2 chains × 100 steps per cell · measured 14:05". */
  settings: string;
  recommendation: string;
  /** The write button: its label, why it is disabled (null: it can be pressed), and whether it is the panel's main
   *  action (not when the file keeps stepSize: auto for a reason). */
  write: { label: string; disabled: string | null; primary: boolean } | null;
  /** What the cells' R̂ says, and what it does not. */
  rhat: string;
  /** Set when the file changed since the grid was measured. */
  stale: string | null;
  /** One row per temperature: t, nβ, the recommended ε there, its acceptance and λ̂. */
  levels: { t: string; nbeta: string; stepSize: string; acceptance: string; llc: string }[];
}

/** auto's per-level ε must differ by this factor before a single fixed ε is called a loss. */
const AUTO_SPREAD = 1.5;

export function calibrationFacts(s: CalibrationState, now: Date = new Date()): CalibrationFacts {
  const r = s.report;
  const stale = s.stale ? `${s.label} changed since this calibration (its model, data, loss or degradation settings): run Calibrate Sampler again.` : null;
  // The per-level recommendations: what stepSize: auto picks, level by level.
  const perLevel = r.rows.map((row, i) => ({ t: r.levels[i]!, e: row.recommended })).filter((x): x is { t: number; e: number } => x.e !== null);
  const lo = perLevel.reduce((a, x) => (a === undefined || x.e < a.e ? x : a), undefined as { t: number; e: number } | undefined);
  const hi = perLevel.reduce((a, x) => (a === undefined || x.e > a.e ? x : a), undefined as { t: number; e: number } | undefined);
  const spread = lo && hi ? hi.e / lo.e : 1;
  // The file leaves ε to auto (written, or the default) and auto's ε differ between levels: one number would slow
  // the levels that take a larger one, so auto is kept and the fixed value is only offered.
  const auto = (s.current === 'auto' || s.current === null) && s.stepSize !== null && spread >= AUTO_SPREAD;
  const recommendation = s.stepSize === null
    ? 'No step size of the grid keeps MALA acceptance ≥ 0.9 at every temperature: try smaller ones (circuit-thermometer calibrate --step-sizes), raise the lowest temperature, or use stepSize: auto (ε per level).'
    : auto
      ? `Keep stepSize: auto${s.current === null ? ' (the default)' : ''}: it picks ε per level, here from ${lo!.e.toExponential(1)} at t = ${formatLevel(lo!.t)} to ${hi!.e.toExponential(1)} at t = ${formatLevel(hi!.t)} (${spread.toFixed(1)}× apart). `
        + `One fixed stepSize for every level would be ${s.stepSize}, the smallest of them: ${spread.toFixed(1)}× below what t = ${formatLevel(hi!.t)} takes, so its chains there move that much slower (write it only to skip auto's pilot chains).`
      : `Recommended: stepSize ${s.stepSize}, the largest ε whose chains keep MALA acceptance ≥ 0.9 at every temperature (or stepSize: auto, which picks ε per level).`;
  const current = s.current === null ? null : `${s.label} sets stepSize: ${s.current}`;
  const write = s.stepSize === null ? null : {
    label: `Write stepSize: ${s.stepSize} into ${s.label}`,
    disabled: stale ? 'the calibration is stale' : s.current === s.stepSize ? `${current} already` : null,
    primary: !auto,
  };
  return {
    title: `Sampler calibration: ${s.label}`,
    settings: `n = ${r.n} · batch ${r.batchSize} · γ = ${r.localization} · ${r.chains} chains × ${r.steps} steps per cell · measured ${formatRunTime(s.at, now)}${current ? ` · ${current}` : ''}`,
    recommendation,
    write,
    rhat: calibrationRhatNote(r),
    stale,
    levels: r.rows.map((row, i) => {
      const cell = row.cells.find((c) => c.stepSize === row.recommended);
      return {
        t: formatLevel(r.levels[i]!),
        nbeta: row.nbeta.toPrecision(3),
        stepSize: row.recommended === null ? 'none' : row.recommended.toExponential(1),
        acceptance: cell ? cell.acceptance.toFixed(2) : '—',
        llc: cell?.llc != null ? cell.llc.toPrecision(3) : '—',
      };
    }),
  };
}
