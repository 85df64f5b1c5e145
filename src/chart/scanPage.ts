// A self-contained HTML page with a scan's entanglement map (light and dark), Plotly inlined: `scan --html`.
import type { ScanDocument } from '../protocol/scan';
import { escapeHtml } from './figure';
import { figurePageHtml } from './figurePage';
import { buildScanFigure } from './scanFigure';
import { darkTheme, lightTheme } from './theme';

export function scanPageHtml(doc: ScanDocument, options: { plotlySource: string }): string {
  return figurePageHtml({
    title: `Entanglement map: ${doc.hypothesis.resolved.scan?.name ?? 'scan'}`,
    figures: { light: buildScanFigure(doc, lightTheme), dark: buildScanFigure(doc, darkTheme) },
    element: { id: 'map', testId: 'scan-map', css: 'width: 100%; min-height: 560px;' },
    footer: `<p>${escapeHtml(doc.hypothesis.file)} · ${doc.units.length} units · ${doc.levels.length} levels · each unit judged against the other units of its tensor (exact null, α = ${doc.method.alpha})</p>`,
    plotlySource: options.plotlySource,
  });
}
