// A run as the extension tracks it (queued, running, finished, loaded from a results file), and the two views of
// it that the webviews draw: a RunSummary (runs list, chart header) and a ChartDoc (the chart). Pure: no vscode.
import type { Hypothesis, DialKind } from '../protocol/hypothesis';
import { RESULTS_VERSION, type LevelResult, type ResultsDocument } from '../protocol/results';
import type { SweepProgress } from '../protocol/worker';
import { type ChartDoc, chainsOf, chartDocOf, levelScaleOf, type RunStatus, type RunSummary } from '../protocol/webview';
import { formatProgress } from '../protocol/format';
import { isSpecific } from '../chart/verdictWords';
import { absoluteResults } from '../engine/sweep/resultsPaths';

export interface RunRecord {
  /** The results file's absolute path: one per hypothesis (a new run of it replaces the old record). */
  id: string;
  hypothesisFile: string;
  resultsPath: string;
  /** The hypothesis file relative to its workspace folder. */
  label: string;
  status: RunStatus;
  circuitName: string;
  dial: DialKind | null;
  /** The resolved hypothesis (runs started here: what the sweep runs, a quick look's with less work): thresholds and
   *  dial for the live chart. */
  hypothesis?: Hypothesis;
  /** Levels finished so far (live), or all of them (finished). */
  levels: LevelResult[];
  progress: SweepProgress | null;
  document?: ResultsDocument;
  /** Why it failed or stopped. */
  error?: string;
  /** When the sweep started (ISO 8601; runs started here). */
  startedAt?: string;
  /** Queued by *Resume Sweep*: only the units of the journal beside the results file that are missing run. */
  resume?: boolean;
}

export function recordFromDocument(doc: ResultsDocument, resultsPath: string, label: string): RunRecord {
  // Paths are recorded relative to the results file (absolute in files written before that).
  const absolute = absoluteResults(doc, resultsPath);
  return {
    id: resultsPath,
    hypothesisFile: absolute.hypothesis.file,
    resultsPath,
    label,
    status: doc.status,
    circuitName: doc.hypothesis.resolved.circuit.name,
    dial: doc.dial,
    hypothesis: absolute.hypothesis.resolved,
    levels: doc.levels,
    progress: null,
    document: doc,
  };
}


export function summarize(r: RunRecord): RunSummary {
  const v = r.document?.verdict;
  const ok = r.levels.filter((l) => !l.error);
  const c = v?.calibration;
  return {
    id: r.id,
    hypothesisFile: r.hypothesisFile,
    label: r.label,
    circuitName: r.circuitName,
    dial: r.dial,
    status: r.status,
    resultsPath: r.resultsPath,
    progress: r.status === 'running' ? r.progress?.fraction ?? 0 : null,
    message: message(r),
    tEnt: v?.tEnt ?? null,
    tSurv: v?.tSurv ?? null,
    cleanlinessDecades: v ? v.cleanlinessDecades : null,
    spark: {
      level: ok.map((l) => l.level),
      target: ok.map((l) => finite(l.targetEffect.mean)),
      collateral: ok.map((l) => finite(l.collateralEffect.mean)),
    },
    resultsVersion: r.document?.version ?? null,
    calibration: c ? { clean: c.clean, of: c.of, summary: c.summary, warning: c.warning ?? null } : null,
    // Finished: the verdict's list; running: the levels judged so far that did not converge.
    inconclusive: v ? v.inconclusive ?? [] : r.levels.filter((l) => l.tests?.converged === false && !l.error).map((l) => l.level),
    time: r.document?.createdAt ?? r.startedAt ?? null,
    // A version-3 verdict records specificity; version 2 recorded baselineExcess (isSpecific reads either).
    specific: v ? isSpecific(v) : null,
    question: v?.question ?? (r.hypothesis?.intervention.scope === 'complement' ? 'sufficiency' : 'necessity'),
  };
}

/** What the chart can draw of this run now: everything when finished, the finished levels while running. */
export function chartDocFor(r: RunRecord): ChartDoc | null {
  if (r.document) return chartDocOf(r.document);
  if (!r.hypothesis) return null;
  const h = r.hypothesis;
  return {
    version: RESULTS_VERSION,
    dial: h.degradation.dial,
    levels: r.levels.map((l) => ({ ...l, chains: [] })),
    watanabeTemperature: null,
    thresholds: h.verdict,
    baseline: { loss: null, controlLoss: null, targetMetric: null, targetEffect: null, collateralEffect: null },
    verdict: null,
    circuitName: h.circuit.name,
    ...levelScaleOf(h),
    ...chainsOf(h.degradation.dial, r.levels),
  };
}

function message(r: RunRecord): string {
  switch (r.status) {
    case 'queued':
      return 'queued';
    case 'running': {
      const p = r.progress;
      if (!p) return 'starting the worker…';
      return formatProgress(p);
    }
    case 'complete':
    case 'diverged':
      return r.document?.verdict.summary ?? r.status;
    case 'failed':
      return r.error ?? 'failed';
    case 'cancelled':
      return r.error ?? 'cancelled';
  }
}

/** A non-finite mean (±∞ too) becomes NaN, which JSON sends as null: a gap in the sparkline. */
function finite(x: number): number {
  return Number.isFinite(x) ? x : NaN;
}
