// The checker as the editor uses it: one cache for every check, hover and completion, so a model is read once
// and re-read only when its file changes. Everything here loads the engine lazily.
import * as vscode from 'vscode';
import type { ModelFacts, ParseResult } from '../hypothesis';
import type { ProbedTensor } from '../engine/onnx';
import type { EditorCheckCache } from './editorCache';
import { editorCacheModule, hypothesisModule, onnxModule } from './engine';

export const LANGUAGE_ID = 'circuit-hypothesis';

export function isHypothesisDocument(d: vscode.TextDocument): boolean {
  return d.languageId === LANGUAGE_ID || /\.circuit\.(ya?ml|json)$/i.test(d.uri.path);
}

export interface ModelContext {
  facts: ModelFacts;
  /** Shapes measured by the last check's probe (absent in an untrusted workspace or when the probe failed). */
  shapes?: Map<string, ProbedTensor>;
}

export class HypothesisService {
  private cache: EditorCheckCache | undefined;

  /** `workerPath`: the worker script that runs the checks' shape probes (dist/worker.js). */
  constructor(readonly mayExecute: () => boolean, private readonly workerPath?: string) {}

  /** Every check (syntax, schema, files, model, data, gradient path) of the document's current text. */
  async check(document: vscode.TextDocument, signal?: AbortSignal): Promise<ParseResult> {
    const [h, cache] = await Promise.all([hypothesisModule(), this.checkCache()]);
    return h.checkHypothesisText(document.getText(), document.uri.fsPath, { cache, signal, workspaceRoot: workspaceRoot(document.uri) });
  }

  /** Syntax and schema only (no file read): enough to know the model path and the settings. */
  async parse(document: vscode.TextDocument): Promise<ParseResult> {
    const h = await hypothesisModule();
    return h.parseHypothesis(document.getText(), document.uri.fsPath, { workspaceRoot: workspaceRoot(document.uri) });
  }

  /** The model a hypothesis names, from the cache (read on first use), with the shapes its check measured. */
  async model(document: vscode.TextDocument): Promise<ModelContext | undefined> {
    const parsed = await this.parse(document);
    const path = parsed.draft.model;
    if (!path) return undefined;
    const cache = await this.checkCache();
    if (!cache.exists(path)) return undefined;
    try {
      const facts = await cache.model(path);
      return { facts, shapes: await cache.probedShapes(facts.model.sha256) };
    } catch {
      return undefined;
    }
  }

  /**
   * Every tensor's shape by one run of a model on placeholder inputs (symbolic dims = PROBE_SYMBOLIC_SIZE), in the
   * checks' probe worker — never in the extension host; undefined in an untrusted workspace or when it fails.
   */
  async probeModel(path: string): Promise<Map<string, ProbedTensor> | undefined> {
    const cache = await this.checkCache();
    try {
      const facts = await cache.model(path);
      const { PROBE_SYMBOLIC_SIZE } = await onnxModule();
      const feedDims: Record<string, number[]> = {};
      for (const name of facts.index.graphInputs) {
        const shape = facts.index.types.get(name)?.shape ?? [];
        feedDims[name] = shape.map((d) => (typeof d === 'number' ? d : PROBE_SYMBOLIC_SIZE));
      }
      return await cache.probe(facts, feedDims);
    } catch {
      return undefined;
    }
  }

  /** dtype and shape of a data array (and the value range of an integer one), from the cache; undefined if unreadable. */
  async dataArray(path: string): Promise<{ dtype: string; shape: number[]; range?: [number, number] } | undefined> {
    const cache = await this.checkCache();
    try {
      const info = await cache.arrayInfo(path);
      if (!/^u?int/.test(info.dtype)) return { dtype: info.dtype, shape: info.shape };
      const a = await cache.array(path);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < a.data.length; i++) {
        const v = Number(a.data[i]);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return { dtype: info.dtype, shape: info.shape, ...(a.data.length > 0 ? { range: [lo, hi] as [number, number] } : {}) };
    } catch {
      return undefined;
    }
  }

  /** Ends the probe worker, if one runs. */
  async dispose(): Promise<void> {
    await this.cache?.dispose();
  }

  /** Forget everything read (a model, data file or checkpoint changed on disk). */
  invalidate(): void {
    this.cache?.clear();
  }

  private async checkCache(): Promise<EditorCheckCache> {
    if (!this.cache) {
      const { EditorCheckCache } = await editorCacheModule();
      this.cache ??= new EditorCheckCache(this.mayExecute, this.workerPath);
    }
    return this.cache;
  }
}

function workspaceRoot(uri: vscode.Uri): string | undefined {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
}
