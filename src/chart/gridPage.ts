// A self-contained HTML page with the two-dial map (gridFigure.ts): Plotly inlined, no external request, the same
// content policy as the one-dial page (page.ts); every value from the file goes through escapeHtml.
import type { GridDocument } from '../protocol/grid';
import { escapeHtml } from '../protocol/escape';
import { figurePageHtml } from './figurePage';
import { buildGridFigure } from './gridFigure';
import { formatLevel } from './format';
import { darkTheme, lightTheme } from './theme';

export function gridPageHtml(doc: GridDocument, options: { plotlySource: string }): string {
  const rows = doc.rows.map((r) => `<li>step ${escapeHtml(formatLevel(r.step))} (${escapeHtml(r.checkpoint)}): ${escapeHtml(r.verdict.summary)}</li>`).join('\n');
  return figurePageHtml({
    title: `${doc.sweep.hypothesis.resolved.circuit.name}: two-dial map`,
    figures: { light: buildGridFigure(doc, lightTheme), dark: buildGridFigure(doc, darkTheme) },
    element: { id: 'chart', css: 'width: 100%; height: 70vh; min-height: 400px;' },
    footer: `<p><b>${escapeHtml(doc.summary)}</b></p>
<ul>
${rows}
</ul>
<p>Hypothesis ${escapeHtml(doc.sweep.hypothesis.file)} · model ${escapeHtml(doc.sweep.model.path)} · seed ${escapeHtml(String(doc.sweep.seed))} · ${escapeHtml(doc.sweep.engine.name)} ${escapeHtml(doc.sweep.engine.version)} · ${escapeHtml(doc.sweep.createdAt)}</p>`,
    plotlySource: options.plotlySource,
  });
}
