// A self-contained HTML page with the two-dial map (gridFigure.ts): Plotly inlined, no external request, the same
// content policy as the one-dial page (page.ts); every value from the file goes through escapeHtml.
import type { GridDocument } from '../protocol/grid';
import { escapeHtml } from '../protocol/escape';
import { buildGridFigure } from './gridFigure';
import { formatLevel } from './format';
import { chartPagePolicy, scriptSafe } from './page';
import { darkTheme, lightTheme } from './theme';

export function gridPageHtml(doc: GridDocument, options: { plotlySource: string }): string {
  const figures = { light: buildGridFigure(doc, lightTheme), dark: buildGridFigure(doc, darkTheme) };
  const plotly = scriptSafe(options.plotlySource);
  const main = `
(function () {
  var figures = ${scriptSafe(JSON.stringify(figures))};
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function draw() {
    var f = figures[dark && dark.matches ? 'dark' : 'light'];
    Plotly.react('chart', f.data, f.layout, { displaylogo: false, responsive: true });
  }
  if (dark && dark.addEventListener) dark.addEventListener('change', draw);
  draw();
})();
`;
  const rows = doc.rows.map((r) => `<li>step ${escapeHtml(formatLevel(r.step))} (${escapeHtml(r.checkpoint)}): ${escapeHtml(r.verdict.summary)}</li>`).join('\n');
  const name = escapeHtml(doc.sweep.hypothesis.resolved.circuit.name);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(chartPagePolicy([plotly, main]))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}: two-dial map</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; color: ${lightTheme.foreground}; background: ${lightTheme.background}; }
  @media (prefers-color-scheme: dark) { body { color: ${darkTheme.foreground}; background: ${darkTheme.background}; } }
  #chart { width: 100%; height: 70vh; min-height: 400px; }
</style>
</head>
<body>
<div id="chart"></div>
<p><b>${escapeHtml(doc.summary)}</b></p>
<ul>
${rows}
</ul>
<p>Hypothesis ${escapeHtml(doc.sweep.hypothesis.file)} · model ${escapeHtml(doc.sweep.model.path)} · seed ${escapeHtml(String(doc.sweep.seed))} · ${escapeHtml(doc.sweep.engine.name)} ${escapeHtml(doc.sweep.engine.version)} · ${escapeHtml(doc.sweep.createdAt)}</p>
<script>${plotly}</script>
<script>${main}</script>
</body>
</html>
`;
}
