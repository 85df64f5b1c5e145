// A self-contained HTML page with the calibration heatmap (light and dark), Plotly inlined: `calibrate --html`.
import type { CalibrationReport } from '../protocol/calibration';
import { buildCalibrationFigure, calibrationRhatNote } from './calibrationFigure';
import { escapeHtml } from './figure';
import { figurePageHtml } from './figurePage';
import { darkTheme, lightTheme } from './theme';

export function calibrationPageHtml(r: CalibrationReport, plotlySource: string): string {
  return figurePageHtml({
    title: `Sampler calibration: ${r.hypothesis}`,
    figures: { light: buildCalibrationFigure(r, lightTheme), dark: buildCalibrationFigure(r, darkTheme) },
    element: { id: 'calibration', testId: 'calibration-heatmap', css: 'width: 100%; min-height: 360px;' },
    footer: `<p>${escapeHtml(r.hypothesis)} · n = ${r.n} · batch ${r.batchSize} · γ = ${r.localization} · recommended
<code>sgld: { stepSize: ${r.recommended === null ? '—' : Number(r.recommended.toPrecision(3))} }</code>, or <code>stepSize: auto</code> (ε per level)</p>
<p>${escapeHtml(calibrationRhatNote(r))}</p>`,
    plotlySource,
  });
}
