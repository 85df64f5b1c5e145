// The runs view in the side bar: one row per run (hypothesis, dial, status, t_ent, cleanliness) with a sparkline
// of the target and collateral effects; clicking a row opens its chart. No Plotly here: the sparkline is a path.
//
// Stable hooks: li.run[data-run-id][data-status][data-t-ent], [data-testid=runs-empty], [data-testid=untrusted].
import './cspInit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { formatLevel, formatNumber } from '../src/chart/format';
import {
  CancelRunCommand,
  OpenResultsCommand,
  OpenRunCommand,
  ReadyCommand,
  type RunsState,
  RunsStateNotification,
  type RunSummary,
} from '../src/protocol/webview';
import { el, svg } from './dom';
import { HostChannel } from './ipc';
import { sparklinePaths } from './sparkline';

const SPARK_W = 96;
const SPARK_H = 28;

const channel = new HostChannel();
const banner = el('p', { class: 'banner', 'data-testid': 'untrusted', hidden: '' },
  'This workspace is not trusted: hypothesis files are checked, but models are not run. Trust the workspace to run sweeps.');
const list = el('ul', { id: 'runs', class: 'runs' });
const empty = el('p', { class: 'muted', 'data-testid': 'runs-empty' },
  'No runs yet. Open a *.circuit.yaml file and run “Circuit Thermometer: Run Sweep” (or the “Run sweep” lens above the file).');
document.body.append(banner, empty, list);

function render(state: RunsState): void {
  banner.hidden = state.trusted;
  empty.hidden = state.runs.length > 0;
  list.replaceChildren(...state.runs.map(row));
}

function row(run: RunSummary): HTMLElement {
  const active = run.status === 'running' || run.status === 'queued';
  const finished = run.status === 'complete' || run.status === 'diverged';
  const facts = finished
    ? `t_ent ${run.tEnt === null ? '—' : formatLevel(run.tEnt)} · cleanliness ${run.cleanlinessDecades === null ? '—' : formatNumber(run.cleanlinessDecades)} dec`
    : run.status === 'running' && run.progress !== null ? `${Math.round(run.progress * 100)}%` : '';
  const buttons: HTMLElement[] = [];
  if (active) buttons.push(button('Cancel', () => channel.send(CancelRunCommand, { runId: run.id }), 'cancel'));
  if (finished) buttons.push(button('Results', () => channel.send(OpenResultsCommand, { runId: run.id }), 'results'));
  const li = el('li', {
    class: `run status-${run.status}`,
    tabindex: '0',
    role: 'button',
    title: `${run.label}\n${run.message}\n${run.resultsPath}`,
    'data-run-id': run.id,
    'data-status': run.status,
    'data-t-ent': run.tEnt === null ? '' : String(run.tEnt),
  }, [
    el('div', { class: 'head' }, [
      el('span', { class: 'name' }, run.circuitName || run.label),
      el('vscode-badge', { class: 'dial' }, run.dial ?? '?'),
      el('span', { class: 'status' }, run.status),
    ]),
    el('div', { class: 'body' }, [sparkline(run), el('div', { class: 'facts' }, [el('div', { class: 'file muted' }, run.label), el('div', {}, facts)])]),
    el('div', { class: 'message muted' }, run.message),
    el('div', { class: 'actions' }, buttons),
  ]);
  const open = () => channel.send(OpenRunCommand, { runId: run.id });
  li.addEventListener('click', open);
  li.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') open();
  });
  return li;
}

function sparkline(run: RunSummary): SVGElement {
  const p = sparklinePaths(run.spark, SPARK_W, SPARK_H);
  return svg('svg', { class: 'spark', width: String(SPARK_W), height: String(SPARK_H), viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, role: 'img', 'aria-label': 'target and collateral effect by level' }, [
    svg('line', { class: 'zero', x1: '0', x2: String(SPARK_W), y1: String(p.zeroY), y2: String(p.zeroY) }),
    svg('path', { class: 'target', d: p.target }),
    svg('path', { class: 'collateral', d: p.collateral }),
  ]);
}

function button(label: string, onClick: () => void, action: string): HTMLElement {
  const b = el('vscode-button', { secondary: '', 'data-action': action }, label);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

channel.on(RunsStateNotification, render);
channel.send(ReadyCommand, { view: 'runs' });
