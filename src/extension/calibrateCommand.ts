// "Calibrate Sampler": the sgld sampler's ε × nβ grid for the active hypothesis, run in a worker process (the
// extension host never runs the model), written to the log as a table, kept in the calibration store and shown in
// the file's calibration panel, with a notification that can write the recommended step size into the file (so can
// the panel's button and the code action on the file's stepSize line).
import * as vscode from 'vscode';
import { roundStepSize, stepSizeEdit, stepSizeSite } from '../hypothesis/settingEdit';
import type { CalibrationReport } from '../protocol/calibration';
import { WorkerClient } from '../worker/client';
import type { CalibrationPanels } from './calibrationPanel';
import { type CalibrationStore, calibrationNotice, recommendedStepSize } from './calibrationStore';
import { calibrationFacts } from '../../webview/calibrationFacts';

export interface CalibrationDeps {
  workerPath: string;
  log: vscode.LogOutputChannel;
  store: CalibrationStore;
  panels: CalibrationPanels;
}

export async function calibrateSampler(document: vscode.TextDocument, deps: CalibrationDeps): Promise<void> {
  if (document.isDirty && !(await document.save())) return;
  const label = vscode.workspace.asRelativePath(document.uri);
  // What the grid is measured on: the file as saved now (later edits are compared with it).
  const text = document.getText();
  const abort = new AbortController();
  let report: CalibrationReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: calibrating the sampler of ${label} (ε × nβ grid)`, cancellable: true },
      async (_p, token) => {
        token.onCancellationRequested(() => abort.abort());
        const client = new WorkerClient({ workerPath: deps.workerPath });
        try {
          return await client.calibrate({ hypothesis: document.uri.fsPath }, abort.signal);
        } finally {
          await client.dispose();
        }
      },
    );
  } catch (e) {
    if (abort.signal.aborted) return;
    void vscode.window.showErrorMessage(`Calibration of ${label} failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  for (const line of calibrationLines(report)) deps.log.info(line);
  const calibration = deps.store.set(document.uri.fsPath, report, text);
  deps.panels.show(calibration);
  const value = recommendedStepSize(report);
  const facts = calibrationFacts({ file: calibration.file, label, report, at: calibration.at.toISOString(), stepSize: value, current: stepSizeSite(text, document.uri.fsPath)?.current ?? null, stale: false });
  const notice = calibrationNotice(label, facts.recommendation, value, facts.write?.primary === false);
  const b = value === null ? await vscode.window.showWarningMessage(notice.message, ...notice.buttons) : await vscode.window.showInformationMessage(notice.message, ...notice.buttons);
  if (b === 'Show Calibration') deps.panels.show(calibration, false);
  if (b === 'Show Details') deps.log.show(true);
  if (value === null || b !== notice.write) return;
  // The file may have changed while the notification was up: only a recommendation that still holds is written.
  const now = await vscode.workspace.openTextDocument(document.uri);
  if (deps.store.current(document.uri.fsPath, now.getText()) !== calibration) {
    void vscode.window.showWarningMessage(`${label} changed since this calibration: run Calibrate Sampler again.`);
    return;
  }
  await writeStepSize(document.uri, value);
}

/**
 * Writes `stepSize` into the hypothesis file through a WorkspaceEdit, and saves it when it had no unsaved changes
 * of its own ("Write … into <file>" means the file). False when the file has no degradation map to write into.
 */
export async function writeStepSize(uri: vscode.Uri, stepSize: number): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(uri);
  const label = vscode.workspace.asRelativePath(uri);
  const edit = stepSizeEdit(document.getText(), uri.fsPath, stepSize);
  if (!edit) {
    void vscode.window.showErrorMessage(`${label} has no degradation map to write the step size into.`);
    return false;
  }
  const wasClean = !document.isDirty;
  const w = new vscode.WorkspaceEdit();
  w.replace(uri, new vscode.Range(edit.range.start.line, edit.range.start.col, edit.range.end.line, edit.range.end.col), edit.newText);
  if (!(await vscode.workspace.applyEdit(w))) return false;
  if (wasClean) await document.save();
  void vscode.window.setStatusBarMessage(`Circuit Thermometer: wrote stepSize: ${roundStepSize(stepSize)} into ${label}`, 5000);
  return true;
}

/** The grid as log lines: one per temperature, each cell acceptance / λ̂ (diverged cells marked). */
export function calibrationLines(r: CalibrationReport): string[] {
  const steps = r.rows[0]?.cells.map((c) => c.stepSize.toExponential(1)) ?? [];
  return [
    `calibration of ${r.hypothesis}: ${r.chains} chains × ${r.steps} steps per cell, batch ${r.batchSize}, γ = ${r.localization}; cells: MALA acceptance / λ̂ at ε = ${steps.join(', ')}`,
    ...r.rows.map((row, i) => `  t = ${r.levels[i]} (nβ = ${row.nbeta.toPrecision(3)}): ${row.cells.map((c) => (c.diverged ? 'diverged' : `${c.acceptance.toFixed(2)}/${c.llc === null ? '—' : c.llc.toPrecision(3)}`)).join('  ')} → ${row.recommended === null ? 'none' : row.recommended.toExponential(1)}`),
    `  recommended stepSize: ${r.recommended === null ? 'none' : r.recommended.toPrecision(3)}`,
  ];
}
