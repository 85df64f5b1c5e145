// A self-contained HTML page with a scan's entanglement map (light and dark), Plotly inlined: `scan --html`.
import type { ScanDocument } from '../protocol/scan';
import { escapeHtml } from './figure';
import { scriptSafe } from './page';
import { buildScanFigure } from './scanFigure';
import { darkTheme, lightTheme } from './theme';

export function scanPageHtml(doc: ScanDocument, options: { plotlySource: string }): string {
  const figures = { light: buildScanFigure(doc, lightTheme), dark: buildScanFigure(doc, darkTheme) };
  const name = doc.hypothesis.resolved.scan?.name ?? 'scan';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Entanglement map: ${escapeHtml(name)}</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; background: ${lightTheme.background}; color: ${lightTheme.foreground}; }
  @media (prefers-color-scheme: dark) { body { background: ${darkTheme.background}; color: ${darkTheme.foreground}; } }
  #map { width: 100%; min-height: 560px; }
</style>
</head>
<body>
<div id="map" data-testid="scan-map"></div>
<p>${escapeHtml(doc.hypothesis.file)} · ${doc.units.length} units · ${doc.levels.length} levels · each unit judged against the other units of its tensor (exact null, α = ${doc.method.alpha})</p>
<script>${scriptSafe(options.plotlySource)}</script>
<script>
(function () {
  var figures = ${scriptSafe(JSON.stringify(figures))};
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function draw() {
    var f = figures[dark && dark.matches ? 'dark' : 'light'];
    Plotly.react('map', f.data, f.layout, { displaylogo: false, responsive: true });
  }
  if (dark && dark.addEventListener) dark.addEventListener('change', draw);
  draw();
})();
</script>
</body>
</html>
`;
}
