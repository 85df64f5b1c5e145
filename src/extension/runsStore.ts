// Every run the extension knows: the ones it runs (live), and results files found in the workspace (written by
// earlier sessions or by the CLI). Results files are watched, so a run appears when its file lands anywhere.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultsDocument } from '../protocol/results';
import { readResultsFile } from '../engine/sweep/readResults';
import { type RunRecord, recordFromDocument } from './runRecord';

export const RESULTS_GLOB = '**/*.results.json';

export class RunsStore implements vscode.Disposable {
  private readonly runs = new Map<string, RunRecord>();
  private readonly changed = new vscode.EventEmitter<RunRecord | undefined>();
  /** Fires with the run that changed, or undefined when several did. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scanned: Promise<void> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(RESULTS_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => void this.load(u.fsPath)),
      watcher.onDidChange((u) => void this.load(u.fsPath)),
      watcher.onDidDelete((u) => this.forgetFile(u.fsPath)),
    );
  }

  /** Finds the results files of the workspace (once; later calls wait for the same scan). */
  scan(): Promise<void> {
    this.scanned ??= (async () => {
      const files = await vscode.workspace.findFiles(RESULTS_GLOB, '**/node_modules/**', 500);
      await Promise.all(files.map((u) => this.load(u.fsPath, false)));
      this.changed.fire(undefined);
    })();
    return this.scanned;
  }

  all(): RunRecord[] {
    const order = { running: 0, queued: 1, failed: 2, cancelled: 2, complete: 3, diverged: 3 } as const;
    return [...this.runs.values()].sort((a, b) => order[a.status] - order[b.status] || a.label.localeCompare(b.label));
  }

  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** The run of a hypothesis file: its live run if there is one, else its finished one. */
  forHypothesis(file: string): RunRecord | undefined {
    const all = [...this.runs.values()].filter((r) => samePath(r.hypothesisFile, file));
    return all.find((r) => r.status === 'running' || r.status === 'queued') ?? all[0];
  }

  /** Adds or replaces a run and tells the views. */
  put(record: RunRecord): void {
    this.runs.set(record.id, record);
    this.changed.fire(record);
  }

  /** Applies a change to a run in place and tells the views. */
  update(id: string, change: (r: RunRecord) => void): void {
    const r = this.runs.get(id);
    if (!r) return;
    change(r);
    this.changed.fire(r);
  }

  /** Reads one results file; a file that is not a results document is ignored (logged). */
  async load(file: string, notify = true): Promise<RunRecord | undefined> {
    if (/\.tmp$/.test(file)) return undefined;
    let parsed: ResultsDocument;
    try {
      parsed = readResultsFile(file);
    } catch (e) {
      // A damaged, foreign or unreadable file is left out of the view, with its reason in the log.
      this.log.warn(`ignoring ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    const existing = this.runs.get(file);
    // A live run owns its record until it finishes; its own results file lands just before `done`.
    if (existing && (existing.status === 'running' || existing.status === 'queued')) return existing;
    const record = recordFromDocument(parsed, file, '');
    if (!fs.existsSync(record.hypothesisFile)) record.hypothesisFile = guessHypothesis(file) ?? record.hypothesisFile;
    record.label = vscode.workspace.asRelativePath(record.hypothesisFile);
    this.runs.set(file, record);
    if (notify) this.changed.fire(record);
    return record;
  }

  private forgetFile(file: string): void {
    const r = this.runs.get(file);
    if (!r || r.status === 'running' || r.status === 'queued') return;
    this.runs.delete(file);
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** `<name>.circuit.yaml` (or .yml/.json) beside `<name>.results.json`, when the recorded path is elsewhere. */
function guessHypothesis(resultsFile: string): string | undefined {
  const base = resultsFile.replace(/\.results\.json$/i, '');
  return ['.circuit.yaml', '.circuit.yml', '.circuit.json'].map((s) => base + s).find((f) => fs.existsSync(f));
}

export function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
