// What the webviews say about a verdict beyond its summary, as plain text (pure: no DOM, so unit tests run it):
// the runs list's facts (t_ent, the calibration k/K, cleanliness, inconclusive levels) and the chart panel's
// header lines (the calibration and its warning, the inconclusive levels, the advice).
import { levelSymbol } from '../src/chart/figure';
import { calibrationText, formatLevel, formatNumber, inconclusiveText, isVersion1, NO_NULL_V1, verdictExtras } from '../src/chart/format';
import { formatDecades, formatRunTime } from '../src/protocol/format';
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
    cleanliness: `cleanliness ${run.cleanlinessDecades === null ? '—' : formatDecades(run.cleanlinessDecades)}`,
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

/** The runs of one hypothesis file, newest first; groups ordered by their newest run (live runs first). */
export interface RunGroup {
  hypothesisFile: string;
  label: string;
  runs: RunSummary[];
}

export function groupRuns(runs: readonly RunSummary[]): RunGroup[] {
  const live = (r: RunSummary) => r.status === 'running' || r.status === 'queued';
  const time = (r: RunSummary) => (r.time ? Date.parse(r.time) || 0 : 0);
  const byFile = new Map<string, RunGroup>();
  for (const r of runs) {
    const g = byFile.get(r.hypothesisFile) ?? { hypothesisFile: r.hypothesisFile, label: r.label, runs: [] };
    g.runs.push(r);
    byFile.set(r.hypothesisFile, g);
  }
  const groups = [...byFile.values()];
  for (const g of groups) g.runs.sort((a, b) => Number(live(b)) - Number(live(a)) || time(b) - time(a));
  const key = (g: RunGroup) => [Number(g.runs.some(live)), Math.max(...g.runs.map(time))] as const;
  return groups.sort((a, b) => key(b)[0] - key(a)[0] || key(b)[1] - key(a)[1] || a.label.localeCompare(b.label));
}

/** One short verdict for a list row: "clean from t_ent 31.6", "entangled", "inconclusive", or the status. */
export function verdictWord(run: RunSummary): string {
  if (run.status !== 'complete' && run.status !== 'diverged') return run.status;
  if (run.tEnt !== null) return `clean from t_ent ${formatLevel(run.tEnt)}`;
  return run.inconclusive.length > 0 ? 'inconclusive' : 'entangled';
}

/** The row's tooltip: the full circuit name, the file, when, the message, the calibration, the results file. */
export function runTooltip(run: RunSummary, now?: Date): string {
  const f = runFacts(run);
  return [
    run.circuitName || run.label,
    `${run.label} · ${run.dial ?? '?'} dial · ${formatRunTime(run.time, now)}`,
    run.message,
    ...(f.calibration ? [f.calibration.title] : []),
    ...(f.inconclusive ? [f.inconclusive.text] : []),
    run.resultsPath,
  ].join('\n');
}
