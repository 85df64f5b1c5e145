// "Run Grid": the two-dial map of the active hypothesis (one with degradation.grid; docs/method.md, "Two dials at
// once"), its cells' work units dealt over worker processes (src/worker/gridParallel.ts: the extension host never
// runs the model), with a cancellable progress notification that names every finished cell, the run listed in the
// Runs view, the grid results written atomically to <name>.grid.json beside the hypothesis and shown in its map
// panel. Finished units are journalled beside it as a sweep's are; "Resume Grid" (offered after a cancel or a
// failure, and as a lens while the journal is there) runs only the missing cells. "Show Grid" opens a grid results
// file's map (or the map a grid hypothesis writes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultGridPath } from '../engine/sweep/gridFile';
import { formatLevel, formatProgress } from '../protocol/format';
import { keptJournalText, resumeAdvice, type WorkerError } from '../protocol/worker';
import { activeHypothesis, gridJournalFor, uriOf } from './commands';
import { settings, workerRunOptions } from './config';
import { checkBeforeRun, type HypothesisDiagnostics } from './diagnostics';
import type { GridPanels } from './gridPanel';
import type { RunRecord } from './runRecord';
import { isGridFile, type RunsStore } from './runsStore';

/* eslint-disable @typescript-eslint/no-require-imports */
/** The parallel client loads on the first run (activation loads no engine; engine.ts). */
const gridModule = () => require('../worker/gridParallel') as typeof import('../worker/gridParallel');

export class GridCommands implements vscode.Disposable {
  /** Maps running now, by hypothesis file: a second Run grid of the same file is refused, cancel reaches it. */
  private readonly running = new Map<string, AbortController>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a map starts or ends (the lenses follow it). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly trusted: () => boolean,
    private readonly panels: GridPanels,
    private readonly store: RunsStore,
    private readonly diagnostics: HypothesisDiagnostics,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('circuitThermometer.runGrid', (arg) => this.run(uriOf(arg))),
      vscode.commands.registerCommand('circuitThermometer.resumeGrid', (arg) => this.run(uriOf(arg), true)),
      vscode.commands.registerCommand('circuitThermometer.cancelGrid', (arg) => this.cancel(uriOf(arg))),
      vscode.commands.registerCommand('circuitThermometer.showGrid', (arg) => this.showFile(uriOf(arg) ?? vscode.window.activeTextEditor?.document.uri)),
    ];
  }

  /** Whether the map of this hypothesis file is running now. */
  isRunning(file: string): boolean {
    return this.running.has(file);
  }

  /** Stops a running map (every worker; nothing is written); without a file, every running map. */
  cancel(uri: vscode.Uri | undefined): void {
    const targets = [...this.running].filter(([file]) => !uri || file === uri.fsPath);
    if (targets.length === 0) void vscode.window.showInformationMessage('No two-dial map is running.');
    for (const [, abort] of targets) abort.abort();
  }

  /** Whether an interrupted map of this hypothesis file left its journal (and it is not running now). */
  isResumable(file: string): boolean {
    return !this.running.has(file) && fs.existsSync(gridJournalFor(file));
  }

  /** Runs the map; `resume`: only the work units the journal of an interrupted run lacks (docs/cluster.md). */
  async run(uri: vscode.Uri | undefined, resume = false): Promise<void> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : activeHypothesis();
    if (!document) {
      void vscode.window.showInformationMessage('Open a hypothesis file with degradation.grid (*.circuit.yaml) to run its two-dial map.');
      return;
    }
    if (!this.trusted()) {
      void vscode.window.showInformationMessage('Running a grid runs the model, which an untrusted workspace does not allow.');
      return;
    }
    const file = document.uri.fsPath;
    if (resume && !fs.existsSync(gridJournalFor(file))) {
      const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(document.uri)} has no interrupted map to resume (no ${path.basename(gridJournalFor(file))}).`, 'Run Grid');
      if (choice === 'Run Grid') await this.run(document.uri);
      return;
    }
    if (this.running.has(file)) {
      void vscode.window.showInformationMessage(`The map of ${vscode.workspace.asRelativePath(document.uri)} is already running.`);
      return;
    }
    if (document.isDirty && !(await document.save())) return;
    const label = vscode.workspace.asRelativePath(document.uri);
    // Resolved once, here, by the editor's own check (as a sweep's): the hypothesis travels with the work units.
    const hypothesis = await checkBeforeRun(this.diagnostics, document, this.log, 'before running its grid');
    if (!hypothesis) return;
    if (!hypothesis.degradation.grid) {
      const choice = await vscode.window.showInformationMessage(`${label} has no degradation.grid: it runs as a sweep.`, 'Run Sweep');
      if (choice) await vscode.commands.executeCommand('circuitThermometer.runSweep', document.uri);
      return;
    }
    if (this.running.has(file)) return;
    const out = defaultGridPath(file);
    const abort = new AbortController();
    this.running.set(file, abort);
    this.changed.fire();
    const record: RunRecord = {
      id: out, hypothesisFile: file, resultsPath: out, label, status: 'running', circuitName: hypothesis.circuit.name, dial: hypothesis.degradation.dial, levels: [], progress: null,
      startedAt: new Date().toISOString(), grid: true,
    };
    this.store.put(record);
    const s = settings(document.uri);
    try {
      const done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: two-dial map of ${label}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let shown = 0;
          let cells = 0;
          let last = '';
          return gridModule().runGridParallel({ hypothesis, out }, {
            signal: abort.signal,
            onProgress: (p) => {
              progress.report({ increment: Math.max(0, p.fraction - shown) * 100, message: `${last}${formatProgress(p)}` });
              shown = Math.max(shown, p.fraction);
              this.store.update(record.id, (r) => { r.progress = p; });
            },
            onLevel: (l) => {
              // Cells are numbered row by row (checkpoint, then level); the verdict flags wait for the whole map.
              cells++;
              last = `${cells} of ${l.levels} cells · `;
              this.log.info(`  cell ${l.levelIndex + 1}/${l.levels} (level ${formatLevel(l.result.level)}) done in ${l.result.seconds.toFixed(1)} s${l.result.error ? `: ${l.result.error}` : ''}`);
            },
          }, { ...workerRunOptions(s, this.workerPath, this.log), ...(resume ? { resume } : {}) });
        },
      );
      this.log.info(`grid ${label}: ${done.document.summary} → ${done.path}`);
      // The finished map replaces the live record (a live record is kept by load until it has ended).
      this.store.update(record.id, (r) => { r.status = done.document.sweep.status; r.progress = null; });
      await this.store.load(done.path);
      this.panels.show(done.path, done.document);
      void vscode.window.showInformationMessage(`Grid finished: ${label}: ${done.document.summary}`);
    } catch (e) {
      this.fail(record, e, abort.signal.aborted);
    } finally {
      this.running.delete(file);
      this.changed.fire();
    }
  }

  private fail(record: RunRecord, e: unknown, cancelled: boolean): void {
    const err = e as Partial<WorkerError>;
    // The client keeps the journal of finished units when there are any: offer to resume (as a sweep does).
    const kept = err.journal !== undefined;
    const keptText = err.journal ? ` ${keptJournalText(err.journal)}: ${resumeAdvice(err.journal, 'Resume Grid')}.` : '';
    const text = `${err.message ?? String(e)}${err.hint && !kept ? ` (${err.hint})` : ''}`;
    this.store.update(record.id, (r) => {
      r.status = cancelled ? 'cancelled' : 'failed';
      r.error = cancelled ? `cancelled: no grid results file was written.${keptText}` : `${text}${keptText}`;
      r.progress = null;
    });
    void this.store.keepEnded(record);
    const buttons = [...(kept ? ['Resume Grid'] : []), ...(cancelled ? [] : ['Show Log'])];
    const answer = (b: string | undefined) => {
      if (b === 'Show Log') this.log.show(true);
      if (b === 'Resume Grid') void vscode.commands.executeCommand('circuitThermometer.resumeGrid', vscode.Uri.file(record.hypothesisFile));
    };
    if (cancelled) {
      this.log.info(`grid ${record.label} cancelled; no grid results file was written.${keptText}`);
      void vscode.window.showInformationMessage(`Grid cancelled: ${record.label}. No grid results file was written.${keptText}`, ...buttons).then(answer);
      return;
    }
    this.log.error(`grid ${record.label} failed [${err.code ?? 'internal'}]: ${text}${keptText}`);
    for (const d of err.details ?? []) this.log.error(`  ${d}`);
    void vscode.window.showErrorMessage(`Grid failed: ${record.label}: ${text}${keptText}`, ...buttons).then(answer);
  }

  async showFile(uri: vscode.Uri | undefined): Promise<void> {
    // From the grid's hypothesis file (its lens), the map it writes beside it.
    const file = uri && !isGridFile(uri.fsPath) && /\.(ya?ml|json)$/i.test(uri.fsPath) ? defaultGridPath(uri.fsPath) : uri?.fsPath;
    if (!file || !isGridFile(file)) {
      void vscode.window.showInformationMessage('Open a grid results file (*.grid.json) or a hypothesis with degradation.grid to show its two-dial map.');
      return;
    }
    if (uri && file !== uri.fsPath && !fs.existsSync(file)) {
      const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} has no map yet (${path.basename(file)}): run its grid first.`, 'Run Grid');
      if (choice === 'Run Grid') await this.run(uri);
      return;
    }
    try {
      const { readGridFile } = require('../engine/sweep/gridFile') as typeof import('../engine/sweep/gridFile');
      this.panels.show(file, readGridFile(file));
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    }
  }

  dispose(): void {
    for (const a of this.running.values()) a.abort();
    this.changed.dispose();
  }
}
