// The calibration panels: one webview panel per hypothesis file that shows its last *Calibrate Sampler* grid (the
// heatmap of MALA acceptance per (ε, nβ) cell, the recommended ε per level) and a button that writes the
// recommendation into the file. The page only asks; the host checks the value against the grid it holds and writes
// through a WorkspaceEdit. A panel follows its file: a changed stepSize, or changed inputs that make it stale.
import * as vscode from 'vscode';
import { stepSizeSite } from '../hypothesis/settingEdit';
import { type CalibrationState, CalibrationStateNotification, WriteStepSizeCommand } from '../protocol/webview';
import { type Calibration, type CalibrationStore, recommendedStepSize } from './calibrationStore';
import { FilePanels, savedFile } from './filePanels';

export class CalibrationPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.calibration';
  private readonly panels: FilePanels<Calibration>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    extensionUri: vscode.Uri,
    private readonly store: CalibrationStore,
    private readonly log: vscode.LogOutputChannel,
    /** Writes a step size into a hypothesis file (the same write as the notification's button). */
    private readonly write: (file: vscode.Uri, stepSize: number) => Promise<boolean>,
  ) {
    this.panels = new FilePanels<Calibration>(extensionUri, log, {
      viewType: CalibrationPanels.viewType, tab: 'Calibration', logName: 'calibration webview',
      page: { script: 'calibration.js', title: 'Sampler calibration', bodyClass: 'calibration-view' },
      listen: (channel, file) => channel.on(WriteStepSizeCommand, ({ stepSize }) => this.onWrite(file, stepSize)),
      post: (file, entry) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
        this.stateOf(entry.shown, document).then(
          (state) => entry.channel.notify(CalibrationStateNotification, state),
          (e: unknown) => this.log.warn(`calibration panel of ${file}: ${e instanceof Error ? e.message : String(e)}`),
        );
      },
    });
    this.subscriptions.push(
      store.onDidChange((file) => this.postSoon(file)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panels.open.has(e.document.uri.fsPath)) this.postSoon(e.document.uri.fsPath);
      }),
    );
  }

  /** Shows the calibration in its file's panel (opened beside the editor, or revealed and updated). */
  show(c: Calibration, preserveFocus = true): void {
    this.panels.show(c.file, c, preserveFocus);
  }

  /**
   * A reloaded window brings the panel back (registered as the panel type's serializer): the page saved which file it
   * showed, the store kept that file's grid in the workspace state. Without either the panel closes, so no empty
   * editor is left behind.
   */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const file = savedFile(state);
    const c = file ? this.store.get(file) : undefined;
    if (!c || this.panels.open.has(c.file)) {
      panel.dispose();
      return;
    }
    this.panels.restore(panel, c.file, c);
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
    this.panels.post(file);
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
    this.panels.dispose();
  }
}
