// Diagnostics as the user types: each change schedules a check after `diagnosticsDelay` ms of quiet; a newer
// change aborts the older check, and a result is published only if the document has not changed since.
// Model, data and checkpoint files are watched: when one changes, open hypotheses are checked again.
import * as vscode from 'vscode';
import type { ParseResult } from '../hypothesis';
import type { Hypothesis } from '../protocol/hypothesis';
import type { Diagnostic, Fix } from '../hypothesis/diagnostics';
import { settings } from './config';
import { HypothesisService, isHypothesisDocument } from './hypothesisService';
import { FixIndex, toDiagnostic } from './translate';

interface Pending {
  timer?: NodeJS.Timeout;
  abort?: AbortController;
  /** When the change that this check answers was made (for the latency log). */
  changedAt: number;
}

export interface CheckTiming {
  uri: string;
  problems: number;
  /** Time spent in the checker. */
  checkMs: number;
  /** From the last change of the text to the published diagnostics. */
  sinceChangeMs: number;
}

export class HypothesisDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('circuit-thermometer');
  readonly fixes = new FixIndex();
  private readonly pending = new Map<string, Pending>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<CheckTiming>();
  /** Fires after each published check (tests and the latency log listen). */
  readonly onDidCheck = this.changed.event;

  constructor(private readonly service: HypothesisService, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, settings(e.document.uri).diagnosticsDelay);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    );
    // Files a hypothesis reads: a change re-checks every open hypothesis (the cache keys on mtime and size).
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{onnx,npy,npz,json,data,bin}');
    const onFile = (uri: vscode.Uri) => {
      if (/\.(results|circuit)\.json$/i.test(uri.path)) return;
      this.service.invalidate();
      this.recheckAll();
    };
    this.disposables.push(watcher, watcher.onDidChange(onFile), watcher.onDidCreate(onFile), watcher.onDidDelete(onFile));
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Checks every open hypothesis again (trust granted, a model changed). */
  recheckAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** The errors currently shown for a document. */
  errors(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return (this.collection.get(uri) ?? []).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  }

  /** Checks now, publishes, and returns the result (a run command wants fresh diagnostics before it starts). */
  async checkNow(document: vscode.TextDocument): Promise<ParseResult | undefined> {
    return this.run(document, this.cancelPending(document.uri) ?? performance.now());
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!isHypothesisDocument(document) || document.uri.scheme !== 'file') return;
    const key = document.uri.toString();
    const changedAt = performance.now();
    const previous = this.pending.get(key);
    if (previous?.timer) clearTimeout(previous.timer);
    previous?.abort?.abort();
    const entry: Pending = { changedAt };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.run(document, changedAt);
    }, delayMs);
    this.pending.set(key, entry);
  }

  private cancelPending(uri: vscode.Uri): number | undefined {
    const p = this.pending.get(uri.toString());
    if (!p) return undefined;
    if (p.timer) clearTimeout(p.timer);
    p.abort?.abort();
    this.pending.delete(uri.toString());
    return p.changedAt;
  }

  private async run(document: vscode.TextDocument, changedAt: number): Promise<ParseResult | undefined> {
    const key = document.uri.toString();
    const entry: Pending = this.pending.get(key) ?? { changedAt };
    entry.abort?.abort();
    const abort = new AbortController();
    entry.abort = abort;
    this.pending.set(key, entry);
    const version = document.version;
    const started = performance.now();
    try {
      const result = await this.service.check(document, abort.signal);
      if (abort.signal.aborted || document.isClosed || document.version !== version) return undefined;
      const entries: { diagnostic: vscode.Diagnostic; fix?: Fix }[] = result.diagnostics.map((d) => ({ diagnostic: toDiagnostic(this.inContext(d), document), fix: d.fix }));
      this.collection.set(document.uri, entries.map((e) => e.diagnostic));
      this.fixes.set(document.uri, entries);
      const timing: CheckTiming = { uri: key, problems: entries.length, checkMs: performance.now() - started, sinceChangeMs: performance.now() - changedAt };
      this.log.trace(`checked ${vscode.workspace.asRelativePath(document.uri)}: ${timing.problems} problem(s), check ${timing.checkMs.toFixed(1)} ms, ${timing.sinceChangeMs.toFixed(1)} ms after the last change`);
      this.changed.fire(timing);
      return result;
    } catch (e) {
      if (!abort.signal.aborted) this.log.error(`checking ${document.uri.fsPath} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return undefined;
    } finally {
      if (this.pending.get(key) === entry && entry.abort === abort && !entry.timer) this.pending.delete(key);
    }
  }

  /** In an untrusted workspace the skipped shape probe is expected, not a problem: say it as information. */
  private inContext(d: Diagnostic): Diagnostic {
    return d.code === 'hyp/probe-failed' && !this.service.mayExecute() ? { ...d, severity: 'info' } : d;
  }

  private forget(uri: vscode.Uri): void {
    this.cancelPending(uri);
    this.collection.delete(uri);
    this.fixes.delete(uri);
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.abort?.abort();
    }
    this.pending.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** A run command's check: fresh diagnostics, then the resolved hypothesis, or a message (with the log or the Problems
 *  view to open) and undefined. `purpose` ends the message: "before running a sweep". */
export async function checkBeforeRun(diagnostics: HypothesisDiagnostics, document: vscode.TextDocument, log: vscode.LogOutputChannel, purpose: string): Promise<Hypothesis | undefined> {
  const label = vscode.workspace.asRelativePath(document.uri);
  const result = await diagnostics.checkNow(document);
  if (!result) {
    const choice = await vscode.window.showErrorMessage(`Could not check ${label}; see the Circuit Thermometer log.`, 'Show Log');
    if (choice) log.show(true);
    return undefined;
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.hypothesis || errors.length > 0) {
    const n = errors.length;
    const choice = await vscode.window.showErrorMessage(`${label} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} ${purpose}.`, 'Show Problems');
    if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
    return undefined;
  }
  return result.hypothesis;
}
