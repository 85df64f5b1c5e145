// The level table of a results document as CSV: one row per level, full-precision numbers (as JSON writes
// them), empty cells for what a level lacks (a version-1 file has no null, excess, convergence or tests; a noise
// dial has no convergence). Booleans are true/false, a test that does not apply is empty. The matched control
// sets' own estimates close each row, four columns per set (control_1_…, control_2_…). RFC 4180 quoting.
// Everything the chart draws is a column, so the chart can be re-plotted from the file alone: each estimate's 95%
// band (`…_lower`, `…_upper`, the engine's own ci95), the persistence and collateral-tolerance lines and the excess's
// bound on the target panel's scale (`…_line`), and the run's thresholds (`threshold_…`, the same in every row).
import { collateralTolerance, interval95, persistenceThreshold } from '../chart/figure';
import type { Estimate, LevelResult, ResultsDocument } from '../protocol/results';
import { type ChartDoc, chartDocOf } from '../protocol/webview';

const LEVEL_COLUMNS = [
  'level',
  'loss_gap_mean', 'loss_gap_se', 'loss_gap_lower', 'loss_gap_upper',
  'control_loss_gap_mean', 'control_loss_gap_se', 'target_loss_gap_mean', 'target_loss_gap_se',
  'target_effect_mean', 'target_effect_se', 'target_effect_dof', 'target_effect_lower', 'target_effect_upper',
  'collateral_effect_mean', 'collateral_effect_se', 'collateral_effect_dof', 'collateral_effect_lower', 'collateral_effect_upper',
  'llc_mean', 'llc_se', 'llc_lower', 'llc_upper', 'nbeta', 'step_size',
  'null_mean', 'null_sd', 'null_band_lower', 'null_band_upper', 'controls',
  'excess_mean', 'excess_se', 'excess_bound', 'excess_quantile', 'excess_threshold',
  'excess_bound_line', 'persistence_line', 'collateral_tolerance_line',
  'collateral_lower', 'collateral_upper', 'collateral_threshold',
  'target_interval_lower', 'target_interval_upper', 'sufficiency_threshold',
  'rhat_loss', 'rhat_target_effect', 'rhat_collateral_effect', 'ess_bulk_loss', 'ess_bulk_target_effect', 'ess_bulk_collateral_effect', 'ess_per_chain',
  'test_converged', 'test_specific', 'test_persists', 'test_collateral', 'test_sufficient', 'failed', 'clean',
  'collateral_negligible', 'target_persists', 'in_clean_window', 'inconclusive', 'error', 'seconds',
  'threshold_collateral_tolerance', 'threshold_persistence', 'threshold_noise_floor', 'threshold_alpha',
  'threshold_sufficiency_tolerance', 'threshold_rhat', 'threshold_ess_per_chain', 'watanabe_temperature',
] as const;

const CONTROL_COLUMNS = ['target_effect_mean', 'target_effect_se', 'collateral_effect_mean', 'collateral_effect_se'] as const;

/** The header: the level's columns, then four per matched control set (as many sets as the widest level has). */
export function levelTableCsvHeader(doc: Pick<ResultsDocument, 'levels'>): string[] {
  const sets = Math.max(0, ...doc.levels.map((l) => l.controls?.length ?? 0));
  const controls = Array.from({ length: sets }, (_, k) => CONTROL_COLUMNS.map((c) => `control_${k + 1}_${c}`)).flat();
  return [...LEVEL_COLUMNS, ...controls];
}

export function levelTableCsv(doc: ResultsDocument): string {
  const header = levelTableCsvHeader(doc);
  const sets = (header.length - LEVEL_COLUMNS.length) / CONTROL_COLUMNS.length;
  const window = doc.verdict.cleanWindow;
  const inconclusive = new Set(doc.verdict.inconclusive ?? []);
  // The chart's own view of the document: its lines are computed from exactly what the chart is given.
  const chart = chartDocOf(doc);
  const rows = doc.levels.map((l) => {
    const cells = levelRow(chart, l, window, inconclusive);
    for (let k = 0; k < sets; k++) {
      const c = l.controls?.[k];
      cells.push(...(c ? [num(c.targetEffect.mean), num(c.targetEffect.se), num(c.collateralEffect.mean), num(c.collateralEffect.se)] : ['', '', '', '']));
    }
    return cells;
  });
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

function levelRow(doc: ChartDoc, l: LevelResult, window: [number, number] | null, inconclusive: ReadonlySet<number>): string[] {
  const est = (e: Estimate | undefined) => (e ? [num(e.mean), num(e.se)] : ['', '']);
  const band = (e: Estimate | undefined) => (e ? interval95(e).map(num) : ['', '']);
  const b = l.bounds;
  const c = l.convergence;
  const t = doc.thresholds;
  // A diverged level has no statistics and is not drawn; its lines are empty like its other cells.
  const line = (y: number) => (l.error || !Number.isFinite(y) ? '' : num(y));
  const cells: Record<(typeof LEVEL_COLUMNS)[number], string> = {
    level: num(l.level),
    loss_gap_mean: num(l.lossGap.mean), loss_gap_se: num(l.lossGap.se), loss_gap_lower: band(l.lossGap)[0]!, loss_gap_upper: band(l.lossGap)[1]!,
    control_loss_gap_mean: num(l.controlLossGap.mean), control_loss_gap_se: num(l.controlLossGap.se),
    target_loss_gap_mean: est(l.targetLossGap)[0]!, target_loss_gap_se: est(l.targetLossGap)[1]!,
    target_effect_mean: num(l.targetEffect.mean), target_effect_se: num(l.targetEffect.se), target_effect_dof: num(l.targetEffect.dof),
    target_effect_lower: band(l.targetEffect)[0]!, target_effect_upper: band(l.targetEffect)[1]!,
    collateral_effect_mean: num(l.collateralEffect.mean), collateral_effect_se: num(l.collateralEffect.se), collateral_effect_dof: num(l.collateralEffect.dof),
    collateral_effect_lower: band(l.collateralEffect)[0]!, collateral_effect_upper: band(l.collateralEffect)[1]!,
    llc_mean: est(l.llc)[0]!, llc_se: est(l.llc)[1]!, llc_lower: band(l.llc)[0]!, llc_upper: band(l.llc)[1]!,
    nbeta: num(l.nbeta), step_size: num(l.stepSize),
    null_mean: num(l.null?.mean), null_sd: num(l.null?.sd), null_band_lower: num(l.null?.band[0]), null_band_upper: num(l.null?.band[1]),
    controls: l.controls ? String(l.controls.length) : '',
    excess_mean: num(l.excess?.mean), excess_se: num(l.excess?.se), excess_bound: num(l.excess?.bound),
    excess_quantile: num(l.excess?.quantile), excess_threshold: num(l.excess?.threshold),
    excess_bound_line: l.null && l.excess ? line(l.null.mean + l.excess.bound) : '',
    persistence_line: line(persistenceThreshold(doc, l)),
    collateral_tolerance_line: line(collateralTolerance(doc, l)),
    collateral_lower: num(b?.collateralLower), collateral_upper: num(b?.collateralUpper), collateral_threshold: num(b?.collateralThreshold),
    target_interval_lower: num(b?.targetInterval?.[0]), target_interval_upper: num(b?.targetInterval?.[1]), sufficiency_threshold: num(b?.sufficiencyThreshold),
    rhat_loss: num(c?.rhat.loss), rhat_target_effect: num(c?.rhat.targetEffect), rhat_collateral_effect: num(c?.rhat.collateralEffect),
    ess_bulk_loss: num(c?.essBulk.loss), ess_bulk_target_effect: num(c?.essBulk.targetEffect), ess_bulk_collateral_effect: num(c?.essBulk.collateralEffect),
    ess_per_chain: num(c?.essPerChain),
    test_converged: num(l.tests?.converged), test_specific: num(l.tests?.specific), test_persists: num(l.tests?.persists),
    test_collateral: num(l.tests?.collateral), test_sufficient: num(l.tests?.sufficient),
    // Test names have no separator in them; ";" keeps the cell unquoted.
    failed: l.failed ? l.failed.join(';') : '',
    clean: num(l.clean),
    collateral_negligible: String(l.collateralNegligible),
    target_persists: String(l.targetPersists),
    in_clean_window: String(window !== null && l.level >= window[0] && l.level <= window[1]),
    inconclusive: String(inconclusive.has(l.level)),
    error: l.error ?? '',
    seconds: num(l.seconds),
    threshold_collateral_tolerance: num(t.collateralTolerance), threshold_persistence: num(t.persistence),
    threshold_noise_floor: num(t.noiseFloor), threshold_alpha: num(t.alpha),
    threshold_sufficiency_tolerance: num(t.sufficiencyTolerance), threshold_rhat: num(t.rhat),
    threshold_ess_per_chain: num(t.essPerChain), watanabe_temperature: num(doc.watanabeTemperature),
  };
  return LEVEL_COLUMNS.map((k) => cells[k]);
}

/** JSON-style numbers and true / false; a value the file lacks, a test that does not apply, or null (JSON's NaN) is an
 *  empty cell. */
function num(x: number | boolean | null | undefined): string {
  return x === null || x === undefined ? '' : String(x);
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
