// A minimal stand-in for the `vscode` module, enough for the extension's translation layer and for activate()
// to construct and register (everything it registers is recorded, nothing runs). `installVscodeDouble()` makes
// `require('vscode')` return it, for sources under tsx and for the esbuild bundle alike.
import Module = require('node:module');
import * as nodePath from 'node:path';

export class Position {
  constructor(readonly line: number, readonly character: number) {}
  isBefore(o: Position): boolean {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  isEqual(o: Position): boolean {
    return this.line === o.line && this.character === o.character;
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b as number);
      this.end = new Position(c as number, d as number);
    } else {
      this.start = a;
      this.end = b as Position;
    }
  }
  isEqual(o: Range): boolean {
    return this.start.isEqual(o.start) && this.end.isEqual(o.end);
  }
}

export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }

export class Diagnostic {
  source?: string;
  code?: string | number | { value: string | number; target: Uri };
  constructor(readonly range: Range, readonly message: string, readonly severity: DiagnosticSeverity = DiagnosticSeverity.Error) {}
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string, readonly query = '') {}
  static file(p: string): Uri {
    return new Uri('file', nodePath.resolve(p));
  }
  static from(c: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(c.scheme, c.path, c.query ?? '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, nodePath.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

export class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.edits.push({ uri, range, newText });
  }
}

export class CodeActionKind {
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly RefactorRewrite = new CodeActionKind('refactor.rewrite');
  constructor(readonly value: string) {}
}

export class CodeAction {
  edit?: WorkspaceEdit;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(readonly title: string, readonly kind?: CodeActionKind) {}
}

export class CodeLens {
  constructor(readonly range: Range, readonly command?: { title: string; command: string; arguments?: unknown[] }) {}
}

export enum CompletionItemKind { Field = 4, Constant = 20 }

export class CompletionItem {
  range?: Range;
  insertText?: string;
  detail?: string;
  documentation?: MarkdownString;
  sortText?: string;
  constructor(readonly label: string, readonly kind?: CompletionItemKind) {}
}

export class MarkdownString {
  supportHtml = false;
  isTrusted: boolean | undefined;
  constructor(readonly value = '', readonly supportThemeIcons = false) {}
}

export class DocumentLink {
  tooltip?: string;
  constructor(readonly range: Range, readonly target?: Uri) {}
}

export class Hover {
  constructor(readonly contents: MarkdownString, readonly range?: Range) {}
}

export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1 }

const disposable = () => ({ dispose: () => undefined });
const event = () => disposable();

/** What activate() registered, by kind. */
export const registered = { commands: [] as string[], providers: [] as string[], webviews: [] as string[], trees: [] as string[] };

export const window = {
  activeTextEditor: undefined,
  createOutputChannel: (name: string) => ({ name, info: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, show: () => undefined, dispose: () => undefined }),
  createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
  registerWebviewPanelSerializer: (viewType: string) => (registered.webviews.push(viewType), disposable()),
  registerWebviewViewProvider: (viewId: string) => (registered.webviews.push(viewId), disposable()),
  createTreeView: (viewId: string) => (registered.trees.push(viewId), { ...disposable(), badge: undefined, message: undefined }),
  registerCustomEditorProvider: (viewType: string) => (registered.webviews.push(viewType), disposable()),
  showInformationMessage: async () => undefined,
  showWarningMessage: async () => undefined,
  showErrorMessage: async () => undefined,
};

export const workspace = {
  isTrusted: true,
  textDocuments: [] as unknown[],
  onDidOpenTextDocument: event,
  onDidChangeTextDocument: event,
  onDidCloseTextDocument: event,
  onDidGrantWorkspaceTrust: event,
  onDidChangeConfiguration: event,
  createFileSystemWatcher: () => ({ onDidChange: event, onDidCreate: event, onDidDelete: event, dispose: () => undefined }),
  registerTextDocumentContentProvider: (scheme: string) => (registered.providers.push(`content:${scheme}`), disposable()),
  getConfiguration: () => ({ get: <T>(_key: string, dflt: T) => dflt }),
  getWorkspaceFolder: () => undefined,
  asRelativePath: (p: string | Uri) => (typeof p === 'string' ? p : p.fsPath),
};

export const languages = {
  createDiagnosticCollection: () => ({ set: () => undefined, get: () => [], delete: () => undefined, dispose: () => undefined }),
  registerCompletionItemProvider: () => (registered.providers.push('completion'), disposable()),
  registerHoverProvider: () => (registered.providers.push('hover'), disposable()),
  registerDocumentLinkProvider: () => (registered.providers.push('documentLinks'), disposable()),
  registerCodeActionsProvider: () => (registered.providers.push('codeActions'), disposable()),
  registerCodeLensProvider: () => (registered.providers.push('codeLens'), disposable()),
};

export const commands = {
  registerCommand: (id: string) => (registered.commands.push(id), disposable()),
  executeCommand: async () => undefined,
};

/** Makes `require('vscode')` resolve to this module (idempotent). */
export function installVscodeDouble(): void {
  const m = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = m._resolveFilename;
  if ((original as { vscodeDouble?: boolean }).vscodeDouble) return;
  const self = require.resolve('./vscodeDouble');
  const patched = function (request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? self : original.call(Module, request, ...rest);
  };
  (patched as { vscodeDouble?: boolean }).vscodeDouble = true;
  m._resolveFilename = patched;
}

/** A text document over a string, for validateRange and getText. */
export function textDocument(text: string, file = '/tmp/x.circuit.yaml'): { uri: Uri; getText(): string; validateRange(r: Range): Range; lineCount: number } {
  const lines = text.split('\n');
  return {
    uri: Uri.file(file),
    lineCount: lines.length,
    getText: () => text,
    validateRange(r: Range): Range {
      const clamp = (p: Position) => {
        const line = Math.min(p.line, lines.length - 1);
        return new Position(line, Math.min(p.character, lines[line].length));
      };
      return new Range(clamp(r.start), clamp(r.end));
    },
  };
}
