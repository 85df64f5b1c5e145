// The results document of a two-dial grid (docs/method.md, "Two dials at once"): every checkpoint of the training
// run (a row) crossed with every level of a second dial (a column). Written by the engine (src/engine/sweep/grid.ts),
// read by the CLI and the chart. Its own kind and version: results readers never mistake it for a one-dial sweep.
// Version 1.
import { isObject } from './guards';
import { levelProblem, resultsProblem, verdictProblem, type LevelResult, type ResultsDocument, type Verdict } from './results';

export const GRID_KIND = 'circuit-thermometer/grid';
export const GRID_VERSION = 1;
export const READABLE_GRID_VERSIONS: readonly number[] = [1];

/** One checkpoint crossed with every column: its cells (judged against the whole map) and its own verdict. */
export interface GridRow {
  /** The checkpoint (relative to the results file once written). */
  checkpoint: string;
  step: number;
  /** One judged level per column, in column order: the dial applied around this checkpoint's weights. */
  cells: LevelResult[];
  /** The row read as a one-dial sweep (window, t_ent, t_surv, calibration), its tests at the map's level. */
  verdict: Verdict;
}

/** How the map controls its errors (docs/method.md): stated in the file, never implied. */
export interface GridCorrection {
  method: 'bonferroni';
  alpha: number;
  /** rows × columns: the cells whose persistence and collateral tests share α. */
  cells: number;
  /** α / cells: each cell's persistence bound is 1 − α/cells, its collateral interval 1 − 2α/cells. */
  perCell: number;
  /** Specificity is the rank test at the trained network, once, at α (shared by every cell). */
  specificity: 'once at w*';
}

export interface GridDocument {
  kind: typeof GRID_KIND;
  version: 1;
  /** What every cell shares: hypothesis, model, data, the trained network's baseline (w* = the model), controls,
   *  thresholds, seed and timings, as a results document of the whole map. Its levels are empty (the cells are in
   *  `rows`, once); its verdict holds the specificity at w* and the map's summary; windows are per row. */
  sweep: ResultsDocument;
  /** The second dial's levels. */
  columns: number[];
  rows: GridRow[];
  correction: GridCorrection;
  /** Clean cells of the map, and one sentence. */
  clean: number;
  summary: string;
}

/** Null when `x` is a grid document this build reads; else the path of its first bad field. */
export function gridProblem(x: unknown): string | null {
  if (!isObject(x)) return '(the top level)';
  const g = x as Record<string, unknown>;
  if (g.kind !== GRID_KIND) return '.kind';
  if (typeof g.version !== 'number' || !READABLE_GRID_VERSIONS.includes(g.version)) return '.version';
  const sweep = resultsProblem(g.sweep);
  if (sweep !== null) return `.sweep${sweep}`;
  if (!Array.isArray(g.columns) || !g.columns.every((c) => typeof c === 'number')) return '.columns';
  if (!Array.isArray(g.rows) || g.rows.length === 0) return '.rows';
  for (let r = 0; r < g.rows.length; r++) {
    const row = g.rows[r] as Record<string, unknown>;
    if (!isObject(row)) return `.rows[${r}]`;
    if (typeof row.checkpoint !== 'string') return `.rows[${r}].checkpoint`;
    if (typeof row.step !== 'number') return `.rows[${r}].step`;
    if (!Array.isArray(row.cells) || row.cells.length !== g.columns.length) return `.rows[${r}].cells`;
    for (let c = 0; c < row.cells.length; c++) {
      const p = levelProblem(row.cells[c]);
      if (p !== null) return `.rows[${r}].cells[${c}]${p}`;
    }
    const v = verdictProblem(row.verdict);
    if (v !== null) return `.rows[${r}].verdict${v}`;
  }
  const c = g.correction as Record<string, unknown>;
  if (!isObject(c) || c.method !== 'bonferroni' || typeof c.alpha !== 'number' || typeof c.cells !== 'number' || typeof c.perCell !== 'number') return '.correction';
  if (typeof g.clean !== 'number') return '.clean';
  if (typeof g.summary !== 'string') return '.summary';
  return null;
}

export function isGridDocument(x: unknown): x is GridDocument {
  return gridProblem(x) === null;
}

/** What a cell of the map shows (the CLI's characters and the chart's colours say the same). */
export type CellState = 'clean' | 'not-clean' | 'no-behaviour' | 'inconclusive' | 'diverged';

export function cellState(cell: LevelResult): CellState {
  if (cell.error !== undefined) return 'diverged';
  if (cell.tests?.converged === false) return 'inconclusive';
  if (cell.tests?.behaviour === false) return 'no-behaviour';
  return cell.clean === true ? 'clean' : 'not-clean';
}
