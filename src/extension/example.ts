// The getting-started pieces: "Open an Example" copies the bundled planted-circuit example (a 10 KB model, its data
// and one hypothesis, shipped in the .vsix) into the workspace and opens it, or opens a hypothesis the workspace
// already has; "Get Started" opens the walkthrough (package.json `contributes.walkthroughs`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HYPOTHESIS_GLOB } from './commands';

/** Where the example lives in the extension, the files it needs, and the hypothesis to open. */
export const EXAMPLE = {
  from: 'examples/planted',
  files: ['kappa-1.circuit.yaml', 'planted-kappa-1.onnx', 'data/x.npy', 'data/y.npy', 'data/is_target.npy'],
  open: 'kappa-1.circuit.yaml',
  /** The folder it is copied to, in the first workspace folder. */
  into: 'circuit-thermometer-example',
} as const;

export const WALKTHROUGH_ID = 'gettingStarted';

export class ExampleCommands {
  constructor(private readonly extensionUri: vscode.Uri, private readonly extensionId: () => string, private readonly log: vscode.LogOutputChannel) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('circuitThermometer.openExample', () => this.openExample()),
      vscode.commands.registerCommand('circuitThermometer.openWalkthrough', () =>
        vscode.commands.executeCommand('workbench.action.openWalkthrough', `${this.extensionId()}#${WALKTHROUGH_ID}`, false)),
    ];
  }

  async openExample(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const found = await vscode.workspace.findFiles(HYPOTHESIS_GLOB, '**/node_modules/**', 200);
    let target: vscode.Uri | undefined;
    if (found.length > 0) {
      const copy = { label: '$(add) Copy the bundled example', description: `planted circuit, κ = 1 → ${EXAMPLE.into}/`, uri: undefined as vscode.Uri | undefined };
      const pick = await vscode.window.showQuickPick([copy, ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: '', uri: u as vscode.Uri | undefined }))], {
        title: 'Open an example hypothesis',
        placeHolder: 'A hypothesis of this workspace, or the bundled example',
        // Opened from the walkthrough, whose page may take the focus back while it redraws the step.
        ignoreFocusOut: true,
      });
      if (!pick) return;
      target = pick.uri;
    }
    if (!target) {
      if (!folder) {
        const b = await vscode.window.showInformationMessage('Open a folder first: the example is copied into it.', 'Open Folder');
        if (b) await vscode.commands.executeCommand('workbench.action.files.openFolder');
        return;
      }
      target = await this.copyExample(folder.uri);
    }
    await vscode.window.showTextDocument(target, { preview: false });
  }

  /** Copies the example into `<folder>/circuit-thermometer-example/` (files already there are kept) and returns its hypothesis. */
  private async copyExample(folder: vscode.Uri): Promise<vscode.Uri> {
    const dest = vscode.Uri.joinPath(folder, EXAMPLE.into);
    for (const f of EXAMPLE.files) {
      const to = vscode.Uri.joinPath(dest, f);
      const exists = await vscode.workspace.fs.stat(to).then(() => true, () => false);
      if (exists) continue;
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(dest, path.posix.dirname(f)));
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(this.extensionUri, EXAMPLE.from, f), to);
    }
    this.log.info(`copied the example into ${vscode.workspace.asRelativePath(dest)}`);
    return vscode.Uri.joinPath(dest, EXAMPLE.open);
  }
}
