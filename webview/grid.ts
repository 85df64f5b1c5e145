// The two-dial map panel: one grid results document drawn by the shared figure (src/chart/gridFigure.ts) — clean
// cells, E_T and E_C, rows the checkpoints, columns the second dial's levels, the clean region outlined — with the
// map's summary, each row's verdict and how the map controls its errors. The page only draws; it writes nothing.
//
// Stable hooks: #map[data-testid=grid-map][data-state][data-cells][data-clean], [data-testid=grid-title],
// [data-testid=grid-summary], [data-testid=grid-rows] li.
import './cspInit';
import Plotly from 'plotly.js-dist';
import { formatLevel, formatNumber } from '../src/chart/format';
import { buildGridFigure } from '../src/chart/gridFigure';
import { type GridState, GridStateNotification, ReadyCommand } from '../src/protocol/webview';
import { el } from './dom';
import { HostChannel } from './ipc';
import { readTheme, watchTheme } from './theme';

const channel = new HostChannel();
let state: GridState | null = null;

const title = el('h1', { 'data-testid': 'grid-title' }, 'Two-dial map');
const settings = el('p', { class: 'muted' });
const summary = el('p', { 'data-testid': 'grid-summary' });
const map = el('div', { id: 'map', 'data-testid': 'grid-map', 'data-state': 'empty' });
const rows = el('ul', { 'data-testid': 'grid-rows' });

document.body.append(el('header', {}, [title, settings, summary]), map, rows);

function render(next: GridState): void {
  state = next;
  const d = next.doc;
  document.title = `Map: ${next.label}`;
  title.textContent = `Two-dial map: ${d.sweep.hypothesis.resolved.circuit.name}`;
  const k = d.correction;
  settings.textContent = `${next.label} · ${d.rows.length} checkpoints × ${d.columns.length} levels (${d.sweep.dial}) · persistence and collateral at α/${k.cells} = ${formatNumber(k.perCell)} per cell (Bonferroni over the map), specificity once at the trained network`;
  summary.textContent = d.summary;
  rows.replaceChildren(...d.rows.map((r) => el('li', {}, `step ${formatLevel(r.step)} (${r.checkpoint}): ${r.verdict.summary}`)));
  channel.state = { file: next.file };
  draw();
}

function draw(): void {
  if (!state) return;
  const fig = buildGridFigure(state.doc, readTheme(), { withTitle: false });
  map.dataset.cells = String(state.doc.rows.length * state.doc.columns.length);
  map.dataset.clean = String(state.doc.clean);
  void Plotly.react(map, fig.data, fig.layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['sendChartToCloud'] }).then(() => {
    map.dataset.state = 'ready';
  });
}

channel.on(GridStateNotification, render);
watchTheme(draw);
channel.send(ReadyCommand, { view: 'grid' });
