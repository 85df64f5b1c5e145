// What the chart panel says about a verdict beyond its summary, as plain text (pure: no DOM, so unit tests run it):
// its header lines (the calibration and its warning, the inconclusive levels, the advice). The Runs tree's words
// are in src/extension/runItems.ts.
import { levelSymbol } from '../src/chart/figure';
import { calibrationText, formatNumber, inconclusiveText, isVersion1, verdictExtras } from '../src/chart/format';
import { OUTCOME_WORD, outcomeOf, type Outcome, verdictSentence } from '../src/chart/verdictWords';
import type { ChartDoc } from '../src/protocol/webview';

export interface VerdictHeader {
  /** What the run found, in the word the Runs tree and the CLI use. */
  outcome: Outcome;
  word: string;
  /** The verdict in plain English. */
  sentence: string;
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
  // "not specific" once: the summary (or the sentence) already says it when the circuit is not.
  if (v.baselineExcess) extras.push(`X_T(0) = ${formatNumber(v.baselineExcess.mean)}`);
  const outcome = outcomeOf(v, doc.levels.length);
  return {
    outcome,
    word: OUTCOME_WORD[outcome],
    sentence: verdictSentence(v, doc.levels, levelSymbol(doc.dial)),
    extras,
    calibration: v1 ? calibrationText(v, true) : `Calibration: ${calibrationText(v, false)}`,
    warning: v.calibration?.warning ? `⚠ ${v.calibration.warning}` : null,
    inconclusive: inconclusiveText(v, levelSymbol(doc.dial)),
    advice: v.advice ?? [],
  };
}
