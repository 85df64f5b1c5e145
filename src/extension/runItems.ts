// What the Runs tree says about each run, as plain data (pure: no vscode, so unit tests run it): runs grouped by
// hypothesis file, a short verdict, the facts (t_ent, calibration k/K, cleanliness, inconclusive levels), the
// tooltip, the icon and colour that match the verdict, and the context value the tree's menus key on.
import { NO_NULL_V1, formatLevel } from '../chart/format';
import { OUTCOME_WORD } from '../chart/verdictWords';
import { formatDecades, formatRunTime } from '../protocol/format';
import type { RunSummary } from '../protocol/webview';

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

/** What a finished run found, in the words of the verdict (one kind per icon). */
export type RunOutcome = 'clean' | 'entangled' | 'not-specific' | 'inconclusive' | 'sufficient' | 'not-sufficient';

/** The outcome of a finished run; null while it runs or when it ended without results. A circuit that is not
 *  specific at the trained network has no window to find: it is "not specific", never "entangled". Keeping only the
 *  circuit (sufficiency) has a window or none: "sufficient" or "not sufficient", never "clean" or "entangled". */
export function runOutcome(run: RunSummary): RunOutcome | null {
  if (run.status !== 'complete' && run.status !== 'diverged') return null;
  if (run.question === 'sufficiency') return run.tEnt !== null ? 'sufficient' : 'not-sufficient';
  if (run.specific === false) return 'not-specific';
  if (run.tEnt !== null) return 'clean';
  return run.inconclusive.length > 0 ? 'inconclusive' : 'entangled';
}

/** One short verdict for a list row: "clean from t_ent 31.6", "entangled", "not specific", "inconclusive", or the
 *  status ("running 40%"). */
export function verdictWord(run: RunSummary): string {
  switch (runOutcome(run)) {
    case 'clean':
      return `clean from t_ent ${formatLevel(run.tEnt!)}`;
    case 'sufficient':
      return `sufficient from ${formatLevel(run.tEnt!)}`;
    case 'not-sufficient':
    case 'not-specific':
    case 'inconclusive':
    case 'entangled':
      // The words of the chart's headline and the CLI (src/chart/verdictWords.ts).
      return OUTCOME_WORD[runOutcome(run)!];
    case null:
      return run.status === 'running' && run.progress !== null ? `running ${Math.round(run.progress * 100)}%` : run.status;
  }
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

/** A codicon and the theme colour it is drawn in (ids of VS Code's product icons and theme colours). */
export interface RunIcon {
  id: string;
  color: string | null;
}

/** The icon of a run: its status while it runs or when it ended without results, else its verdict. */
export function runIcon(run: RunSummary): RunIcon {
  switch (runOutcome(run)) {
    case 'clean':
    case 'sufficient':
      return { id: 'pass-filled', color: 'testing.iconPassed' };
    case 'entangled':
      return { id: 'link', color: 'charts.orange' };
    case 'not-specific':
    case 'not-sufficient':
      return { id: 'circle-slash', color: 'charts.yellow' };
    case 'inconclusive':
      return { id: 'question', color: 'editorWarning.foreground' };
    case null:
      break;
  }
  switch (run.status) {
    case 'running':
      return { id: 'sync~spin', color: null };
    case 'queued':
      return { id: 'clock', color: null };
    case 'cancelled':
      return { id: 'debug-stop', color: 'disabledForeground' };
    default:
      return { id: 'error', color: 'errorForeground' };
  }
}

/** What the tree's menus and `when` clauses need to know of a run beyond its status. */
export interface RunAbilities {
  /** A results file exists (Reveal Results, Open Results File). */
  results: boolean;
  /** A journal of an interrupted sweep of its hypothesis exists and nothing runs it now (Resume). */
  resumable: boolean;
}

/**
 * The run's `contextValue`: `run` followed by flags, each a word the package.json menus match with `=~`:
 * `live` (queued or running: Cancel), `ended` (not live: Rerun, Remove), `status-<status>`, `results`, `resumable`.
 */
export function runContext(run: RunSummary, can: RunAbilities): string {
  const live = run.status === 'running' || run.status === 'queued';
  return ['run', live ? 'live' : 'ended', `status-${run.status}`, ...(can.results ? ['results'] : []), ...(can.resumable && !live ? ['resumable'] : [])].join(' ');
}

/** The row's second text (after the circuit name): dial, time, verdict and the facts a glance needs. */
export function runDescription(run: RunSummary, now?: Date): string {
  const f = runFacts(run);
  const outcome = runOutcome(run);
  const parts = [run.dial ?? '?', formatRunTime(run.time, now), verdictWord(run)];
  if (outcome !== null) {
    if (f.calibration) parts.push(f.calibration.text);
    if (f.inconclusive && outcome !== 'inconclusive') parts.push(f.inconclusive.badge);
  }
  return parts.join(' · ');
}
