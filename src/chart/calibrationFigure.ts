// The sampler calibration grid as a Plotly figure: a heatmap of MALA acceptance over step size ε (rows) and
// temperature t (columns), each cell labelled with its acceptance (× where a chain diverged, † where its chains had
// not mixed; λ̂ and R̂ against their thresholds in the hover), and the recommended ε per level outlined; with the
// sentence that says what the cells' R̂ means. Shared by the calibration panel and `calibrate --html`.
import type { Data, Layout } from 'plotly.js-dist';
import type { CalibrationReport } from '../protocol/calibration';
import { formatLevel } from './format';
import type { Figure } from './figure';
import type { ChartTheme } from './theme';

/** The acceptance a recommended ε keeps (the pilot's rule), and the R̂ above which a cell's chains had not mixed. */
const ACCEPTANCE = 0.9;
const RHAT_MIXED = 1.01;

export const CALIBRATION_TRACE = { acceptance: 'calibration-acceptance', recommended: 'calibration-recommended' } as const;

/** `withTitle: false` leaves Plotly's title out (the calibration panel states the same above the figure). */
export function buildCalibrationFigure(r: CalibrationReport, theme: ChartTheme, options: { withTitle?: boolean } = {}): Figure {
  const stepSizes = r.rows[0]?.cells.map((c) => c.stepSize) ?? [];
  // Two short lines per column (t, then nβ) instead of one long label: they stay apart at any width.
  const columns = r.levels.map((t, i) => `t = ${formatLevel(t)}<br>nβ ${r.rows[i]!.nbeta.toPrecision(3)}`);
  const rowsText = stepSizes.map((e) => e.toExponential(1));
  // z[i][j]: acceptance at step size i, level j (null where a chain diverged: drawn as a gap, labelled ×).
  const z = stepSizes.map((_, i) => r.rows.map((row) => (row.cells[i]!.diverged || !Number.isFinite(row.cells[i]!.acceptance) ? null : row.cells[i]!.acceptance)));
  // The cell shows its acceptance only (legible at a fixed size); λ̂ and R̂, with what they are judged against, in
  // the hover. A cell whose chains had not mixed (R̂ > 1.01) is marked with a dagger, explained under the figure.
  const text = stepSizes.map((_, i) => r.rows.map((row) => {
    const c = row.cells[i]!;
    return c.diverged ? '×' : `${c.acceptance.toFixed(2)}${c.rhat !== null && c.rhat > RHAT_MIXED ? '†' : ''}`;
  }));
  const hover = stepSizes.map((_, i) => r.rows.map((row) => {
    const c = row.cells[i]!;
    if (c.diverged) return 'a chain diverged';
    return [
      `MALA acceptance ${c.acceptance.toFixed(3)} (${c.acceptance >= ACCEPTANCE ? '≥' : '<'} ${ACCEPTANCE}: ${c.acceptance >= ACCEPTANCE ? 'qualifies' : 'too large a step'})`,
      `λ̂ ${c.llc === null ? '—' : c.llc.toPrecision(3)}`,
      c.rhat === null ? 'R̂ — (one chain)' : `R̂ ${c.rhat.toFixed(2)} (${c.rhat > RHAT_MIXED ? `> ${RHAT_MIXED}: not mixed in ${r.steps} steps` : `≤ ${RHAT_MIXED}: mixed`})`,
    ].join('<br>');
  }));
  const data: Data[] = [{
    type: 'heatmap', uid: CALIBRATION_TRACE.acceptance, x: columns, y: rowsText, z, text, customdata: hover, texttemplate: '%{text}',
    textfont: { size: 12 }, zmin: 0, zmax: 1, xgap: 1, ygap: 1,
    colorscale: [[0, theme.collateral], [0.9, theme.background], [1, theme.cleanWindow]], colorbar: { title: { text: 'MALA<br>acceptance' }, thickness: 12 },
    hovertemplate: 'ε = %{y}, %{x}<br>%{customdata}<extra></extra>', xaxis: 'x', yaxis: 'y',
  } as Data];
  // The recommended cell per level: an outlined marker.
  const picked = r.rows.map((row, j) => ({ j, i: row.recommended === null ? -1 : stepSizes.indexOf(row.recommended) })).filter((p) => p.i >= 0);
  data.push({
    type: 'scatter', mode: 'markers', uid: CALIBRATION_TRACE.recommended, name: 'recommended (largest ε with acceptance ≥ 0.9)',
    x: picked.map((p) => columns[p.j]!), y: picked.map((p) => rowsText[p.i]!), xaxis: 'x', yaxis: 'y',
    marker: { symbol: 'square-open', size: 38, color: theme.foreground, line: { width: 3 } }, hoverinfo: 'skip',
  } as Data);
  const axis = { gridcolor: theme.grid, color: theme.foreground };
  const layout: Partial<Layout> = {
    paper_bgcolor: theme.background, plot_bgcolor: theme.background, font: { color: theme.foreground, size: 12 },
    // Tall enough for a legible row per step size; the legend below the two-line column labels.
    height: Math.max(360, 34 * stepSizes.length + 190),
    margin: { l: 80, r: 40, t: options.withTitle === false ? 20 : 50, b: 110 }, showlegend: true, legend: { orientation: 'h', x: 0, y: -0.22, yanchor: 'top' },
    ...(options.withTitle === false ? {} : { title: { text: `Sampler calibration: ${r.chains} chains × ${r.steps} steps per cell · recommended stepSize ${r.recommended === null ? 'none' : r.recommended.toPrecision(3)}`, font: { size: 14 } } }),
    xaxis: { ...axis, title: { text: 'temperature t (and nβ)', standoff: 8 }, type: 'category', tickangle: 0, automargin: true },
    yaxis: { ...axis, title: { text: 'step size ε' }, type: 'category', autorange: 'reversed', automargin: true },
  };
  return { data, layout };
}

/** What a cell's R̂ (and its †) says, and what it does not: under the figure, in the panel and the page. */
export function calibrationRhatNote(r: Pick<CalibrationReport, 'chains' | 'steps'>): string {
  return `† R̂ > ${RHAT_MIXED}. A cell's R̂ is the split-R̂ (Vehtari et al. 2021) of its ${r.chains} chains' minibatch loss over the second half of its ${r.steps} steps, all started at w*: `
    + 'above 1.01 they had not forgotten their start in that many steps, which a small ε often cannot do. It does not judge the sweep: '
    + 'its chains run longer (burnIn: auto sizes the burn-in to the step size), and their own R̂ and ESS are on the chart\'s Sampler tab.';
}
