// The scan map panel: one scan's entanglement map (the shared figure of src/chart/scanFigure.ts). A click on a cell
// picks its unit (again: unpicks it); the button asks the host to write a circuit hypothesis for the picked units
// beside the scan's file (the page never writes files).
//
// Stable hooks: #map[data-testid=scan-map][data-state][data-units], [data-testid=scan-title],
// [data-testid=scan-picked][data-count], vscode-button[data-action=write-hypothesis].
import './cspInit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import Plotly from 'plotly.js-dist';
import { buildScanFigure } from '../src/chart/scanFigure';
import { scanUnitName } from '../src/protocol/scan';
import { ReadyCommand, type ScanPick, type ScanState, ScanStateNotification, WriteScanHypothesisCommand } from '../src/protocol/webview';
import { el } from './dom';
import { HostChannel } from './ipc';
import { readTheme, watchTheme } from './theme';

const channel = new HostChannel();
let state: ScanState | null = null;
const picked = new Map<string, ScanPick>();

const title = el('h1', { 'data-testid': 'scan-title' }, 'Entanglement map');
const settings = el('p', { class: 'muted' });
const pickedText = el('p', { 'data-testid': 'scan-picked', 'data-count': '0' }, 'Click cells to pick units.');
const write = el('vscode-button', { 'data-action': 'write-hypothesis', disabled: '' }, 'Write Hypothesis for the Picked Units');
const map = el('div', { id: 'map', 'data-testid': 'scan-map', 'data-state': 'empty' });

document.body.append(el('header', {}, [title, settings, el('p', { class: 'actions' }, [write]), pickedText]), map);

write.addEventListener('click', () => {
  if (picked.size > 0 && !write.hasAttribute('disabled')) channel.send(WriteScanHypothesisCommand, { units: [...picked.values()] });
});

function showPicked(): void {
  const doc = state?.doc;
  pickedText.dataset.count = String(picked.size);
  pickedText.textContent = picked.size === 0 || !doc ? 'Click cells to pick units.' : `Picked: ${[...picked.values()].map((p) => scanUnitName(doc, p)).join(', ')}`;
  if (picked.size > 0) write.removeAttribute('disabled');
  else write.setAttribute('disabled', '');
}

function render(next: ScanState): void {
  if (state?.file !== next.file) picked.clear();
  state = next;
  const d = next.doc;
  document.title = `Map: ${next.label}`;
  title.textContent = `Entanglement map: ${d.hypothesis.resolved.scan?.name ?? next.label}`;
  settings.textContent = `${next.label} · ${d.units.length} units · ${d.levels.length} levels (${d.dial}) · each unit against the other units of its tensor, α = ${d.method.alpha} · ★ specific, ✓ clean`;
  channel.state = { file: next.file };
  showPicked();
  draw();
}

function draw(): void {
  if (!state) return;
  const fig = buildScanFigure(state.doc, readTheme(), { withTitle: false });
  map.dataset.units = String(state.doc.units.length);
  void Plotly.react(map, fig.data, fig.layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage', 'sendChartToCloud'] }).then(() => {
    map.dataset.state = 'ready';
    listen();
  });
}

// A cell's customdata is [component, unit]: a click toggles that unit. Plotly adds `on` to the div it draws in.
let listening = false;
function listen(): void {
  const target = map as unknown as { on?: (event: string, f: (e: { points: { customdata?: unknown }[] }) => void) => void };
  if (listening || !target.on) return;
  listening = true;
  target.on('plotly_click', (e) => {
    const c = e.points[0]?.customdata;
    if (!Array.isArray(c) || c.length !== 2 || !c.every(Number.isInteger)) return;
    const key = `${c[0]}/${c[1]}`;
    if (picked.has(key)) picked.delete(key);
    else picked.set(key, { component: c[0] as number, unit: c[1] as number });
    showPicked();
  });
}

channel.on(ScanStateNotification, render);
watchTheme(draw);
channel.send(ReadyCommand, { view: 'scan' });
