// Issue 24, items 1 (the page half) and 14 (the hover link): the standalone chart page wrote `doc.seed` and
// `doc.model.sha256` into its HTML unescaped and had no Content-Security-Policy, so a forged results document (or
// journal) with `seed: "<img src=x onerror=…>"` gave a page that ran the script; a link in a level's `error` was a
// live `<a href>` in Plotly's hover. The page is opened in a real Chromium with the real Plotly where there is one.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFigure } from '../../../src/chart/figure';
import { chartPageHtml, chartPagePolicy } from '../../../src/chart/page';
import { readPlotlySource } from '../../../src/chart/plotlySource';
import { lightTheme } from '../../../src/chart/theme';
import type { ResultsDocument } from '../../../src/protocol/results';
import { chartDocOf } from '../../../src/protocol/webview';
import { sampleDocument } from '../../support/sampleDocument';

const PAYLOAD = '<img src=x onerror="window.pwned=1;document.title=\'pwned\'">';

function forged(): ResultsDocument {
  const doc = sampleDocument();
  (doc as unknown as { seed: string }).seed = PAYLOAD;
  doc.model.sha256 = `${PAYLOAD}0000`;
  doc.engine.version = PAYLOAD;
  doc.levels[4]!.error = 'diverged; see <a href="https://evil.example/x">the fix</a>';
  return doc;
}

describe('security: the standalone chart page (issue 24, items 1 and 14)', () => {
  it('every value of the document is escaped, and the page carries a policy that admits only its own two scripts', () => {
    const plotlySource = 'window.Plotly = { react: function () {} };';
    const html = chartPageHtml(forged(), { plotlySource });
    assert.doesNotMatch(html, /<img/i);
    assert.ok(html.includes('seed &lt;img src=x onerror=&quot;window.pwned=1;document.title=&#39;pwned&#39;&quot;&gt;'));
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta, 'a CSP meta element');
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 2);
    assert.equal(meta[1]!.replace(/&#39;/g, "'"), chartPagePolicy(scripts));
    assert.match(meta[1]!, /default-src &#39;none&#39;/);
  });

  it('a link in a level\'s error is text in the hover, not an anchor', () => {
    const fig = buildFigure(chartDocOf(forged()), { xAxis: 'temperature', theme: lightTheme });
    const hovers = fig.data.flatMap((t) => ([] as unknown[]).concat((t as { hovertext?: unknown }).hovertext ?? []).map(String));
    const errorHover = hovers.find((h) => h.includes('diverged; see'));
    assert.ok(errorHover, 'the failed level has a hover');
    assert.doesNotMatch(errorHover, /<a\b/);
    assert.ok(errorHover.includes('&lt;a href=&quot;https://evil.example/x&quot;&gt;'));
  });

  it('in Chromium: the forged page runs no script of the document, draws the chart, and the policy blocks a script that slips in', async function () {
    this.timeout(60_000);
    const chromiumPath = process.env.CT_E2E_CHROMIUM ?? '/usr/bin/chromium';
    if (!fs.existsSync(chromiumPath)) this.skip(); // the e2e harness installs it (test/e2e/setup-harness.sh)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-page-'));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    try {
      const html = chartPageHtml(forged(), { plotlySource: readPlotlySource() });
      const page1 = path.join(dir, 'forged.html');
      fs.writeFileSync(page1, html);
      // The same page with a script element written in as if an escape had been missed: the policy must stop it.
      const page2 = path.join(dir, 'slipped.html');
      fs.writeFileSync(page2, html.replace('<div id="chart"></div>', '<div id="chart"></div><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'));
      for (const file of [page1, page2]) {
        const page = await browser.newPage();
        const requests: string[] = [];
        const errors: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`file://${file}`);
        await page.waitForSelector('#chart .main-svg');
        const state = await page.evaluate(() => ({ pwned: (window as unknown as { pwned?: number }).pwned ?? null, title: document.title }));
        assert.deepEqual(state.pwned, null, file);
        assert.notEqual(state.title, 'pwned');
        assert.deepEqual(errors, [], 'Plotly runs under the policy');
        // Only the file itself; the slipped <img> is refused by img-src before any request.
        assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
        await page.close();
      }
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
