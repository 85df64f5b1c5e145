// Opening an `.onnx` file shows the model, not its bytes: a read-only custom editor with the Inspect page (inputs,
// outputs, parameters, ops, gradient support, the intermediate tensors with links that copy and search their names)
// and a button that scaffolds a hypothesis from the model. The page is
// read from the ONNX protobuf (no onnxruntime in the extension host), rendered by VS Code's own Markdown renderer,
// and shown with no script at all: its one action is a command link.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { escapeHtml } from '../protocol/escape';
import { COPY_TENSOR_COMMAND, SEARCH_TENSORS_COMMAND } from './tensorsMarkdown';
import { localResourceRoots } from './webviewHtml';

export class OnnxEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'circuitThermometer.onnxModel';

  constructor(private readonly extensionUri: vscode.Uri, private readonly page: (file: string) => Promise<string>) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    // No scripts; command links limited to the scaffold, and to searching and copying tensor names.
    webview.options = { enableScripts: false, enableCommandUris: ['circuitThermometer.newHypothesis', COPY_TENSOR_COMMAND, SEARCH_TENSORS_COMMAND], localResourceRoots: localResourceRoots(this.extensionUri) };
    const markdown = await this.page(document.uri.fsPath);
    let body: string;
    try {
      body = await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
    } catch {
      body = `<pre>${escapeHtml(markdown)}</pre>`;
    }
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'webview.css'));
    const args = encodeURIComponent(JSON.stringify([document.uri.fsPath]));
    webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; img-src ${webview.cspSource} data:">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(style.toString())}">
<title>${escapeHtml(path.basename(document.uri.fsPath))}</title>
</head>
<body class="model-page" data-testid="onnx-model-page">
<p class="model-actions"><a class="action-button" data-action="new-hypothesis" href="command:circuitThermometer.newHypothesis?${args}">New Hypothesis from Model…</a></p>
${body}
</body>
</html>`;
  }
}
