import * as assert from 'assert';
import { chartPageHtml, scriptSafe } from '../../../src/chart/page';
import { readPlotlySource } from '../../../src/chart/plotlySource';
import { escapeHtml } from '../../../src/chart/figure';
import { darkTheme, lightTheme } from '../../../src/chart/theme';
import { failedCalibration, sampleDocument, sampleDocumentV1 } from '../../support/sampleDocument';

describe('chart: self-contained HTML page', () => {
  const plotlySource = 'window.Plotly = { react: function () {} }; // stand-in: the page only embeds this text';

  it('inlines Plotly and the four figures, and loads nothing from elsewhere', () => {
    const html = chartPageHtml(sampleDocument(), { plotlySource });
    assert.ok(html.includes(plotlySource));
    for (const key of ['light/temperature', 'light/lossGap', 'dark/temperature', 'dark/lossGap']) assert.ok(html.includes(`"${key}"`), key);
    assert.doesNotMatch(html, /\b(src|href)\s*=/i, 'no src= or href= attributes');
    assert.doesNotMatch(html, /@import|url\(/i, 'no CSS imports');
  });

  it('escapes user text in markup and in script', () => {
    const doc = sampleDocument();
    doc.hypothesis.resolved.circuit.name = 'evil </script><script>alert(1)</script>';
    const html = chartPageHtml(doc, { plotlySource });
    assert.strictEqual(html.match(/<\/script>/g)?.length, 2, 'only the two script elements close');
    assert.ok(html.includes('evil &lt;/script&gt;'));
  });

  it('shows the verdict and one table row per level', () => {
    const doc = sampleDocument();
    const html = chartPageHtml(doc, { plotlySource });
    assert.ok(html.includes(doc.verdict.summary));
    assert.strictEqual(html.match(/<tr[ >]/g)?.length, doc.levels.length + 1);
  });

  it('shows the calibration, its warning in the warning colour, the inconclusive levels and the advice', () => {
    const doc = sampleDocument();
    const quiet = chartPageHtml(doc, { plotlySource });
    assert.ok(quiet.includes(`Calibration: ${doc.verdict.calibration!.summary}`));
    assert.ok(!quiet.includes('data-testid="calibration-warning"'), 'no warning within α');
    assert.match(quiet, /<p class="facts warning" data-testid="inconclusive">inconclusive at t = 1000 \(not converged\)<\/p>/);
    for (const a of doc.verdict.advice!) assert.ok(quiet.includes(`<li>${escapeHtml(a)}</li>`), a);
    doc.verdict.calibration = failedCalibration();
    const warned = chartPageHtml(doc, { plotlySource });
    assert.ok(warned.includes(`<p class="facts warning" data-testid="calibration-warning">⚠ ${escapeHtml(doc.verdict.calibration.warning!)}</p>`));
    assert.match(warned, /\.warning \{ color: var\(--warn\)/);
    assert.ok(warned.includes(`--warn: ${lightTheme.warning}`) && warned.includes(`--warn: ${darkTheme.warning}`));
  });

  it('has the new level-table columns, and marks the unconverged level', () => {
    const doc = sampleDocument();
    const html = chartPageHtml(doc, { plotlySource });
    const head = html.match(/<thead><tr>(.*?)<\/tr><\/thead>/)![1];
    assert.deepStrictEqual([...head.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1]), ['level', 'ΔL ± se', 'E_T ± se', 'null m_T ± sd', 'X_T ± se_X', 'E_C ± se', 'LLC ± se', 'R̂/ESS', 'failed']);
    const rows = [...html.matchAll(/<tr( class="unconverged"[^>]*)?>(.*?)<\/tr>/g)].slice(1);
    assert.strictEqual(rows.length, doc.levels.length);
    rows.forEach((r, i) => {
      const cells = [...r[2].matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]);
      const l = doc.levels[i];
      assert.strictEqual(cells[8], l.failed!.length ? l.failed!.join(', ') : 'none');
      assert.strictEqual(r[1] !== undefined, l.tests?.converged === false, `row ${i} marked iff unconverged`);
    });
  });

  it('opens a version-1 file: "no null" in the table and in place of the calibration', () => {
    const html = chartPageHtml(sampleDocumentV1(), { plotlySource });
    assert.ok(html.includes('<p class="facts" data-testid="calibration">no null (results version 1)</p>'));
    assert.strictEqual(html.match(/<td>no null \(v1\)<\/td>/g)?.length, 4);
    assert.ok(!html.includes('data-testid="calibration-warning"'));
  });

  it('scriptSafe keeps JavaScript meaning while removing closing tags', () => {
    const code = 'var s = "</script><!--\u2028";';
    const safe = scriptSafe(code);
    assert.doesNotMatch(safe, /<\/script|<!--|\u2028/);
    assert.strictEqual(new Function(`${safe}; return s;`)(), '</script><!--\u2028');
  });

  it('finds plotly.js in the installed plotly.js-dist package', () => {
    const src = readPlotlySource();
    assert.ok(src.length > 1_000_000 && src.includes('plotly'), 'the real bundle');
  });
});
