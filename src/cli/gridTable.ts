// What `grid` prints: the clean map (one character per cell), the maps of E_T and E_C, each row's window, how the
// map controls its errors, and the summary. Rows are checkpoints (training steps), columns the second dial's levels.
import { levelSymbol } from '../chart/figure';
import { formatLevel, formatNumber } from '../chart/format';
import { cellState, type CellState, type GridDocument } from '../protocol/grid';
import { table, wrapText } from './format';
import { TABLE_WIDTH } from './table';

export const CELL_CHARACTER: Record<CellState, string> = {
  clean: '■', 'not-clean': '·', 'no-behaviour': '○', inconclusive: '?', diverged: '×',
};

export function formatGridTable(doc: GridDocument): string {
  const symbol = levelSymbol(doc.sweep.dial);
  const head = [`step \\ ${symbol}`, ...doc.columns.map(formatLevel)];
  const map = (cell: (r: number, c: number) => string) => table([head, ...doc.rows.map((row, r) => [formatLevel(row.step), ...row.cells.map((_, c) => cell(r, c))])], '  ');
  const out: string[] = [];
  out.push(`clean cells (${CELL_CHARACTER.clean} clean, ${CELL_CHARACTER['not-clean']} tested, not clean, ${CELL_CHARACTER['no-behaviour']} target behaviour gone, ${CELL_CHARACTER.inconclusive} not converged, ${CELL_CHARACTER.diverged} diverged):`);
  out.push(...map((r, c) => CELL_CHARACTER[cellState(doc.rows[r]!.cells[c]!)]));
  out.push('', 'target effect E_T (mean over draws):');
  out.push(...map((r, c) => formatNumber(doc.rows[r]!.cells[c]!.targetEffect.mean)));
  out.push('', 'collateral effect E_C (mean over draws):');
  out.push(...map((r, c) => formatNumber(doc.rows[r]!.cells[c]!.collateralEffect.mean)));
  out.push('');
  const k = doc.correction;
  const sp = doc.sweep.verdict.specificity;
  const facts: [string, string][] = doc.rows.map((row) => [`step ${formatLevel(row.step)}`, row.verdict.summary]);
  facts.push(['tests', `α = ${k.alpha} over the map's ${k.cells} cells: persistence and collateral at α/${k.cells} = ${formatNumber(k.perCell)} in every cell (Bonferroni over the whole map); specificity once, by the rank test at the trained network${sp ? `: p = ${formatNumber(sp.p)} (${sp.specific ? 'specific' : 'not specific'})` : ''}`]);
  facts.push(['summary', doc.summary]);
  const label = Math.max(...facts.map(([f]) => f.length));
  for (const [f, text] of facts) {
    wrapText(text, TABLE_WIDTH - label - 2).forEach((line, i) => out.push(`${(i === 0 ? f : '').padEnd(label)}  ${line}`.trimEnd()));
  }
  return out.join('\n');
}
