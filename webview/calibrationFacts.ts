// What the calibration panel says, as plain text (pure: no DOM, so unit tests run it): the grid's settings, the
// recommendation, the write button's label and whether it can be pressed, and the recommended ε per level.
import { formatLevel } from '../src/chart/format';
import { formatRunTime } from '../src/protocol/format';
import type { CalibrationState } from '../src/protocol/webview';

export interface CalibrationFacts {
  title: string;
  /** "n = 128 · batch 64 · γ = 100 · 2 chains × 100 steps per cell · measured 14:05". */
  settings: string;
  recommendation: string;
  /** The write button: its label, and why it is disabled (null: it can be pressed). */
  write: { label: string; disabled: string | null } | null;
  /** Set when the file changed since the grid was measured. */
  stale: string | null;
  /** One row per temperature: t, nβ, the recommended ε there, its acceptance and λ̂. */
  levels: { t: string; nbeta: string; stepSize: string; acceptance: string; llc: string }[];
}

export function calibrationFacts(s: CalibrationState, now: Date = new Date()): CalibrationFacts {
  const r = s.report;
  const stale = s.stale ? `${s.label} changed since this calibration (its model, data, loss or degradation settings): run Calibrate Sampler again.` : null;
  const recommendation = s.stepSize === null
    ? 'No step size of the grid keeps MALA acceptance ≥ 0.9 at every temperature: try smaller ones (circuit-thermometer calibrate --step-sizes), raise the lowest temperature, or use stepSize: auto (ε per level).'
    : `Recommended: stepSize ${s.stepSize}, the largest ε whose chains keep MALA acceptance ≥ 0.9 at every temperature (or stepSize: auto, which picks ε per level).`;
  const current = s.current === null ? null : `${s.label} sets stepSize: ${s.current}`;
  const write = s.stepSize === null ? null : {
    label: `Write stepSize: ${s.stepSize} into ${s.label}`,
    disabled: stale ? 'the calibration is stale' : s.current === s.stepSize ? `${current} already` : null,
  };
  return {
    title: `Sampler calibration: ${s.label}`,
    settings: `n = ${r.n} · batch ${r.batchSize} · γ = ${r.localization} · ${r.chains} chains × ${r.steps} steps per cell · measured ${formatRunTime(s.at, now)}${current ? ` · ${current}` : ''}`,
    recommendation,
    write,
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
