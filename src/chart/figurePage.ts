// One self-contained HTML page around a light and a dark Plotly figure (the CLI's --html for calibrate, scan and
// grid): Plotly inlined, no external request, the one-dial page's content policy (its inline scripts by hash), the
// figure following the reader's colour scheme. Callers escape what they put in `heading` and `footer`.
import type { Figure } from './figure';
import { escapeHtml } from '../protocol/escape';
import { chartPagePolicy, scriptSafe } from './page';
import { darkTheme, lightTheme } from './theme';

export interface FigurePage {
  /** The page's title (plain text: escaped here). */
  title: string;
  figures: { light: Figure; dark: Figure };
  /** The figure's element: its id, a `data-testid`, and its CSS size. */
  element: { id: string; testId?: string; css: string };
  /** HTML above the figure (escaped by the caller). */
  heading?: string;
  /** HTML below the figure (escaped by the caller). */
  footer: string;
  plotlySource: string;
}

export function figurePageHtml(page: FigurePage): string {
  const { id, testId, css } = page.element;
  const plotly = scriptSafe(page.plotlySource);
  const main = `
(function () {
  var figures = ${scriptSafe(JSON.stringify(page.figures))};
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function draw() {
    var f = figures[dark && dark.matches ? 'dark' : 'light'];
    Plotly.react(${JSON.stringify(id)}, f.data, f.layout, { displaylogo: false, responsive: true });
  }
  if (dark && dark.addEventListener) dark.addEventListener('change', draw);
  draw();
})();
`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(chartPagePolicy([plotly, main]))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; color: ${lightTheme.foreground}; background: ${lightTheme.background}; }
  @media (prefers-color-scheme: dark) { body { color: ${darkTheme.foreground}; background: ${darkTheme.background}; } }
  #${id} { ${css} }
</style>
</head>
<body>
${page.heading ?? ''}
<div id="${escapeHtml(id)}"${testId ? ` data-testid="${escapeHtml(testId)}"` : ''}></div>
${page.footer}
<script>${plotly}</script>
<script>${main}</script>
</body>
</html>
`;
}
