// The chart panel: one webview panel that shows one run at a time (a picker switches runs), updated live while
// its sweep runs, restored after a reload by the serializer (the page keeps {runId, options} in its state).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { headingLines } from '../hypothesis/keyHelp';
import {
  ChartOptionsCommand,
  ChartStateNotification,
  type ChartViewOptions,
  DEFAULT_CHART_OPTIONS,
  ErrorCommand,
  ExportCommand,
  type ExportFormat,
  ImageRequest,
  type ImageFormat,
  isChartViewOptions,
  OpenMethodCommand,
  ReadyCommand,
  SelectRunCommand,
} from '../protocol/webview';
import { chartDocFor, summarize } from './runRecord';
import type { RunsStore } from './runsStore';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

const OPTIONS_KEY = 'circuitThermometer.chartOptions';

export class ChartPanel implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.chart';
  private panel: vscode.WebviewPanel | undefined;
  private channel: WebviewChannel | undefined;
  private runId: string | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly exportRequested = new vscode.EventEmitter<{ runId: string; format: ExportFormat }>();
  /** Fires when the panel's PNG / SVG / CSV / JSON buttons ask to export the shown run. */
  readonly onDidRequestExport = this.exportRequested.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: RunsStore,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(store.onDidChange((r) => {
      if (!r || r.id === this.runId) this.post();
      else this.postChoicesSoon();
    }));
  }

  /** The run the panel shows, if it is open. */
  get shownRunId(): string | undefined {
    return this.panel ? this.runId : undefined;
  }

  show(runId: string): void {
    this.runId = runId;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.post();
      return;
    }
    const panel = vscode.window.createWebviewPanel(ChartPanel.viewType, this.title(), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.attach(panel);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = state as { runId?: unknown; options?: unknown } | undefined;
    if (saved && isChartViewOptions(saved.options)) await this.memento.update(OPTIONS_KEY, saved.options);
    await this.store.scan();
    if (typeof saved?.runId === 'string' && !this.store.get(saved.runId)) await this.store.load(saved.runId);
    this.runId = typeof saved?.runId === 'string' ? saved.runId : this.store.all().find((r) => !r.grid)?.id;
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel);
  }

  /** Renders the shown chart as an image in the page (PNG or SVG) and returns it as a `data:` URL. */
  async image(format: ImageFormat, width = 1200, height = 800): Promise<string> {
    if (!this.channel || !this.ready) throw new Error('the chart panel is not open');
    const { dataUrl } = await this.channel.request(ImageRequest, { format, width, height });
    return dataUrl;
  }

  /** Waits (bounded) until the page has loaded and said it is ready. */
  async whenReady(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.ready) {
      if (!this.panel || Date.now() > until) throw new Error('the chart panel did not load');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thermometer.svg');
    const channel = new WebviewChannel(panel.webview, this.log);
    this.channel = channel;
    channel.on(ReadyCommand, () => {
      this.ready = true;
      this.post();
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`chart webview: ${message}`));
    channel.on(ChartOptionsCommand, async (options) => {
      await this.memento.update(OPTIONS_KEY, options);
    });
    channel.on(SelectRunCommand, ({ runId }) => {
      if (this.store.get(runId)) {
        this.runId = runId;
        this.post();
      }
    });
    channel.on(OpenMethodCommand, ({ section }) => void this.openMethod(section));
    channel.on(ExportCommand, ({ format }) => (this.runId ? this.exportRequested.fire({ runId: this.runId, format }) : undefined));
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.channel = undefined;
        this.ready = false;
      }
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'webview.js', title: 'Entanglement chart', bodyClass: 'chart-view' });
  }

  /** The packaged docs/method.md, opened beside the chart at the section's heading (its top when not found). */
  private async openMethod(section: string): Promise<void> {
    const uri = vscode.Uri.joinPath(this.extensionUri, 'docs', 'method.md');
    try {
      const line = headingLines(await fs.promises.readFile(uri.fsPath, 'utf8')).get(section) ?? 0;
      const doc = await vscode.workspace.openTextDocument(uri);
      const at = new vscode.Position(line, 0);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, selection: new vscode.Range(at, at), preview: true });
    } catch (e) {
      void vscode.window.showWarningMessage(`Could not open the method (docs/method.md): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private title(): string {
    const r = this.runId ? this.store.get(this.runId) : undefined;
    return r ? `Chart: ${r.circuitName || r.label}` : 'Entanglement chart';
  }

  private post(): void {
    if (!this.panel || !this.channel || !this.ready || !this.runId) return;
    const record = this.store.get(this.runId);
    if (!record) return;
    this.panel.title = this.title();
    const options = this.memento.get<ChartViewOptions>(OPTIONS_KEY);
    void this.channel.notify(ChartStateNotification, {
      run: summarize(record),
      doc: chartDocFor(record),
      choices: this.store.all().filter((r) => !r.grid && (r.document || r.hypothesis)).map((r) => ({ id: r.id, label: `${r.circuitName || r.label} · ${r.dial ?? '?'} · ${r.status}` })),
      options: isChartViewOptions(options) ? options : DEFAULT_CHART_OPTIONS,
    });
  }

  private choicesTimer: NodeJS.Timeout | undefined;
  private postChoicesSoon(): void {
    if (this.choicesTimer) return;
    this.choicesTimer = setTimeout(() => {
      this.choicesTimer = undefined;
      this.post();
    }, 500);
  }

  dispose(): void {
    if (this.choicesTimer) clearTimeout(this.choicesTimer);
    for (const s of this.subscriptions) s.dispose();
    this.exportRequested.dispose();
    this.panel?.dispose();
  }
}
