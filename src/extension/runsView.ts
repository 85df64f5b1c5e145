// The "Runs" view in the Circuit Thermometer side bar: the runs list webview (t_ent, the calibration k/K, inconclusive
// runs marked). Clicking a run opens its chart.
import * as vscode from 'vscode';
import { CancelRunCommand, ErrorCommand, OpenResultsCommand, OpenRunCommand, ReadyCommand, RemoveRunCommand, RunsStateNotification } from '../protocol/webview';
import { summarize } from './runRecord';
import type { RunsStore } from './runsStore';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface RunsViewActions {
  openChart(runId: string): void;
  cancel(runId: string): Promise<void>;
  openResults(runId: string): Promise<void>;
  remove(runId: string): Promise<void>;
  trusted(): boolean;
}

export class RunsView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'circuitThermometer.runs';
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel | undefined;
  private ready = false;
  private pending: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly store: RunsStore, private readonly log: vscode.LogOutputChannel, private readonly actions: RunsViewActions) {
    this.subscriptions.push(store.onDidChange(() => this.refresh()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    const channel = new WebviewChannel(view.webview, this.log);
    this.channel = channel;
    channel.on(ReadyCommand, async () => {
      this.ready = true;
      await this.store.scan();
      this.post();
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`runs webview: ${message}`));
    channel.on(OpenRunCommand, ({ runId }) => this.actions.openChart(runId));
    channel.on(CancelRunCommand, ({ runId }) => this.actions.cancel(runId));
    channel.on(OpenResultsCommand, ({ runId }) => this.actions.openResults(runId));
    channel.on(RemoveRunCommand, ({ runId }) => this.actions.remove(runId));
    view.onDidDispose(() => {
      channel.dispose();
      if (this.view === view) {
        this.view = undefined;
        this.channel = undefined;
      }
    });
    view.webview.html = webviewHtml(view.webview, this.extensionUri, { script: 'runs.js', title: 'Runs', bodyClass: 'runs-view' });
  }

  /** Posts the list, at most every 200 ms (progress updates arrive faster). */
  refresh(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.post();
    }, 200);
  }

  private post(): void {
    if (!this.channel || !this.ready) return;
    const runs = this.store.all();
    // A zero badge, not `undefined`: VS Code (1.100) ignores an undefined webview-view badge and keeps the last one.
    if (this.view) this.view.badge = runs.some((r) => r.status === 'running') ? { value: runs.filter((r) => r.status === 'running' || r.status === 'queued').length, tooltip: 'sweeps running or queued' } : { value: 0, tooltip: '' };
    // Each entry also carries its verdict facts (calibration k/K, inconclusive levels, results version) for the list.
    const entries = runs.map(summarize);
    void this.channel.notify(RunsStateNotification, { runs: entries, trusted: this.actions.trusted() });
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const s of this.subscriptions) s.dispose();
  }
}
