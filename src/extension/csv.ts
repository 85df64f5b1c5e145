// The level table of a results document as CSV: one row per level, full-precision numbers (as JSON writes
// them), empty cells for what a level lacks. RFC 4180 quoting.
import type { Estimate, ResultsDocument } from '../protocol/results';

const HEADER = [
  'level', 'loss_gap_mean', 'loss_gap_se', 'control_loss_gap_mean', 'control_loss_gap_se',
  'target_effect_mean', 'target_effect_se', 'collateral_effect_mean', 'collateral_effect_se',
  'llc_mean', 'llc_se', 'nbeta', 'collateral_negligible', 'target_persists', 'in_clean_window', 'error', 'seconds',
];

export function levelTableCsv(doc: ResultsDocument): string {
  const window = doc.verdict.cleanWindow;
  const est = (e: Estimate | undefined) => (e ? [num(e.mean), num(e.se)] : ['', '']);
  const rows = doc.levels.map((l) => [
    num(l.level),
    ...est(l.lossGap),
    ...est(l.controlLossGap),
    ...est(l.targetEffect),
    ...est(l.collateralEffect),
    ...est(l.llc),
    l.nbeta === undefined ? '' : num(l.nbeta),
    String(l.collateralNegligible),
    String(l.targetPersists),
    String(window !== null && l.level >= window[0] && l.level <= window[1]),
    l.error ?? '',
    num(l.seconds),
  ]);
  return [HEADER, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** JSON-style numbers; a value the file lacks (or null, JSON's NaN) is an empty cell. */
function num(x: number | null | undefined): string {
  return x === null || x === undefined ? '' : String(x);
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
