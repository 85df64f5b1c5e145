// Completion of tensor names, hover on tensor names, quick fixes and the CodeLens above a hypothesis file.
// Each provider asks the shared HypothesisService for the model (cached) and translates; no engine logic here.
import * as vscode from 'vscode';
import { completionContextAt } from './completionContext';
import type { HypothesisDiagnostics } from './diagnostics';
import { HypothesisService, LANGUAGE_ID } from './hypothesisService';
import { describeTensor, tensorDetail, tensorMarkdown } from './tensorInfo';
import { toCodeAction } from './translate';

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
        item.documentation = new vscode.MarkdownString(tensorMarkdown(d));
      }
      // Activations first (what circuits are made of), in graph order; then parameters and inputs.
      item.sortText = `${d?.role === 'activation' || d?.role === 'output' ? 0 : 1}${String(i).padStart(6, '0')}`;
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
    return new vscode.Hover(new vscode.MarkdownString(tensorMarkdown(d)), range);
  }
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
  onDidChange: vscode.Event<void>;
}

export class HypothesisLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly state: LensState) {
    this.onDidChangeCodeLenses = state.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const uri = document.uri;
    const run = this.state.activeRun(uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    if (run) {
      const what = run.status === 'queued' ? 'Sweep queued' : `Sweep running${run.progress !== null ? ` ${Math.round(run.progress * 100)}%` : ''}`;
      lenses.push(new vscode.CodeLens(top, { title: `$(sync~spin) ${what} — Cancel`, command: 'circuitThermometer.cancelSweep', arguments: [uri] }));
    } else if (this.state.trusted()) {
      lenses.push(new vscode.CodeLens(top, { title: '$(play) Run sweep', command: 'circuitThermometer.runSweep', arguments: [uri] }));
    } else {
      lenses.push(new vscode.CodeLens(top, { title: '$(shield) Run sweep (workspace not trusted)', command: 'circuitThermometer.runSweep', arguments: [uri], tooltip: 'Models are not run in an untrusted workspace' }));
    }
    lenses.push(new vscode.CodeLens(top, { title: '$(graph-line) Show chart', command: 'circuitThermometer.showChart', arguments: [uri] }));
    lenses.push(new vscode.CodeLens(top, { title: '$(beaker) Check gradients', command: 'circuitThermometer.checkGradients', arguments: [uri] }));
    return lenses;
  }
}
