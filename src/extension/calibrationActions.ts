// The code action that writes a calibrated step size: after *Calibrate Sampler* ran on a file, the `stepSize:`
// line (or the `sgld:` / `degradation:` entry when there is none) offers "Use the calibrated step size X (from
// Calibrate Sampler, HH:MM)". A rewrite, not a quick fix: no diagnostic says the step size is wrong. The rule of
// when it is offered is calibrationStore.ts's `stepSizeAction`; this translates it.
import * as vscode from 'vscode';
import type { CalibrationStore } from './calibrationStore';
import { stepSizeAction } from './calibrationStore';
import { toRange } from './translate';

export class CalibratedStepSize implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.RefactorRewrite] };

  constructor(private readonly store: CalibrationStore) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range): vscode.CodeAction[] {
    const text = document.getText();
    const c = this.store.current(document.uri.fsPath, text);
    if (!c) return [];
    const found = stepSizeAction(c, text, { from: range.start.line, to: range.end.line });
    if (!found) return [];
    const action = new vscode.CodeAction(found.title, vscode.CodeActionKind.RefactorRewrite);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, toRange(found.edit.range, document), found.edit.newText);
    action.isPreferred = true;
    return [action];
  }
}
