// The scan map panels: one webview panel per scan file (<name>.scan.json) that draws its entanglement map
// (src/chart/scanFigure.ts). Units picked on the map come back as a request to write a circuit hypothesis: the host
// turns the scan file's own text into one (src/hypothesis/fromScan.ts), writes it beside that file under a name not
// yet taken, and opens it. The page never writes files.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { readScanFile } from '../engine/sweep/scanFile';
import { hypothesisFromScan, type PickedUnits, pickedFileName } from '../hypothesis/fromScan';
import { type ScanDocument, scanUnitName } from '../protocol/scan';
import { type ScanPick, ScanStateNotification, WriteScanHypothesisCommand } from '../protocol/webview';
import { FilePanels } from './filePanels';

export class ScanPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.scan';
  private readonly panels: FilePanels<ScanDocument>;

  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.panels = new FilePanels<ScanDocument>(extensionUri, log, {
      viewType: ScanPanels.viewType, tab: 'Map', logName: 'scan webview',
      page: { script: 'scan.js', title: 'Entanglement map', bodyClass: 'scan-view' },
      listen: (channel, _file, entry) => channel.on(WriteScanHypothesisCommand, ({ units }) => {
        this.writeHypothesis(entry.shown, units).catch((e: unknown) => void vscode.window.showErrorMessage(`Writing the hypothesis failed: ${e instanceof Error ? e.message : String(e)}`));
      }),
      post: (file, entry) => entry.channel.notify(ScanStateNotification, { file, label: vscode.workspace.asRelativePath(file), doc: entry.shown }),
    });
  }

  /** Shows a scan (its file, and the document as read or as the worker returned it) beside the editor. */
  show(file: string, doc: ScanDocument, preserveFocus = false): void {
    this.panels.show(file, doc, preserveFocus);
  }

  /** A reloaded window brings the panel back from the file it showed (closed when the file is gone or unreadable). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    this.panels.revive(panel, state, readScanFile, 'scan map');
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

  dispose(): void {
    this.panels.dispose();
  }
}
