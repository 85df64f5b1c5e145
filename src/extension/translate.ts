// Engine ↔ VS Code: diagnostics, ranges and quick fixes. The engine's positions are 0-based lines and 0-based
// UTF-16 columns (VS Code's own convention); the worker's and CLI's "file:line:col" lines are 1-based.
import * as vscode from 'vscode';
import type { Diagnostic, Fix, Range, Severity } from '../hypothesis/diagnostics';

export const DIAGNOSTIC_SOURCE = 'circuit-thermometer';

export function toRange(r: Range, document?: vscode.TextDocument): vscode.Range {
  const a = new vscode.Position(Math.max(0, r.start.line), Math.max(0, r.start.col));
  const b = new vscode.Position(Math.max(0, r.end.line), Math.max(0, r.end.col));
  // A reversed range would be rejected by VS Code; order the ends.
  const range = b.isBefore(a) ? new vscode.Range(b, a) : new vscode.Range(a, b);
  return document ? document.validateRange(range) : range;
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'info':
      return vscode.DiagnosticSeverity.Information;
  }
}

/** The message as the Problems panel shows it: the problem, then the hint in parentheses. */
export function diagnosticMessage(d: Pick<Diagnostic, 'message' | 'hint'>): string {
  return d.hint ? `${d.message} (${d.hint})` : d.message;
}

export function toDiagnostic(d: Diagnostic, document?: vscode.TextDocument): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range, document), diagnosticMessage(d), toSeverity(d.severity));
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  return out;
}

/** A quick fix for one diagnostic: replace the fix's range by its text. */
export function toCodeAction(fix: Fix, diagnostic: vscode.Diagnostic, uri: vscode.Uri, document?: vscode.TextDocument): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title ?? `Replace with ${fix.newText}`, vscode.CodeActionKind.QuickFix);
  action.edit = new vscode.WorkspaceEdit();
  action.edit.replace(uri, toRange(fix.range, document), fix.newText);
  action.diagnostics = [diagnostic];
  action.isPreferred = true;
  return action;
}

/**
 * The fixes of the diagnostics last published for a document. VS Code hands code-action providers copies of the
 * diagnostics, so a fix is found again by its diagnostic's range, code and message.
 */
export class FixIndex {
  private readonly byUri = new Map<string, { diagnostic: vscode.Diagnostic; fix: Fix }[]>();

  set(uri: vscode.Uri, entries: { diagnostic: vscode.Diagnostic; fix?: Fix }[]): void {
    const withFix = entries.filter((e): e is { diagnostic: vscode.Diagnostic; fix: Fix } => e.fix !== undefined);
    if (withFix.length > 0) this.byUri.set(uri.toString(), withFix);
    else this.byUri.delete(uri.toString());
  }

  delete(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
  }

  find(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Fix | undefined {
    const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
    return this.byUri.get(uri.toString())?.find((e) => e.diagnostic.range.isEqual(diagnostic.range)
      && e.diagnostic.message === diagnostic.message && e.diagnostic.code === code)?.fix;
  }
}

/**
 * Parses a compiler-style line `path:line:col: severity: message [code]` (1-based, as the worker reports an
 * invalid hypothesis) into a 0-based range at that point. Undefined when the line has another form.
 */
export function parseDiagnosticLine(line: string): { file: string; range: Range; severity: Severity; message: string; code?: string } | undefined {
  const m = /^(.*?):(\d+):(\d+): (error|warning|info): (.*?)(?: \[([\w/-]+)\])?$/.exec(line.trim());
  if (!m) return undefined;
  const lineNo = Math.max(0, Number(m[2]) - 1);
  const col = Math.max(0, Number(m[3]) - 1);
  return {
    file: m[1],
    range: { start: { line: lineNo, col }, end: { line: lineNo, col } },
    severity: m[4] as Severity,
    message: m[5],
    ...(m[6] ? { code: m[6] } : {}),
  };
}
