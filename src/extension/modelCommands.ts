// Commands about a model: inspect it (its page in the read-only custom editor, onnxEditor.ts), search and copy its
// tensor names, scaffold a hypothesis from it, and check the gradient path a hypothesis needs. None of these runs the
// model in the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeHypothesis, uriOf } from './commands';
import { settings } from './config';
import { chooseDataFiles, rankFiles } from './dataFiles';
import { autodiffModule, dataModule, onnxModule } from './engine';
import type { HypothesisService } from './hypothesisService';
import { calibrateSampler, type CalibrationDeps } from './calibrateCommand';
import { inputSpecs, runGradcheck } from './gradcheckRun';
import { modelMarkdown, type GradientFacts } from './modelMarkdown';
import { OnnxEditorProvider } from './onnxEditor';
import { type PageTensor, tensorsMarkdown } from './tensorsMarkdown';
import { hypothesisFileName, modelTensors, scaffoldHypothesis } from './scaffold';

export class ModelCommands {
  constructor(
    private readonly service: HypothesisService,
    private readonly log: vscode.LogOutputChannel,
    private readonly workerPath: string,
    private readonly trusted: () => boolean,
    private readonly calibration: Omit<CalibrationDeps, 'workerPath' | 'log'>,
  ) {}

  register(): vscode.Disposable[] {
    const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`circuitThermometer.${id}`, f);
    return [
      reg('inspectModel', (arg) => this.inspect(uriOf(arg))),
      reg('searchTensors', (arg) => this.searchTensors(uriOf(arg))),
      reg('copyTensorName', (arg) => (typeof arg === 'string' ? this.copyTensorName(arg) : undefined)),
      reg('newHypothesis', (arg) => this.newHypothesis(uriOf(arg))),
      reg('checkGradients', (arg) => this.checkGradients(uriOf(arg))),
      reg('calibrateSampler', (arg) => this.calibrate(uriOf(arg))),
    ];
  }

  // ---- inspect --------------------------------------------------------------------------------------------

  /** Opens the model's page: the custom editor of `.onnx` files (one page, not a preview beside it). */
  async inspect(uri: vscode.Uri | undefined): Promise<void> {
    const model = await this.modelFile(uri);
    if (!model) return;
    await vscode.commands.executeCommand('vscode.openWith', model, OnnxEditorProvider.viewType);
  }

  /** Every intermediate tensor of a model in a searchable list (name, op, dtype, shape); the one picked is copied. */
  async searchTensors(uri: vscode.Uri | undefined): Promise<void> {
    const model = await this.modelFile(uri);
    if (!model) return;
    let tensors: PageTensor[];
    try {
      tensors = await this.tensorsOf(model.fsPath);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read ${path.basename(model.fsPath)}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const shape = (t: PageTensor) => (t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[?]');
    const pick = await vscode.window.showQuickPick(tensors.map((t) => ({ label: t.name, description: `${t.op ?? ''} → ${shape(t)}`, detail: t.dtype, tensor: t })), {
      title: `Tensors of ${path.basename(model.fsPath)} (${tensors.length}): pick one to copy its name`,
      matchOnDescription: true,
      placeHolder: 'name, op or shape',
    });
    if (pick) await this.copyTensorName(pick.tensor.name);
  }

  async copyTensorName(name: string): Promise<void> {
    await vscode.env.clipboard.writeText(name);
    void vscode.window.showInformationMessage(`Copied the tensor name ${JSON.stringify(name)}: paste it after \`tensor:\` in a circuit component.`);
  }

  /** A model's intermediate tensors in graph order, shapes as declared (measured where the workspace is trusted). */
  private async tensorsOf(file: string): Promise<PageTensor[]> {
    return (await this.graphTensors(file)).activations;
  }

  /**
   * A model read for its tensors: the summary, each tensor's op, dtype and shape, and the intermediate tensors in
   * graph order. Shapes by one run of the model on placeholder inputs, as the checker measures them: in the checks'
   * probe worker, never in the extension host, and never in an untrusted workspace (declared shapes there).
   */
  private async graphTensors(file: string) {
    const onnx = await onnxModule();
    const loaded = onnx.loadModel(file);
    const index = onnx.GraphIndex.of(loaded.proto);
    const summary = onnx.summarizeModel(loaded);
    const measured = this.trusted() ? await this.service.probeModel(file).catch(() => undefined) : undefined;
    const batchIsSymbolic = summary.inputs.some((i) => typeof i.shape?.[0] !== 'number');
    const { tensorOf, activations } = modelTensors(loaded.proto, index, batchIsSymbolic, measured);
    return { summary, tensorOf, activations };
  }

  /** The Inspect page of a model (Markdown): read from its protobuf, no model run. */
  async modelPage(file: string): Promise<string> {
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
      const tensors = await this.tensorsOf(file).catch(() => [] as PageTensor[]);
      return modelMarkdown(summary, gradients, vscode.workspace.asRelativePath(file)) + tensorsMarkdown(tensors, file);
    } catch (e) {
      return `# Cannot read ${path.basename(file)}\n\n${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  // ---- new hypothesis -------------------------------------------------------------------------------------

  /**
   * Asks where the new hypothesis goes and what it is called, then writes it with the model's inputs, output and
   * activations (shapes measured by one run where the workspace is trusted) and the workspace's data files that fit.
   */
  async newHypothesis(uri: vscode.Uri | undefined): Promise<void> {
    const model = uri?.fsPath.endsWith('.onnx') ? uri : await this.pickModel();
    if (!model) return;
    const stem = path.basename(model.fsPath).replace(/\.onnx$/i, '');
    const dir = await this.pickFolder(model);
    if (!dir) return;
    const name = await vscode.window.showInputBox({
      title: `New hypothesis from ${path.basename(model.fsPath)}`,
      prompt: `Name of the circuit (on charts); the file is ${vscode.workspace.asRelativePath(dir)}/<name>.circuit.yaml, spaces written as "-"`,
      value: stem.replace(/\s+/g, '-'),
      validateInput: (v) => {
        const n = v.trim();
        if (!n) return 'a name is needed';
        if (/[\\/:*?"<>|]/.test(n)) return 'a file name cannot hold \\ / : * ? " < > |';
        return fs.existsSync(path.join(dir, hypothesisFileName(n))) ? `${hypothesisFileName(n)} exists in that folder` : undefined;
      },
    });
    if (name === undefined) return;
    const target = path.join(dir, hypothesisFileName(name));
    let text: string;
    try {
      text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${path.basename(model.fsPath)} and the workspace's data files` }, () => this.scaffold(model, target, name.trim()));
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read ${path.basename(model.fsPath)}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(target, text, { flag: 'wx' });
    this.log.info(`new hypothesis ${target} from ${model.fsPath}`);
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: false });
  }

  private async pickFolder(model: vscode.Uri): Promise<string | undefined> {
    const modelDir = path.dirname(model.fsPath);
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).filter((r) => r !== modelDir);
    const picks = [
      { label: vscode.workspace.asRelativePath(modelDir, true) || '.', description: 'beside the model', dir: modelDir as string | undefined },
      ...roots.map((r) => ({ label: path.basename(r), description: 'the workspace folder', dir: r as string | undefined })),
      { label: 'Choose another folder…', description: '', dir: undefined as string | undefined },
    ];
    const pick = await vscode.window.showQuickPick(picks, { title: 'Folder of the new hypothesis' });
    if (!pick) return undefined;
    if (pick.dir) return pick.dir;
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, defaultUri: vscode.Uri.file(modelDir), openLabel: 'Put the hypothesis here' });
    return chosen?.[0]?.fsPath;
  }

  private async scaffold(model: vscode.Uri, target: string, name: string): Promise<string> {
    const [{ summary, tensorOf, activations }, data] = await Promise.all([this.graphTensors(model.fsPath), dataModule()]);
    const outputs = summary.outputs.map((o) => ({ ...tensorOf(o.name), dtype: o.dtype }));
    const output = outputs[0];
    const lastDim = output?.shape?.[output.shape.length - 1];
    const classes = !!output && (output.shape?.length ?? 0) >= 2 && (typeof lastDim !== 'number' || lastDim > 1);
    // The workspace's array files and their headers (a .npy header is a few bytes; other formats only when small).
    const hypothesisDir = path.dirname(target);
    const files = (await vscode.workspace.findFiles('**/*.{npy,npz,json}', '{**/node_modules/**,**/.git/**}', 500)).map((u) => u.fsPath);
    const candidates = await Promise.all(rankFiles('input', files, hypothesisDir).map(async (rel) => {
      const abs = path.resolve(hypothesisDir, rel);
      const small = /\.npy$/i.test(abs) || (fs.statSync(abs).size < 4 * 1024 * 1024);
      const info = small ? await data.readArrayInfo(abs).catch(() => undefined) : undefined;
      return { rel, ...(info ? { dtype: info.dtype, shape: info.shape } : {}) };
    }));
    const inputs = summary.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape }));
    const s = settings(model);
    return scaffoldHypothesis({
      modelPath: `./${path.relative(hypothesisDir, model.fsPath).split(path.sep).join('/')}`,
      inputs: inputs.map((i) => ({ ...i, shape: i.shape })),
      outputs,
      activations,
      sgld: s.defaults,
      data: chooseDataFiles({ inputs, classes }, candidates),
    }, name);
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
    await calibrateSampler(document, { ...this.calibration, workerPath: this.workerPath, log: this.log });
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
      this.log.info(`gradcheck of ${label} (inputs ${Object.entries(r.inputs).map(([k, d]) => `${k}[${d.join('x')}]`).join(', ')}): ${r.pass ? 'pass' : 'FAIL'}, ${r.checked} of ${r.parameters} parameter tensors, max relative error ${r.maxRelError.toExponential(2)} against ${r.reference} differences${r.maxRelError32 !== undefined && r.reference === 'float64' ? ` (${r.maxRelError32.toExponential(2)} against float32)` : ''}`);
      for (const t of r.tensors) this.log.info(`  ${t.pass ? 'ok  ' : 'FAIL'} ${t.name} [${t.shape.join(', ')}] rel. error ${t.relError.toExponential(2)}${t.relError32 !== undefined && r.reference === 'float64' ? ` (float32: ${t.relError32.toExponential(2)})` : ''}${t.belowResolution ? ` (below ${r.reference} resolution)` : ''}`);
      for (const i of r.inlined) this.log.info(`  inlined If ${i.node}: its ${i.branch}${i.pinned.length ? ` (decided at ${i.pinned.join(', ')})` : ''}`);
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
