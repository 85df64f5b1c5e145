import * as assert from 'assert';
import { chartPageHtml, scriptSafe } from '../../../src/chart/page';
import { readPlotlySource } from '../../../src/chart/plotlySource';
import { sampleDocument } from './sampleDocument';

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
    assert.strictEqual(html.match(/<tr>/g)?.length, doc.levels.length + 1);
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
