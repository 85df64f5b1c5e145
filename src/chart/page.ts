// A self-contained HTML page with the entanglement chart: Plotly inlined, the figures as JSON, no external
// request, so it opens from disk offline. Pure string building: the caller supplies Plotly's source text.
import { DIALS } from '../protocol/dials';
import { escapeHtml } from '../protocol/escape';
import type { ResultsDocument } from '../protocol/results';
import { chartDocOf } from '../protocol/webview';
import { buildFigure, type ChartXAxis, type Figure, levelSymbol } from './figure';
import { calibrationText, formatNumber, inconclusiveText, isVersion1, levelCells, levelTableHeader, unconverged, verdictExtras } from './format';
import { HOW_TO_READ } from './howToRead';
import { buildSamplerDashboard, hasSamplerDashboard } from './samplerDashboard';
import { verdictSentence } from './verdictWords';
import { darkTheme, lightTheme } from './theme';
import { chartPagePolicy, drawScript, scriptSafe, selfContainedPage } from './figurePage';

export interface ChartPageOptions {
  /** The text of plotly.js (e.g. node_modules/plotly.js-dist/plotly.js). */
  plotlySource: string;
  /** The axis shown first; the page has a toggle for the other. */
  xAxis?: ChartXAxis;
}

export function chartPageHtml(doc: ResultsDocument, options: ChartPageOptions): string {
  const chart = chartDocOf(doc);
  const figures: Record<string, Figure> = {};
  for (const [themeName, theme] of [['light', lightTheme], ['dark', darkTheme]] as const) {
    for (const xAxis of ['temperature', 'lossGap'] as const) figures[`${themeName}/${xAxis}`] = buildFigure(chart, { xAxis, theme });
  }
  // The sampler dashboard (sgld): the chains' traces, R̂, ESS, acceptance and ε per level.
  const dashboard = hasSamplerDashboard(doc)
    ? { light: buildSamplerDashboard(doc, lightTheme), dark: buildSamplerDashboard(doc, darkTheme) }
    : null;
  const initialAxis = options.xAxis ?? 'temperature';
  const main = drawScript({ figures, dashboard }, `var f = figures[theme + '/' + select.value];
    Plotly.react('chart', f.data, f.layout, { displaylogo: false, responsive: true });
    if (dashboard) Plotly.react('sampler', dashboard[theme].data, dashboard[theme].layout, { displaylogo: false, responsive: true });`,
  `var select = document.getElementById('axis');
  select.value = ${scriptSafe(JSON.stringify(initialAxis))};`, ['select']);
  // Every value from the results file below goes through escapeHtml; the policy is the second wall: only the two
  // scripts written here run (by their hashes), nothing loads from anywhere, no form posts, no base URL changes.
  return selfContainedPage({
    title: `${doc.hypothesis.resolved.circuit.name}: circuit thermometer`,
    plotlySource: options.plotlySource,
    main,
    style: `  :root { color-scheme: light dark; --fg: ${lightTheme.foreground}; --bg: ${lightTheme.background}; --grid: ${lightTheme.grid}; --muted: ${lightTheme.marker}; --warn: ${lightTheme.warning}; }
  @media (prefers-color-scheme: dark) { :root { --fg: ${darkTheme.foreground}; --bg: ${darkTheme.background}; --grid: ${darkTheme.grid}; --muted: ${darkTheme.marker}; --warn: ${darkTheme.warning}; } }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; color: var(--fg); background: var(--bg); }
  #chart { width: 100%; height: 72vh; min-height: 420px; }
  table { border-collapse: collapse; margin-top: 12px; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid var(--grid); padding: 3px 10px; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .facts { margin: 8px 0; }
  .muted { color: var(--muted); }
  .warning { color: var(--warn); font-weight: 600; }
  ul.advice { margin: 4px 0 8px; padding-left: 20px; }
  tr.unconverged td { font-style: italic; color: var(--muted); }
  label { margin-right: 8px; }
  .table-scroll { max-width: 100%; overflow-x: auto; }`,
    body: `<div class="controls"><label>x axis <select id="axis"><option value="temperature">${escapeHtml(DIALS[doc.dial].tempered ? 'temperature' : 'level')}</option><option value="lossGap">degraded loss gap ΔL</option></select></label></div>
<div id="chart"></div>
<p class="facts">${verdictFacts(doc)}</p>
<p class="facts" data-testid="verdict-sentence">${escapeHtml(verdictSentence(doc.verdict, doc.levels, levelSymbol(doc.dial)))}</p>
<details data-testid="how-to-read"><summary>How to read this chart</summary><ul>${HOW_TO_READ.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul><p>Every test and its margin: docs/method.md ("The tests", "The verdict", "The null") in the Circuit Thermometer repository.</p></details>
${verdictNotes(doc)}
${levelTable(doc)}
${dashboard ? '<div id="sampler" data-testid="sampler-dashboard" style="width: 100%; height: 110vh; min-height: 760px; margin-top: 16px"></div>' : ''}
<p class="facts">Hypothesis ${escapeHtml(doc.hypothesis.file)} · model ${escapeHtml(doc.model.path)} (sha256 ${escapeHtml(String(doc.model.sha256).slice(0, 12))}…) · seed ${escapeHtml(String(doc.seed))} · ${escapeHtml(doc.engine.name)} ${escapeHtml(doc.engine.version)} · ${escapeHtml(doc.createdAt)}</p>`,
  });
}

function verdictFacts(doc: ResultsDocument): string {
  const v = doc.verdict;
  const parts = [`<b>${escapeHtml(v.summary)}</b>`, ...verdictExtras(v).map(escapeHtml)];
  if (DIALS[doc.dial].tempered) parts.push(escapeHtml(`Watanabe temperature log n = ${formatNumber(doc.watanabeTemperature)}`));
  if (v.characteristic) parts.push(escapeHtml(v.characteristic.summary));
  const b = v.baselineExcess;
  const sp = v.specificity;
  if (sp) parts.push(escapeHtml(`rank test at the trained network: p = ${formatNumber(sp.p)} (${sp.specific ? 'specific' : 'not specific'} at α = ${formatNumber(sp.alpha)}; excess over the controls' median ${formatNumber(sp.excessOverMedian)})`));
  else if (b) parts.push(escapeHtml(`X_T(0) = ${formatNumber(b.mean)} (bound ${formatNumber(b.bound)}: ${b.specific ? 'specific' : 'not specific'} at the trained network)`));
  if (doc.controls && doc.controls.count > 0) {
    parts.push(escapeHtml(doc.controls.exact ? `all ${doc.controls.count} control sets disjoint from the circuit (exact null)` : `${doc.controls.count} ${doc.controls.distinct !== undefined ? 'disjoint control sets' : 'matched random sets'} (${doc.controls.match}-matched)`));
  }
  return parts.join(' · ');
}

/** The calibration line (a warning in the warning colour), the inconclusive levels and the advice. */
function verdictNotes(doc: ResultsDocument): string {
  const v = doc.verdict;
  const v1 = isVersion1(doc);
  const parts = [`<p class="facts" data-testid="calibration">${v1 ? '' : 'Calibration: '}${escapeHtml(calibrationText(v, v1))}</p>`];
  if (v.calibration?.warning) parts.push(`<p class="facts warning" data-testid="calibration-warning">⚠ ${escapeHtml(v.calibration.warning)}</p>`);
  const inconclusive = inconclusiveText(v, levelSymbol(doc.dial));
  if (inconclusive) parts.push(`<p class="facts warning" data-testid="inconclusive">${escapeHtml(inconclusive)}</p>`);
  const components = v.components ?? [];
  if (components.length > 0) {
    // Swap-one-component nulls: which part is essential (small target p), which carries the collateral.
    const rows = components.map((c) => `<tr>${[`${c.index}: ${c.tensor} [${c.units.join(', ')}]`, formatNumber(c.target.p), formatNumber(c.target.excess), formatNumber(c.collateral.p), formatNumber(c.collateral.excess)].map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`);
    parts.push(`<table data-testid="components"><thead><tr><th>component swapped for random units</th><th>target p</th><th>target excess</th><th>collateral p</th><th>collateral excess</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  const advice = v.advice ?? [];
  if (advice.length > 0) parts.push(`<ul class="advice" data-testid="advice">${advice.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`);
  return parts.join('\n');
}

function levelTable(doc: ResultsDocument): string {
  const llc = doc.levels.some((l) => l.llc);
  const head = levelTableHeader('level', { llc });
  const rows = doc.levels.map((l) => {
    const cells = levelCells(l, llc, escapeHtml);
    const attrs = unconverged(l) ? ' class="unconverged" title="not converged: its tests are not used"' : '';
    return `<tr${attrs}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<div class="table-scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

export { chartPagePolicy, scriptSafe };
