// Completion of tensor names, keys, choices and file paths; hover on tensor names and keys; quick fixes and the
// CodeLens above a hypothesis file. Each provider asks the shared HypothesisService for the model (cached) or the
// format's spec and translates; no engine logic here.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { isGridText, isScanText } from '../hypothesis/scanText';
import { enumValuesOf, headingLines, keyHelpMarkdown, keyPathAt, keysAt, specAt, specFacts } from '../hypothesis/keyHelp';
import { parseText } from '../hypothesis/parse';
import { completionContextAt, schemaContextAt } from './completionContext';
import { rankFiles, slotOf } from './dataFiles';
import type { HypothesisDiagnostics } from './diagnostics';
import { HypothesisService, LANGUAGE_ID } from './hypothesisService';
import { describeTensor, tensorDetail, tensorMarkdown, tensorRank } from './tensorInfo';
import { toCodeAction, toRange } from './translate';
import { fileValues, formatBytes, isTensorValue, valueAt } from './valueSpans';

export const HYPOTHESIS_SELECTOR: vscode.DocumentSelector = [
  { language: LANGUAGE_ID, scheme: 'file' },
  { pattern: '**/*.circuit.{yaml,yml,json}', scheme: 'file' },
];

export class TensorCompletion implements vscode.CompletionItemProvider {
  constructor(private readonly service: HypothesisService) {}

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const lines = document.getText().split(/\r?\n/);
    const ctx = completionContextAt(lines, position.line, position.character);
    if (!ctx) return undefined;
    const model = await this.service.model(document);
    if (!model) return undefined;
    const { index, tensorNames } = model.facts;
    const names = ctx.kind === 'output' ? index.graphOutputs : ctx.kind === 'input' ? index.graphInputs : tensorNames;
    // Replace the whole name being typed (names hold '/', '.', ':' that word-based ranges would split on).
    const line = lines[position.line];
    let end = position.character;
    while (end < line.length && !/["',\]\s#]/.test(line[end])) end++;
    const range = new vscode.Range(position.line, ctx.start, position.line, end);
    return names.map((name, i) => {
      const d = describeTensor(model.facts, model.shapes, name);
      const item = new vscode.CompletionItem(name, d?.role === 'parameter' ? vscode.CompletionItemKind.Constant : vscode.CompletionItemKind.Field);
      item.range = range;
      const text = ctx.quote || !needsQuotes(name) ? name : JSON.stringify(name);
      item.insertText = ctx.kind === 'input' && !ctx.quote ? `${text}: ` : text;
      if (d) {
        item.detail = tensorDetail(d);
        item.documentation = modelTextMarkdown(tensorMarkdown(d));
      }
      // Float activations first (what circuits are made of), in graph order; then parameters, index tensors, inputs.
      item.sortText = `${tensorRank(d)}${String(i).padStart(6, '0')}`;
      return item;
    });
  }
}

/** YAML plain scalars cannot start with some characters or hold ': ' / ' #'. */
function needsQuotes(name: string): boolean {
  return !/^[A-Za-z0-9_/.][^#]*$/.test(name) || /: | #|:$/.test(name);
}

export class TensorHover implements vscode.HoverProvider {
  constructor(private readonly service: HypothesisService) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const range = document.getWordRangeAtPosition(position, /[^\s"',[\]{}#]+/);
    if (!range) return undefined;
    const token = document.getText(range).replace(/:$/, '');
    const model = await this.service.model(document);
    if (!model) return undefined;
    const d = describeTensor(model.facts, model.shapes, token);
    if (!d) return undefined;
    return new vscode.Hover(modelTextMarkdown(tensorMarkdown(d)), range);
  }
}

/** Links to docs/method.md's sections: the packaged copy, opened at the section's heading line. */
export class MethodLinks {
  private readonly lines: Map<string, number>;

  constructor(private readonly file: string) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // Not packaged (a development build without docs): hovers name the section in words.
    }
    this.lines = headingLines(text);
  }

  link(section: string): string | undefined {
    const line = this.lines.get(section);
    return line === undefined ? undefined : vscode.Uri.file(this.file).with({ fragment: `L${line + 1}` }).toString();
  }
}

/** Hover on a key of the format: its description, type, default and range, and the method section that defines it. */
export class KeyHover implements vscode.HoverProvider {
  constructor(private readonly links: MethodLinks) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const parsed = parseText(document.getText(), document.uri.fsPath);
    const path = keyPathAt(parsed.root, position.line, position.character);
    if (path) {
      const md = keyHelpMarkdown(path, (section) => this.links.link(section));
      if (!md) return undefined;
      const entryRange = document.getWordRangeAtPosition(position, /[\w$.-]+/);
      return new vscode.Hover(new vscode.MarkdownString(md), entryRange);
    }
    // On a value: the help of the key it sets, and for a file the file it names (Ctrl+click opens it).
    const value = valueAt(parsed.root, position.line, position.character);
    if (!value || isTensorValue(value)) return undefined;
    const help = keyHelpMarkdown(value.path.filter((k): k is string => typeof k === 'string'), (section) => this.links.link(section));
    const file = fileValues(parsed.root, document.uri.fsPath).find((f) => f.range.start.line === value.range.start.line && f.range.start.col === value.range.start.col);
    const parts = [
      ...(file ? [`\`${vscode.workspace.asRelativePath(file.target)}\` · ${formatBytes(file.bytes)} · Ctrl+click (Cmd+click) opens it`] : []),
      ...(help ? [help] : []),
    ];
    if (parts.length === 0) return undefined;
    const md = new vscode.MarkdownString(parts.join('\n\n---\n\n'));
    return new vscode.Hover(md, toRange(value.range, document));
  }
}

/** Ctrl+click on a value that names a file (the model, data arrays, checkpoints) opens it; an .onnx opens its page. */
export class PathLinks implements vscode.DocumentLinkProvider {
  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const parsed = parseText(document.getText(), document.uri.fsPath);
    return fileValues(parsed.root, document.uri.fsPath).map((f) => {
      const link = new vscode.DocumentLink(toRange(f.range, document), vscode.Uri.file(f.target));
      link.tooltip = `Open ${vscode.workspace.asRelativePath(f.target)} (${formatBytes(f.bytes)})`;
      return link;
    });
  }
}

/** Completion of the format's keys (those not yet written), enum values and workspace files for path settings. */
export class SchemaCompletion implements vscode.CompletionItemProvider {
  constructor(private readonly links: MethodLinks, private readonly findFiles: (glob: string) => Thenable<vscode.Uri[]> = defaultFindFiles) {}

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const lines = document.getText().split(/\r?\n/);
    const ctx = schemaContextAt(lines, position.line, position.character);
    if (!ctx) return undefined;
    const line = lines[position.line]!;
    let end = position.character;
    while (end < line.length && !/["',\]}\s#:]/.test(line[end]!)) end++;
    const range = new vscode.Range(position.line, ctx.start, position.line, end);
    const json = /\.json$/i.test(document.uri.fsPath);
    if (ctx.kind === 'key') {
      return keysAt(ctx.path).filter(({ key }) => !ctx.present.includes(key)).map(({ key, spec }, i) => {
        const item = new vscode.CompletionItem(key, vscode.CompletionItemKind.Property);
        item.range = range;
        item.insertText = json ? `"${key}": ` : `${key}: `;
        item.detail = specFacts(spec);
        item.documentation = new vscode.MarkdownString(keyHelpMarkdown([...ctx.path, key], (s) => this.links.link(s)) ?? spec.description);
        item.sortText = String(i).padStart(3, '0');
        return item;
      });
    }
    const found = specAt(ctx.path);
    if (!found) return undefined;
    const values = enumValuesOf(found.spec);
    if (values.length > 0) {
      const def = 'default' in found.spec ? found.spec.default : undefined;
      return values.map((v, i) => {
        const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.EnumMember);
        item.range = range;
        item.insertText = ctx.quote || !json ? v : JSON.stringify(v);
        if (v === def) item.detail = 'default';
        item.sortText = String(i).padStart(3, '0');
        return item;
      });
    }
    const slot = slotOf(ctx.path);
    if (!slot) return undefined;
    const glob = slot === 'model' || slot === 'checkpoint' ? '**/*.onnx' : '**/*.{npy,npz,json}';
    const files = (await this.findFiles(glob)).map((u) => u.fsPath);
    const inputName = slot === 'input' ? String(ctx.path[ctx.path.length - 1]) : undefined;
    return rankFiles(slot, files, nodePath.dirname(document.uri.fsPath), inputName).slice(0, 50).map((rel, i) => {
      const item = new vscode.CompletionItem(rel, vscode.CompletionItemKind.File);
      item.range = range;
      item.insertText = ctx.quote || !json ? rel : JSON.stringify(rel);
      item.sortText = String(i).padStart(3, '0');
      return item;
    });
  }
}

function defaultFindFiles(glob: string): Thenable<vscode.Uri[]> {
  return vscode.workspace.findFiles(glob, '{**/node_modules/**,**/.git/**}', 2000);
}

export class QuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: HypothesisDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const fix = this.diagnostics.fixes.find(document.uri, d);
      if (fix) actions.push(toCodeAction(fix, d, document.uri, document));
    }
    return actions;
  }
}

/** What the lenses need to know about runs and trust. */
export interface LensState {
  trusted(): boolean;
  /** The running or queued sweep of this hypothesis file, if any. */
  activeRun(file: string): { status: 'queued' | 'running'; progress: number | null } | undefined;
  /** "≈ 15–40 s on 2 workers": what a sweep of the document's current text would cost, and on what the estimate
   *  rests (undefined: unknown). */
  cost(document: vscode.TextDocument): Promise<{ text: string; tooltip: string } | undefined>;
  /** Whether an interrupted (cancelled or failed) sweep of this file left a journal that Resume Sweep finishes. */
  resumable(file: string): boolean;
  /** Whether this file's two-dial map is running now (Run grid). */
  gridRunning?(file: string): boolean;
  /** Whether an interrupted map of this file left a journal that Resume Grid finishes. */
  gridResumable?(file: string): boolean;
  onDidChange: vscode.Event<void>;
}

export class HypothesisLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly state: LensState) {
    this.onDidChangeCodeLenses = state.onDidChange;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const top = new vscode.Range(0, 0, 0, 0);
    const uri = document.uri;
    const run = this.state.activeRun(uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    // A scan file (top-level `scan:` in place of `circuit:`) is not a sweep: its lenses run and open the map.
    if (isScanText(document.getText())) {
      lenses.push(new vscode.CodeLens(top, this.state.trusted()
        ? { title: '$(table) Scan units', command: 'circuitThermometer.scanUnits', arguments: [uri], tooltip: 'The entanglement map: every unit of the scan: tensors as its own one-unit circuit' }
        : { title: '$(shield) Scan units (workspace not trusted)', command: 'circuitThermometer.scanUnits', arguments: [uri], tooltip: 'Models are not run in an untrusted workspace' }));
      lenses.push(new vscode.CodeLens(top, { title: '$(graph) Show map', command: 'circuitThermometer.showScan', arguments: [uri] }));
      return lenses;
    }
    // A two-dial map (degradation.grid) runs as a map, not a sweep: Run grid writes <name>.grid.json, Show grid opens it.
    if (isGridText(document.getText())) {
      if (this.state.gridRunning?.(uri.fsPath)) {
        lenses.push(new vscode.CodeLens(top, { title: '$(sync~spin) Grid running — Cancel', command: 'circuitThermometer.cancelGrid', arguments: [uri] }));
        lenses.push(new vscode.CodeLens(top, { title: '$(graph) Show grid', command: 'circuitThermometer.showGrid', arguments: [uri] }));
        return lenses;
      }
      // After a cancel, finishing the map comes first: only its missing work units run.
      if (this.state.trusted() && this.state.gridResumable?.(uri.fsPath)) {
        lenses.push(new vscode.CodeLens(top, { title: '$(debug-continue) Resume grid', command: 'circuitThermometer.resumeGrid', arguments: [uri], tooltip: 'Finish the interrupted map: only the work units its journal lacks run' }));
      }
      const cost = this.state.trusted() ? await this.state.cost(document).catch(() => undefined) : undefined;
      lenses.push(new vscode.CodeLens(top, this.state.trusted()
        ? { title: `$(play) Run grid${cost ? ` (${cost.text})` : ''}`, command: 'circuitThermometer.runGrid', arguments: [uri], tooltip: cost?.tooltip ?? 'The two-dial map: every checkpoint of degradation.grid crossed with every level of the dial' }
        : { title: '$(shield) Run grid (workspace not trusted)', command: 'circuitThermometer.runGrid', arguments: [uri], tooltip: 'Models are not run in an untrusted workspace' }));
      lenses.push(new vscode.CodeLens(top, { title: '$(graph) Show grid', command: 'circuitThermometer.showGrid', arguments: [uri] }));
      return lenses;
    }
    if (run) {
      const what = run.status === 'queued' ? 'Sweep queued' : `Sweep running${run.progress !== null ? ` ${Math.round(run.progress * 100)}%` : ''}`;
      lenses.push(new vscode.CodeLens(top, { title: `$(sync~spin) ${what} — Cancel`, command: 'circuitThermometer.cancelSweep', arguments: [uri] }));
    } else if (this.state.trusted()) {
      // After a cancel, finishing the sweep comes first: only its missing work units run.
      if (this.state.resumable(uri.fsPath)) {
        lenses.push(new vscode.CodeLens(top, { title: '$(debug-continue) Resume sweep', command: 'circuitThermometer.resumeSweep', arguments: [uri], tooltip: 'Finish the interrupted sweep: only the work units its journal lacks run' }));
      }
      // The cost is stated before the sweep starts.
      const cost = await this.state.cost(document).catch(() => undefined);
      lenses.push(new vscode.CodeLens(top, { title: `$(play) Run sweep${cost ? ` (${cost.text})` : ''}`, command: 'circuitThermometer.runSweep', arguments: [uri], tooltip: cost?.tooltip ?? 'Run the degradation sweep' }));
    } else {
      lenses.push(new vscode.CodeLens(top, { title: '$(shield) Run sweep (workspace not trusted)', command: 'circuitThermometer.runSweep', arguments: [uri], tooltip: 'Models are not run in an untrusted workspace' }));
    }
    lenses.push(new vscode.CodeLens(top, { title: '$(graph-line) Show chart', command: 'circuitThermometer.showChart', arguments: [uri] }));
    lenses.push(new vscode.CodeLens(top, { title: '$(beaker) Check gradients', command: 'circuitThermometer.checkGradients', arguments: [uri] }));
    return lenses;
  }
}

/** Markdown that carries names from a model: no HTML, no command links, no theme icons (`$(…)` in a name is text). */
function modelTextMarkdown(md: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(md, false);
  m.supportHtml = false;
  m.isTrusted = false;
  return m;
}
