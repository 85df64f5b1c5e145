// The channel between a client (CLI or extension host) and the background sweep worker (`src/worker/worker.ts`).
// One module imported by both ends: each message is a literal method name plus a typed payload; requests carry
// an id and get exactly one response (a result or an error); notifications carry none. Every message is plain
// JSON (it crosses `process.send`). Bump PROTOCOL_VERSION on any breaking change: the handshake refuses a mismatch.
import { isObject } from './guards';
import type { Hypothesis } from './hypothesis';
import type { CalibrationParams, CalibrationReport } from './calibration';
import type { ScanDocument } from './scan';
import type { GradcheckParams, GradcheckReport } from './gradcheck';
import type { ProbeParams, ProbeResult } from './probe';
import type { LevelResult, ResultsDocument } from './results';
import type { SweepHeader, UnitResult, WorkUnit } from './shard';

// Version 11: hypotheses (and the results documents and headers that embed them) carry the tagged Degradation.
export const PROTOCOL_VERSION = 11;
/** Tag on every envelope, so stray IPC messages (from another library in the same process) are ignored. */
export const PROTOCOL_NAME = 'circuit-thermometer/worker';

// ---------------------------------------------------------------------------------------------------------------
// Payloads

/**
 * Where a run stands, in work units — (level, chain) pairs, the pieces a sweep is cut into (src/protocol/shard.ts).
 * The same words everywhere (formatProgress in ./format.ts): "3 of 12 work units done · about 2 min left".
 */
export interface SweepProgress {
  runId: string;
  /** Units finished (including those a resumed run found in its journal) and in all. Never decreases within a run. */
  unitsDone: number;
  units: number;
  /** Fraction of the whole sweep done, in [0, 1], counting the draws of units under way. Never decreases. */
  fraction: number;
  elapsedSeconds: number;
  /** Seconds left, from the measured pace; null until it has settled (docs/architecture.md). */
  etaSeconds: number | null;
  /** Worker processes the units run on. */
  workers: number;
}

/** A level finished, as the client that assembles the units reports it (src/worker/parallel.ts); not a message. */
export interface SweepLevel {
  runId: string;
  levelIndex: number;
  levels: number;
  /** The finished level's statistics. Verdict flags are final only in `done` (they need the whole grid). */
  result: LevelResult;
}

/**
 * Some work units of a sweep (a shard of a fan-out, or what a resumed run still needs), of the whole grid. The
 * hypothesis was resolved once where the request entered (the CLI command or the editor command) and travels with
 * the units: the worker checks nothing again and reads no hypothesis file.
 */
export interface SweepShardParams {
  runId: string;
  hypothesis: Hypothesis;
  units: WorkUnit[];
  threads?: number;
}

/** A shard's units went out as `sweep/unit` notifications (after one `sweep/header`); the answer counts them. */
export interface SweepShardDone {
  runId: string;
  units: number;
}

/**
 * Which hypothesis a header's numbers were computed for, in place of the hypothesis itself (the client sent it and
 * still holds it): the file's path and sha256, and the sha256 of the resolved hypothesis as JSON (src/worker/header.ts).
 */
export interface HypothesisFingerprint {
  file: string;
  sha256: string;
  resolvedSha256: string;
}

/** A plan's header as it crosses the channel: the results document's header with a fingerprint for the hypothesis. */
export type WireHeader = Omit<SweepHeader, 'document'> & {
  document: Omit<SweepHeader['document'], 'hypothesis'> & { hypothesis: HypothesisFingerprint };
};

export interface SweepHeaderNotice {
  runId: string;
  header: WireHeader;
}

export interface SweepUnitNotice {
  runId: string;
  unit: UnitResult;
}

/** A whole sweep done: what runSweepParallel (src/worker/parallel.ts) resolves with; not a message. */
export interface SweepDone {
  runId: string;
  /** Absolute path of the results file just written. */
  resultsPath: string;
  document: ResultsDocument;
}

export interface LogMessage {
  level: 'info' | 'warn';
  message: string;
}

/** Why a run or a request failed. `code` decides the CLI exit status (see `exitCodeFor` in src/cli/sweep.ts). The
 *  client raises 'hypothesis-invalid' and 'unreadable' itself when it resolves the hypothesis (src/worker/resolve.ts). */
export type WorkerErrorCode =
  | 'protocol-mismatch' // client and worker disagree on PROTOCOL_VERSION
  | 'hypothesis-invalid' // the hypothesis has errors (details lists the diagnostics)
  | 'unreadable' // the hypothesis file (or a file it names) cannot be read
  | 'run-failed' // the engine failed (divergence at every level, an onnxruntime error, …)
  | 'cancelled' // the client asked to cancel
  | 'busy' // a run is already in progress in this worker
  | 'worker-crashed' // the worker process exited on its own while a request was pending
  | 'worker-killed' // the worker process was ended by a signal (OOM killer, kill -9, …)
  | 'worker-unresponsive' // the worker did not answer the handshake in time, or stayed stopped (SIGSTOP)
  | 'over-budget' // a probe ran over its time or memory budget and its worker was stopped
  | 'internal'; // a bug: an unexpected exception

export interface WorkerError {
  code: WorkerErrorCode;
  /** One line, for people. */
  message: string;
  /** What to try next, when known (e.g. a smaller step size after a divergence). */
  hint?: string;
  /** Hypothesis diagnostics (for 'hypothesis-invalid'): "file:line:col: message" lines. */
  details?: string[];
  /** The engine's own error code when it raised one (`onnx/runtime-rejected`, `data/not-found`, …). */
  engineCode?: string;
  /** Set when the failed run kept a journal of finished units that a resumed run can finish (its hint says so too). */
  journal?: KeptJournal;
}

/** A failed run's journal: `kept` of `of` work units are in `file` (a base name beside the results). */
export interface KeptJournal {
  kept: number;
  of: number;
  file: string;
  /** The failure's own hint, before the journal's was added to it. */
  hint?: string;
}

/** What a kept journal means, in the words the CLI and the editor show. */
export function keptJournalText(j: KeptJournal): string {
  return `${j.hint ? `${j.hint}; ` : ''}${j.kept} of ${j.of} work units are kept in ${j.file}`;
}

/** What resuming a kept journal does (`resume`: how the user asks for it): finish the rest, or, when every unit is
 *  already kept (e.g. every level diverged), nothing new: the same settings give the same refusal. */
export function resumeAdvice(j: KeptJournal, resume: string): string {
  return j.kept < j.of ? `${resume} finishes the rest` : `every unit is done, so ${resume} gives the same result: change the settings the hint names and run again`;
}

export interface InitializeParams {
  protocolVersion: number;
  client: string;
}

export interface InitializeResult {
  protocolVersion: number;
  pid: number;
  engine: { name: string; version: string };
}

// ---------------------------------------------------------------------------------------------------------------
// The message table. Adding a message is one line here and one in the keyed method tables below; both ends are
// checked by the compiler.

/** Requests, client → worker, each answered by one response carrying the same id. */
export interface Requests {
  /** Handshake; the first message. The worker answers 'protocol-mismatch' and exits when versions differ. */
  initialize: { params: InitializeParams; result: InitializeResult };
  /** The one sweep request: runs some work units of a resolved hypothesis and streams them back (`sweep/header`,
   *  then one `sweep/unit` each), writing nothing; the client journals, assembles and writes (src/worker/parallel.ts).
   *  One run per worker at a time; `sweep/cancel` stops it. */
  'sweep/shard': { params: SweepShardParams; result: SweepShardDone };
  /** Checks a model's gradient graph against finite differences (src/engine/autodiff/gradcheck.ts). A client that
   *  no longer wants the answer ends the worker. */
  'gradcheck/run': { params: GradcheckParams; result: GradcheckReport };
  /** Runs the sampler's ε × nβ calibration grid for a hypothesis (src/engine/sweep/calibrationGrid.ts). A client that
   *  no longer wants the answer ends the worker. */
  'calibrate/run': { params: CalibrationParams; result: CalibrationReport };
  /** Runs the entanglement map of a hypothesis with `scan:` (src/engine/sweep/scan.ts) and writes it to `out`
   *  (<name>.scan.json). A client that no longer wants the answer ends the worker. */
  'scan/run': { params: { hypothesis: string; out: string }; result: { path: string; document: ScanDocument } };
  /** Measures every tensor's shape by one run of a model (src/protocol/probe.ts): the editor's semantic checks ask
   *  the worker, so a native crash in onnxruntime ends the worker, never the editor. Served beside a running sweep. */
  'model/probe': { params: ProbeParams; result: ProbeResult };
  /** Asks the worker to exit; answered just before it does. */
  shutdown: { params: Record<string, never>; result: { ok: true } };
}

/** Notifications, worker → client. */
export interface WorkerNotifications {
  'sweep/progress': SweepProgress;
  'sweep/header': SweepHeaderNotice;
  'sweep/unit': SweepUnitNotice;
  log: LogMessage;
}

/** Notifications, client → worker. */
export interface ClientNotifications {
  /** Stop the run `runId` as soon as possible; its `sweep/shard` is answered with a 'cancelled' error. */
  'sweep/cancel': { runId: string };
}

export type RequestMethod = keyof Requests;
export type WorkerNotificationMethod = keyof WorkerNotifications;
export type ClientNotificationMethod = keyof ClientNotifications;

// ---------------------------------------------------------------------------------------------------------------
// Envelopes

interface Envelope {
  protocol: typeof PROTOCOL_NAME;
}

export type RequestMessage<M extends RequestMethod = RequestMethod> = M extends RequestMethod
  ? Envelope & { type: 'request'; id: number; method: M; params: Requests[M]['params'] }
  : never;

export type ResponseMessage<M extends RequestMethod = RequestMethod> = M extends RequestMethod
  ? Envelope & ({ type: 'response'; id: number; method: M; result: Requests[M]['result'] } | { type: 'response'; id: number; method: M; error: WorkerError })
  : never;

export type WorkerNotificationMessage<M extends WorkerNotificationMethod = WorkerNotificationMethod> = M extends WorkerNotificationMethod
  ? Envelope & { type: 'notification'; method: M; params: WorkerNotifications[M] }
  : never;

export type ClientNotificationMessage<M extends ClientNotificationMethod = ClientNotificationMethod> = M extends ClientNotificationMethod
  ? Envelope & { type: 'notification'; method: M; params: ClientNotifications[M] }
  : never;

/** Everything the client sends. */
export type ClientMessage = RequestMessage | ClientNotificationMessage;
/** Everything the worker sends. */
export type WorkerMessage = ResponseMessage | WorkerNotificationMessage;

// ---------------------------------------------------------------------------------------------------------------
// Constructors

export function request<M extends RequestMethod>(id: number, method: M, params: Requests[M]['params']): RequestMessage<M> {
  return { protocol: PROTOCOL_NAME, type: 'request', id, method, params } as RequestMessage<M>;
}

export function respond<M extends RequestMethod>(id: number, method: M, result: Requests[M]['result']): ResponseMessage<M> {
  return { protocol: PROTOCOL_NAME, type: 'response', id, method, result } as ResponseMessage<M>;
}

export function respondError<M extends RequestMethod>(id: number, method: M, error: WorkerError): ResponseMessage<M> {
  return { protocol: PROTOCOL_NAME, type: 'response', id, method, error } as ResponseMessage<M>;
}

export function workerNotification<M extends WorkerNotificationMethod>(method: M, params: WorkerNotifications[M]): WorkerNotificationMessage<M> {
  return { protocol: PROTOCOL_NAME, type: 'notification', method, params } as WorkerNotificationMessage<M>;
}

export function clientNotification<M extends ClientNotificationMethod>(method: M, params: ClientNotifications[M]): ClientNotificationMessage<M> {
  return { protocol: PROTOCOL_NAME, type: 'notification', method, params } as ClientNotificationMessage<M>;
}

// ---------------------------------------------------------------------------------------------------------------
// Guards: the receiving end checks the envelope before trusting the payload's type.

// Keyed by method, so the compiler refuses a table that misses a message of the maps above (or has an extra one).
const methods = <M extends string>(table: Record<M, true>): readonly M[] => Object.keys(table) as M[];
const REQUEST_METHODS = methods<RequestMethod>({ initialize: true, 'sweep/shard': true, 'gradcheck/run': true, 'calibrate/run': true, 'scan/run': true, 'model/probe': true, shutdown: true });
const WORKER_NOTIFICATIONS = methods<WorkerNotificationMethod>({ 'sweep/progress': true, 'sweep/header': true, 'sweep/unit': true, log: true });
const CLIENT_NOTIFICATIONS = methods<ClientNotificationMethod>({ 'sweep/cancel': true });


function isEnvelope(x: unknown): x is Record<string, unknown> {
  return isObject(x) && x.protocol === PROTOCOL_NAME;
}

export function isRequest(x: unknown): x is RequestMessage {
  return isEnvelope(x) && x.type === 'request' && Number.isInteger(x.id) && (REQUEST_METHODS as readonly unknown[]).includes(x.method) && isObject(x.params);
}

export function isResponse(x: unknown): x is ResponseMessage {
  return isEnvelope(x) && x.type === 'response' && Number.isInteger(x.id) && (REQUEST_METHODS as readonly unknown[]).includes(x.method) && ('result' in x || isWorkerError(x.error));
}

export function isWorkerNotification(x: unknown): x is WorkerNotificationMessage {
  return isEnvelope(x) && x.type === 'notification' && (WORKER_NOTIFICATIONS as readonly unknown[]).includes(x.method) && isObject(x.params);
}

export function isClientNotification(x: unknown): x is ClientNotificationMessage {
  return isEnvelope(x) && x.type === 'notification' && (CLIENT_NOTIFICATIONS as readonly unknown[]).includes(x.method) && isObject(x.params);
}

export function isWorkerError(x: unknown): x is WorkerError {
  return isObject(x) && typeof x.code === 'string' && typeof x.message === 'string';
}

/** Narrows a response to a method (`isResponseTo(m, 'sweep/shard')`). */
export function isResponseTo<M extends RequestMethod>(x: WorkerMessage, method: M): x is ResponseMessage<M> {
  return x.type === 'response' && x.method === method;
}

/** Narrows a notification to a method (`isNotification(m, 'sweep/progress')`). */
export function isNotification<M extends WorkerNotificationMethod>(x: WorkerMessage, method: M): x is WorkerNotificationMessage<M> {
  return x.type === 'notification' && x.method === method;
}
