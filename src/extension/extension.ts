// Entry point. activate() constructs and registers; the engine loads on first use (engine.ts) and every sweep
// runs in the forked worker (sweeps.ts). deactivate() returns the worker's shutdown.
import * as vscode from 'vscode';
import { writeStepSize } from './calibrateCommand';
import { CalibratedStepSize } from './calibrationActions';
import { CalibrationPanels } from './calibrationPanel';
import { CalibrationStore } from './calibrationStore';
import { ScanCommands } from './scanCommand';
import { ScanPanels } from './scanPanel';
import { ChartPanel } from './chartPanel';
import { journalFor, SweepCommands } from './commands';
import { HypothesisDiagnostics } from './diagnostics';
import { HypothesisService } from './hypothesisService';
import { HYPOTHESIS_SELECTOR, HypothesisLenses, KeyHover, MethodLinks, QuickFixes, SchemaCompletion, TensorCompletion, TensorHover } from './languageFeatures';
import { ExampleCommands } from './example';
import { ModelCommands } from './modelCommands';
import { OnnxEditorProvider } from './onnxEditor';
import { RunsStore } from './runsStore';
import { settings } from './config';
import { hypothesisModule } from './engine';
import { isHypothesisDocument } from './hypothesisService';
import { sweepCost } from './sweepCost';
import { RunsTree } from './runsTree';
import { ResultsLenses, RESULTS_SELECTOR } from './resultsLenses';
import * as fs from 'node:fs';
import { SweepQueue } from './sweeps';
import { Trust } from './trust';

let queue: SweepQueue | undefined;
let checks: HypothesisService | undefined;

export function activate(context: vscode.ExtensionContext): { activationMs: number } {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Circuit Thermometer', { log: true });
  const trust = new Trust();
  const service = new HypothesisService(() => trust.trusted(), context.asAbsolutePath('dist/worker.js'));
  checks = service;
  const diagnostics = new HypothesisDiagnostics(service, log);
  const store = new RunsStore(log, context.workspaceState);

  // Constructed bottom-up; the pieces talk through events, so nothing refers to one not built yet.
  const runningQueue = new SweepQueue(store, log, context.asAbsolutePath('dist/worker.js'));
  queue = runningQueue;
  const chart = new ChartPanel(context.extensionUri, store, context.workspaceState, log);
  const sweeps = new SweepCommands(store, runningQueue, diagnostics, chart, trust, log);
  const calibrations = new CalibrationStore(context.workspaceState);
  const calibrationPanels = new CalibrationPanels(context.extensionUri, calibrations, log, writeStepSize);
  const models = new ModelCommands(service, log, context.asAbsolutePath('dist/worker.js'), () => trust.trusted(), { store: calibrations, panels: calibrationPanels });
  const scanPanels = new ScanPanels(context.extensionUri, log);
  const runsTree = new RunsTree(store, () => trust.trusted());
  const methodLinks = new MethodLinks(context.asAbsolutePath('docs/method.md'));
  const lensChanged = new vscode.EventEmitter<void>();
  let lensTimer: NodeJS.Timeout | undefined;

  context.subscriptions.push(
    log,
    trust,
    diagnostics,
    store,
    queue,
    chart,
    calibrationPanels,
    scanPanels,
    runsTree,
    lensChanged,
    runningQueue.onDidFinish((record) => {
      const summary = record.document?.verdict.summary ?? record.status;
      void vscode.window.showInformationMessage(`Sweep finished: ${record.circuitName || record.label}: ${summary}`, 'Show Chart', 'Open Results').then((b) => {
        if (b === 'Show Chart') chart.show(record.id);
        if (b === 'Open Results') void sweeps.openResults(record.id);
      });
      if (chart.shownRunId === record.id) chart.show(record.id);
    }),
    chart.onDidRequestExport(({ runId, format }) => sweeps.exportResults(runId, format)),
    vscode.languages.registerCompletionItemProvider(HYPOTHESIS_SELECTOR, new TensorCompletion(service), ':', ' ', '/', '"', "'", '-'),
    vscode.languages.registerHoverProvider(HYPOTHESIS_SELECTOR, new TensorHover(service)),
    vscode.languages.registerCompletionItemProvider(HYPOTHESIS_SELECTOR, new SchemaCompletion(methodLinks), ':', ' ', '/', '"', "'", '.', '{', ','),
    vscode.languages.registerHoverProvider(HYPOTHESIS_SELECTOR, new KeyHover(methodLinks)),
    vscode.languages.registerCodeActionsProvider(HYPOTHESIS_SELECTOR, new QuickFixes(diagnostics), QuickFixes.metadata),
    vscode.languages.registerCodeActionsProvider(HYPOTHESIS_SELECTOR, new CalibratedStepSize(calibrations), CalibratedStepSize.metadata),
    vscode.languages.registerCodeLensProvider(HYPOTHESIS_SELECTOR, new HypothesisLenses({
      trusted: () => trust.trusted(),
      activeRun: (file) => {
        const r = runningQueue.activeRecord(file);
        return r && (r.status === 'queued' || r.status === 'running') ? { status: r.status, progress: r.progress?.fraction ?? null } : undefined;
      },
      // A cancelled or failed sweep left its journal beside the results: the lens offers to finish it.
      resumable: (file) => fs.existsSync(journalFor(file)),
      cost: async (document) => {
        const h = await hypothesisModule();
        const draft = h.parseHypothesis(document.getText(), document.uri.fsPath).draft;
        if (!draft.degradation) return undefined;
        return sweepCost(draft.degradation as Parameters<typeof sweepCost>[0], settings(document.uri).workerProcesses).text;
      },
      onDidChange: lensChanged.event,
    })),
    // The lens states the cost of the text as it is: it follows edits.
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isHypothesisDocument(e.document)) lensChanged.fire();
    }),
    // Fire again shortly after the last change: an editor that lost focus while a request was in flight can
    // otherwise keep showing a finished sweep's lens.
    runningQueue.onDidChange(() => {
      lensChanged.fire();
      clearTimeout(lensTimer);
      lensTimer = setTimeout(() => lensChanged.fire(), 750);
    }),
    { dispose: () => clearTimeout(lensTimer) },
    trust.onDidGrant(() => {
      diagnostics.recheckAll();
      lensChanged.fire();
      runsTree.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(ChartPanel.viewType, chart),
    vscode.window.registerWebviewPanelSerializer(CalibrationPanels.viewType, calibrationPanels),
    vscode.window.registerWebviewPanelSerializer(ScanPanels.viewType, scanPanels),
    vscode.languages.registerCodeLensProvider(RESULTS_SELECTOR, new ResultsLenses()),
    vscode.window.registerCustomEditorProvider(OnnxEditorProvider.viewType, new OnnxEditorProvider(context.extensionUri, (file) => models.modelPage(file)), {
      supportsMultipleEditorsPerDocument: true,
    }),
    ...sweeps.register(),
    ...models.register(),
    ...new ScanCommands(context.asAbsolutePath('dist/worker.js'), log, () => trust.trusted(), scanPanels).register(),
    ...new ExampleCommands(context.extensionUri, () => context.extension.id, log).register(),
  );

  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms${trust.trusted() ? '' : ' (untrusted workspace: models are not run)'}`);
  return { activationMs };
}

export function deactivate(): Promise<void> | undefined {
  const q = queue;
  const c = checks;
  queue = undefined;
  checks = undefined;
  if (!q && !c) return undefined;
  return Promise.all([q?.shutdown(), c?.dispose()]).then(() => undefined);
}
