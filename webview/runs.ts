// The runs view in the side bar: runs grouped by hypothesis file, newest first; one row per run (circuit name, dial,
// time, verdict, t_ent, the calibration k/K: how many matched random sets the same verdict would call clean,
// cleanliness) with a sparkline of the target and collateral effects and its legend; a run with levels that did not
// converge is marked inconclusive. Clicking a row opens its chart. No Plotly here: the sparkline is a path.
//
// Stable hooks: section.group[data-hypothesis] > li.run[data-run-id][data-status][data-t-ent][data-calibration]
// [data-inconclusive][data-time], .calibration[data-warning], .inconclusive, .time, .verdict, .legend,
// [data-action=remove], [data-testid=runs-empty], [data-testid=untrusted].
import './cspInit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import {
  CancelRunCommand,
  OpenResultsCommand,
  OpenRunCommand,
  ReadyCommand,
  RemoveRunCommand,
  type RunsState,
  RunsStateNotification,
  type RunSummary,
} from '../src/protocol/webview';
import { el, svg } from './dom';
import { groupRuns, runFacts, runTooltip, verdictWord } from './facts';
import { formatRunTime } from '../src/protocol/format';
import { HostChannel } from './ipc';
import { sparklinePaths } from './sparkline';

const SPARK_W = 96;
const SPARK_H = 28;

const channel = new HostChannel();
const banner = el('p', { class: 'banner', 'data-testid': 'untrusted', hidden: '' },
  'This workspace is not trusted: hypothesis files are checked, but models are not run. Trust the workspace to run sweeps.');
const list = el('div', { id: 'runs', class: 'runs' });
const legend = el('p', { class: 'legend muted', hidden: '' }, [
  svg('svg', { width: '14', height: '6', viewBox: '0 0 14 6', class: 'key target' }, [svg('line', { x1: '0', x2: '14', y1: '3', y2: '3' })]),
  ' target effect E_T  ',
  svg('svg', { width: '14', height: '6', viewBox: '0 0 14 6', class: 'key collateral' }, [svg('line', { x1: '0', x2: '14', y1: '3', y2: '3' })]),
  ' collateral E_C, by level (log scale)',
]);
const empty = el('p', { class: 'muted', 'data-testid': 'runs-empty' },
  'No runs yet. Open a *.circuit.yaml file and run “Circuit Thermometer: Run Sweep” (or the “Run sweep” lens above the file).');
document.body.append(banner, empty, legend, list);

function render(state: RunsState): void {
  banner.hidden = state.trusted;
  empty.hidden = state.runs.length > 0;
  legend.hidden = state.runs.length === 0;
  list.replaceChildren(...groupRuns(state.runs).map((g) => el('section', { class: 'group', 'data-hypothesis': g.hypothesisFile }, [
    el('h3', { class: 'group-head', title: g.hypothesisFile }, `${g.label}${g.runs.length > 1 ? ` (${g.runs.length} runs)` : ''}`),
    el('ul', { class: 'runs-of' }, g.runs.map(row)),
  ])));
}

/** The warning colour (through the CSSOM: the policy allows no inline style attributes). */
function warn<E extends HTMLElement>(e: E): E {
  e.style.color = 'var(--vscode-editorWarning-foreground, var(--vscode-list-warningForeground))';
  return e;
}

function row(run: RunSummary): HTMLElement {
  const active = run.status === 'running' || run.status === 'queued';
  const finished = run.status === 'complete' || run.status === 'diverged';
  const f = runFacts(run);
  const calibration = finished && f.calibration
    ? el('span', { class: `calibration${f.calibration.warning ? '' : ' muted'}`, title: f.calibration.title, 'data-warning': String(f.calibration.warning) }, f.calibration.text)
    : null;
  if (calibration && f.calibration?.warning) warn(calibration);
  const facts: (string | HTMLElement)[] = finished
    // The verdict line already says "clean from t_ent …" when there is a window.
    ? [...(run.tEnt === null ? [f.tEnt, ' · '] : []), ...(calibration ? [calibration, ' · '] : []), f.cleanliness]
    : run.status === 'running' && run.progress !== null ? [`${Math.round(run.progress * 100)}%`] : [];
  const buttons: HTMLElement[] = [];
  if (active) buttons.push(button('Cancel', () => channel.send(CancelRunCommand, { runId: run.id }), 'cancel'));
  if (finished) buttons.push(button('Results', () => channel.send(OpenResultsCommand, { runId: run.id }), 'results'));
  if (!active) buttons.push(button('Remove', () => channel.send(RemoveRunCommand, { runId: run.id }), 'remove'));
  const li = el('li', {
    class: `run status-${run.status}${f.inconclusive ? ' inconclusive' : ''}`,
    tabindex: '0',
    role: 'button',
    title: runTooltip(run),
    'data-run-id': run.id,
    'data-status': run.status,
    'data-t-ent': run.tEnt === null ? '' : String(run.tEnt),
    'data-calibration': run.calibration ? `${run.calibration.clean}/${run.calibration.of}` : '',
    'data-inconclusive': (f.inconclusive?.levels ?? []).join(','),
    'data-time': run.time ?? '',
  }, [
    el('div', { class: 'head' }, [
      el('span', { class: 'name' }, run.circuitName || run.label),
      el('vscode-badge', { class: 'dial' }, run.dial ?? '?'),
      el('span', { class: 'time muted' }, formatRunTime(run.time)),
    ]),
    el('div', { class: 'verdict-line' }, [
      el('span', { class: 'verdict' }, verdictWord(run)),
      ...(f.inconclusive ? [warn(el('span', { class: 'inconclusive', title: f.inconclusive.text }, f.inconclusive.badge))] : []),
    ]),
    el('div', { class: 'body' }, [sparkline(run), el('div', { class: 'facts' }, facts)]),
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
