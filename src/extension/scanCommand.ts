// "Scan Units": the entanglement map of the active hypothesis file (one with `scan:`), run in a worker process (the
// extension host never runs the model), written to <name>.scan.json beside it and shown in its map panel. "Show
// Entanglement Map" opens a scan file's panel.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultScanPath, readScanFile } from '../engine/sweep/scanFile';
import { WorkerClient } from '../worker/client';
import { activeHypothesis, uriOf } from './commands';
import type { ScanPanels } from './scanPanel';

export class ScanCommands {
  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly trusted: () => boolean,
    private readonly panels: ScanPanels,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('circuitThermometer.scanUnits', (arg) => this.scan(uriOf(arg))),
      vscode.commands.registerCommand('circuitThermometer.showScan', (arg) => this.showFile(uriOf(arg) ?? vscode.window.activeTextEditor?.document.uri)),
    ];
  }

  async scan(uri: vscode.Uri | undefined): Promise<void> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : activeHypothesis();
    if (!document) {
      void vscode.window.showInformationMessage('Open a hypothesis file with a `scan:` block (*.circuit.yaml) to scan its units.');
      return;
    }
    if (!this.trusted()) {
      void vscode.window.showInformationMessage('Scanning runs the model, which an untrusted workspace does not allow.');
      return;
    }
    if (document.isDirty && !(await document.save())) return;
    const label = vscode.workspace.asRelativePath(document.uri);
    const out = defaultScanPath(document.uri.fsPath);
    const abort = new AbortController();
    try {
      const done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: scanning the units of ${label}`, cancellable: true },
        async (_p, token) => {
          token.onCancellationRequested(() => abort.abort());
          const client = new WorkerClient({ workerPath: this.workerPath });
          try {
            return await client.scan({ hypothesis: document.uri.fsPath, out }, abort.signal);
          } finally {
            await client.dispose();
          }
        },
      );
      const specific = done.document.units.filter((u) => u.specificity.specific).length;
      this.log.info(`scan of ${label}: ${done.document.units.length} units, ${specific} specific; written to ${done.path}`);
      this.panels.show(done.path, done.document);
    } catch (e) {
      if (abort.signal.aborted) return;
      void vscode.window.showErrorMessage(`Scan of ${label} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async showFile(uri: vscode.Uri | undefined): Promise<void> {
    // From the scan's hypothesis file (its lens), the map it writes beside it.
    const file = uri && /\.ya?ml$/i.test(uri.fsPath) ? defaultScanPath(uri.fsPath) : uri?.fsPath;
    if (!file || !/\.scan\.json$/i.test(file)) {
      void vscode.window.showInformationMessage('Open a scan file (*.scan.json) to show its entanglement map.');
      return;
    }
    if (uri && file !== uri.fsPath && !fs.existsSync(file)) {
      const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} has no map yet (${path.basename(file)}): scan its units first.`, 'Scan Units');
      if (choice === 'Scan Units') await this.scan(uri);
      return;
    }
    try {
      this.panels.show(file, readScanFile(file));
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    }
  }
}
