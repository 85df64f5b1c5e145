// Entry point. activate() constructs and registers; the engine loads on first use (engine.ts) and every sweep
// runs in the forked worker (sweeps.ts). deactivate() returns the worker's shutdown.
import * as vscode from 'vscode';
import { writeStepSize } from './calibrateCommand';
import { CalibratedStepSize } from './calibrationActions';
import { CalibrationPanels } from './calibrationPanel';
import { CalibrationStore } from './calibrationStore';
import { ScanCommands } from './scanCommand';
import { ScanPanels } from './scanPanel';
import { GridCommands } from './gridCommand';
import { GridPanels } from './gridPanel';
import { ChartPanel } from './chartPanel';
import { journalFor, resultsPathFor, SweepCommands } from './commands';
import { HypothesisDiagnostics } from './diagnostics';
import { HypothesisService } from './hypothesisService';
import { HYPOTHESIS_SELECTOR, HypothesisLenses, KeyHover, MethodLinks, PathLinks, QuickFixes, SchemaCompletion, TensorCompletion, TensorHover } from './languageFeatures';
import { ExampleCommands } from './example';
import { ModelCommands } from './modelCommands';
import { OnnxEditorProvider } from './onnxEditor';
import { RunsStore } from './runsStore';
import { settings } from './config';
import { isHypothesisDocument } from './hypothesisService';
import { SweepCosts } from './sweepCost';
import { RunsTree } from './runsTree';
import { ResultsLenses, RESULTS_SELECTOR } from './resultsLenses';
import * as fs from 'node:fs';
import { SweepQueue } from './sweeps';
import { Trust } from './trust';

let queue: SweepQueue | undefined;
let checks: HypothesisService | undefined;

export function activate(context: vscode.ExtensionContext): { activationMs: number } {
  const started = performance.now();
  const parts = construct(context);
  context.subscriptions.push(...ownedParts(parts), ...languageFeatures(parts), ...lensRefresh(parts), ...panelsAndCommands(context, parts));
  const activationMs = performance.now() - started;
  parts.log.info(`activated in ${activationMs.toFixed(1)} ms${parts.trust.trusted() ? '' : ' (untrusted workspace: models are not run)'}`);
  return { activationMs };
}

type Parts = ReturnType<typeof construct>;

/** Every long-lived piece, constructed bottom-up; they talk through events, so nothing refers to one not built yet. */
function construct(context: vscode.ExtensionContext) {
  const log = vscode.window.createOutputChannel('Circuit Thermometer', { log: true });
  const trust = new Trust();
  const workerPath = context.asAbsolutePath('dist/worker.js');
  const service = new HypothesisService(() => trust.trusted(), workerPath);
  checks = service;
  const diagnostics = new HypothesisDiagnostics(service, log);
  const store = new RunsStore(log, context.workspaceState);
  const runningQueue = new SweepQueue(store, log, workerPath);
  queue = runningQueue;
  const chart = new ChartPanel(context.extensionUri, store, context.workspaceState, log);
  const costs = new SweepCosts({
    workerPath,
    workers: (file) => settings(vscode.Uri.file(file)).workerProcesses,
    resultsPath: (file) => resultsPathFor(file, settings(vscode.Uri.file(file)).resultsFolder),
    busy: () => runningQueue.active().length > 0,
    resolve: async (document) => (await service.parse(document)).hypothesis,
    log,
  });
  const sweeps = new SweepCommands(store, runningQueue, diagnostics, chart, trust, log, costs);
  const calibrations = new CalibrationStore(context.workspaceState);
  const calibrationPanels = new CalibrationPanels(context.extensionUri, calibrations, log, writeStepSize);
  const models = new ModelCommands(service, log, workerPath, () => trust.trusted(), { store: calibrations, panels: calibrationPanels });
  const scanPanels = new ScanPanels(context.extensionUri, log);
  const gridPanels = new GridPanels(context.extensionUri, log);
  const grids = new GridCommands(workerPath, log, () => trust.trusted(), gridPanels, store, diagnostics);
  const runsTree = new RunsTree(store, () => trust.trusted());
  const methodLinks = new MethodLinks(context.asAbsolutePath('docs/method.md'));
  const lensChanged = new vscode.EventEmitter<void>();
  return { log, trust, service, diagnostics, store, runningQueue, chart, costs, sweeps, calibrations, calibrationPanels, scanPanels, gridPanels, grids, models, runsTree, workerPath, methodLinks, lensChanged };
}

/** The pieces the extension disposes of on deactivation, and what a finished sweep offers. */
function ownedParts(p: Parts): vscode.Disposable[] {
  return [
    p.log, p.trust, p.diagnostics, p.store, p.runningQueue, p.chart, p.costs, p.calibrationPanels, p.scanPanels, p.gridPanels, p.grids, p.runsTree, p.lensChanged,
    p.runningQueue.onDidFinish((record) => {
      const summary = record.document?.verdict.summary ?? record.status;
      void vscode.window.showInformationMessage(`Sweep finished: ${record.circuitName || record.label}: ${summary}`, 'Show Chart', 'Open Results').then((b) => {
        if (b === 'Show Chart') p.chart.show(record.id);
        if (b === 'Open Results') void p.sweeps.openResults(record.id);
      });
      if (p.chart.shownRunId === record.id) p.chart.show(record.id);
    }),
    p.chart.onDidRequestExport(({ runId, format }) => p.sweeps.exportResults(runId, format)),
  ];
}

/** Completion, hovers, quick fixes and the lenses of hypothesis files. */
function languageFeatures(p: Parts): vscode.Disposable[] {
  const { service, runningQueue, trust } = p;
  return [
    vscode.languages.registerCompletionItemProvider(HYPOTHESIS_SELECTOR, new TensorCompletion(service), ':', ' ', '/', '"', "'", '-'),
    vscode.languages.registerHoverProvider(HYPOTHESIS_SELECTOR, new TensorHover(service)),
    vscode.languages.registerCompletionItemProvider(HYPOTHESIS_SELECTOR, new SchemaCompletion(p.methodLinks), ':', ' ', '/', '"', "'", '.', '{', ','),
    vscode.languages.registerHoverProvider(HYPOTHESIS_SELECTOR, new KeyHover(p.methodLinks)),
    vscode.languages.registerDocumentLinkProvider(HYPOTHESIS_SELECTOR, new PathLinks()),
    vscode.languages.registerCodeActionsProvider(HYPOTHESIS_SELECTOR, new QuickFixes(p.diagnostics), QuickFixes.metadata),
    vscode.languages.registerCodeActionsProvider(HYPOTHESIS_SELECTOR, new CalibratedStepSize(p.calibrations), CalibratedStepSize.metadata),
    vscode.languages.registerCodeLensProvider(HYPOTHESIS_SELECTOR, new HypothesisLenses({
      trusted: () => trust.trusted(),
      activeRun: (file) => {
        const r = runningQueue.activeRecord(file);
        return r && (r.status === 'queued' || r.status === 'running') ? { status: r.status, progress: r.progress?.fraction ?? null } : undefined;
      },
      // A cancelled or failed sweep left its journal beside the results: the lens offers to finish it.
      resumable: (file) => fs.existsSync(journalFor(file)),
      gridRunning: (file) => p.grids.isRunning(file),
      gridResumable: (file) => p.grids.isResumable(file),
      // A pilot in a worker (or the last run) states what the text's sweep costs, as a range.
      cost: (document) => p.costs.lens(document),
      onDidChange: p.lensChanged.event,
    })),
    vscode.languages.registerCodeLensProvider(RESULTS_SELECTOR, new ResultsLenses()),
  ];
}

/** The lenses follow edits, runs, trust and the cost pilots. */
function lensRefresh(p: Parts): vscode.Disposable[] {
  let lensTimer: NodeJS.Timeout | undefined;
  return [
    p.costs.onDidChange(() => p.lensChanged.fire()),
    p.grids.onDidChange(() => p.lensChanged.fire()),
    // The lens states the cost of the text as it is: it follows edits.
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isHypothesisDocument(e.document)) p.lensChanged.fire();
    }),
    // Fire again shortly after the last change: an editor that lost focus while a request was in flight can
    // otherwise keep showing a finished sweep's lens.
    p.runningQueue.onDidChange(() => {
      p.lensChanged.fire();
      clearTimeout(lensTimer);
      lensTimer = setTimeout(() => p.lensChanged.fire(), 750);
    }),
    { dispose: () => clearTimeout(lensTimer) },
    p.trust.onDidGrant(() => {
      p.diagnostics.recheckAll();
      p.lensChanged.fire();
      p.runsTree.refresh();
    }),
  ];
}

/** Webview panels restored across reloads, the ONNX editor, and the commands. */
function panelsAndCommands(context: vscode.ExtensionContext, p: Parts): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(ChartPanel.viewType, p.chart),
    vscode.window.registerWebviewPanelSerializer(CalibrationPanels.viewType, p.calibrationPanels),
    vscode.window.registerWebviewPanelSerializer(ScanPanels.viewType, p.scanPanels),
    vscode.window.registerWebviewPanelSerializer(GridPanels.viewType, p.gridPanels),
    vscode.window.registerCustomEditorProvider(OnnxEditorProvider.viewType, new OnnxEditorProvider(context.extensionUri, (file) => p.models.modelPage(file)), {
      supportsMultipleEditorsPerDocument: true,
    }),
    ...p.sweeps.register(),
    ...p.models.register(),
    ...new ScanCommands(p.workerPath, p.log, () => p.trust.trusted(), p.scanPanels).register(),
    ...p.grids.register(),
    ...new ExampleCommands(context.extensionUri, () => context.extension.id, p.log).register(),
  ];
}

export function deactivate(): Promise<void> | undefined {
  const q = queue;
  const c = checks;
  queue = undefined;
  checks = undefined;
  if (!q && !c) return undefined;
  return Promise.all([q?.shutdown(), c?.dispose()]).then(() => undefined);
}
