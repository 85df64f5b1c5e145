// The palette commands (category "Circuit Thermometer"). Handlers are short: find what the command is about
// (argument, active editor, or a pick), then hand over to the queue, the chart panel or the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatRunTime } from '../protocol/format';
import { type ExportFormat, isExportFormat } from '../protocol/webview';
import { defaultGridPath } from '../engine/sweep/gridFile';
import { journalPathFor } from '../engine/sweep/journal';
import { defaultResultsPath } from '../worker/paths';
import type { ChartPanel } from './chartPanel';
import { settings } from './config';
import { levelTableCsv } from './csv';
import { checkBeforeRun, type HypothesisDiagnostics } from './diagnostics';
import { isHypothesisDocument } from './hypothesisService';
import { cheaperPreset, formatRange } from '../hypothesis/workEstimate';
import type { Hypothesis } from '../protocol/hypothesis';
import type { CostEstimate } from '../worker/costPilot';
import { costModule } from './engine';
import { ASK_ABOVE_SECONDS, type SweepCosts, workText } from './sweepCost';
import type { RunRecord } from './runRecord';
import type { RunsStore } from './runsStore';
import { isRunNode } from './runsTree';
import type { SweepQueue } from './sweeps';
import type { Trust } from './trust';

export const HYPOTHESIS_GLOB = '**/*.circuit.{yaml,yml,json}';

/** Where a hypothesis's results go: beside it, or in the `resultsFolder` setting (relative to it). */
export function resultsPathFor(hypothesisFile: string, resultsFolder: string): string {
  const beside = defaultResultsPath(hypothesisFile);
  if (!resultsFolder) return beside;
  return path.resolve(path.dirname(hypothesisFile), resultsFolder, path.basename(beside));
}

/** The journal an interrupted sweep of a hypothesis leaves beside its results (Resume Sweep finishes it). */
export function journalFor(hypothesisFile: string): string {
  return journalPathFor(resultsPathFor(hypothesisFile, settings(vscode.Uri.file(hypothesisFile)).resultsFolder));
}

/** The journal an interrupted two-dial map leaves beside its grid results (Resume Grid finishes it). */
export function gridJournalFor(hypothesisFile: string): string {
  return journalPathFor(defaultGridPath(hypothesisFile));
}

export class SweepCommands {
  constructor(
    private readonly store: RunsStore,
    private readonly queue: SweepQueue,
    private readonly diagnostics: HypothesisDiagnostics,
    private readonly chart: ChartPanel,
    private readonly trust: Trust,
    private readonly log: vscode.LogOutputChannel,
    private readonly costs: SweepCosts,
  ) {}

  register(): vscode.Disposable[] {
    const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`circuitThermometer.${id}`, f);
    // A row of the Runs tree arrives as a RunNode: a run stands for its id, a hypothesis row for its file.
    const id = (arg: unknown) => (isRunNode(arg) && arg.kind === 'run' ? arg.runId : arg);
    const file = (arg: unknown) => {
      if (!isRunNode(arg)) return arg;
      return vscode.Uri.file(arg.kind === 'hypothesis' ? arg.file : this.store.get(arg.runId)?.hypothesisFile ?? '');
    };
    return [
      reg('runSweep', (arg, many) => this.runSweep(urisOf(file(arg), many))),
      // The tree's "Rerun": the same sweep of the run's hypothesis file, as it is now.
      reg('rerunSweep', (arg) => this.runSweep(urisOf(file(arg), undefined))),
      reg('resumeSweep', (arg, many) => this.resumeSweep(urisOf(file(arg), many))),
      reg('cancelSweep', (arg) => this.cancelSweep(id(arg))),
      reg('showChart', (arg) => {
        // A two-dial map's run has a map, not a chart.
        const grid = isRunNode(arg) && arg.kind === 'run' ? this.store.get(arg.runId) : undefined;
        if (grid?.grid) return vscode.commands.executeCommand('circuitThermometer.showGrid', vscode.Uri.file(grid.resultsPath));
        return isRunNode(arg) && arg.kind === 'run' ? this.chart.show(arg.runId) : this.showChart(uriOf(file(arg)));
      }),
      reg('exportResults', (arg, format, target) => this.exportResults(id(arg), isExportFormat(format) ? format : undefined, target instanceof vscode.Uri ? target : undefined)),
      reg('openResults', (arg) => this.openResults(id(arg))),
      reg('revealResults', (arg) => this.revealResults(id(arg))),
      reg('openHypothesisOf', (arg) => this.openHypothesisOf(id(arg))),
      reg('removeRun', (arg) => this.removeRun(id(arg))),
    ];
  }

  // ---- run and cancel -------------------------------------------------------------------------------------

  async runSweep(uris: vscode.Uri[]): Promise<void> {
    if (!this.trust.requireTrust('run a sweep')) return;
    const targets = uris.length > 0 ? uris : await this.pickHypotheses('Hypotheses to sweep (several are queued)');
    for (const uri of targets) await this.enqueue(uri);
  }

  /** Finishes interrupted sweeps from their journals (docs/cluster.md): only the missing work units run. */
  async resumeSweep(uris: vscode.Uri[]): Promise<void> {
    if (!this.trust.requireTrust('resume a sweep')) return;
    const targets = uris.length > 0 ? uris : await this.pickHypotheses('Interrupted sweeps to resume');
    for (const uri of targets) {
      const journal = journalFor(uri.fsPath);
      // An interrupted two-dial map (the Runs view's Resume on a map) is finished by Resume Grid.
      if (!fs.existsSync(journal) && fs.existsSync(gridJournalFor(uri.fsPath))) {
        await vscode.commands.executeCommand('circuitThermometer.resumeGrid', uri);
        continue;
      }
      if (!fs.existsSync(journal)) {
        void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} has no interrupted sweep to resume (no ${path.basename(journal)}).`, 'Run Sweep').then((b) => {
          if (b) void this.runSweep([uri]);
        });
        continue;
      }
      await this.enqueue(uri, true);
    }
  }

  private async enqueue(uri: vscode.Uri, resume = false): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isDirty) await document.save();
    const label = vscode.workspace.asRelativePath(uri);
    const checked = await checkBeforeRun(this.diagnostics, document, this.log, 'before running a sweep');
    if (!checked) return;
    // A two-dial map (degradation.grid) runs as a map: Run grid writes <name>.grid.json and shows it.
    if (checked.degradation.grid) {
      await vscode.commands.executeCommand('circuitThermometer.runGrid', uri);
      return;
    }
    let h = checked;
    let resultsPath = resultsPathFor(uri.fsPath, settings(uri).resultsFolder);
    // The cost, said before the sweep starts (measured by a pilot, or the last run of the same settings); a long one
    // offers a quick look first (its own results file).
    const cost = resume ? undefined : await this.costOf(document, h);
    let quick = false;
    if (cost && cost.range.seconds > ASK_ABOVE_SECONDS) {
      const { estimateAt } = await costModule();
      const preset = cheaperPreset(h);
      const cheap = estimateAt(preset, cost, settings(uri).workerProcesses);
      const quickLabel = `Quick Look (${formatRange(cheap.range)})`;
      const choice = await vscode.window.showWarningMessage(
        `This sweep of ${label} is ${workText(cost.work)}: ${cost.text}.`,
        { modal: true, detail: `A quick look runs ${workText(cheap.work)} with the same tests and controls (wider intervals), ${cheap.text}, and writes its own results file.` },
        'Run', quickLabel,
      );
      if (choice === undefined) return;
      if (choice === quickLabel) {
        h = preset;
        quick = true;
        resultsPath = resultsPath.replace(/\.results\.json$/, '.quick.results.json');
      }
    }
    this.log.info(`sweep ${label}${quick ? ' (quick look)' : ''}${cost ? `: ${workText(cost.work)}, ${quick ? 'a quarter or less of ' : ''}${cost.text}` : ''}`);
    await fs.promises.mkdir(path.dirname(resultsPath), { recursive: true });
    const record: RunRecord = {
      id: resultsPath,
      hypothesisFile: uri.fsPath,
      resultsPath,
      label,
      status: 'queued',
      circuitName: h.circuit.name,
      dial: h.degradation.dial,
      hypothesis: h,
      levels: [],
      progress: null,
      ...(resume ? { resume } : {}),
    };
    if (!this.queue.enqueue(record)) {
      void vscode.window.showInformationMessage(`A sweep of ${label} is already queued or running.`);
    }
  }

  /** The estimate for a run about to start: a pilot in a worker (a few seconds, cancellable), or the last run's
   *  seconds; while another sweep runs, the last run's or the bench's (a pilot would time the other sweep). */
  private async costOf(document: vscode.TextDocument, h: Hypothesis): Promise<CostEstimate> {
    const { estimateCost } = await costModule();
    const unmeasured = () => estimateCost(h, { workers: settings(document.uri).workerProcesses, resultsPath: resultsPathFor(document.uri.fsPath, settings(document.uri).resultsFolder), pilot: false });
    if (this.queue.active().length > 0) return unmeasured();
    const measured = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Timing a short pilot of ${vscode.workspace.asRelativePath(document.uri)}…`, cancellable: true }, (_p, token) => {
      const cancelled = new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined)));
      return Promise.race([this.costs.estimate(document, h), cancelled]);
    });
    return measured ?? unmeasured();
  }

  async cancelSweep(arg: unknown): Promise<void> {
    const active = this.queue.active();
    if (active.length === 0) {
      void vscode.window.showInformationMessage('No sweep is running.');
      return;
    }
    const uri = uriOf(arg);
    let chosen: RunRecord[];
    if (typeof arg === 'string' && this.store.get(arg)) chosen = active.filter((r) => r.id === arg);
    else if (uri) chosen = active.filter((r) => r.hypothesisFile === uri.fsPath);
    else if (active.length === 1) chosen = active;
    else {
      const picks = await vscode.window.showQuickPick(active.map((r) => ({ label: r.circuitName || r.label, description: `${r.status} · ${r.label}`, record: r })), { canPickMany: true, title: 'Cancel sweeps' });
      chosen = (picks ?? []).map((p) => p.record);
    }
    for (const r of chosen) await this.queue.cancel(r.id);
  }

  // ---- charts and results ---------------------------------------------------------------------------------

  async showChart(uri: vscode.Uri | undefined): Promise<void> {
    const record = await this.recordFor(uri, 'Show the chart of');
    if (record?.grid) await vscode.commands.executeCommand('circuitThermometer.showGrid', vscode.Uri.file(record.resultsPath));
    else if (record) this.chart.show(record.id);
  }

  async openResults(arg: unknown): Promise<void> {
    const record = typeof arg === 'string' ? this.store.get(arg) : await this.recordFor(uriOf(arg), 'Open the results of', true);
    if (!record) return;
    if (!fs.existsSync(record.resultsPath)) {
      void vscode.window.showInformationMessage(`${record.label} has no results file yet (${vscode.workspace.asRelativePath(record.resultsPath)}).`);
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(record.resultsPath), { preview: false });
  }

  /** Opens the hypothesis file a run (or a results file) was made from. */
  async openHypothesisOf(arg: unknown): Promise<void> {
    const record = typeof arg === 'string' && this.store.get(arg) ? this.store.get(arg) : await this.recordFor(uriOf(arg), 'Open the hypothesis of', true);
    if (!record) return;
    if (!fs.existsSync(record.hypothesisFile)) {
      void vscode.window.showInformationMessage(`The hypothesis of ${vscode.workspace.asRelativePath(record.resultsPath)} is not in this workspace (${path.basename(record.hypothesisFile)}).`);
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(record.hypothesisFile), { preview: false });
  }

  /** Shows a run's results file in the Explorer (the tree's "Reveal Results"). */
  async revealResults(arg: unknown): Promise<void> {
    const record = typeof arg === 'string' ? this.store.get(arg) : await this.recordFor(uriOf(arg), 'Reveal the results of', true);
    if (!record) return;
    if (!fs.existsSync(record.resultsPath)) {
      void vscode.window.showInformationMessage(`${record.label} has no results file (${vscode.workspace.asRelativePath(record.resultsPath)}).`);
      return;
    }
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(record.resultsPath));
  }

  /** Removes a finished, cancelled or failed run from the list; a run with a results file loses it (to the trash). */
  async removeRun(arg: unknown): Promise<void> {
    const removable = this.store.all().filter((r) => r.status !== 'running' && r.status !== 'queued');
    let record = typeof arg === 'string' ? removable.find((r) => r.id === arg) : undefined;
    if (!record) {
      const pick = await vscode.window.showQuickPick(removable.map((r) => ({
        label: r.circuitName || r.label,
        description: `${r.status} · ${formatRunTime(r.document?.createdAt ?? r.startedAt ?? null)} · ${r.label}`,
        record: r,
      })), { title: 'Remove a run' });
      record = pick?.record;
    }
    if (!record) return;
    const hasFile = record.id === record.resultsPath && fs.existsSync(record.resultsPath);
    if (hasFile) {
      const rel = vscode.workspace.asRelativePath(record.resultsPath);
      const choice = await vscode.window.showWarningMessage(`Remove the run of ${record.circuitName || record.label}? Its results file ${rel} is moved to the trash.`, { modal: true }, 'Move to Trash');
      if (choice !== 'Move to Trash') return;
      await vscode.workspace.fs.delete(vscode.Uri.file(record.resultsPath), { useTrash: true }).then(undefined, () =>
        vscode.workspace.fs.delete(vscode.Uri.file(record!.resultsPath)));
    }
    await this.store.remove(record.id);
    this.log.info(`removed the run ${record.label}${hasFile ? ` and ${record.resultsPath}` : ''}`);
  }

  async exportResults(arg: unknown, format?: ExportFormat, target?: vscode.Uri): Promise<void> {
    // A run id comes from the chart panel's own buttons; the palette resolves the run like every other command
    // (the active editor's hypothesis, else a picker), never by whatever a hidden chart panel showed last.
    const record = typeof arg === 'string' ? this.store.get(arg) : await this.recordFor(uriOf(arg), 'Export the results of', true);
    if (!record) return;
    if (record.grid) {
      void vscode.window.showInformationMessage(`${record.label} is a two-dial map: its results are ${path.basename(record.resultsPath)} (Open Results File), its map Show Grid Map; export is for sweeps.`);
      return;
    }
    const doc = record.document;
    if (!doc) {
      void vscode.window.showInformationMessage(`${record.label} has no finished results to export yet.`);
      return;
    }
    const fmt = format ?? (await vscode.window.showQuickPick(
      [
        { label: 'JSON', description: 'the results document', format: 'json' as const },
        { label: 'CSV', description: 'the level table', format: 'csv' as const },
        { label: 'PNG', description: 'the chart as an image', format: 'png' as const },
        { label: 'SVG', description: 'the chart as vector graphics', format: 'svg' as const },
      ],
      { title: `Export ${record.circuitName || record.label}` },
    ))?.format;
    if (!fmt) return;
    const stem = record.resultsPath.replace(/\.results\.json$/i, '');
    const suggested = vscode.Uri.file(fmt === 'json' ? `${stem}.results.export.json` : fmt === 'csv' ? `${stem}.levels.csv` : `${stem}.chart.${fmt}`);
    const dest = target ?? (await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { [fmt.toUpperCase()]: [fmt] }, title: `Export ${fmt.toUpperCase()}` }));
    if (!dest) return;
    let bytes: Uint8Array;
    if (fmt === 'json') bytes = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
    else if (fmt === 'csv') bytes = Buffer.from(levelTableCsv(doc), 'utf8');
    else {
      this.chart.show(record.id);
      await this.chart.whenReady();
      bytes = decodeDataUrl(await this.chart.image(fmt));
    }
    await vscode.workspace.fs.writeFile(dest, bytes);
    this.log.info(`exported ${record.label} as ${fmt.toUpperCase()} → ${dest.fsPath}`);
    void vscode.window.showInformationMessage(`Exported ${fmt.toUpperCase()}: ${vscode.workspace.asRelativePath(dest)}`, 'Open').then((b) => {
      if (b === 'Open') void vscode.commands.executeCommand('vscode.open', dest);
    });
  }

  /**
   * The run a command is about: of the given hypothesis (or results file), else of the active editor's
   * hypothesis, else one the user picks. Loads the results file from disk when the run is not known yet.
   */
  private async recordFor(uri: vscode.Uri | undefined, verb: string, finishedOnly = false): Promise<RunRecord | undefined> {
    await this.store.scan();
    const file = uri?.fsPath ?? activeHypothesis()?.uri.fsPath;
    if (file && /\.(results|grid)\.json$/i.test(file)) return this.store.get(file) ?? (await this.store.load(file));
    if (file) {
      const known = this.store.forHypothesis(file);
      if (known && (!finishedOnly || known.document)) return known;
      const onDisk = resultsPathFor(file, settings(vscode.Uri.file(file)).resultsFolder);
      const loaded = fs.existsSync(onDisk) ? await this.store.load(onDisk) : undefined;
      if (loaded) return loaded;
      const label = vscode.workspace.asRelativePath(file);
      const b = await vscode.window.showInformationMessage(`No results for ${label} yet: run a sweep first.`, 'Run Sweep');
      if (b === 'Run Sweep') await this.runSweep([vscode.Uri.file(file)]);
      return undefined;
    }
    const runs = this.store.all().filter((r) => !finishedOnly || r.document);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('No runs yet: open a hypothesis file (*.circuit.yaml) and run a sweep.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.circuitName || r.label, description: `${r.dial ?? '?'} · ${r.status}`, detail: r.label, record: r })), { title: `${verb}…` });
    return pick?.record;
  }

  private async pickHypotheses(title: string): Promise<vscode.Uri[]> {
    const active = activeHypothesis();
    if (active) return [active.uri];
    const files = await vscode.workspace.findFiles(HYPOTHESIS_GLOB, '**/node_modules/**', 500);
    if (files.length === 0) {
      void vscode.window.showInformationMessage('No hypothesis files (*.circuit.yaml) in this workspace. Create one with "Circuit Thermometer: New Hypothesis from Model".');
      return [];
    }
    const picks = await vscode.window.showQuickPick(files.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { canPickMany: true, title });
    return (picks ?? []).map((p) => p.uri);
  }
}

export function activeHypothesis(): vscode.TextDocument | undefined {
  const d = vscode.window.activeTextEditor?.document;
  return d && isHypothesisDocument(d) ? d : undefined;
}

/** A command's target: a Uri (CodeLens, explorer, editor title) or a path string. */
export function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && path.isAbsolute(arg)) return vscode.Uri.file(arg);
  return undefined;
}

/** Explorer multi-selection passes (clicked, all selected). */
function urisOf(arg: unknown, many: unknown): vscode.Uri[] {
  if (Array.isArray(many) && many.every((u) => u instanceof vscode.Uri)) return many as vscode.Uri[];
  const one = uriOf(arg);
  return one ? [one] : [];
}


/** Bytes of a `data:` URL, base64 or percent-encoded (Plotly's SVG export is the latter). */
export function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error('not a data: URL');
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}
