// Webview panels kept one per file (the scan map of a scan file, the two-dial map of a grid file, the calibration of
// a hypothesis file): shown
// beside the editor or revealed and updated, each with its typed channel, posted to once its page says it is ready,
// forgotten when closed. What a panel shows and what its page may ask is the owner's (scanPanel.ts, gridPanel.ts,
// calibrationPanel.ts); the page saves `{ file }` in its state so that a reloaded window can bring it back.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCommand, ReadyCommand } from '../protocol/webview';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** One open panel: its channel, what it shows, and whether its page has said it is ready. */
export interface FilePanel<T> {
  panel: vscode.WebviewPanel;
  channel: WebviewChannel;
  shown: T;
  ready: boolean;
}

export interface FilePanelKind<T> {
  viewType: string;
  /** The tab's title before the file's base name ("Map", "Calibration"). */
  tab: string;
  /** The page: its script in dist/, its title, its body class. */
  page: { script: string; title: string; bodyClass: string };
  /** Named in the log with the page's own errors ("scan webview"). */
  logName: string;
  /** Handles the page's own commands (besides ready and error). */
  listen(channel: WebviewChannel, file: string, entry: FilePanel<T>): void;
  /** Sends what the panel shows to its ready page. */
  post(file: string, entry: FilePanel<T>): void;
}

export class FilePanels<T> implements vscode.Disposable {
  readonly open = new Map<string, FilePanel<T>>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, private readonly kind: FilePanelKind<T>) {}

  /** Shows `shown` in the file's panel: opened beside the editor, or revealed and updated. */
  show(file: string, shown: T, preserveFocus: boolean): void {
    const open = this.open.get(file);
    if (open) {
      open.shown = shown;
      open.panel.reveal(undefined, preserveFocus);
      this.post(file);
      return;
    }
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, `${this.kind.tab}: ${path.basename(file)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.adopt(panel, file, shown);
  }

  /** A panel a reloaded window brought back, showing `shown` again. */
  restore(panel: vscode.WebviewPanel, file: string, shown: T): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    this.adopt(panel, file, shown);
  }

  /** A panel a reloaded window brought back, shown again from the file its page saved, as `read` gives it (closed
   *  when that file is gone, unreadable, or already shown; `what` names it in the log). */
  revive(panel: vscode.WebviewPanel, state: unknown, read: (file: string) => T, what: string): void {
    const file = savedFile(state);
    let shown: T | undefined;
    try {
      shown = file && !this.open.has(file) ? read(file) : undefined;
    } catch (e) {
      this.log.warn(`${what} of ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!file || shown === undefined) {
      panel.dispose();
      return;
    }
    this.restore(panel, file, shown);
  }

  /** Sends the file's panel its state, once its page is ready. */
  post(file: string): void {
    const entry = this.open.get(file);
    if (entry?.ready) this.kind.post(file, entry);
  }

  private adopt(panel: vscode.WebviewPanel, file: string, shown: T): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thermometer.svg');
    const channel = new WebviewChannel(panel.webview, this.log);
    const entry: FilePanel<T> = { panel, channel, shown, ready: false };
    this.open.set(file, entry);
    channel.on(ReadyCommand, () => {
      entry.ready = true;
      this.post(file);
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`${this.kind.logName}: ${message}`));
    this.kind.listen(channel, file, entry);
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.open.get(file) === entry) this.open.delete(file);
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, this.kind.page);
  }

  dispose(): void {
    for (const s of [...this.open.values()]) s.panel.dispose();
  }
}

/** The file a restored page saved in its state, or undefined. */
export function savedFile(state: unknown): string | undefined {
  return typeof state === 'object' && state !== null && typeof (state as { file?: unknown }).file === 'string' ? (state as { file: string }).file : undefined;
}
