// The calibration panel: one *Calibrate Sampler* grid of a hypothesis file — the heatmap of MALA acceptance per
// (ε, nβ) cell (λ̂, R̂ and divergence in its hover and labels; the shared figure of src/chart/calibrationFigure.ts),
// the recommended ε per level, and a button that asks the host to write the recommendation into the file (the page
// never writes files). The host sends the state again when the file changes.
//
// Stable hooks: #heatmap[data-testid=calibration-heatmap][data-state][data-cells], [data-testid=calibration-title],
// [data-testid=calibration-recommendation][data-step-size], [data-testid=calibration-stale], [data-testid=calibration-rhat],
// vscode-button[data-action=write-step-size][data-step-size], table#per-level tr[data-level].
import './cspInit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import Plotly from 'plotly.js-dist';
import { buildCalibrationFigure } from '../src/chart/calibrationFigure';
import { type CalibrationState, CalibrationStateNotification, ReadyCommand, WriteStepSizeCommand } from '../src/protocol/webview';
import { calibrationFacts } from './calibrationFacts';
import { el } from './dom';
import { HostChannel } from './ipc';
import { readTheme, watchTheme } from './theme';

const channel = new HostChannel();
let state: CalibrationState | null = null;

const title = el('h1', { 'data-testid': 'calibration-title' }, 'Sampler calibration');
const settings = el('p', { class: 'muted', 'data-testid': 'calibration-settings' });
const stale = el('p', { class: 'banner', 'data-testid': 'calibration-stale', hidden: '' });
const recommendation = el('p', { 'data-testid': 'calibration-recommendation' });
const write = el('vscode-button', { 'data-action': 'write-step-size', hidden: '' });
const writeNote = el('span', { class: 'muted' });
const heatmap = el('div', { id: 'heatmap', 'data-testid': 'calibration-heatmap', 'data-state': 'empty' });
const rhat = el('p', { class: 'muted', 'data-testid': 'calibration-rhat' });
const perLevel = el('table', { id: 'per-level' });

document.body.append(
  el('header', {}, [title, settings, stale, recommendation, el('p', { class: 'actions' }, [write, ' ', writeNote])]),
  heatmap,
  rhat,
  el('h2', {}, 'Recommended ε per level'),
  perLevel,
);

write.addEventListener('click', () => {
  if (state?.stepSize != null && !write.hasAttribute('disabled')) channel.send(WriteStepSizeCommand, { stepSize: state.stepSize });
});

function render(next: CalibrationState): void {
  state = next;
  const f = calibrationFacts(next);
  document.title = f.title;
  title.textContent = f.title;
  settings.textContent = f.settings;
  stale.hidden = f.stale === null;
  stale.textContent = f.stale ?? '';
  recommendation.textContent = f.recommendation;
  recommendation.dataset.stepSize = next.stepSize === null ? '' : String(next.stepSize);
  write.hidden = f.write === null;
  write.textContent = f.write?.label ?? '';
  write.dataset.stepSize = next.stepSize === null ? '' : String(next.stepSize);
  // The main action, unless the file keeps stepSize: auto for the reason the recommendation gives.
  if (f.write?.primary === false) write.setAttribute('secondary', '');
  else write.removeAttribute('secondary');
  rhat.textContent = f.rhat;
  // What a reloaded window needs to bring this panel back (the host keeps the grid itself).
  channel.state = { file: next.file };
  if (f.write?.disabled) write.setAttribute('disabled', '');
  else write.removeAttribute('disabled');
  writeNote.textContent = f.write?.disabled ? `(${f.write.disabled})` : '';
  perLevel.replaceChildren(
    el('thead', {}, [el('tr', {}, ['t', 'nβ', 'recommended ε', 'MALA acceptance there', 'λ̂ there'].map((h) => el('th', {}, h)))]),
    el('tbody', {}, f.levels.map((l, i) => el('tr', { 'data-level': String(next.report.levels[i]) }, [l.t, l.nbeta, l.stepSize, l.acceptance, l.llc].map((c) => el('td', {}, c))))),
  );
  draw();
}

function draw(): void {
  if (!state) return;
  const fig = buildCalibrationFigure(state.report, readTheme(), { withTitle: false });
  heatmap.dataset.cells = String(state.report.rows.reduce((a, r) => a + r.cells.length, 0));
  void Plotly.react(heatmap, fig.data, fig.layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage', 'sendChartToCloud'] }).then(() => {
    heatmap.dataset.state = 'ready';
  });
}

channel.on(CalibrationStateNotification, render);
watchTheme(draw);
channel.send(ReadyCommand, { view: 'calibration' });
