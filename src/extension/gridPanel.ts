// The two-dial map panels: one webview panel per grid results file (<name>.grid.json) that draws its map
// (src/chart/gridFigure.ts: clean cells, E_T, E_C, the clean region outlined). A reloaded window brings a panel back
// from the file it showed. The page only draws.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readGridFile } from '../engine/sweep/gridFile';
import type { GridDocument } from '../protocol/grid';
import { ErrorCommand, GridStateNotification, ReadyCommand } from '../protocol/webview';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

interface Shown {
  panel: vscode.WebviewPanel;
  channel: WebviewChannel;
  doc: GridDocument;
  ready: boolean;
}

export class GridPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.grid';
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /** Shows a map (its file, and the document as read or as the run returned it) beside the editor. */
  show(file: string, doc: GridDocument, preserveFocus = false): void {
    const open = this.shown.get(file);
    if (open) {
      open.doc = doc;
      open.panel.reveal(undefined, preserveFocus);
      this.post(file);
      return;
    }
    const panel = vscode.window.createWebviewPanel(GridPanels.viewType, `Map: ${path.basename(file)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.adopt(panel, file, doc);
  }

  /** A reloaded window brings the panel back from the file it showed (closed when the file is gone or unreadable). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const file = typeof state === 'object' && state !== null && typeof (state as { file?: unknown }).file === 'string' ? (state as { file: string }).file : undefined;
    let doc: GridDocument | undefined;
    try {
      doc = file && !this.shown.has(file) ? readGridFile(file) : undefined;
    } catch (e) {
      this.log.warn(`grid map of ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!file || !doc) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.adopt(panel, file, doc);
  }

  private adopt(panel: vscode.WebviewPanel, file: string, doc: GridDocument): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thermometer.svg');
    const channel = new WebviewChannel(panel.webview, this.log);
    const entry: Shown = { panel, channel, doc, ready: false };
    this.shown.set(file, entry);
    channel.on(ReadyCommand, () => {
      entry.ready = true;
      this.post(file);
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`grid webview: ${message}`));
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.shown.get(file) === entry) this.shown.delete(file);
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'grid.js', title: 'Two-dial map', bodyClass: 'grid-view' });
  }

  private post(file: string): void {
    const s = this.shown.get(file);
    if (!s || !s.ready) return;
    s.channel.notify(GridStateNotification, { file, label: vscode.workspace.asRelativePath(file), doc: s.doc });
  }

  dispose(): void {
    for (const s of [...this.shown.values()]) s.panel.dispose();
  }
}
