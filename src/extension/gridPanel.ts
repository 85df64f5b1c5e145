// The two-dial map panels: one webview panel per grid results file (<name>.grid.json) that draws its map
// (src/chart/gridFigure.ts: clean cells, E_T, E_C, the clean region outlined). A reloaded window brings a panel back
// from the file it showed. The page only draws.
import * as vscode from 'vscode';
import { readGridFile } from '../engine/sweep/gridFile';
import type { GridDocument } from '../protocol/grid';
import { GridStateNotification } from '../protocol/webview';
import { FilePanels } from './filePanels';

export class GridPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewType = 'circuitThermometer.grid';
  private readonly panels: FilePanels<GridDocument>;

  constructor(extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    this.panels = new FilePanels<GridDocument>(extensionUri, log, {
      viewType: GridPanels.viewType, tab: 'Map', logName: 'grid webview',
      page: { script: 'grid.js', title: 'Two-dial map', bodyClass: 'grid-view' },
      listen: () => undefined,
      post: (file, entry) => entry.channel.notify(GridStateNotification, { file, label: vscode.workspace.asRelativePath(file), doc: entry.shown }),
    });
  }

  /** Shows a map (its file, and the document as read or as the run returned it) beside the editor. */
  show(file: string, doc: GridDocument, preserveFocus = false): void {
    this.panels.show(file, doc, preserveFocus);
  }

  /** A reloaded window brings the panel back from the file it showed (closed when the file is gone or unreadable). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    this.panels.revive(panel, state, readGridFile, 'grid map');
  }

  dispose(): void {
    this.panels.dispose();
  }
}
