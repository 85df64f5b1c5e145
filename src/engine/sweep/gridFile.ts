// The two-dial map's document from the sweep of its cells, and its file (docs/method.md, "Two dials at once"): pure
// of the model, so the editor host, a parallel run's client and `merge` assemble and read maps without onnxruntime.
import * as path from 'node:path';
import { chainsPerLevel } from '../../protocol/hypothesis';
import { GRID_KIND, GRID_VERSION, gridProblem, type GridDocument, type GridRow } from '../../protocol/grid';
import { currentResults, type ResultsDocument } from '../../protocol/results';
import { formatLevel } from '../../protocol/format';
import { writeFileAtomic } from '../util/atomic';
import { readGatedDocument } from './readResults';
import { portableResults, relativeToResults } from './resultsPaths';
import { decideVerdict, judgeContext } from './verdict';

/** `<dir>/<name>.grid.json` beside `<dir>/<name>.circuit.yaml` (or `<name>.grid.circuit.yaml`). */
export function defaultGridPath(hypothesisFile: string): string {
  const base = path.basename(hypothesisFile).replace(/\.circuit\.(ya?ml|json)$/i, '').replace(/\.grid$/i, '');
  return path.join(path.dirname(hypothesisFile), `${base}.grid.json`);
}

/** The map from the sweep of its cells (levels row by row, already judged at α/cells). */
export function gridFromSweep(flat: ResultsDocument): GridDocument {
  const h = flat.hypothesis.resolved;
  const rows = h.degradation.grid!;
  const columns = h.degradation.levels;
  const cells = rows.checkpoints.length * columns.length;
  if (flat.levels.length !== cells) throw new Error(`the sweep has ${flat.levels.length} levels for a map of ${rows.checkpoints.length} × ${columns.length} cells`);
  const ctx = judgeContext(h, flat.baseline, cells, chainsPerLevel(h), flat.controls);
  const gridRows: GridRow[] = rows.checkpoints.map((checkpoint, r) => {
    const rowCells = flat.levels.slice(r * columns.length, (r + 1) * columns.length);
    return { checkpoint, step: rows.steps[r]!, cells: rowCells, verdict: decideVerdict(rowCells, ctx) };
  });
  const clean = gridRows.reduce((n, row) => n + row.cells.filter((c) => c.clean === true).length, 0);
  const alpha = ctx.settings.alpha;
  const summary = gridSummary(flat, gridRows, clean, cells);
  // The sweep's own verdict read the cells as one long curve: only what is shared stays (specificity at w*, the
  // method, the components); windows are per row.
  const { characteristic: _c, ...shared } = flat.verdict;
  // Its levels are the rows' cells: kept once, in `rows`.
  const sweep: ResultsDocument = {
    ...flat,
    levels: [],
    verdict: { ...shared, cleanWindow: null, tEnt: null, tSurv: null, cleanlinessDecades: 0, zeroCrossing: null, calibration: null, summary },
  };
  return {
    kind: GRID_KIND, version: GRID_VERSION, sweep, columns: [...columns], rows: gridRows,
    correction: { method: 'bonferroni', alpha, cells, perCell: alpha / cells, specificity: 'once at w*' },
    clean, summary,
  };
}

function gridSummary(flat: ResultsDocument, rows: readonly GridRow[], clean: number, cells: number): string {
  const sp = flat.verdict.specificity;
  const shape = `${rows.length} checkpoint${rows.length === 1 ? '' : 's'} × ${cells / rows.length} levels`;
  if (flat.verdict.tooFewLevels) return `inconclusive: ${flat.verdict.tooFewLevels.usable} of ${cells} cells ran without diverging`;
  if (!sp) return `no null (controls.count < 2): no cell can be called clean (${shape})`;
  if (!sp.specific) return `not specific at the trained network (rank test p = ${sp.p.toPrecision(2)} > α = ${sp.alpha}): no cell of the ${shape} map can be clean`;
  if (clean === 0) return `clean in no cell of the ${shape} map`;
  const windows = rows.filter((r) => r.verdict.cleanWindow).map((r) => `step ${formatLevel(r.step)}: ${formatLevel(r.verdict.cleanWindow![0])} … ${formatLevel(r.verdict.cleanWindow![1])}`);
  return `clean in ${clean} of ${cells} cells of the ${shape} map${windows.length > 0 ? ` (clean windows: ${windows.join('; ')})` : ''}`;
}

/** The map as `file` records it: every path relative to its folder (as results files do). */
export function portableGrid(doc: GridDocument, file: string): GridDocument {
  return { ...doc, sweep: portableResults(doc.sweep, file), rows: doc.rows.map((r) => ({ ...r, checkpoint: relativeToResults(r.checkpoint, file) })) };
}

/** Writes the map atomically (temp file + rename), paths relative to its folder; returns it as written. */
export function writeGrid(doc: GridDocument, file: string): GridDocument {
  const written = portableGrid(doc, file);
  writeFileAtomic(file, `${JSON.stringify(written, null, 2)}\n`);
  return written;
}

/** Reads a map back through the read gate: one located refusal (the first bad field) for anything else. */
export function readGridFile(file: string): GridDocument {
  const grid = readGatedDocument<GridDocument>(file, 'grid results file', 'grid results document', gridProblem);
  return { ...grid, sweep: currentResults(grid.sweep) };
}
