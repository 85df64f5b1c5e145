// Commands about a model: inspect it (Markdown preview of a read-only virtual document), scaffold a hypothesis
// from it, and check the gradient path a hypothesis needs. None of these runs the model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeHypothesis, uriOf } from './commands';
import { settings } from './config';
import { autodiffModule, onnxModule } from './engine';
import type { HypothesisService } from './hypothesisService';
import { calibrateSampler } from './calibrateCommand';
import { inputSpecs, runGradcheck } from './gradcheckRun';
import { modelMarkdown, type GradientFacts } from './modelMarkdown';
import { scaffoldHypothesis, type ScaffoldTensor } from './scaffold';

export const MODEL_SCHEME = 'circuit-thermometer-model';

export class ModelCommands implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly service: HypothesisService,
    private readonly log: vscode.LogOutputChannel,
    private readonly workerPath: string,
    private readonly trusted: () => boolean,
  ) {}

  register(): vscode.Disposable[] {
    const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`circuitThermometer.${id}`, f);
    return [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(MODEL_SCHEME, this),
      reg('inspectModel', (arg) => this.inspect(uriOf(arg))),
      reg('newHypothesis', (arg) => this.newHypothesis(uriOf(arg))),
      reg('checkGradients', (arg) => this.checkGradients(uriOf(arg))),
      reg('calibrateSampler', (arg) => this.calibrate(uriOf(arg))),
    ];
  }

  // ---- inspect --------------------------------------------------------------------------------------------

  async inspect(uri: vscode.Uri | undefined): Promise<void> {
    const model = await this.modelFile(uri);
    if (!model) return;
    const doc = vscode.Uri.from({ scheme: MODEL_SCHEME, path: `/${path.basename(model.fsPath)}.md`, query: model.fsPath });
    this.changed.fire(doc);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', doc);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(doc), { preview: true });
    }
  }

  /** The Markdown of a `circuit-thermometer-model:` document; its query is the model's path. */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = uri.query;
    try {
      const onnx = await onnxModule();
      const loaded = onnx.loadModel(file);
      const summary = onnx.summarizeModel(loaded);
      let gradients: GradientFacts | { error: string };
      try {
        const { analyzeGradientSupport } = await autodiffModule();
        const outputs = summary.outputs.map((o) => o.name);
        const support = analyzeGradientSupport(loaded.proto, summary.parameters.tensors.map((p) => p.name), outputs);
        gradients = { ...support, outputs };
      } catch (e) {
        gradients = { error: e instanceof Error ? e.message : String(e) };
      }
      return modelMarkdown(summary, gradients, vscode.workspace.asRelativePath(file));
    } catch (e) {
      return `# Cannot read ${path.basename(file)}\n\n${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  // ---- new hypothesis -------------------------------------------------------------------------------------

  async newHypothesis(uri: vscode.Uri | undefined): Promise<void> {
    const model = uri?.fsPath.endsWith('.onnx') ? uri : await this.pickModel();
    if (!model) return;
    const onnx = await onnxModule();
    let text: string;
    const dir = path.dirname(model.fsPath);
    const stem = path.basename(model.fsPath).replace(/\.onnx$/i, '');
    let target = path.join(dir, `${stem}.circuit.yaml`);
    for (let k = 2; fs.existsSync(target); k++) target = path.join(dir, `${stem}-${k}.circuit.yaml`);
    try {
      const loaded = onnx.loadModel(model.fsPath);
      const index = onnx.GraphIndex.of(loaded.proto);
      const summary = onnx.summarizeModel(loaded);
      const tensorOf = (name: string): ScaffoldTensor => {
        const t = index.types.get(name);
        const op = index.producer.get(name)?.opType;
        return { name, ...(op ? { op } : {}), dtype: t?.dtype ?? 'float32', shape: t?.shape ?? null };
      };
      const activations = loaded.proto.graph.node
        .filter((n) => n.opType !== 'Constant')
        .flatMap((n) => n.output.filter((o) => o && !index.graphOutputs.includes(o)))
        .map(tensorOf);
      const s = settings(model);
      text = scaffoldHypothesis({
        modelPath: `./${path.relative(path.dirname(target), model.fsPath).split(path.sep).join('/')}`,
        inputs: summary.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
        outputs: summary.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape })),
        activations,
        sgld: s.defaults,
      }, `${stem} circuit`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read ${path.basename(model.fsPath)}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await fs.promises.writeFile(target, text, { flag: 'wx' });
    this.log.info(`new hypothesis ${target} from ${model.fsPath}`);
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: false });
  }

  // ---- sampler calibration ---------------------------------------------------------------------------------

  async calibrate(uri: vscode.Uri | undefined): Promise<void> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : activeHypothesis();
    if (!document) {
      void vscode.window.showInformationMessage('Open a hypothesis file (*.circuit.yaml) to calibrate its sampler.');
      return;
    }
    if (!this.trusted()) {
      void vscode.window.showInformationMessage('Calibrating the sampler runs the model, which an untrusted workspace does not allow.');
      return;
    }
    await calibrateSampler(document, this.workerPath, this.log);
  }

  // ---- gradients ------------------------------------------------------------------------------------------

  async checkGradients(uri: vscode.Uri | undefined): Promise<void> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : activeHypothesis();
    if (!document) {
      void vscode.window.showInformationMessage('Open a hypothesis file (*.circuit.yaml) to check its gradient path.');
      return;
    }
    const parsed = await this.service.parse(document);
    const modelPath = parsed.draft.model;
    const output = parsed.draft.loss?.output;
    if (!modelPath || !output) {
      void vscode.window.showErrorMessage('The hypothesis needs `model` and `loss.output` before its gradient path can be checked.');
      return;
    }
    const model = await this.service.model(document);
    if (!model) {
      void vscode.window.showErrorMessage(`Cannot read the model ${vscode.workspace.asRelativePath(modelPath)}.`);
      return;
    }
    const { analyzeGradientSupport } = await autodiffModule();
    const parameters = model.facts.index.parameters().map((p) => p.name);
    const support = analyzeGradientSupport(model.facts.model.proto, parameters, output);
    const label = vscode.workspace.asRelativePath(document.uri);
    this.log.info(`gradient check of ${label}: ${parameters.length} parameter tensors → '${output}': ${support.supported ? 'every op has a gradient rule' : `${support.missing.length} node(s) without a rule`}`);
    for (const m of support.missing) this.log.warn(`  ${m.op} (node '${m.node}'): ${m.reason}`);
    if (support.supported) {
      if (!this.trusted()) {
        void vscode.window.showInformationMessage(`Gradients: every op between the ${parameters.length} parameter tensors and '${output}' has a gradient rule. The numeric check runs the model, which an untrusted workspace does not allow.`);
        return;
      }
      await this.numericCheck(label, modelPath, parsed.draft.data?.inputs ?? {});
    } else {
      const first = support.missing.slice(0, 3).map((m) => `${m.op} ('${m.node}')`).join(', ');
      const b = await vscode.window.showWarningMessage(`Gradients: ${support.missing.length} node(s) on the path to '${output}' have no gradient rule: ${first}${support.missing.length > 3 ? ', …' : ''}. The sgld dial cannot run; the noise and checkpoint dials can.`, 'Show Details');
      if (b) this.log.show(true);
    }
  }

  /** Finite differences against the gradient graph, in a worker process, with a cancellable notification. */
  private async numericCheck(label: string, modelPath: string, dataInputs: Record<string, string | undefined>): Promise<void> {
    const arrays: Record<string, { dtype: string; shape: number[]; range?: [number, number] }> = {};
    for (const [name, p] of Object.entries(dataInputs)) {
      const a = p ? await this.service.dataArray(p) : undefined;
      if (a) arrays[name] = a;
    }
    const specs = inputSpecs(arrays);
    const abort = new AbortController();
    try {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Circuit Thermometer: checking the gradients of ${label} against finite differences`, cancellable: true },
        (_p, token) => {
          token.onCancellationRequested(() => abort.abort());
          return runGradcheck(this.workerPath, modelPath, specs, abort.signal);
        },
      );
      this.log.info(`gradcheck of ${label} (inputs ${Object.entries(r.inputs).map(([k, d]) => `${k}[${d.join('x')}]`).join(', ')}): ${r.pass ? 'pass' : 'FAIL'}, ${r.checked} of ${r.parameters} parameter tensors, max relative error ${r.maxRelError.toExponential(2)}`);
      for (const t of r.tensors) this.log.info(`  ${t.pass ? 'ok  ' : 'FAIL'} ${t.name} [${t.shape.join(', ')}] rel. error ${t.relError.toExponential(2)}${t.belowResolution ? ' (below float32 resolution)' : ''}`);
      for (const s of r.skipped) this.log.info(`  skipped ${s.name}: ${s.reason}`);
      const text = `Gradients of ${label}: ${r.checked} of ${r.parameters} parameter tensors ${r.pass ? 'agree' : 'do NOT all agree'} with finite differences (max relative error ${r.maxRelError.toExponential(1)}).`;
      const b = await (r.pass ? vscode.window.showInformationMessage(text, 'Show Details') : vscode.window.showWarningMessage(text, 'Show Details'));
      if (b) this.log.show(true);
    } catch (e) {
      if (abort.signal.aborted) return;
      this.log.error(`gradcheck of ${label} failed: ${e instanceof Error ? e.message : String(e)}`);
      const b = await vscode.window.showErrorMessage(`Gradient check of ${label} failed: ${e instanceof Error ? e.message : String(e)}`, 'Show Log');
      if (b) this.log.show(true);
    }
  }

  // ---- picking a model ------------------------------------------------------------------------------------

  /** The model of the argument, of the active hypothesis, the active .onnx file, or one the user picks. */
  private async modelFile(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    if (uri?.fsPath.endsWith('.onnx')) return uri;
    const hypothesis = uri ? await vscode.workspace.openTextDocument(uri) : activeHypothesis();
    if (hypothesis) {
      const model = (await this.service.parse(hypothesis)).draft.model;
      if (model && fs.existsSync(model)) return vscode.Uri.file(model);
    }
    return this.pickModel();
  }

  private async pickModel(): Promise<vscode.Uri | undefined> {
    const found = await vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 200);
    if (found.length > 0) {
      const pick = await vscode.window.showQuickPick(found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title: 'Choose an ONNX model' });
      return pick?.uri;
    }
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX model': ['onnx'] }, title: 'Choose an ONNX model' });
    return chosen?.[0];
  }
}
