// The calibration panels: one webview panel per hypothesis file that shows its last *Calibrate Sampler* grid (the
// heatmap of MALA acceptance per (ε, nβ) cell, the recommended ε per level) and a button that writes the
// recommendation into the file. The page only asks; the host checks the value against the grid it holds and writes
// through a WorkspaceEdit. A panel follows its file: a changed stepSize, or changed inputs that make it stale.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { stepSizeSite } from '../hypothesis/settingEdit';
import { type CalibrationState, CalibrationStateNotification, ErrorCommand, ReadyCommand, WriteStepSizeCommand } from '../protocol/webview';
import { type Calibration, type CalibrationStore, recommendedStepSize } from './calibrationStore';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

interface Shown {
  panel: vscode.WebviewPanel;
  channel: WebviewChannel;
  calibration: Calibration;
  ready: boolean;
}

export class CalibrationPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.calibration';
  private readonly shown = new Map<string, Shown>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: CalibrationStore,
    private readonly log: vscode.LogOutputChannel,
    /** Writes a step size into a hypothesis file (the same write as the notification's button). */
    private readonly write: (file: vscode.Uri, stepSize: number) => Promise<boolean>,
  ) {
    this.subscriptions.push(
      store.onDidChange((file) => this.postSoon(file)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown.has(e.document.uri.fsPath)) this.postSoon(e.document.uri.fsPath);
      }),
    );
  }

  /** Shows the calibration in its file's panel (opened beside the editor, or revealed and updated). */
  show(c: Calibration, preserveFocus = true): void {
    const open = this.shown.get(c.file);
    if (open) {
      open.calibration = c;
      open.panel.reveal(undefined, preserveFocus);
      this.post(c.file);
      return;
    }
    const panel = vscode.window.createWebviewPanel(CalibrationPanels.viewType, `Calibration: ${path.basename(c.file)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.adopt(panel, c);
  }

  /**
   * A reloaded window brings the panel back (registered as the panel type's serializer): the page saved which file it
   * showed, the store kept that file's grid in the workspace state. Without either the panel closes, so no empty
   * editor is left behind.
   */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const file = typeof state === 'object' && state !== null && typeof (state as { file?: unknown }).file === 'string' ? (state as { file: string }).file : undefined;
    const c = file ? this.store.get(file) : undefined;
    if (!c || this.shown.has(c.file)) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.adopt(panel, c);
  }

  private adopt(panel: vscode.WebviewPanel, c: Calibration): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thermometer.svg');
    const channel = new WebviewChannel(panel.webview, this.log);
    const entry: Shown = { panel, channel, calibration: c, ready: false };
    this.shown.set(c.file, entry);
    channel.on(ReadyCommand, () => {
      entry.ready = true;
      this.post(c.file);
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`calibration webview: ${message}`));
    channel.on(WriteStepSizeCommand, ({ stepSize }) => this.onWrite(c.file, stepSize));
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.shown.get(c.file) === entry) this.shown.delete(c.file);
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'calibration.js', title: 'Sampler calibration', bodyClass: 'calibration-view' });
  }

  /** The page's button: only the recommendation of a calibration that still describes the file is written. */
  private async onWrite(file: string, stepSize: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const c = this.store.current(file, document.getText());
    if (!c || recommendedStepSize(c.report) !== stepSize) {
      void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(file)} changed since this calibration: run Calibrate Sampler again.`);
      this.post(file);
      return;
    }
    await this.write(document.uri, stepSize);
    this.post(file);
  }

  private postSoon(file: string): void {
    if (this.timers.has(file)) return;
    this.timers.set(file, setTimeout(() => {
      this.timers.delete(file);
      this.post(file);
    }, 200));
  }

  private post(file: string): void {
    const s = this.shown.get(file);
    if (!s || !s.ready) return;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    this.stateOf(s.calibration, document).then(
      (state) => s.channel.notify(CalibrationStateNotification, state),
      (e: unknown) => this.log.warn(`calibration panel of ${file}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private async stateOf(c: Calibration, open: vscode.TextDocument | undefined): Promise<CalibrationState> {
    const text = open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(c.file))).toString('utf8');
    return {
      file: c.file,
      label: vscode.workspace.asRelativePath(c.file),
      report: c.report,
      at: c.at.toISOString(),
      stepSize: recommendedStepSize(c.report),
      current: stepSizeSite(text, c.file)?.current ?? null,
      stale: this.store.current(c.file, text) !== c,
    };
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    for (const s of [...this.shown.values()]) s.panel.dispose();
  }
}
