// A self-contained HTML page with the calibration heatmap (light and dark), Plotly inlined: `calibrate --html`.
import type { CalibrationReport } from '../protocol/calibration';
import { buildCalibrationFigure, calibrationRhatNote } from './calibrationFigure';
import { escapeHtml } from './figure';
import { scriptSafe } from './page';
import { darkTheme, lightTheme } from './theme';

export function calibrationPageHtml(r: CalibrationReport, plotlySource: string): string {
  const figures = { light: buildCalibrationFigure(r, lightTheme), dark: buildCalibrationFigure(r, darkTheme) };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sampler calibration: ${escapeHtml(r.hypothesis)}</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; padding: 12px 20px; font: 13px system-ui, sans-serif; background: ${lightTheme.background}; color: ${lightTheme.foreground}; }
  @media (prefers-color-scheme: dark) { body { background: ${darkTheme.background}; color: ${darkTheme.foreground}; } }
  #calibration { width: 100%; min-height: 360px; }
</style>
</head>
<body>
<div id="calibration" data-testid="calibration-heatmap"></div>
<p>${escapeHtml(r.hypothesis)} · n = ${r.n} · batch ${r.batchSize} · γ = ${r.localization} · recommended
<code>sgld: { stepSize: ${r.recommended === null ? '—' : Number(r.recommended.toPrecision(3))} }</code>, or <code>stepSize: auto</code> (ε per level)</p>
<p>${escapeHtml(calibrationRhatNote(r))}</p>
<script>${scriptSafe(plotlySource)}</script>
<script>
(function () {
  var figures = ${scriptSafe(JSON.stringify(figures))};
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function draw() {
    var f = figures[dark && dark.matches ? 'dark' : 'light'];
    Plotly.react('calibration', f.data, f.layout, { displaylogo: false, responsive: true });
  }
  if (dark && dark.addEventListener) dark.addEventListener('change', draw);
  draw();
})();
</script>
</body>
</html>
`;
}
