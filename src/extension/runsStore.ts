// Every run the extension knows: the ones it runs (live), results files found in the workspace (written by earlier
// sessions or by the CLI), and sweeps that were cancelled or failed (they write no results file, so they are kept in
// the workspace state and survive a reload). Results files are watched, so a run appears when its file lands anywhere.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultsDocument } from '../protocol/results';
import { readResultsFile } from '../engine/sweep/readResults';
import { readGridFile } from '../engine/sweep/gridFile';
import { type RunRecord, recordFromDocument, recordFromGrid } from './runRecord';

export const RESULTS_GLOB = '**/*.results.json';
/** Two-dial maps' results (`circuit-thermometer grid`, Run grid): listed as runs, opened in the map panel. */
export const GRID_GLOB = '**/*.grid.json';

/** Workspace-state key of the cancelled and failed runs. */
const ENDED_KEY = 'circuitThermometer.endedRuns';
/** How many cancelled / failed runs are kept. */
const ENDED_KEPT = 50;

/** Storage for what outlives a window (the workspace state; a Map in tests). */
export interface RunMemory {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class RunsStore implements vscode.Disposable {
  private readonly runs = new Map<string, RunRecord>();
  private readonly changed = new vscode.EventEmitter<RunRecord | undefined>();
  /** Fires with the run that changed, or undefined when several did. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scanned: Promise<void> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly memory?: RunMemory) {
    for (const r of memory?.get<RunRecord[]>(ENDED_KEY) ?? []) this.runs.set(r.id, r);
    for (const glob of [RESULTS_GLOB, GRID_GLOB]) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      this.disposables.push(
        watcher,
        watcher.onDidCreate((u) => void this.load(u.fsPath)),
        watcher.onDidChange((u) => void this.load(u.fsPath)),
        watcher.onDidDelete((u) => this.forgetFile(u.fsPath)),
      );
    }
  }

  /** Finds the results files of the workspace (once; later calls wait for the same scan). */
  scan(): Promise<void> {
    this.scanned ??= (async () => {
      const files = [
        ...await vscode.workspace.findFiles(RESULTS_GLOB, '**/node_modules/**', 500),
        ...await vscode.workspace.findFiles(GRID_GLOB, '**/node_modules/**', 500),
      ];
      await Promise.all(files.map((u) => this.load(u.fsPath, false)));
      this.changed.fire(undefined);
    })();
    return this.scanned;
  }

  /** Live runs first, then newest first (the runs view groups them by hypothesis in this order). */
  all(): RunRecord[] {
    const live = (r: RunRecord) => (r.status === 'running' ? 0 : r.status === 'queued' ? 1 : 2);
    const time = (r: RunRecord) => Date.parse(r.document?.createdAt ?? r.startedAt ?? '') || 0;
    return [...this.runs.values()].sort((a, b) => live(a) - live(b) || time(b) - time(a) || a.label.localeCompare(b.label));
  }

  /**
   * A sweep that ended without results (cancelled, failed) keeps its own entry, under an id of its own, in the
   * workspace state; the run's id then shows the results file again if an earlier sweep wrote one.
   */
  async keepEnded(record: RunRecord): Promise<void> {
    const ended: RunRecord = { ...record, id: `${record.id}#${record.startedAt ?? Date.now()}`, levels: record.levels.map((l) => ({ ...l, chains: [] })), progress: null };
    delete ended.document;
    this.runs.delete(record.id);
    this.runs.set(ended.id, ended);
    await this.saveEnded();
    if (fs.existsSync(record.resultsPath)) await this.load(record.resultsPath, false);
    this.changed.fire(undefined);
  }

  /** Forgets a run (a results file is deleted by the caller; the watcher then forgets it too). */
  async remove(id: string): Promise<void> {
    if (!this.runs.delete(id)) return;
    await this.saveEnded();
    this.changed.fire(undefined);
  }

  private saveEnded(): Thenable<void> {
    const ended = [...this.runs.values()].filter((r) => r.id.includes('#') && (r.status === 'cancelled' || r.status === 'failed'));
    ended.sort((a, b) => (Date.parse(b.startedAt ?? '') || 0) - (Date.parse(a.startedAt ?? '') || 0));
    return this.memory?.update(ENDED_KEY, ended.slice(0, ENDED_KEPT)) ?? Promise.resolve();
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
    const grid = isGridFile(file);
    let parsed: ResultsDocument;
    let record: RunRecord;
    try {
      if (grid) {
        const doc = readGridFile(file);
        parsed = doc.sweep;
        record = recordFromGrid(doc, file, '');
      } else {
        parsed = readResultsFile(file);
        record = recordFromDocument(parsed, file, '');
      }
    } catch (e) {
      // A damaged, foreign or unreadable file is left out of the view, with its reason in the log.
      this.log.warn(`ignoring ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    const existing = this.runs.get(file);
    // A live run owns its record until it finishes; its own results file lands just before `done`.
    if (existing && (existing.status === 'running' || existing.status === 'queued')) return existing;
    // Written elsewhere (the demo, another clone): the hypothesis of the same name near the results, or in the
    // workspace, preferring the one whose content the results recorded.
    // Not found: the recorded name beside the results, never another machine's absolute path (the group header and
    // the chart's subtitle show it).
    if (!fs.existsSync(record.hypothesisFile)) record.hypothesisFile = (await findHypothesis(file, parsed.hypothesis.file, parsed.hypothesis.sha256)) ?? path.join(path.dirname(file), path.basename(parsed.hypothesis.file));
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

/**
 * The hypothesis file of results whose recorded path does not exist here: a file of the recorded name (or
 * `<name>.circuit.*` for `<name>.results.json`) beside the results or one folder up (the demo writes to `out/`), else
 * anywhere in the workspace; among several, the one whose SHA-256 the results recorded.
 */
async function findHypothesis(resultsFile: string, recorded: string, sha256: string): Promise<string | undefined> {
  const stem = path.basename(resultsFile).replace(/\.(results|grid)\.json$/i, '');
  const names = [...new Set([path.basename(recorded), ...['.circuit.yaml', '.circuit.yml', '.circuit.json'].map((s) => stem + s)])];
  const dir = path.dirname(resultsFile);
  const near = [dir, path.dirname(dir)].flatMap((d) => names.map((n) => path.join(d, n))).filter((f) => fs.existsSync(f));
  const found = near.length > 0 ? near : (await vscode.workspace.findFiles(`**/${path.basename(recorded)}`, '**/node_modules/**', 20)).map((u) => u.fsPath);
  return found.find((f) => sha256Of(f) === sha256) ?? found[0];
}

function sha256Of(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

export function isGridFile(file: string): boolean {
  return /\.grid\.json$/i.test(file);
}

export function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
