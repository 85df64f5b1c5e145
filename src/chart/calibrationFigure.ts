// The sampler calibration grid as a Plotly figure: a heatmap of MALA acceptance over step size ε (rows) and
// temperature t (columns), each cell labelled with its acceptance and λ̂ (× where a chain diverged), the
// recommended ε per level outlined, and λ̂ against ε per level in a second panel. Shared by `calibrate --html`.
import type { Data, Layout } from 'plotly.js-dist';
import type { CalibrationReport } from '../protocol/calibration';
import { formatLevel } from './format';
import type { Figure } from './figure';
import type { ChartTheme } from './theme';

export const CALIBRATION_TRACE = { acceptance: 'calibration-acceptance', recommended: 'calibration-recommended' } as const;

/** `withTitle: false` leaves Plotly's title out (the calibration panel states the same above the figure). */
export function buildCalibrationFigure(r: CalibrationReport, theme: ChartTheme, options: { withTitle?: boolean } = {}): Figure {
  const stepSizes = r.rows[0]?.cells.map((c) => c.stepSize) ?? [];
  const columns = r.levels.map((t, i) => `t = ${formatLevel(t)} (nβ ${r.rows[i]!.nbeta.toPrecision(3)})`);
  const rowsText = stepSizes.map((e) => e.toExponential(1));
  // z[i][j]: acceptance at step size i, level j (null where a chain diverged: drawn as a gap, labelled ×).
  const z = stepSizes.map((_, i) => r.rows.map((row) => (row.cells[i]!.diverged || !Number.isFinite(row.cells[i]!.acceptance) ? null : row.cells[i]!.acceptance)));
  const text = stepSizes.map((_, i) => r.rows.map((row) => {
    const c = row.cells[i]!;
    return c.diverged ? '× diverged' : `${c.acceptance.toFixed(2)}<br>λ̂ ${c.llc === null ? '—' : c.llc.toPrecision(3)}${c.rhat !== null ? `<br>R̂ ${c.rhat.toFixed(2)}` : ''}`;
  }));
  const data: Data[] = [{
    type: 'heatmap', uid: CALIBRATION_TRACE.acceptance, x: columns, y: rowsText, z, text, texttemplate: '%{text}', zmin: 0, zmax: 1,
    colorscale: [[0, theme.collateral], [0.9, theme.background], [1, theme.cleanWindow]], colorbar: { title: { text: 'MALA acceptance' } },
    hovertemplate: 'ε = %{y}, %{x}<br>%{text}<extra></extra>', xaxis: 'x', yaxis: 'y',
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
    margin: { l: 80, r: 40, t: options.withTitle === false ? 20 : 50, b: 90 }, showlegend: true, legend: { orientation: 'h', y: -0.18 },
    ...(options.withTitle === false ? {} : { title: { text: `Sampler calibration: ${r.chains} chains × ${r.steps} steps per cell · recommended stepSize ${r.recommended === null ? 'none' : r.recommended.toPrecision(3)}`, font: { size: 14 } } }),
    xaxis: { ...axis, title: { text: 'temperature' }, type: 'category' },
    yaxis: { ...axis, title: { text: 'step size ε' }, type: 'category', autorange: 'reversed' },
  };
  return { data, layout };
}
