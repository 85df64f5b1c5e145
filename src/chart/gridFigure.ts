// The two-dial map as a Plotly figure (docs/method.md, "Two dials at once"): three heatmaps side by side sharing
// their axes — which cells are clean, the target effect E_T and the collateral effect E_C — rows the checkpoints
// (training steps), columns the second dial's levels (cells evenly spaced, labelled with their values). The region of
// clean cells is outlined on all three, so E_T and E_C are read against it. One pure function of the grid document.
import type { Data, Layout, Shape } from 'plotly.js-dist';
import { escapeHtml } from '../protocol/escape';
import { cellState, type CellState, type GridDocument } from '../protocol/grid';
import type { LevelResult } from '../protocol/results';
import { levelSymbol, type Figure } from './figure';
import { formatEstimate, formatLevel, formatNumber } from './format';
import { type ChartTheme, withAlpha } from './theme';

/** Stable names, so tests and the page can find a piece of the figure. */
export const GRID_TRACE = { clean: 'grid-clean', target: 'grid-target', collateral: 'grid-collateral' } as const;
export const GRID_SHAPE = { region: 'grid-clean-region' } as const;

/** The clean map's colour scale: one value per state. */
const STATE_VALUE: Record<CellState, number> = { diverged: 0, inconclusive: 1, 'no-behaviour': 2, 'not-clean': 3, clean: 4 };
const STATE_TEXT: Record<CellState, string> = {
  clean: 'clean', 'not-clean': 'tested, not clean', 'no-behaviour': 'target behaviour gone (no test)', inconclusive: 'not converged (no test)', diverged: 'diverged',
};

/**
 * The outline of the clean cells: the unit edges between a clean cell and a cell (or the border) that is not, in cell
 * coordinates (column c spans c ± 0.5, row r spans r ± 0.5). Pure, so it is tested on its own.
 */
export function cleanOutline(clean: readonly (readonly boolean[])[]): [number, number, number, number][] {
  const at = (r: number, c: number) => clean[r]?.[c] === true;
  const edges: [number, number, number, number][] = [];
  for (let r = 0; r < clean.length; r++) {
    for (let c = 0; c < clean[r]!.length; c++) {
      if (!at(r, c)) continue;
      if (!at(r - 1, c)) edges.push([c - 0.5, r - 0.5, c + 0.5, r - 0.5]);
      if (!at(r + 1, c)) edges.push([c - 0.5, r + 0.5, c + 0.5, r + 0.5]);
      if (!at(r, c - 1)) edges.push([c - 0.5, r - 0.5, c - 0.5, r + 0.5]);
      if (!at(r, c + 1)) edges.push([c + 0.5, r - 0.5, c + 0.5, r + 0.5]);
    }
  }
  return edges;
}

/** `withTitle: false`: the panel states the name, summary and correction above the figure itself (narrow columns
 *  would cut a figure title). */
export function buildGridFigure(doc: GridDocument, theme: ChartTheme, options: { withTitle?: boolean } = {}): Figure {
  const symbol = levelSymbol(doc.sweep.dial);
  const xs = doc.columns.map((_, i) => i);
  const ys = doc.rows.map((_, i) => i);
  const hover = doc.rows.map((row) => row.cells.map((cell) => cellHover(row.step, symbol, cell)));
  const grid = (f: (cell: LevelResult) => number | null) => doc.rows.map((row) => row.cells.map(f));
  const panel = (uid: string, i: number, z: (number | null)[][], extra: Record<string, unknown>): Data => ({
    uid, type: 'heatmap', x: xs, y: ys, z, xaxis: i === 0 ? 'x' : `x${i + 1}`, yaxis: 'y', hoverinfo: 'text', text: hover, hoverongaps: false, xgap: 1, ygap: 1, ...extra,
  } as unknown as Data);
  const states: CellState[] = ['diverged', 'inconclusive', 'no-behaviour', 'not-clean', 'clean'];
  const stateColour: Record<CellState, string> = {
    diverged: theme.warning, inconclusive: withAlpha(theme.marker, 0.45), 'no-behaviour': withAlpha(theme.marker, 0.15), 'not-clean': withAlpha(theme.collateral, 0.35), clean: theme.cleanWindow,
  };
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const data: Data[] = [
    panel(GRID_TRACE.clean, 0, grid((c) => STATE_VALUE[cellState(c)]), {
      name: 'clean cells', zmin: 0, zmax: 4, showscale: false,
      colorscale: states.flatMap((s, i) => [[i / 5, stateColour[s]], [(i + 1) / 5, stateColour[s]]]),
    }),
    panel(GRID_TRACE.target, 1, grid((c) => finite(c.targetEffect.mean)), {
      name: 'E_T', colorscale: [[0, theme.background], [1, theme.target]], colorbar: { title: { text: 'E_T' }, x: 0.64, len: 0.8, thickness: 10 },
    }),
    panel(GRID_TRACE.collateral, 2, grid((c) => finite(c.collateralEffect.mean)), {
      name: 'E_C', colorscale: [[0, theme.background], [1, theme.collateral]], colorbar: { title: { text: 'E_C' }, x: 1.0, len: 0.8, thickness: 10 },
    }),
  ];
  const clean = doc.rows.map((row) => row.cells.map((c) => c.clean === true));
  const shapes: Partial<Shape>[] = [];
  for (const xref of ['x', 'x2', 'x3'] as const) {
    for (const [x0, y0, x1, y1] of cleanOutline(clean)) {
      shapes.push({ name: GRID_SHAPE.region, type: 'line', xref, yref: 'y', x0, y0, x1, y1, line: { color: theme.foreground, width: 2.5 } });
    }
  }
  const columnAxis = (domain: [number, number], title: string) => ({
    domain, title: { text: title }, tickmode: 'array' as const, tickvals: xs, ticktext: doc.columns.map(formatLevel), color: theme.foreground, gridcolor: theme.grid, zeroline: false,
  });
  const layout: Partial<Layout> = {
    title: { text: `<b>${escapeHtml(doc.sweep.hypothesis.resolved.circuit.name)}</b>: ${escapeHtml(doc.summary)}<br><sup>${escapeHtml(`persistence and collateral at α/${doc.correction.cells} = ${formatNumber(doc.correction.perCell)} per cell (Bonferroni over the map); outlined: the clean region`)}</sup>`, font: { size: 13 } },
    paper_bgcolor: theme.background, plot_bgcolor: theme.background, font: { color: theme.foreground },
    xaxis: columnAxis([0, 0.28], `clean cells (${symbol})`),
    xaxis2: columnAxis([0.36, 0.62], `E_T (${symbol})`),
    xaxis3: columnAxis([0.72, 0.98], `E_C (${symbol})`),
    yaxis: { title: { text: 'checkpoint step' }, tickmode: 'array', tickvals: ys, ticktext: doc.rows.map((r) => formatLevel(r.step)), color: theme.foreground, gridcolor: theme.grid, zeroline: false },
    shapes,
    margin: { t: options.withTitle === false ? 20 : 80, l: 70, r: 30, b: 60 },
  } as Partial<Layout>;
  if (options.withTitle === false) delete layout.title;
  return { data, layout };
}

function cellHover(step: number, symbol: string, cell: LevelResult): string {
  const state = cellState(cell);
  const lines = [
    `step ${formatLevel(step)}, ${symbol} = ${formatLevel(cell.level)}: ${STATE_TEXT[state]}`,
    `E_T = ${formatEstimate(cell.targetEffect)}, E_C = ${formatEstimate(cell.collateralEffect)}, ΔL = ${formatNumber(cell.lossGap.mean)}`,
  ];
  if (cell.failed && cell.failed.length > 0) lines.push(`failed: ${cell.failed.join(', ')}`);
  if (cell.error) lines.push(cell.error);
  return lines.map(escapeHtml).join('<br>');
}
