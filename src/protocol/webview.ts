// The channel between the extension host and its webviews (the chart panel and the calibration panel).
// One module imported by both ends, GitLens-style: each message is a typed descriptor with a literal method name
// and an `is()` guard, so adding a message is one line that the compiler checks on both sides. Commands go
// webview → host, notifications host → webview, requests host → webview with one reply matched by id.
// Payloads are plain JSON (VS Code serialises them): no NaN, no undefined inside arrays, no class instances.
// The host treats everything a webview sends as untrusted input: every command carries a payload validator.
import type { CalibrationReport } from './calibration';
import { isObject } from './guards';
import type { DialKind, Hypothesis } from './hypothesis';
import type { LevelResult, ResultsDocument, Verdict } from './results';
import { DIALS } from './dials';
import type { ScanDocument } from './scan';
import type { GridDocument } from './grid';

export const WEBVIEW_PROTOCOL_NAME = 'circuit-thermometer/webview';
// 3: the chart's chain traces (Sampler tab) and the calibration panel's messages.
// 4: the scan map panel's messages.
export const WEBVIEW_PROTOCOL_VERSION = 4;

// ---------------------------------------------------------------------------------------------------------------
// Payloads

/** Quantities the chart can show; each is a toggle in the panel. */
export const CHART_METRICS = ['target', 'collateral', 'thresholds', 'lossGap', 'llc'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];

/** The chart's x axis: the dial's levels, or the loss gap ΔL(t) (a common axis for every dial). */
export type ChartXAxis = 'temperature' | 'lossGap';

export interface ChartViewOptions {
  xAxis: ChartXAxis;
  metrics: ChartMetric[];
}

export const DEFAULT_CHART_OPTIONS: ChartViewOptions = { xAxis: 'temperature', metrics: [...CHART_METRICS] };

export type RunStatus = 'queued' | 'running' | 'complete' | 'diverged' | 'failed' | 'cancelled';

/** One run as the Runs tree and the chart panel's header show it. */
export interface RunSummary {
  /** Stable key: the results file's absolute path (a run writes exactly one). */
  id: string;
  hypothesisFile: string;
  /** The hypothesis file relative to the workspace, for display. */
  label: string;
  circuitName: string;
  dial: DialKind | null;
  status: RunStatus;
  resultsPath: string;
  /** Fraction done while running, in [0, 1]. */
  progress: number | null;
  /** One line: the verdict summary when finished, the error when failed, the progress while running. */
  message: string;
  tEnt: number | null;
  tSurv: number | null;
  cleanlinessDecades: number | null;
  /** Levels finished so far (or all), for the sparkline: level, target effect E_T, collateral effect E_C. */
  spark: { level: number[]; target: number[]; collateral: number[] };
  /** The results version of the finished run; null while it runs. */
  resultsVersion: number | null;
  /** k of K matched random sets the same verdict would call clean, and the warning when k/K > α. */
  calibration: { clean: number; of: number; summary: string; warning: string | null } | null;
  /** Levels whose chains did not converge (they hold no test). */
  inconclusive: number[];
  /** Whether the circuit beat the null at the trained network (false: "not specific", never "entangled"); null when
   *  unknown (running, a version-1 file). */
  specific: boolean | null;
  /** What the run asks: whether ablating the circuit does something (necessity, the default) or whether keeping only
   *  the circuit keeps the behaviour (sufficiency, `intervention.scope: complement`). */
  question: 'necessity' | 'sufficiency';
  /** When the run was made (ISO 8601): the results file's createdAt, else when the sweep started; null if unknown. */
  time: string | null;
}

/**
 * What the chart draws: the results document's chart fields, JSON-safe. While a sweep runs, the numbers that are
 * only known at its end (baseline, Watanabe temperature, verdict) are null; the webview turns them into gaps.
 */
export interface ChartDoc {
  /** The results version the numbers follow (a live sweep: the engine's). */
  version: ResultsDocument['version'];
  dial: DialKind;
  levels: LevelResult[];
  watanabeTemperature: number | null;
  thresholds: ResultsDocument['thresholds'];
  baseline: { [K in keyof ResultsDocument['baseline']]: number | null };
  verdict: Verdict | null;
  circuitName: string;
  /** How the dial's grid is spaced (from the hypothesis): the x axis keeps this type from the first level on.
   *  Absent (checkpoints, older hosts): decided from the levels drawn. */
  levelScale?: 'log' | 'linear';
  /** sgld: the chains of each level in `levels` (same order), for the Sampler tab; absent for the other dials. */
  chains?: LevelChains[];
}

/** One level's chains as the Sampler tab draws them: per kept draw, the minibatch loss and ‖w − w*‖ (null where
 *  a value was not finite: JSON has no NaN); long chains every `stride`-th draw (see MAX_TRACE_POINTS). */
export interface LevelChains {
  level: number;
  chains: { chain: number; loss: (number | null)[]; distance?: (number | null)[]; stride?: number }[];
}

/** The most draws per chain the chart panel receives: the state is posted several times a second while a sweep
 *  runs, and a line of a few hundred points already shows a trace's drift and mixing. */
export const MAX_TRACE_POINTS = 400;

export interface ChartState {
  run: RunSummary;
  doc: ChartDoc | null;
  /** Runs the panel can switch to (one per hypothesis and dial). */
  choices: { id: string; label: string }[];
  options: ChartViewOptions;
}

/** What the calibration panel shows: one *Calibrate Sampler* run of one hypothesis file. */
export interface CalibrationState {
  /** The hypothesis file (absolute path) and its name relative to the workspace. */
  file: string;
  label: string;
  /** The grid as the worker reported it (JSON: a NaN acceptance arrives as null). */
  report: CalibrationReport;
  /** When the grid finished (ISO 8601). */
  at: string;
  /** What the write button writes: the recommendation as the file will hold it; null when no ε qualifies. */
  stepSize: number | null;
  /** The file's stepSize now: a number, 'auto', or null when it sets none. */
  current: number | 'auto' | null;
  /** The model, data, loss or degradation settings changed since: the grid no longer describes the file. */
  stale: boolean;
}

/** What the scan map panel shows: one scan's document (docs/method.md, "The entanglement map"). */
export interface ScanState {
  /** The scan's results file (absolute) and its name relative to the workspace. */
  file: string;
  label: string;
  doc: ScanDocument;
}

/** What the two-dial map panel shows: one grid results document (docs/method.md, "Two dials at once"). */
export interface GridState {
  /** The grid results file (absolute) and its name relative to the workspace. */
  file: string;
  label: string;
  doc: GridDocument;
}

/** A unit picked on the map: its component (row) and unit index. */
export interface ScanPick { component: number; unit: number }

export type ImageFormat = 'png' | 'svg';
export type ExportFormat = 'json' | 'csv' | ImageFormat;

// ---------------------------------------------------------------------------------------------------------------
// Message descriptors

export interface IpcMessage<P = unknown> {
  protocol: typeof WEBVIEW_PROTOCOL_NAME;
  version: number;
  /** Sequence number of the sender; a request's reply carries it back as `completionId`. */
  id: number;
  method: string;
  params: P;
  completionId?: number;
}

type Validator<P> = (params: unknown) => params is P;

abstract class IpcCall<P> {
  constructor(readonly method: string, private readonly valid?: Validator<P>) {}
  /** Whether `msg` is this message with a payload of the right shape (checked when a validator is given). */
  is(msg: IpcMessage): msg is IpcMessage<P> {
    return msg.method === this.method && (this.valid === undefined || this.valid(msg.params));
  }
}

/** Webview → host, fire and forget. */
export class IpcCommand<P> extends IpcCall<P> {
  readonly kind = 'command' as const;
}

/** Host → webview, fire and forget. */
export class IpcNotification<P> extends IpcCall<P> {
  readonly kind = 'notification' as const;
}

/** Host → webview with exactly one reply (`response`, sent back with `completionId` = the request's id). */
export class IpcRequest<P, R> extends IpcCall<P> {
  readonly response: IpcCommand<IpcReply<R>>;
  constructor(method: string, valid?: Validator<P>, validReply?: Validator<R>) {
    super(method, valid);
    this.response = new IpcCommand<IpcReply<R>>(`${method}/reply`, (x): x is IpcReply<R> => isReply(x, validReply));
  }
}

export type IpcReply<R> = { ok: true; result: R } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------------------
// The message table

/** Webview → host: the page has loaded and listens (the host then sends the current state). */
export type WebviewKind = 'chart' | 'calibration' | 'scan' | 'grid';
export const ReadyCommand = new IpcCommand<{ view: WebviewKind }>('webview/ready', (p): p is { view: WebviewKind } => isObject(p) && (p.view === 'chart' || p.view === 'calibration' || p.view === 'scan' || p.view === 'grid'));
/** Webview → host: something failed in the page (logged to the output channel). */
export const ErrorCommand = new IpcCommand<{ message: string }>('webview/error', (p): p is { message: string } => isObject(p) && typeof p.message === 'string');
/** Chart → host: the user changed the axis or the metric toggles (remembered for the next chart). */
export const ChartOptionsCommand = new IpcCommand<ChartViewOptions>('chart/options', isChartViewOptions);
/** Chart → host: show another run. */
export const SelectRunCommand = new IpcCommand<{ runId: string }>('chart/selectRun', isRunRef);
/** Chart → host: export the shown run (json/csv written by the host; png/svg the page renders then sends back). */
export const ExportCommand = new IpcCommand<{ format: ExportFormat }>('chart/export', (p): p is { format: ExportFormat } => isObject(p) && isExportFormat(p.format));

/** Chart → host: open docs/method.md at this section (its heading's text), from the "How to read this chart" help. */
export const OpenMethodCommand = new IpcCommand<{ section: string }>('chart/openMethod', (p): p is { section: string } => isObject(p) && typeof p.section === 'string' && p.section.length < 200);

/** Calibration → host: write this step size into the hypothesis file (the host checks it is the recommendation). */
export const WriteStepSizeCommand = new IpcCommand<{ stepSize: number }>('calibration/writeStepSize', (p): p is { stepSize: number } => isObject(p) && typeof p.stepSize === 'number' && Number.isFinite(p.stepSize) && p.stepSize > 0);

/** Scan map → host: write a circuit hypothesis for these units (picked on the map) beside the scan's file. */
export const WriteScanHypothesisCommand = new IpcCommand<{ units: ScanPick[] }>('scan/writeHypothesis', (p): p is { units: ScanPick[] } =>
  isObject(p) && Array.isArray(p.units) && p.units.length > 0 && p.units.every((u) => isObject(u) && Number.isInteger(u.component) && Number.isInteger(u.unit)));
/** Host → scan map: show this scan. */
export const ScanStateNotification = new IpcNotification<ScanState>('scan/state');
/** Host → two-dial map: show this grid. */
export const GridStateNotification = new IpcNotification<GridState>('grid/state');

/** Host → chart: draw this. */
export const ChartStateNotification = new IpcNotification<ChartState>('chart/state');
/** Host → calibration panel: show this grid (again when the file changes: its stepSize, staleness). */
export const CalibrationStateNotification = new IpcNotification<CalibrationState>('calibration/state');

/** Host → chart: render the current figure as an image; the reply is a `data:` URL. */
export const ImageRequest = new IpcRequest<{ format: ImageFormat; width: number; height: number }, { dataUrl: string }>(
  'chart/image',
  undefined,
  (r): r is { dataUrl: string } => isObject(r) && typeof r.dataUrl === 'string' && r.dataUrl.startsWith('data:image/'),
);

// ---------------------------------------------------------------------------------------------------------------
// Envelopes and guards

export function message<P>(call: IpcCall<P>, id: number, params: P, completionId?: number): IpcMessage<P> {
  return { protocol: WEBVIEW_PROTOCOL_NAME, version: WEBVIEW_PROTOCOL_VERSION, id, method: call.method, params, ...(completionId !== undefined ? { completionId } : {}) };
}

/** The envelope check every receiver runs first: our protocol, our version, a method and an id. */
export function isIpcMessage(x: unknown): x is IpcMessage {
  return isObject(x) && x.protocol === WEBVIEW_PROTOCOL_NAME && x.version === WEBVIEW_PROTOCOL_VERSION
    && typeof x.method === 'string' && Number.isInteger(x.id) && 'params' in x
    && (x.completionId === undefined || Number.isInteger(x.completionId));
}

export function isChartViewOptions(x: unknown): x is ChartViewOptions {
  return isObject(x) && (x.xAxis === 'temperature' || x.xAxis === 'lossGap') && Array.isArray(x.metrics)
    && x.metrics.every((m) => (CHART_METRICS as readonly unknown[]).includes(m));
}

export function isExportFormat(x: unknown): x is ExportFormat {
  return x === 'json' || x === 'csv' || x === 'png' || x === 'svg';
}

function isRunRef(x: unknown): x is { runId: string } {
  return isObject(x) && typeof x.runId === 'string' && x.runId.length > 0 && x.runId.length < 4096;
}

function isReply<R>(x: unknown, valid?: Validator<R>): x is IpcReply<R> {
  if (!isObject(x)) return false;
  if (x.ok === true) return valid === undefined || valid(x.result);
  return x.ok === false && typeof x.error === 'string';
}


// ---------------------------------------------------------------------------------------------------------------
// Chart documents

/** The chart fields of a finished results document. */
export function chartDocOf(doc: ResultsDocument): ChartDoc {
  return {
    version: doc.version,
    dial: doc.dial,
    // Chain traces stay in the file: the chart needs the per-level statistics only.
    levels: doc.levels.map((l) => ({ ...l, chains: [] })),
    watanabeTemperature: finiteOrNull(doc.watanabeTemperature),
    thresholds: doc.thresholds,
    baseline: {
      loss: finiteOrNull(doc.baseline.loss),
      controlLoss: finiteOrNull(doc.baseline.controlLoss),
      targetMetric: finiteOrNull(doc.baseline.targetMetric),
      targetEffect: finiteOrNull(doc.baseline.targetEffect),
      collateralEffect: finiteOrNull(doc.baseline.collateralEffect),
    },
    verdict: doc.verdict,
    circuitName: doc.hypothesis.resolved.circuit.name,
    ...levelScaleOf(doc.hypothesis.resolved),
    ...chainsOf(doc.dial, doc.levels),
  };
}

/** The Sampler tab's traces of sgld levels (the other dials' draws are independent: no chains to draw). */
export function chainsOf(dial: DialKind, levels: readonly LevelResult[]): { chains?: LevelChains[] } {
  if (DIALS[dial]?.draws !== 'chains') return {};
  const json = (v: readonly number[], stride: number) => v.filter((_, d) => d % stride === 0).map((x) => (Number.isFinite(x) ? x : null));
  return {
    chains: levels.map((l) => ({
      level: l.level,
      chains: l.chains.map((c) => {
        const stride = Math.max(1, Math.ceil(c.loss.length / MAX_TRACE_POINTS));
        return { chain: c.chain, loss: json(c.loss, stride), ...(c.distance ? { distance: json(c.distance, stride) } : {}), ...(stride > 1 ? { stride } : {}) };
      }),
    })),
  };
}

/** The grid's spacing, for every dial but checkpoints (whose levels are positions or steps). */
export function levelScaleOf(h: Pick<Hypothesis, 'degradation'>): { levelScale?: 'log' | 'linear' } {
  const d = h.degradation;
  if ((d?.dial && DIALS[d.dial]?.levels === 'checkpoints') || !d || !Array.isArray(d.levels)) return {};
  return { levelScale: d.scale === 'log' && d.levels.every((x) => x > 0) ? 'log' : 'linear' };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
