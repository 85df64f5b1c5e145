// The HTML shell of a webview: a strict Content-Security-Policy with a per-load nonce, one stylesheet and one
// script from the extension's dist/ and media/ folders, nothing else. The script builds the page.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../protocol/escape';

/** Webviews may load files from these folders only. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
}

export function newNonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/**
 * `default-src 'none'`; scripts only with the nonce (no 'unsafe-eval', no 'unsafe-inline'); styles from our
 * stylesheet or with the nonce (Plotly's and Lit's are given it, see webview/csp.ts); images from the page itself
 * (`data:`/`blob:` for the chart export); fonts from the extension.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { script: string; title: string; bodyClass: string }): string {
  const nonce = newNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', opts.script));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(style.toString())}">
<title>${escapeHtml(opts.title)}</title>
</head>
<body class="${escapeHtml(opts.bodyClass)}">
<script nonce="${nonce}" src="${escapeHtml(script.toString())}"></script>
</body>
</html>`;
}
