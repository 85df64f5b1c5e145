// Background sweeps: a queue, one sweep at a time, each run in worker processes (src/worker/parallel.ts deals the
// grid's levels over `workerProcesses` forked workers and stops them when the sweep ends, is cancelled or fails).
// Each run gets a cancellable progress notification with an ETA, the status bar shows what runs and what waits,
// the output channel keeps the log, and the runs store (→ views, chart) hears every progress and finished level.
import * as vscode from 'vscode';
import type { LevelResult } from '../protocol/results';
import { keptJournalText, resumeAdvice, type SweepProgress, type WorkerError } from '../protocol/worker';
import { settings, workerRunOptions } from './config';
import { parallelModule } from './engine';
import { formatDuration, formatProgress } from '../protocol/format';
import type { RunRecord } from './runRecord';
import { RunsStore, samePath } from './runsStore';

/** Views hear about progress at most this often. */
const PROGRESS_INTERVAL_MS = 250;

export class SweepQueue implements vscode.Disposable {
  private readonly waiting: RunRecord[] = [];
  private current: { record: RunRecord; abort: AbortController; done: Promise<void> } | undefined;
  private pumping = false;
  private readonly statusItem = vscode.window.createStatusBarItem('circuitThermometer.sweep', vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run is queued, starts, progresses or ends (lenses and status bar follow it). */
  readonly onDidChange = this.changed.event;
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  /** Fires when a run finished with results. */
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly store: RunsStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly workerPath: string,
  ) {
    this.statusItem.name = 'Circuit Thermometer sweep';
    this.statusItem.command = 'circuitThermometer.cancelSweep';
  }

  /** Queues a run (its record already resolved and checked); refuses a hypothesis that is already queued or running. */
  enqueue(record: RunRecord): boolean {
    if (this.activeRecord(record.hypothesisFile)) return false;
    record.status = 'queued';
    record.levels = [];
    record.progress = null;
    delete record.document;
    delete record.error;
    this.waiting.push(record);
    this.store.put(record);
    this.log.info(`queued ${record.label} → ${record.resultsPath}`);
    this.refresh();
    void this.pump();
    return true;
  }

  /** Queued and running runs, the running one first. */
  active(): RunRecord[] {
    return [...(this.current ? [this.current.record] : []), ...this.waiting];
  }

  activeRecord(hypothesisFile: string): RunRecord | undefined {
    return this.active().find((r) => samePath(r.hypothesisFile, hypothesisFile));
  }

  /** Cancels a run: a waiting one leaves the queue, the running one is stopped in the worker (no results file). */
  async cancel(id: string): Promise<void> {
    const i = this.waiting.findIndex((r) => r.id === id);
    if (i >= 0) {
      const [r] = this.waiting.splice(i, 1);
      this.store.update(r.id, (x) => {
        x.status = 'cancelled';
        x.error = 'cancelled before it started';
      });
      void this.store.keepEnded(r);
      this.log.info(`removed ${r.label} from the queue`);
      this.refresh();
      return;
    }
    const current = this.current;
    if (current?.record.id === id) {
      this.log.info(`cancelling ${current.record.label}`);
      current.abort.abort();
      await current.done;
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.waiting.shift(); next; next = this.waiting.shift()) await this.execute(next);
    } finally {
      this.pumping = false;
      this.current = undefined;
      this.refresh();
    }
  }

  private async execute(record: RunRecord): Promise<void> {
    const abort = new AbortController();
    let finished = () => undefined as void;
    this.current = { record, abort, done: new Promise<void>((r) => (finished = r)) };
    this.store.update(record.id, (r) => {
      r.status = 'running';
      r.startedAt = new Date().toISOString();
    });
    this.refresh();
    const started = Date.now();
    this.log.info(`sweep ${record.label} (${record.dial ?? '?'} dial) started`);
    try {
      await this.withProgress(record, abort, started);
    } finally {
      this.current = undefined;
      finished();
    }
  }

  private withProgress(record: RunRecord, abort: AbortController, started: number): Thenable<void> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: sweeping ${record.circuitName || record.label}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void this.cancel(record.id));
        let shown = 0;
        let lastPush = 0;
        const levels = new Map<number, LevelResult>();
        const onProgress = (p: SweepProgress) => {
          progress.report({ increment: Math.max(0, p.fraction - shown) * 100, message: formatProgress(p) });
          shown = Math.max(shown, p.fraction);
          record.progress = p;
          const now = Date.now();
          if (now - lastPush >= PROGRESS_INTERVAL_MS) {
            lastPush = now;
            this.store.update(record.id, () => undefined);
            this.refresh();
          }
        };
        try {
          const { runSweepParallel } = await parallelModule();
          // Resolved once, by the command's check (commands.ts), and sent with the work units.
          const hypothesis = record.hypothesis;
          if (!hypothesis) throw new Error(`${record.label} was queued without its checked hypothesis`);
          const s = settings(vscode.Uri.file(record.hypothesisFile));
          if (s.executionProvider !== 'cpu') this.log.info(`executionProvider '${s.executionProvider}': needs onnxruntime-node's CUDA binaries (see README, "GPU")`);
          const done = await runSweepParallel(
            {
              hypothesis,
              out: record.resultsPath,
              runId: `${Date.now().toString(36)}`,
            },
            {
              signal: abort.signal,
              onProgress,
              onLevel: (l) => {
                levels.set(l.levelIndex, l.result);
                this.log.info(`  level ${l.levelIndex + 1}/${l.levels} (t = ${l.result.level}) done in ${l.result.seconds.toFixed(1)} s${l.result.error ? `: ${l.result.error}` : ''}`);
                this.store.update(record.id, (r) => (r.levels = [...levels.entries()].sort(([a], [b]) => a - b).map(([, v]) => v)));
              },
            },
            {
              ...workerRunOptions(s, this.workerPath, this.log),
              resume: record.resume === true,
            },
          );
          this.store.update(record.id, (r) => {
            r.document = done.document;
            r.levels = done.document.levels;
            r.status = done.document.status;
            r.progress = null;
          });
          this.log.info(`sweep ${record.label} finished in ${formatDuration((Date.now() - started) / 1000)}: ${done.document.verdict.summary} → ${done.resultsPath}`);
          this.finished.fire(record);
        } catch (e) {
          this.fail(record, e);
        }
      },
    );
  }

  private fail(record: RunRecord, e: unknown): void {
    const err = e as Partial<WorkerError>;
    const cancelled = err.code === 'cancelled';
    // The client keeps the journal of finished units when there are any: offer to resume.
    const kept = err.journal !== undefined;
    const keptText = err.journal ? ` ${keptJournalText(err.journal)}: ${resumeAdvice(err.journal, 'Resume Sweep')}.` : '';
    const text = `${err.message ?? String(e)}${err.hint && !kept ? ` (${err.hint})` : ''}`;
    this.store.update(record.id, (r) => {
      r.status = cancelled ? 'cancelled' : 'failed';
      r.error = cancelled ? `cancelled: no results file was written.${keptText}` : `${text}${keptText}`;
      r.progress = null;
    });
    void this.store.keepEnded(record);
    const buttons = [...(kept ? ['Resume Sweep'] : []), ...(cancelled ? [] : ['Show Log'])];
    const answer = (b: string | undefined) => {
      if (b === 'Show Log') this.log.show(true);
      if (b === 'Resume Sweep') void vscode.commands.executeCommand('circuitThermometer.resumeSweep', vscode.Uri.file(record.hypothesisFile));
    };
    if (cancelled) {
      this.log.info(`sweep ${record.label} cancelled; no results file was written.${keptText}`);
      void vscode.window.showInformationMessage(`Sweep cancelled: ${record.label}. No results file was written.${keptText}`, ...buttons).then(answer);
      return;
    }
    this.log.error(`sweep ${record.label} failed [${err.code ?? 'internal'}]: ${text}${keptText}`);
    for (const d of err.details ?? []) this.log.error(`  ${d}`);
    void vscode.window.showErrorMessage(`Sweep failed: ${record.label}: ${text}${keptText}`, ...buttons).then(answer);
  }

  private refresh(): void {
    const cur = this.current?.record;
    if (!cur && this.waiting.length === 0) {
      this.statusItem.hide();
    } else {
      const pct = cur?.progress ? ` ${Math.round(cur.progress.fraction * 100)}%` : '';
      const queued = this.waiting.length > 0 ? ` (+${this.waiting.length} queued)` : '';
      this.statusItem.text = `$(sync~spin) Sweep${cur ? `: ${cur.circuitName || cur.label}` : ''}${pct}${queued}`;
      this.statusItem.tooltip = `${cur ? `${cur.label}: ${cur.progress ? formatProgress(cur.progress) : 'starting'}` : 'waiting'}\nClick to cancel.`;
      this.statusItem.show();
    }
    this.changed.fire();
  }

  /** Empties the queue and cancels the running sweep (its workers stop); deactivate() returns this. */
  async shutdown(): Promise<void> {
    this.waiting.length = 0;
    const current = this.current;
    current?.abort.abort();
    await current?.done;
  }

  dispose(): void {
    void this.shutdown();
    this.statusItem.dispose();
    this.changed.dispose();
    this.finished.dispose();
  }
}
