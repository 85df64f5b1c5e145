// The client end of the worker channel: forks the worker, handshakes, runs work units of sweeps, cancels them, and
// turns every way a worker can die (crash, kill -9, OOM, a script that does not start) into a rejected promise —
// never a hang. A whole sweep (journal, several workers, the results file) is runSweepParallel's (./parallel.ts).
//
//   const client = new WorkerClient({ workerPath: context.asAbsolutePath('dist/worker.js') });
//   await client.runShard({ hypothesis, units }, { onHeader, onUnit, onProgress, signal });
//   await client.dispose();
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import {
  clientNotification,
  type ClientMessage,
  type InitializeResult,
  isResponse,
  isWorkerNotification,
  PROTOCOL_VERSION,
  request,
  type RequestMethod,
  type Requests,
  type SweepShardDone,
  type SweepUnitNotice,
  type SweepLevel,
  type SweepProgress,
  type WorkerError,
  type LogMessage,
} from '../protocol/worker';
import type { CalibrationParams, CalibrationReport } from '../protocol/calibration';
import type { ScanDocument } from '../protocol/scan';
import type { GradcheckParams, GradcheckReport } from '../protocol/gradcheck';
import type { ProbeParams, ProbeResult } from '../protocol/probe';
import type { Hypothesis } from '../protocol/hypothesis';
import type { SweepHeader, WorkUnit } from '../protocol/shard';
import { WorkerRunError } from './errors';
import { fromWireHeader } from './header';
import { type Budget, watch } from './watchdog';
import { resolveWorkerEntry } from './paths';

export interface WorkerClientOptions {
  /**
   * The worker script. Default: `worker.js` beside the bundle that contains this client (dist/worker.js next to
   * dist/cli.js and dist/extension.js), or src/worker/worker.ts through tsx when running from source.
   */
  workerPath?: string;
  /** The executable that runs the worker. Default: `process.execPath` (in VS Code: Electron run as node). */
  execPath?: string;
  /** Extra node flags for the worker (e.g. `--max-old-space-size=4096`). */
  execArgv?: string[];
  /** Added to the worker's environment. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between the cancel message and SIGKILL. Default 750 (cancel completes within a second). */
  cancelGraceMs?: number;
  /** Milliseconds the worker has to answer the handshake (it loads no engine before that). Default 30000. */
  startTimeoutMs?: number;
  /** Name the worker sees in the handshake (for its logs). */
  clientName?: string;
  /** Arguments after the script, which the worker ignores: a role that process listings show (`--role probe`). */
  args?: string[];
  /** Seconds a worker may stay stopped (SIGSTOP) during a request before it counts as lost. Default 30. */
  stoppedSeconds?: number;
  /** The worker's stdout/stderr lines and its `log` notifications. */
  onLog?: (line: string, source: 'stdout' | 'stderr' | LogMessage['level']) => void;
}

export interface RunCallbacks {
  onProgress?: (p: SweepProgress) => void;
  /** A whole sweep only (runSweepParallel assembles the levels from the units). */
  onLevel?: (l: SweepLevel) => void;
  /** The plan's header once the worker knows the baseline (its hypothesis the one sent), then every unit as it finishes. */
  onHeader?: (h: { runId: string; header: SweepHeader }) => void;
  onUnit?: (u: SweepUnitNotice) => void;
  /** Aborting it cancels the run, like `cancel()`. */
  signal?: AbortSignal;
}

interface Pending {
  method: RequestMethod;
  resolve: (result: unknown) => void;
  reject: (error: WorkerRunError) => void;
}

interface ActiveRun {
  runId: string;
  /** The hypothesis sent with the units: the header's fingerprint is checked against it, and it takes its place. */
  hypothesis: Hypothesis;
  callbacks: RunCallbacks;
  cancelRequested: boolean;
  /** Why the run must fail whatever the worker says (a header for another hypothesis): the worker is killed for it. */
  failure?: WorkerError;
  /** Whether `sweep/shard` has been sent (before that, cancel just stops the start-up). */
  sent: boolean;
  killTimer?: NodeJS.Timeout;
}

const STDERR_TAIL_CHARS = 4000;

export class WorkerClient {
  private child: ChildProcess | null = null;
  private starting: Promise<InitializeResult> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private run_: ActiveRun | null = null;
  private stderrTail = '';
  private exited: Promise<void> = Promise.resolve();
  private readonly options: Required<Pick<WorkerClientOptions, 'cancelGraceMs' | 'startTimeoutMs' | 'clientName'>> & WorkerClientOptions;

  constructor(options: WorkerClientOptions = {}) {
    this.options = { cancelGraceMs: 750, startTimeoutMs: 30_000, clientName: 'circuit-thermometer', ...options };
  }

  /** The worker's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether a sweep is in progress. */
  get busy(): boolean {
    return this.run_ !== null;
  }

  /** Forks the worker (once) and handshakes. Called by `run()`; call it early to hide the start-up time. */
  start(): Promise<InitializeResult> {
    if (!this.starting) {
      this.starting = this.spawn().catch((e: unknown) => {
        this.starting = null;
        throw e;
      });
    }
    return this.starting;
  }

  /** Checks a model's gradients in the worker (rejects with a `WorkerRunError`, e.g. 'run-failed' for an op without a
   *  rule). Aborting `signal` ends the worker at once: a check has no partial result worth waiting for. */
  async gradcheck(params: GradcheckParams, signal?: AbortSignal): Promise<GradcheckReport> {
    const onAbort = () => this.kill();
    signal?.addEventListener('abort', onAbort);
    try {
      signal?.throwIfAborted();
      await this.start();
      return await this.request('gradcheck/run', params);
    } catch (e) {
      if (signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the gradient check was cancelled' });
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs the sampler's calibration grid for a hypothesis in the worker; aborting `signal` ends the worker at once. */
  async calibrate(params: CalibrationParams, signal?: AbortSignal): Promise<CalibrationReport> {
    const onAbort = () => this.kill();
    signal?.addEventListener('abort', onAbort);
    try {
      signal?.throwIfAborted();
      await this.start();
      return await this.request('calibrate/run', params);
    } catch (e) {
      if (signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the calibration was cancelled' });
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs a scan file's entanglement map in the worker and writes it to `out`; aborting `signal` ends the worker. */
  async scan(params: { hypothesis: string; out: string }, signal?: AbortSignal): Promise<{ path: string; document: ScanDocument }> {
    const onAbort = () => this.kill();
    signal?.addEventListener('abort', onAbort);
    try {
      signal?.throwIfAborted();
      await this.start();
      return await this.request('scan/run', params);
    } catch (e) {
      if (signal?.aborted) throw new WorkerRunError({ code: 'cancelled', message: 'the scan was cancelled' });
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Measures a model's tensor shapes by one run in the worker (rejects with a `WorkerRunError`; a crash of the
   *  worker is 'worker-crashed' / 'worker-killed', and the next call starts a fresh worker). */
  async probe(params: ProbeParams, budget: Budget = {}): Promise<ProbeResult> {
    await this.start();
    return this.watched(budget, 'the shape probe', () => this.request('model/probe', params));
  }

  /**
   * Runs `request` under a watchdog (watchdog.ts): over its time or memory budget, or stopped for too long, the
   * worker is killed and the request fails with that reason instead of whatever the kill looked like.
   */
  private async watched<T>(budget: Budget, what: string, request: () => Promise<T>): Promise<T> {
    let tripped: WorkerError | undefined;
    const stop = watch(() => this.child?.pid, { stoppedSeconds: this.options.stoppedSeconds ?? 30, ...budget }, what, (reason) => {
      tripped = reason;
      this.kill();
    });
    try {
      return await request();
    } catch (e) {
      throw tripped ? new WorkerRunError(tripped) : e;
    } finally {
      stop();
    }
  }

  /**
   * Runs some work units of a resolved hypothesis (see runSweepParallel), streamed to `onHeader` and `onUnit`, written
   * nowhere. Rejects with a `WorkerRunError` whose `code` says why: 'run-failed', 'cancelled', 'worker-crashed',
   * 'worker-killed', 'busy', ….
   */
  async runShard(params: { hypothesis: Hypothesis; units: WorkUnit[]; runId?: string; threads?: number }, callbacks: RunCallbacks = {}): Promise<SweepShardDone> {
    const runId = params.runId ?? newRunId();
    if (this.run_) throw new WorkerRunError({ code: 'busy', message: `a sweep (${this.run_.runId}) is already running in this worker` });
    const active: ActiveRun = { runId, hypothesis: params.hypothesis, callbacks, cancelRequested: false, sent: false };
    this.run_ = active;
    const cancelled = () => new WorkerRunError({ code: 'cancelled', message: 'the sweep was cancelled' });
    const onAbort = () => void this.cancel();
    try {
      if (callbacks.signal?.aborted) throw cancelled();
      callbacks.signal?.addEventListener('abort', onAbort);
      await this.start().catch((e: unknown) => {
        throw active.cancelRequested ? cancelled() : e;
      });
      if (active.cancelRequested) throw cancelled();
      active.sent = true;
      const request = { runId, hypothesis: params.hypothesis, units: params.units, ...(params.threads ? { threads: params.threads } : {}) };
      return await this.watched({}, 'the sweep', () => this.request('sweep/shard', request));
    } finally {
      callbacks.signal?.removeEventListener('abort', onAbort);
      if (active.killTimer) clearTimeout(active.killTimer);
      if (this.run_ === active) this.run_ = null;
    }
  }

  /**
   * Cancels the running sweep: a `sweep/cancel` message, then SIGKILL if the worker has not answered within the
   * grace period (`immediate`: SIGKILL now). Resolves once the run has settled (its `run()` promise rejects with
   * code 'cancelled'; a run that finished before the cancel arrived resolves normally).
   */
  async cancel(options: { immediate?: boolean } = {}): Promise<void> {
    const active = this.run_;
    if (!active) return;
    if (active.cancelRequested) {
      if (options.immediate) this.kill();
    } else {
      active.cancelRequested = true;
      if (!active.sent || options.immediate) this.kill(); // still starting, or asked to stop at once
      else if (this.post(clientNotification('sweep/cancel', { runId: active.runId }))) active.killTimer = setTimeout(() => this.kill(), this.options.cancelGraceMs);
    }
    while (this.run_ === active) await new Promise((r) => setTimeout(r, 10));
  }

  /** Asks the worker to exit, kills it if it does not within the grace period, and waits until it is gone. */
  async dispose(): Promise<void> {
    if (this.run_) await this.cancel();
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => this.kill(), this.options.cancelGraceMs);
    try {
      if (child.connected) await this.request('shutdown', {}).catch(() => undefined);
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  private async spawn(): Promise<InitializeResult> {
    const entry = resolveWorkerEntry(this.options.workerPath);
    if (!fs.existsSync(entry.path)) {
      throw new WorkerRunError({
        code: 'worker-crashed',
        message: `the worker script ${entry.path} does not exist`,
        hint: 'build it (npm run build puts dist/worker.js beside dist/cli.js), or pass workerPath',
      });
    }
    this.stderrTail = '';
    const child = fork(entry.path, this.options.args ?? [], {
      execPath: this.options.execPath,
      execArgv: [...entry.execArgv, ...(this.options.execArgv ?? [])],
      // ELECTRON_RUN_AS_NODE: inside VS Code, process.execPath is Electron; this makes it a plain node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // A process group of its own: a terminal's Ctrl-C (sent to the caller's group) must reach only the caller,
      // which turns it into a cancel message. Otherwise a worker still loading its modules (before its SIGINT
      // handler exists) dies of it. The worker exits when the IPC channel closes, so it never outlives the caller.
      detached: true,
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.setEncoding('utf8').on('data', (s: string) => this.log(s, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_TAIL_CHARS);
      this.log(s, 'stderr');
    });
    child.on('message', (m: unknown) => this.onMessage(m));
    child.on('error', (e) => this.onGone(child, null, null, e));
    child.on('exit', (code, signal) => this.onGone(child, code, signal));

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new WorkerRunError({ code: 'worker-unresponsive', message: `the worker did not answer within ${this.options.startTimeoutMs} ms`, hint: this.stderrHint() }));
        this.kill();
      }, this.options.startTimeoutMs);
    });
    try {
      const result = await Promise.race([this.request('initialize', { protocolVersion: PROTOCOL_VERSION, client: this.options.clientName }), timeout]);
      if (result.protocolVersion !== PROTOCOL_VERSION) {
        this.kill();
        throw new WorkerRunError({ code: 'protocol-mismatch', message: `the worker speaks protocol ${result.protocolVersion}, this client ${PROTOCOL_VERSION}` });
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private request<M extends RequestMethod>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
    const id = this.nextId++;
    return new Promise<Requests[M]['result']>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      if (!this.post(request(id, method, params))) {
        this.pending.delete(id);
        reject(new WorkerRunError({ code: 'worker-crashed', message: 'the worker is not running', hint: this.stderrHint() }));
      }
    });
  }

  private post(message: ClientMessage): boolean {
    const child = this.child;
    if (!child || !child.connected) return false;
    try {
      child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  private onMessage(m: unknown): void {
    if (isResponse(m)) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m) p.reject(new WorkerRunError(m.error));
      else p.resolve(m.result);
      return;
    }
    if (!isWorkerNotification(m)) return;
    const active = this.run_;
    switch (m.method) {
      case 'sweep/progress':
        if (active?.runId === m.params.runId) active.callbacks.onProgress?.(m.params);
        break;
      case 'sweep/header':
        if (active?.runId === m.params.runId && active.callbacks.onHeader) {
          let header: SweepHeader;
          try {
            header = fromWireHeader(m.params.header, active.hypothesis);
          } catch (e) {
            // Numbers for another hypothesis must not be kept: the run fails with that reason (never retried).
            active.failure = (e as WorkerRunError).toJSON();
            this.kill();
            break;
          }
          active.callbacks.onHeader({ runId: m.params.runId, header });
        }
        break;
      case 'sweep/unit':
        if (active?.runId === m.params.runId && !active.failure) active.callbacks.onUnit?.(m.params);
        break;
      case 'log':
        this.options.onLog?.(m.params.message, m.params.level);
        break;
    }
  }

  /** The worker exited or could not start: fail everything pending, and remove what a killed writer may have left. */
  private onGone(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.child !== child) return;
    if (error && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // a broken channel: do not leave it running
    this.child = null;
    this.starting = null;
    const active = this.run_;
    const lost: WorkerError = active?.cancelRequested
      ? { code: 'cancelled', message: 'the sweep was cancelled' }
      : error
        ? { code: 'worker-crashed', message: `the worker could not run: ${error.message}`, hint: this.stderrHint() }
        : signal
          ? { code: 'worker-killed', message: `the worker process was killed (${signal})`, hint: signal === 'SIGKILL' ? 'killed from outside, or by the system when it ran out of memory' : undefined }
          : { code: 'worker-crashed', message: `the worker process exited unexpectedly (exit code ${code})`, hint: this.stderrHint() };
    const reason = active?.failure ?? lost;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.method === 'shutdown') p.resolve({ ok: true });
      else p.reject(new WorkerRunError(p.method === 'sweep/shard' ? reason : { ...reason, code: reason.code === 'cancelled' ? 'worker-crashed' : reason.code }));
    }
  }

  private kill(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private log(text: string, source: 'stdout' | 'stderr'): void {
    if (!this.options.onLog) return;
    for (const line of text.split('\n')) if (line.length > 0) this.options.onLog(line, source);
  }

  private stderrHint(): string | undefined {
    // Stack frames and node's version banner say little; the error lines say what happened.
    const lines = this.stderrTail.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('at ') && !/^Node\.js v/.test(l) && l !== '^');
    return lines.length > 0 ? `worker stderr: ${lines.slice(-3).join(' | ')}` : undefined;
  }
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
