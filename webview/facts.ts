// What the webviews say about a verdict beyond its summary, as plain text (pure: no DOM, so unit tests run it):
// the runs list's facts (t_ent, the calibration k/K, cleanliness, inconclusive levels) and the chart panel's
// header lines (the calibration and its warning, the inconclusive levels, the advice).
import { levelSymbol } from '../src/chart/figure';
import { calibrationText, formatLevel, formatNumber, inconclusiveText, isVersion1, NO_NULL_V1, verdictExtras } from '../src/chart/format';
import type { ChartDoc, RunSummary } from '../src/protocol/webview';

export interface RunFacts {
  tEnt: string;
  /** "0/8 random clean" ("⚠ 3/8 random clean" past α), "no null" for a version-1 file; null when unknown. */
  calibration: { text: string; title: string; warning: boolean } | null;
  cleanliness: string;
  /** "⚠ inconclusive (2)" and the levels in words; null when every level converged. */
  inconclusive: { badge: string; text: string; levels: number[] } | null;
}

export function runFacts(run: RunSummary): RunFacts {
  const c = run.calibration;
  const calibration = c
    ? { text: `${c.warning ? '⚠ ' : ''}${c.clean}/${c.of} random clean`, title: c.warning ?? c.summary, warning: c.warning !== null }
    : run.resultsVersion === 1 ? { text: 'no null', title: NO_NULL_V1, warning: false } : null;
  const levels = run.inconclusive;
  return {
    tEnt: `t_ent ${run.tEnt === null ? '—' : formatLevel(run.tEnt)}`,
    calibration,
    cleanliness: `cleanliness ${run.cleanlinessDecades === null ? '—' : formatNumber(run.cleanlinessDecades)} dec`,
    inconclusive: levels.length > 0 ? { badge: `⚠ inconclusive (${levels.length})`, text: `inconclusive at ${levels.map(formatLevel).join(', ')} (not converged)`, levels } : null,
  };
}

export interface VerdictHeader {
  /** Facts the summary does not state (t_ent …, X_T(0)). */
  extras: string[];
  /** "Calibration: k of K matched random sets would be called clean", or "no null (results version 1)". */
  calibration: string;
  /** "⚠ …" when the calibration's rate exceeds α. */
  warning: string | null;
  inconclusive: string | null;
  advice: string[];
}

/** The chart panel's lines under the verdict summary; null while there is no verdict. */
export function verdictHeader(doc: ChartDoc | null): VerdictHeader | null {
  const v = doc?.verdict;
  if (!doc || !v) return null;
  const v1 = isVersion1(doc);
  const extras = verdictExtras(v);
  if (v.baselineExcess) extras.push(`X_T(0) = ${formatNumber(v.baselineExcess.mean)}${v.baselineExcess.specific ? '' : ' (not specific at the trained network)'}`);
  return {
    extras,
    calibration: v1 ? calibrationText(v, true) : `Calibration: ${calibrationText(v, false)}`,
    warning: v.calibration?.warning ? `⚠ ${v.calibration.warning}` : null,
    inconclusive: inconclusiveText(v, levelSymbol(doc.dial)),
    advice: v.advice ?? [],
  };
}
