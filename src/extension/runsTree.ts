// The "Runs" view in the Circuit Thermometer side bar: a native tree (keyboard navigation, context menus, title
// actions, welcome content when empty), runs grouped by hypothesis file, newest first. Each run's icon and words come
// from src/extension/runItems.ts; its context value drives the menus of package.json (Open Chart, Resume, Rerun,
// Reveal Results, Remove, Cancel). It also keeps the context keys the palette's `when` clauses read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { journalPathFor } from '../engine/sweep/journal';
import type { RunSummary } from '../protocol/webview';
import { groupRuns, type RunAbilities, runContext, runDescription, runFacts, runIcon, runTooltip } from './runItems';
import { summarize } from './runRecord';
import type { RunsStore } from './runsStore';

/** A row of the tree: a hypothesis file, or one run of it. Commands run from the tree receive it as argument. */
export type RunNode = { kind: 'hypothesis'; file: string; label: string } | { kind: 'run'; runId: string };

export function isRunNode(x: unknown): x is RunNode {
  if (typeof x !== 'object' || x === null) return false;
  const n = x as Partial<Record<string, unknown>>;
  return (n.kind === 'run' && typeof n.runId === 'string') || (n.kind === 'hypothesis' && typeof n.file === 'string');
}

/** Context keys the palette's `when` clauses read (package.json `menus.commandPalette`). */
export const CONTEXT = {
  /** A sweep is queued or running: Cancel Sweep. */
  active: 'circuitThermometer.sweepActive',
  /** An interrupted sweep's journal is there to finish: Resume Sweep. */
  resumable: 'circuitThermometer.canResume',
  /** A run that is not live is listed: Remove Run. */
  removable: 'circuitThermometer.hasRemovableRuns',
  /** A run with results is listed: Export Results, Open Results File. */
  finished: 'circuitThermometer.hasFinishedRuns',
} as const;

export class RunsTree implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  static readonly viewId = 'circuitThermometer.runs';
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<RunNode>;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  private pending: NodeJS.Timeout | undefined;
  private summaries = new Map<string, RunSummary>();
  /** What the tree shows now, to skip redraws that would change nothing. */
  private drawn = '';

  constructor(private readonly store: RunsStore, private readonly trusted: () => boolean) {
    this.view = vscode.window.createTreeView(RunsTree.viewId, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(this.view, store.onDidChange(() => this.refresh()));
    this.refresh();
  }

  /** Redraws the tree and the context keys, at most every 200 ms (progress updates arrive faster). */
  refresh(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.update();
    }, 200);
  }

  private update(): void {
    const runs = this.store.all();
    const live = runs.filter((r) => r.status === 'running' || r.status === 'queued');
    this.view.badge = live.length > 0 ? { value: live.length, tooltip: `${live.length} sweep${live.length === 1 ? '' : 's'} running or queued` } : undefined;
    // Untrusted: a message above the runs; with none, the welcome content says it (a message would hide it).
    this.view.message = this.trusted() || runs.length === 0 ? undefined : 'This workspace is not trusted: hypothesis files are checked, but models are not run. Trust the workspace to run sweeps.';
    void vscode.commands.executeCommand('setContext', CONTEXT.active, live.length > 0);
    void vscode.commands.executeCommand('setContext', CONTEXT.resumable, runs.some((r) => r.status !== 'running' && r.status !== 'queued' && hasJournal(r.resultsPath)));
    void vscode.commands.executeCommand('setContext', CONTEXT.removable, runs.some((r) => r.status !== 'running' && r.status !== 'queued'));
    void vscode.commands.executeCommand('setContext', CONTEXT.finished, runs.some((r) => r.document !== undefined));
    // Redraw only when a row would look or act differently: every redraw re-registers the rows' click commands, and
    // a click that lands during one reaches a command VS Code already dropped.
    const drawn = JSON.stringify(runs.map(summarize).map((r) => [r.id, r.hypothesisFile, r.label, r.circuitName, runDescription(r), runIcon(r), abilities(r)]));
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    this.changed.fire(undefined);
  }

  async getChildren(node?: RunNode): Promise<RunNode[]> {
    if (!node) {
      // The first look waits for the workspace's results files, so the welcome content never flashes over them.
      await this.store.scan();
      const summaries = this.store.all().map(summarize);
      this.summaries = new Map(summaries.map((s) => [s.id, s]));
      return groupRuns(summaries).map((g) => ({ kind: 'hypothesis', file: g.hypothesisFile, label: g.label }));
    }
    if (node.kind === 'run') return [];
    const runs = [...this.summaries.values()].filter((s) => s.hypothesisFile === node.file);
    return groupRuns(runs).flatMap((g) => g.runs).map((s) => ({ kind: 'run', runId: s.id }));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'hypothesis') {
      const item = new vscode.TreeItem(path.basename(node.file), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `hypothesis:${node.file}`;
      const dir = path.dirname(node.label);
      item.description = dir === '.' ? '' : dir;
      item.resourceUri = vscode.Uri.file(node.file);
      item.tooltip = node.label;
      item.contextValue = fs.existsSync(node.file) ? 'hypothesis' : 'hypothesis missing';
      return item;
    }
    const run = this.summaries.get(node.runId);
    if (!run) return new vscode.TreeItem('(removed)');
    const item = new vscode.TreeItem(run.circuitName || run.label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`;
    item.description = runDescription(run);
    const icon = runIcon(run);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(runTooltip(run));
    const f = runFacts(run);
    if (run.status === 'complete' || run.status === 'diverged') tip.appendText(`\n${f.tEnt} · ${f.cleanliness}`);
    item.tooltip = tip;
    item.contextValue = runContext(run, abilities(run));
    item.accessibilityInformation = { label: `${run.circuitName || run.label}, ${item.description}` };
    // A two-dial map opens in its map panel (its file is the run's results file).
    item.command = this.store.get(run.id)?.grid
      ? { command: 'circuitThermometer.showGrid', title: 'Open Map', arguments: [vscode.Uri.file(run.resultsPath)] }
      : { command: 'circuitThermometer.showChart', title: 'Open Chart', arguments: [node] };
    return item;
  }

  getParent(node: RunNode): RunNode | undefined {
    if (node.kind === 'hypothesis') return undefined;
    const run = this.summaries.get(node.runId);
    return run ? { kind: 'hypothesis', file: run.hypothesisFile, label: run.label } : undefined;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const s of this.subscriptions) s.dispose();
  }
}

function hasJournal(resultsPath: string): boolean {
  return fs.existsSync(journalPathFor(resultsPath));
}

/** What the run's menus may offer: its results file is there (an ended run's id is not the file), a journal is. */
function abilities(run: Pick<RunSummary, 'id' | 'resultsPath'>): RunAbilities {
  return { results: run.id === run.resultsPath && fs.existsSync(run.resultsPath), resumable: hasJournal(run.resultsPath) };
}
