// The verdict table the CLI prints after a sweep: one row per level, then the verdict: its facts, the summary,
// the calibration (and its warning), the inconclusive levels and what to change about them. Fits 120 columns:
// the level table in its compact form, the long lines (advice, warning) wrapped under their label.
import { levelSymbol } from '../chart/figure';
import { calibrationText, formatLevel, formatNumber, isVersion1, levelCells, levelTableHeader } from '../chart/format';
import { verdictSentence } from '../chart/verdictWords';
import { formatDecades } from '../protocol/format';
import type { ResultsDocument } from '../protocol/results';
import { displayWidth, padDisplay, wrapText } from './format';
import { DIALS } from '../protocol/dials';

/** The terminal width the table is laid out for. */
export const TABLE_WIDTH = 120;

/** The table and the verdict facts, one string of lines without a trailing newline. */
export function formatVerdictTable(doc: ResultsDocument): string {
  const withLlc = doc.levels.some((l) => l.llc);
  const header = levelTableHeader(levelSymbol(doc.dial), { llc: withLlc, compact: true });
  const rows: string[][] = doc.levels.map((l) => levelCells(l, withLlc, undefined, { compact: true }));
  const full = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...full.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : padDisplay(c, widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line), '', ...verdictLines(doc)].join('\n');
}

/** The verdict under the table: label, two spaces, value; long values wrap under the value's column. */
export function verdictLines(doc: ResultsDocument): string[] {
  const v = doc.verdict;
  const v1 = isVersion1(doc);
  const symbol = levelSymbol(doc.dial);
  const facts: [string, string][] = [
    ['t_ent', v.tEnt === null ? '— (no clean window)' : formatLevel(v.tEnt)],
    ['t_surv', v.tSurv === null ? `— (the ${v1 ? 'target effect' : "circuit's excess"} never persists)` : formatLevel(v.tSurv)],
    ['clean window', v.cleanWindow ? `${formatLevel(v.cleanWindow[0])} … ${formatLevel(v.cleanWindow[1])}` : 'none'],
    ['cleanliness', formatDecades(v.cleanlinessDecades)],
  ];
  if (DIALS[doc.dial].tempered) facts.push(['Watanabe t', `${formatNumber(doc.watanabeTemperature)} (log n)`]);
  const ch = v.characteristic;
  if (ch) facts.push(['characteristic t', ch.level !== null ? `${formatLevel(ch.level)} (ΔL = gap ${formatNumber(ch.gap)} to the reference loss ${formatNumber(ch.referenceLoss)})` : `— (${ch.position === 'no-gap' ? 'no gap: the reference loss is not lower' : ch.position === 'no-levels' ? 'no level ran' : 'outside the swept range'})`]);
  const sp = v.specificity;
  if (sp) {
    // Sufficiency turns the rank test round: the circuit kept alone should cost the target less than the controls.
    const [word, than, side] = v.question === 'sufficiency' ? ['keeps more', 'at most as large', 'below'] : ['specific', 'at least as large', 'above'];
    facts.push([word, `${sp.specific ? 'yes' : 'no'}: rank test at the trained network p = ${formatNumber(sp.p)} ${sp.specific ? '≤' : '>'} α = ${sp.alpha} (${sp.atLeast} of ${sp.of} controls ${than}; ${side} ${Math.round(100 * sp.percentile)}% of them; excess over their median ${formatNumber(sp.excessOverMedian)})`]);
  } else if (v.baselineExcess) {
    const b = v.baselineExcess;
    facts.push(['X_T(0)', `${formatNumber(b.mean)} (bound ${formatNumber(b.bound)}: ${b.specific ? 'specific' : 'not specific'} at the trained network)`]);
  }
  // Unwrapped: one line that scripts can find.
  facts.push(['summary', v.summary]);
  if (v.question === 'sufficiency') facts.push(['question', 'sufficiency (scope: complement): the window is a sufficient window']);
  // The same plain-English sentence as the chart's headline (and the same word as the Runs tree).
  const long: [string, string][] = [['in words', verdictSentence(v, doc.levels, symbol)]];
  const m = v.method;
  if (m) {
    const nullText = m.exact ? `all N = ${m.distinct} control sets disjoint from the circuit (an exact null)` : `K = ${m.controls} of N = ${m.distinct ?? '> 1e308'} control sets disjoint from the circuit, drawn without replacement`;
    long.push(['null', `${nullText}; the smallest excess it could call specific: ${sp?.detectableExcess != null ? formatNumber(sp.detectableExcess) : 'none (it cannot reject)'}`]);
    long.push(['tests', `α = ${m.alpha} over L = ${m.levels} levels: persistence (ρ = ${m.persistence}) and collateral (${m.collateral} statistic) at α/L; behaviour present while ≥ ${m.behaviour} of the trained advantage over a constant predictor is kept`]);
  }
  if (ch) long.push(['reference', ch.summary]);
  if (v.zeroCrossing) long.push(['flag', `the clean levels ${formatLevel(v.zeroCrossing.lower)} … ${formatLevel(v.zeroCrossing.upper)} are only a zero-crossing of E_C, not decoupling`]);
  for (const c of v.components ?? []) {
    long.push([`component ${c.index}`, `${c.tensor} [${c.units.join(', ')}] swapped for random units (${c.swaps} swaps): target p = ${formatNumber(c.target.p)}, excess ${formatNumber(c.target.excess)}; collateral p = ${formatNumber(c.collateral.p)}, excess ${formatNumber(c.collateral.excess)}`]);
  }
  long.push(['calibration', v1 ? `— ${calibrationText(v, true)}` : calibrationText(v, false)]);
  if (v.calibration?.warning) long.push(['warning', v.calibration.warning]);
  if (v.tooFewLevels) {
    long.push(['warning', `no verdict: ${v.tooFewLevels.usable} of ${doc.levels.length} levels ran without diverging, at least ${v.tooFewLevels.needed} are needed (lower the step size, or the grid's top)`]);
  }
  const e = doc.data.evaluation;
  if (e) long.push(['evaluation', `${e.rows} of ${doc.data.n} rows (${e.target} target, seeded); evaluating them instead of all rows adds se ${formatNumber(e.rowSe.targetEffect)} to E_T and ${formatNumber(e.rowSe.collateralEffect)} to E_C at the trained network, alike at every level and not in the table's se`]);
  const inconclusive = v.inconclusive ?? [];
  if (inconclusive.length > 0) long.push(['inconclusive', `${symbol} = ${inconclusive.map(formatLevel).join(', ')} (not converged: their tests are not used)`]);
  const advice = v.advice ?? [];
  const labelWidth = Math.max(...[...facts, ...long, ['advice', '']].map(([k]) => displayWidth(k)));
  const out = facts.map(([k, val]) => `${padDisplay(k, labelWidth)}  ${val}`);
  const room = TABLE_WIDTH - labelWidth - 2;
  const indent = ' '.repeat(labelWidth + 2);
  for (const [k, val] of long) {
    wrapText(val, room).forEach((text, i) => out.push(`${i === 0 ? padDisplay(k, labelWidth) : ' '.repeat(labelWidth)}  ${text}`));
  }
  // One item per piece of advice, each hanging under its dash.
  advice.forEach((a, n) => {
    wrapText(a, room - 2).forEach((text, i) => out.push(`${n === 0 && i === 0 ? padDisplay('advice', labelWidth) : indent.slice(2).padEnd(labelWidth)}  ${i === 0 ? '- ' : '  '}${text}`));
  });
  return out.map((l) => l.trimEnd());
}
