// The scan map panels: one webview panel per scan file (<name>.scan.json) that draws its entanglement map
// (src/chart/scanFigure.ts). Units picked on the map come back as a request to write a circuit hypothesis: the host
// turns the scan file's own text into one (src/hypothesis/fromScan.ts), writes it beside that file under a name not
// yet taken, and opens it. The page never writes files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readScanFile } from '../engine/sweep/scanFile';
import { hypothesisFromScan, type PickedUnits, pickedFileName } from '../hypothesis/fromScan';
import { type ScanDocument, scanUnitName } from '../protocol/scan';
import { ErrorCommand, ReadyCommand, type ScanPick, ScanStateNotification, WriteScanHypothesisCommand } from '../protocol/webview';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

interface Shown {
  panel: vscode.WebviewPanel;
  channel: WebviewChannel;
  doc: ScanDocument;
  ready: boolean;
}

export class ScanPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.scan';
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /** Shows a scan (its file, and the document as read or as the worker returned it) beside the editor. */
  show(file: string, doc: ScanDocument, preserveFocus = false): void {
    const open = this.shown.get(file);
    if (open) {
      open.doc = doc;
      open.panel.reveal(undefined, preserveFocus);
      this.post(file);
      return;
    }
    const panel = vscode.window.createWebviewPanel(ScanPanels.viewType, `Map: ${path.basename(file)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.adopt(panel, file, doc);
  }

  /** A reloaded window brings the panel back from the file it showed (closed when the file is gone or unreadable). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const file = typeof state === 'object' && state !== null && typeof (state as { file?: unknown }).file === 'string' ? (state as { file: string }).file : undefined;
    let doc: ScanDocument | undefined;
    try {
      doc = file && !this.shown.has(file) ? readScanFile(file) : undefined;
    } catch (e) {
      this.log.warn(`scan map of ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!file || !doc) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.adopt(panel, file, doc);
  }

  private adopt(panel: vscode.WebviewPanel, file: string, doc: ScanDocument): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thermometer.svg');
    const channel = new WebviewChannel(panel.webview, this.log);
    const entry: Shown = { panel, channel, doc, ready: false };
    this.shown.set(file, entry);
    channel.on(ReadyCommand, () => {
      entry.ready = true;
      this.post(file);
    });
    channel.on(ErrorCommand, ({ message }) => this.log.error(`scan webview: ${message}`));
    channel.on(WriteScanHypothesisCommand, ({ units }) => {
      this.writeHypothesis(entry.doc, units).catch((e: unknown) => void vscode.window.showErrorMessage(`Writing the hypothesis failed: ${e instanceof Error ? e.message : String(e)}`));
    });
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.shown.get(file) === entry) this.shown.delete(file);
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'scan.js', title: 'Entanglement map', bodyClass: 'scan-view' });
  }

  /** A circuit hypothesis for the picked units, beside the scan's hypothesis file, opened in an editor. */
  async writeHypothesis(doc: ScanDocument, units: readonly ScanPick[]): Promise<vscode.Uri | undefined> {
    const known = units.filter((u) => doc.components[u.component]?.units.includes(u.unit));
    if (known.length === 0) return undefined;
    const picked: PickedUnits[] = doc.components.map((c, k) => ({ component: c, units: known.filter((u) => u.component === k).map((u) => u.unit) }));
    const source = doc.hypothesis.file;
    const format = source.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(source))).toString('utf8');
    const name = known.length <= 4 ? known.map((u) => scanUnitName(doc, u)).join(' + ') : `${known.length} units picked on the map`;
    const out = vscode.Uri.file(pickedFileName(source, picked, (f) => fs.existsSync(f), format));
    await vscode.workspace.fs.writeFile(out, Buffer.from(hypothesisFromScan(text, picked, name, format), 'utf8'));
    this.log.info(`wrote ${out.fsPath} (${name}) from the map of ${source}`);
    await vscode.window.showTextDocument(out, { viewColumn: vscode.ViewColumn.One });
    return out;
  }

  private post(file: string): void {
    const s = this.shown.get(file);
    if (!s || !s.ready) return;
    s.channel.notify(ScanStateNotification, { file, label: vscode.workspace.asRelativePath(file), doc: s.doc });
  }

  dispose(): void {
    for (const s of [...this.shown.values()]) s.panel.dispose();
  }
}
