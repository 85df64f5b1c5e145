// Self-contained HTML pages around Plotly figures: Plotly inlined, no external request, a content policy that admits
// only the page's two inline scripts (by hash), the figures following the reader's colour scheme. figurePageHtml is
// one light/dark figure (the CLI's --html for calibrate, scan and grid); the one-dial chart page (page.ts) builds on
// the same shell and draw script. Callers escape what they put in `heading` and `footer`.
import type { Figure } from './figure';
import { escapeHtml } from '../protocol/escape';
import { createHash } from 'node:crypto';
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
  return selfContainedPage({
    title: page.title,
    plotlySource: page.plotlySource,
    main: drawScript({ figures: page.figures }, `var f = figures[theme];
    Plotly.react(${JSON.stringify(id)}, f.data, f.layout, { displaylogo: false, responsive: true });`),
    style: `  :root { color-scheme: light dark; }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; color: ${lightTheme.foreground}; background: ${lightTheme.background}; }
  @media (prefers-color-scheme: dark) { body { color: ${darkTheme.foreground}; background: ${darkTheme.background}; } }
  #${id} { ${css} }`,
    body: `${page.heading ?? ''}
<div id="${escapeHtml(id)}"${testId ? ` data-testid="${escapeHtml(testId)}"` : ''}></div>
${page.footer}`,
  });
}

/**
 * A page's inline script: `vars` as JSON, then `draw()` — its `body` run with `theme` set to the reader's colour
 * scheme ('light' or 'dark') — drawn once and again whenever the scheme changes or an element in `redrawOn` (a
 * variable `setup` declares) does.
 */
export function drawScript(vars: Record<string, unknown>, body: string, setup = '', redrawOn: readonly string[] = []): string {
  const declared = Object.entries(vars).map(([k, v]) => `  var ${k} = ${scriptSafe(JSON.stringify(v))};\n`).join('');
  return `
(function () {
${declared}  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
${setup ? `  ${setup}\n` : ''}  function draw() {
    var theme = dark && dark.matches ? 'dark' : 'light';
    ${body}
  }
${redrawOn.map((e) => `  ${e}.addEventListener('change', draw);\n`).join('')}  if (dark && dark.addEventListener) dark.addEventListener('change', draw);
  draw();
})();
`;
}

/**
 * The self-contained page around Plotly and one inline script: the content policy admits exactly those two scripts
 * (by their SHA-256), nothing loads from anywhere. `title` is plain text (escaped here); `style` and `body` are HTML
 * whose values the caller escaped.
 */
export function selfContainedPage(page: { title: string; plotlySource: string; main: string; style: string; body: string }): string {
  const plotly = scriptSafe(page.plotlySource);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(chartPagePolicy([plotly, page.main]))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
${page.style}
</style>
</head>
<body>
${page.body}
<script>${plotly}</script>
<script>${page.main}</script>
</body>
</html>
`;
}

/** The page's Content-Security-Policy: the given inline scripts by their SHA-256, inline styles, data: images. */
export function chartPagePolicy(scripts: readonly string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Text inside a <script> element must not close it early (nor contain the two JS-invalid line separators). */
export function scriptSafe(s: string): string {
  return s.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
