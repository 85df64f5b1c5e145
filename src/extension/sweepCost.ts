// What a sweep will cost, in the words the CodeLens and the run command use: the estimate of worker/costPilot.ts
// (the previous run of the same settings, else a short pilot of the actual model in a worker process, never in this
// host), spread over the worker processes this machine runs (the workerProcesses setting, or one per core), and
// whether it is long enough to offer a quick look first. One pilot at a time, none while a sweep runs, and each
// text of a file is measured once.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Hypothesis } from '../protocol/hypothesis';
import type { CostEstimate } from '../worker/costPilot';
import { type SweepWork, sweepWork } from '../hypothesis/workEstimate';
import { costModule } from './engine';

/** Above this many seconds of wall time the run command asks before it starts, offering the quick look. */
export const ASK_ABOVE_SECONDS = 120;
/** Quiet time after the last edit before a pilot starts. */
const PILOT_DELAY_MS = 1500;

/** "40 levels × 4000 samples" / "9 levels × 4 chains × 200 draws" / "… × ≈500 draws (at most 1000)" (draws: auto). */
export function workText(w: SweepWork): string {
  if (w.steps === 0) return `${w.levels} levels × ${w.draws} samples`;
  const draws = !w.drawsUntilEss ? `${w.draws} draws` : w.draws < w.mostDraws ? `≈${w.draws} draws (at most ${w.mostDraws})` : `up to ${w.mostDraws} draws`;
  return `${w.levels} levels × ${w.chains} chains × ${draws}`;
}

export interface CostDeps {
  workerPath: string;
  /** The workerProcesses setting of a file (0: one per core). */
  workers(file: string): number;
  /** Where a run of the file writes its results (the previous run there is the best estimate). */
  resultsPath(file: string): string;
  /** Whether a sweep is running (a pilot then waits: it would slow the sweep and be slowed by it). */
  busy(): boolean;
  /** The resolved hypothesis of a document's text, or undefined when it does not parse. */
  resolve(document: vscode.TextDocument): Promise<Hypothesis | undefined>;
  log: vscode.LogOutputChannel;
}

interface Entry {
  key: string;
  promise: Promise<CostEstimate | undefined>;
  settled?: CostEstimate | null;
  abort: AbortController;
}

export class SweepCosts implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private chain: Promise<unknown> = Promise.resolve();
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: CostDeps) {}

  /**
   * The lens's words now: the measured estimate of this text once its pilot finished, else undefined (a pilot is
   * scheduled after a quiet moment, and the lens is refreshed when it ends).
   */
  peek(document: vscode.TextDocument): { text: string; detail: string } | undefined {
    const key = this.keyOf(document);
    const entry = this.entries.get(document.uri.fsPath);
    if (entry?.key === key && entry.settled) return { text: shortText(entry.settled), detail: entry.settled.text };
    if (entry?.key === key && entry.settled === null) return undefined;
    if (entry?.key !== key) this.schedule(document, key);
    return undefined;
  }

  /**
   * What the Run lens says after "Run sweep": the measured range ("≈ 15–40 s on 2 workers", the basis in the
   * tooltip), or, while the pilot has not reported, the work itself ("9 levels × 16 samples; timing a pilot…").
   */
  async lens(document: vscode.TextDocument): Promise<{ text: string; tooltip: string } | undefined> {
    const known = this.peek(document);
    if (known) return { text: known.text, tooltip: `Estimated ${known.detail}. It follows the file's settings and learns from its last run.` };
    const h = await this.deps.resolve(document);
    if (!h) return undefined;
    const busy = this.deps.busy();
    return {
      text: `${workText(sweepWork(h.degradation))}${busy ? '' : '; timing a pilot…'}`,
      tooltip: busy ? 'The time is measured by a short pilot once the running sweep has ended' : 'A short pilot of the model (a few draws in a worker) measures the time; the lens updates when it ends',
    };
  }

  /** The estimate for a run about to start: the settled one, the pilot under way, or a fresh pilot. */
  estimate(document: vscode.TextDocument, h: Hypothesis): Promise<CostEstimate | undefined> {
    const key = this.keyOf(document);
    const entry = this.entries.get(document.uri.fsPath);
    if (entry?.key === key) return entry.promise;
    return this.start(document.uri.fsPath, key, Promise.resolve(h)).promise;
  }

  /** A file's estimate is stale (a run of it ended: its results are now the better evidence). */
  forget(file: string): void {
    this.entries.get(file)?.abort.abort();
    this.entries.delete(file);
    this.changed.fire();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const e of this.entries.values()) e.abort.abort();
    this.changed.dispose();
  }

  private keyOf(document: vscode.TextDocument): string {
    const file = document.uri.fsPath;
    let results = '';
    try {
      results = String(fs.statSync(this.deps.resultsPath(file)).mtimeMs);
    } catch { /* no previous run */ }
    return crypto.createHash('sha256').update(document.getText()).update(`\0${this.deps.workers(file)}\0${results}`).digest('hex');
  }

  private schedule(document: vscode.TextDocument, key: string): void {
    const file = document.uri.fsPath;
    clearTimeout(this.timers.get(file));
    this.timers.set(file, setTimeout(() => {
      this.timers.delete(file);
      // Closed, edited again (a later timer measures that text), or measured meanwhile (the run question's pilot).
      if (document.isClosed || this.keyOf(document) !== key || this.entries.get(file)?.key === key) return;
      if (this.deps.busy()) {
        // Measured once the sweep has ended (the lens asks again then).
        return;
      }
      this.start(file, key, this.deps.resolve(document));
    }, PILOT_DELAY_MS));
  }

  private start(file: string, key: string, hypothesis: Promise<Hypothesis | undefined>): Entry {
    // A pilot of an older text of the file is of no use any more.
    const previous = this.entries.get(file);
    if (previous && previous.key !== key) previous.abort.abort();
    const abort = new AbortController();
    const entry: Entry = { key, abort, promise: Promise.resolve(undefined) };
    const run = async (): Promise<CostEstimate | undefined> => {
      const h = await hypothesis;
      if (!h || abort.signal.aborted) return undefined;
      const { estimateCost } = await costModule();
      return estimateCost(h, { workers: this.deps.workers(file), resultsPath: this.deps.resultsPath(file), workerPath: this.deps.workerPath, signal: abort.signal });
    };
    // One pilot at a time: they would share the cores and time each other.
    entry.promise = (this.chain = this.chain.then(run, run)).then(
      (e) => {
        entry.settled = (e as CostEstimate | undefined) ?? null;
        if (e) this.deps.log.info(`cost of ${vscode.workspace.asRelativePath(file)}: ${(e as CostEstimate).text}`);
        this.changed.fire();
        return e as CostEstimate | undefined;
      },
      (err: unknown) => {
        entry.settled = null;
        if (!abort.signal.aborted) this.deps.log.info(`cost pilot of ${vscode.workspace.asRelativePath(file)} did not finish: ${(err as Error).message}`);
        this.changed.fire();
        return undefined;
      },
    );
    this.entries.set(file, entry);
    return entry;
  }
}

/** "≈ 15–40 s on 2 workers": the range and the workers, without the basis (the tooltip says it). */
export function shortText(e: CostEstimate): string {
  return e.text.replace(/ \(.*\)$/, '');
}
