// "Calibrate Sampler": the sgld sampler's ε × nβ grid for the active hypothesis, run in a worker process (the
// extension host never runs the model), written to the log as a table, with a quick fix that writes the
// recommended step size into the hypothesis file and a Plotly heatmap page of the grid (opened in the browser).
import * as vscode from 'vscode';
import type { CalibrationReport } from '../protocol/calibration';
import { WorkerClient } from '../worker/client';
import { stepSizeEdit } from '../hypothesis/settingEdit';
import { calibrationPageHtml } from '../chart/calibrationPage';
import { readPlotlySource } from '../chart/plotlySource';
import { writeFileAtomic } from '../engine/util/atomic';

export async function calibrateSampler(document: vscode.TextDocument, workerPath: string, log: vscode.LogOutputChannel): Promise<void> {
  if (document.isDirty && !(await document.save())) return;
  const label = vscode.workspace.asRelativePath(document.uri);
  const abort = new AbortController();
  let report: CalibrationReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: calibrating the sampler of ${label} (ε × nβ grid)`, cancellable: true },
      async (_p, token) => {
        token.onCancellationRequested(() => abort.abort());
        const client = new WorkerClient({ workerPath });
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
  for (const line of calibrationLines(report)) log.info(line);
  if (report.recommended === null) {
    const b = await vscode.window.showWarningMessage(`Calibration of ${label}: no step size of the grid keeps MALA acceptance ≥ 0.9 at every temperature.`, 'Show Details');
    if (b) log.show(true);
    return;
  }
  const value = Number(report.recommended.toPrecision(3));
  const write = `Write stepSize: ${value}`;
  const b = await vscode.window.showInformationMessage(`Calibration of ${label}: stepSize ${value} keeps MALA acceptance ≥ 0.9 at every temperature (per level: ${report.rows.map((r) => r.recommended?.toExponential(1) ?? '—').join(', ')}).`, write, 'Open Heatmap', 'Show Details');
  if (b === 'Show Details') log.show(true);
  if (b === 'Open Heatmap') await openHeatmap(report, document.uri);
  if (b !== write) return;
  const edit = stepSizeEdit(document.getText(), document.uri.fsPath, report.recommended);
  if (!edit) {
    void vscode.window.showErrorMessage(`${label} has no degradation map to write the step size into.`);
    return;
  }
  const w = new vscode.WorkspaceEdit();
  w.replace(document.uri, new vscode.Range(edit.range.start.line, edit.range.start.col, edit.range.end.line, edit.range.end.col), edit.newText);
  await vscode.workspace.applyEdit(w);
}

/** Writes the grid's heatmap page beside the hypothesis (`<name>.calibration.html`) and opens it in the browser. */
async function openHeatmap(report: CalibrationReport, hypothesis: vscode.Uri): Promise<void> {
  const file = hypothesis.fsPath.replace(/\.circuit\.(ya?ml|json)$/i, '') + '.calibration.html';
  writeFileAtomic(file, calibrationPageHtml(report, readPlotlySource()));
  await vscode.env.openExternal(vscode.Uri.file(file));
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
