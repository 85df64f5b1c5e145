// The chart panel: the entanglement chart of one run (Plotly SVG traces from the shared chart module), controls
// from @vscode-elements, the verdict and the level table; on a second tab the sampler dashboard of a sgld run (its
// chains, R̂/ESS, acceptance and ε per level). The host sends the state (again on every finished level while a
// sweep runs); the page draws the tab that is shown, remembers the tab and the view options, and renders images
// on request.
//
// Stable hooks for tests and people: #chart[data-state][data-run-id][data-shapes][data-t-ent],
// [data-testid=verdict][data-calibration][data-inconclusive], [data-testid=calibration] (and its warning,
// [data-testid=calibration-warning]), [data-testid=advice], table#levels tr[data-level][data-failed], the toolbar
// buttons' data-export; the tabs vscode-tab-header[data-tab], #sampler[data-state][data-levels][data-unconverged]
// and [data-testid=sampler-convergence].
import './cspInit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import Plotly from 'plotly.js-dist';
import { failedTests, levelCells, levelTableHeader, unconverged } from '../src/chart/format';
import { buildSamplerDashboard, convergedLine, convergenceLine, negativeLlcLine, noChainsReason } from '../src/chart/samplerDashboard';
import {
  CHART_METRICS,
  type ChartMetric,
  ChartOptionsCommand,
  type ChartState,
  ChartStateNotification,
  type ChartViewOptions,
  DEFAULT_CHART_OPTIONS,
  type ExportFormat,
  ExportCommand,
  ImageRequest,
  isChartViewOptions,
  ReadyCommand,
  SelectRunCommand,
} from '../src/protocol/webview';
import { panelFigure, samplerLevels, shapeNames } from './chartDocument';
import { el } from './dom';
import { verdictHeader } from './facts';
import { HostChannel } from './ipc';
import { readTheme, watchTheme } from './theme';
import { DIALS } from '../src/protocol/dials';

const METRIC_LABELS: Record<ChartMetric, string> = {
  target: 'target effect E_T',
  collateral: 'collateral effect E_C',
  thresholds: 'thresholds',
  lossGap: 'loss gap ΔL',
  llc: 'LLC λ̂',
};

const TABS = ['entanglement', 'sampler'] as const;
type Tab = (typeof TABS)[number];

interface SavedState {
  runId?: string;
  options: ChartViewOptions;
  tab?: Tab;
}

const channel = new HostChannel();
const saved = channel.state as Partial<SavedState> | undefined;
let options: ChartViewOptions = saved && isChartViewOptions(saved.options) ? saved.options : DEFAULT_CHART_OPTIONS;
let tab: Tab = saved?.tab === 'sampler' ? 'sampler' : 'entanglement';
let state: ChartState | null = null;

// ---- page skeleton ------------------------------------------------------------------------------------------

const title = el('h1', { id: 'title', 'data-testid': 'chart-title' }, 'Entanglement chart');
const verdict = el('p', { id: 'verdict', 'data-testid': 'verdict' });
const calibration = el('p', { id: 'calibration', 'data-testid': 'calibration', class: 'muted', hidden: '' });
const calibrationWarning = el('p', { id: 'calibration-warning', 'data-testid': 'calibration-warning', hidden: '' });
const inconclusive = el('p', { id: 'inconclusive', 'data-testid': 'inconclusive', hidden: '' });
const advice = el('ul', { id: 'advice', 'data-testid': 'advice', hidden: '' });
// The warning colour through the CSSOM (the policy allows no inline style attributes).
for (const e of [calibrationWarning, inconclusive]) e.style.color = 'var(--vscode-editorWarning-foreground, var(--vscode-list-warningForeground))';
calibrationWarning.style.fontWeight = '600';
const status = el('p', { id: 'status', 'data-testid': 'status', class: 'muted' });
const progress = el('vscode-progress-bar', { id: 'progress', hidden: '' });
const runSelect = el('vscode-single-select', { id: 'run', 'aria-label': 'run' });
const axis = el('vscode-radio-group', { id: 'axis', 'aria-label': 'x axis' }, [
  el('vscode-radio', { name: 'axis', value: 'temperature', label: 'temperature' }, 'temperature'),
  el('vscode-radio', { name: 'axis', value: 'lossGap', label: 'loss gap ΔL' }, 'loss gap ΔL'),
]);
const metricBoxes = CHART_METRICS.map((m) => el('vscode-checkbox', { 'data-metric': m, label: METRIC_LABELS[m] }, METRIC_LABELS[m]));
const exportButtons = (['png', 'svg', 'csv', 'json'] as const).map((f) =>
  el('vscode-button', { 'data-export': f, secondary: '', title: `Export ${f.toUpperCase()}` }, f.toUpperCase()));
const chart = el('div', { id: 'chart', 'data-state': 'empty' });
const table = el('table', { id: 'levels' });
const samplerNote = el('p', { id: 'sampler-convergence', 'data-testid': 'sampler-convergence', hidden: '' });
samplerNote.style.color = 'var(--vscode-editorWarning-foreground, var(--vscode-list-warningForeground))';
samplerNote.style.fontWeight = '600';
const sampler = el('div', { id: 'sampler', 'data-state': 'empty' });
const tabHeaders = TABS.map((t) => el('vscode-tab-header', { 'data-tab': t }, t === 'entanglement' ? 'Entanglement' : 'Sampler'));
const tabs = el('vscode-tabs', { id: 'tabs', 'selected-index': String(TABS.indexOf(tab)) }, [
  ...tabHeaders,
  el('vscode-tab-panel', { 'data-tab': 'entanglement' }, [
    el('div', { class: 'toolbar' }, [
      el('span', { class: 'field' }, ['x axis ', axis]),
      el('span', { class: 'field metrics' }, metricBoxes),
      el('span', { class: 'field exports' }, exportButtons),
    ]),
    chart,
    table,
  ]),
  el('vscode-tab-panel', { 'data-tab': 'sampler' }, [samplerNote, sampler]),
]);

document.body.append(
  el('header', {}, [title, verdict, calibration, calibrationWarning, inconclusive, advice, status, progress]),
  el('div', { class: 'toolbar' }, [el('label', { class: 'field' }, ['Run ', runSelect])]),
  tabs,
);

// ---- controls -----------------------------------------------------------------------------------------------

function syncControls(): void {
  for (const r of Array.from(axis.querySelectorAll('vscode-radio'))) (r as HTMLElement & { checked: boolean }).checked = r.getAttribute('value') === options.xAxis;
  for (const box of metricBoxes) (box as HTMLElement & { checked: boolean }).checked = options.metrics.includes(box.dataset.metric as ChartMetric);
}

function setOptions(next: ChartViewOptions): void {
  options = next;
  persist();
  channel.send(ChartOptionsCommand, options);
  draw();
}

axis.addEventListener('change', (e) => {
  const value = (e.target as HTMLElement).getAttribute('value');
  if (value === 'temperature' || value === 'lossGap') setOptions({ ...options, xAxis: value });
});
for (const box of metricBoxes) {
  box.addEventListener('change', () => {
    const checked = metricBoxes.filter((b) => (b as HTMLElement & { checked: boolean }).checked).map((b) => b.dataset.metric as ChartMetric);
    setOptions({ ...options, metrics: CHART_METRICS.filter((m) => checked.includes(m)) });
  });
}
runSelect.addEventListener('change', () => {
  const runId = (runSelect as HTMLElement & { value: string }).value;
  if (runId && runId !== state?.run.id) channel.send(SelectRunCommand, { runId });
});
for (const b of exportButtons) b.addEventListener('click', () => channel.send(ExportCommand, { format: b.dataset.export as ExportFormat }));
tabs.addEventListener('vsc-tabs-select', (e) => {
  tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'entanglement';
  persist();
  // Only the shown tab is drawn (a hidden one has no size to lay out for): draw the one just shown, once the
  // tab panel has been unhidden (its attribute is reflected on the element's next update).
  requestAnimationFrame(() => (tab === 'sampler' ? drawSampler() : draw()));
});

function persist(): void {
  const s: SavedState = { runId: state?.run.id, options, tab };
  channel.state = s;
}

// ---- drawing ------------------------------------------------------------------------------------------------

function render(next: ChartState): void {
  state = next;
  options = next.options;
  persist();
  syncControls();
  const { run } = next;
  title.textContent = run.circuitName || run.label;
  // While running, the same progress words as the notification and the status bar ("3 of 12 work units done · …").
  status.textContent = `${run.label} · dial ${run.dial ?? '?'} · ${run.status === 'running' && run.progress !== null ? run.message : run.status}`;
  progress.hidden = run.status !== 'running' && run.status !== 'queued';
  if (run.progress !== null) (progress as HTMLElement & { value: number; max: number }).value = run.progress * 100;
  renderVerdict(next);
  // The LLC toggle only where there is an LLC to show (sgld sweeps).
  for (const box of metricBoxes) if (box.dataset.metric === 'llc') box.hidden = !(next.doc?.levels ?? []).some((l) => l.llc);
  runSelect.replaceChildren(...next.choices.map((c) => el('vscode-option', { value: c.id, ...(c.id === run.id ? { selected: '' } : {}) }, c.label)));
  (runSelect as HTMLElement & { value: string }).value = run.id;
  if (tab === 'sampler') drawSampler();
  else draw();
  renderTable(next);
}

function renderVerdict(s: ChartState): void {
  const v = s.doc?.verdict ?? null;
  verdict.dataset.tEnt = v?.tEnt === null || v === null ? '' : String(v.tEnt);
  verdict.dataset.tSurv = v?.tSurv === null || v === null ? '' : String(v.tSurv);
  verdict.dataset.cleanliness = v ? String(v.cleanlinessDecades) : '';
  verdict.dataset.cleanWindow = v?.cleanWindow ? v.cleanWindow.join(',') : '';
  verdict.dataset.calibration = v?.calibration ? `${v.calibration.clean}/${v.calibration.of}` : '';
  verdict.dataset.inconclusive = (v?.inconclusive ?? []).join(',');
  const show = (e: HTMLElement, text: string | null) => {
    e.hidden = text === null;
    e.textContent = text ?? '';
  };
  const h = verdictHeader(s.doc);
  if (!v || !h) {
    verdict.textContent = s.run.message;
    for (const e of [calibration, calibrationWarning, inconclusive]) show(e, null);
    advice.hidden = true;
    advice.replaceChildren();
    return;
  }
  // Each number once: the summary already names t_ent, t_surv and the width when there is a clean window.
  verdict.replaceChildren(el('strong', {}, v.summary), ...(h.extras.length > 0 ? [el('span', { class: 'muted' }, ` · ${h.extras.join(' · ')}`)] : []));
  show(calibration, h.calibration);
  show(calibrationWarning, h.warning);
  show(inconclusive, h.inconclusive);
  advice.hidden = h.advice.length === 0;
  advice.replaceChildren(...h.advice.map((a) => el('li', {}, a)));
}

function draw(): void {
  if (tab !== 'entanglement') return;
  const s = state;
  chart.dataset.runId = s?.run.id ?? '';
  chart.dataset.xAxis = options.xAxis;
  if (!s?.doc || s.doc.levels.length === 0) {
    Plotly.purge(chart);
    chart.replaceChildren(el('p', { class: 'placeholder' }, s ? (s.run.status === 'running' || s.run.status === 'queued' ? 'Waiting for the first level…' : s.run.message) : 'No run selected.'));
    chart.dataset.state = s?.run.status === 'running' || s?.run.status === 'queued' ? 'waiting' : 'empty';
    chart.dataset.shapes = '';
    chart.dataset.levels = '0';
    return;
  }
  chart.querySelector('.placeholder')?.remove();
  // Laid out for the panel's size: titles, ticks and the legend fit from a 400 px column to full width.
  const fig = panelFigure(s.doc, options, readTheme(), false, { width: chart.clientWidth, height: chart.clientHeight });
  chart.dataset.width = String(chart.clientWidth);
  chart.dataset.shapes = shapeNames(fig).join(',');
  chart.dataset.levels = String(s.doc.levels.length);
  chart.dataset.tEnt = s.doc.verdict?.tEnt != null ? String(s.doc.verdict.tEnt) : '';
  void Plotly.react(chart, fig.data, fig.layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage', 'sendChartToCloud'] }).then(() => {
    chart.dataset.state = s.doc?.verdict ? 'ready' : 'live';
  });
}

/** The Sampler tab: the dashboard of the run's chains, the levels that did not converge named above it, or in
 *  words why there is nothing to draw. */
function drawSampler(): void {
  if (tab !== 'sampler') return;
  const s = state;
  const levels = s?.doc ? samplerLevels(s.doc) : null;
  const live = s?.run.status === 'running' || s?.run.status === 'queued';
  sampler.dataset.runId = s?.run.id ?? '';
  if (!s?.doc || !levels) {
    Plotly.purge(sampler);
    const why = !s ? 'No run selected.'
      : s.doc && DIALS[s.doc.dial]?.draws !== 'chains' ? noChainsReason(s.doc.dial)
      : live ? 'Waiting for the first level…'
      : s.doc ? noChainsReason(s.doc.dial) : s.run.message;
    sampler.replaceChildren(el('p', { class: 'placeholder', 'data-testid': 'sampler-empty' }, why));
    sampler.dataset.state = live && (!s?.doc || DIALS[s.doc.dial]?.draws !== 'chains') ? 'waiting' : 'empty';
    sampler.dataset.levels = '0';
    sampler.dataset.unconverged = '';
    samplerNote.hidden = true;
    samplerNote.textContent = '';
    return;
  }
  sampler.querySelector('.placeholder')?.remove();
  // Unconverged levels in the warning colour; else the good news, in the normal one; a negative λ̂ noted after either.
  const line = convergenceLine(levels, s.doc.thresholds);
  const text = [line ?? convergedLine(levels, s.doc.thresholds), negativeLlcLine(levels)].filter((x): x is string => x !== null).join(' · ');
  samplerNote.hidden = text === '';
  samplerNote.textContent = text;
  samplerNote.dataset.converged = String(line === null);
  samplerNote.style.color = line === null ? '' : 'var(--vscode-editorWarning-foreground, var(--vscode-list-warningForeground))';
  samplerNote.style.fontWeight = line === null ? '' : '600';
  sampler.dataset.levels = String(levels.length);
  sampler.dataset.unconverged = levels.filter((l) => unconverged(l) && l.error === undefined).map((l) => String(l.level)).join(',');
  const fig = buildSamplerDashboard({ levels, thresholds: s.doc.thresholds }, readTheme(), { withTitle: false });
  void Plotly.react(sampler, fig.data, fig.layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['sendChartToCloud'] }).then(() => {
    sampler.dataset.state = s.doc?.verdict ? 'ready' : 'live';
  });
}

function renderTable(s: ChartState): void {
  const levels = s.doc?.levels ?? [];
  const llc = levels.some((l) => l.llc);
  const head = levelTableHeader('level', { llc });
  const rows = levels.map((l) => {
    const cells = levelCells(l, llc);
    const inWindow = s.doc?.verdict?.cleanWindow && l.level >= s.doc.verdict.cleanWindow[0] && l.level <= s.doc.verdict.cleanWindow[1];
    const notConverged = unconverged(l);
    const classes = [...(inWindow ? ['clean'] : []), ...(notConverged ? ['unconverged'] : [])];
    const tr = el('tr', {
      'data-level': String(l.level),
      'data-failed': failedTests(l).join(','),
      ...(classes.length > 0 ? { class: classes.join(' ') } : {}),
      ...(notConverged ? { title: 'not converged: its tests are not used' } : {}),
    }, cells.map((c) => el('td', {}, c)));
    if (notConverged) tr.style.fontStyle = 'italic';
    return tr;
  });
  table.replaceChildren(el('thead', {}, [el('tr', {}, head.map((h) => el('th', {}, h)))]), el('tbody', {}, rows));
}

// ---- host messages ------------------------------------------------------------------------------------------

channel.on(ChartStateNotification, render);
channel.onRequest(ImageRequest, async ({ format, width, height }) => {
  if (!state?.doc || state.doc.levels.length === 0) throw new Error('the chart has nothing to draw yet');
  const fig = panelFigure(state.doc, options, readTheme(), true);
  const dataUrl = await Plotly.toImage({ data: fig.data, layout: { ...fig.layout, width, height } }, { format, width, height });
  return { dataUrl };
});
watchTheme(() => (tab === 'sampler' ? drawSampler() : draw()));
// A resized panel lays the figure out again (Plotly's own `responsive` only stretches it).
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
let lastWidth = 0;
new ResizeObserver(() => {
  if (Math.abs(chart.clientWidth - lastWidth) < 8) return;
  lastWidth = chart.clientWidth;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(draw, 150);
}).observe(chart);
syncControls();
channel.send(ReadyCommand, { view: 'chart' });
