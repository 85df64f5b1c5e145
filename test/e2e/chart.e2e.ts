/**
 * The entanglement chart at 500, 700 and 1400 px, in a real VS Code (code-server + Chromium, the packaged .vsix): every
 * text label of the figure inside the plot area and apart from the others, the hovers of the clean window and of the
 * t_ent / t_surv markers (wrapped inside the chart), the level table scrolling to its `failed` column, no sideways
 * scroll of the page, the plain-English verdict and "How to read this chart" with its method link; and the sgld
 * "ΔL(t_W) ≈ …" label inside the plot on the loss-gap axis. Each width leaves a screenshot; the measured boxes are
 * printed.
 *
 *   npx mocha --no-config --require tsx/cjs --timeout 600000 test/e2e/chart.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { openFile, REPO_ROOT, runCommand, screenshot, toast, waitUntil, webviewWith } from './harness';
import { useWorkbench } from './suite';

const WAIT = { sweep: 180_000, webview: 90_000, lens: 180_000 };

interface Box { x: number; y: number; width: number; height: number; text: string }

function overlaps(a: Box, b: Box, slack = 1): boolean {
  return a.x + slack < b.x + b.width && b.x + slack < a.x + a.width && a.y + slack < b.y + b.height && b.y + slack < a.y + a.height;
}

function round(b: Box): string {
  return `"${b.text}" [${Math.round(b.x)}, ${Math.round(b.x + b.width)}]×[${Math.round(b.y)}, ${Math.round(b.y + b.height)}]`;
}

/** The plot area (the panels, without margins) in the chart frame's coordinates, from Plotly's own layout. */
async function plotArea(chart: FrameLocator): Promise<{ left: number; right: number; top: number; bottom: number; frameLeft: number; frameRight: number }> {
  return chart.locator('#chart').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const s = (el as unknown as { _fullLayout: { _size: { l: number; t: number; w: number; h: number } } })._fullLayout._size;
    return { left: r.x + s.l, right: r.x + s.l + s.w, top: r.y + s.t, bottom: r.y + s.t + s.h, frameLeft: r.x, frameRight: r.x + r.width };
  });
}

async function labelBoxes(chart: FrameLocator): Promise<Box[]> {
  return chart.locator('#chart').evaluate((root) => Array.from(root.querySelectorAll('.shape-label-text')).map((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height, text: (e.textContent ?? '').replace(/\u00a0/g, ' ').trim() };
  }).filter((b) => b.width > 0 && b.height > 0));
}

/** Every label inside the plot's width (inside its height too for the labels drawn inside it), no two overlapping. */
async function assertLabelsInside(chart: FrameLocator, width: number, expected: RegExp[]): Promise<Box[]> {
  const area = await plotArea(chart);
  const labels = await labelBoxes(chart);
  console.log(`      ${width} px: plot x ${Math.round(area.left)}…${Math.round(area.right)}, y ${Math.round(area.top)}…${Math.round(area.bottom)}; labels ${labels.map(round).join('; ')}`);
  for (const re of expected) assert.ok(labels.some((l) => re.test(l.text)), `at ${width} px a label matches ${re}: ${labels.map((l) => l.text).join(' | ')}`);
  for (const l of labels) {
    assert.ok(l.x >= area.left - 1 && l.x + l.width <= area.right + 1, `at ${width} px ${round(l)} leaves the plot's width ${Math.round(area.left)}…${Math.round(area.right)}`);
    if (/clean window|behaviour gone|t_W/.test(l.text)) {
      assert.ok(l.y >= area.top - 1 && l.y + l.height <= area.bottom + 1, `at ${width} px ${round(l)} leaves the plot's height ${Math.round(area.top)}…${Math.round(area.bottom)}`);
    }
  }
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
    assert.ok(!overlaps(labels[i]!, labels[j]!), `at ${width} px ${round(labels[i]!)} and ${round(labels[j]!)} overlap`);
  }
  return labels;
}

/** Hovers the target panel at data x and a fraction of its height; returns the hover label's text and box. */
async function hoverAt(chart: FrameLocator, x: number, fraction: number): Promise<Box> {
  const at = await chart.locator('#chart').evaluate((el, [xv, f]) => {
    const L = (el as unknown as { _fullLayout: { xaxis: { _offset: number; d2p(v: number): number }; yaxis: { _offset: number; _length: number } } })._fullLayout;
    return { x: L.xaxis._offset + L.xaxis.d2p(xv!), y: L.yaxis._offset + (1 - f!) * L.yaxis._length };
  }, [x, fraction] as const);
  await chart.locator('#chart').hover({ position: at, force: true });
  const label = chart.locator('#chart .hoverlayer .hovertext').first();
  await label.waitFor({ state: 'attached', timeout: 10_000 });
  return label.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height, text: (e.textContent ?? '').replace(/\u00a0/g, ' ') };
  });
}

/** Sets the window's width (the chart's editor group maximized, no side bar) and waits for the figure laid out for it. */
async function atWidth(p: Page, width: number, selector: string): Promise<FrameLocator> {
  await p.setViewportSize({ width, height: 1000 });
  let chart = await webviewWith(p, selector, WAIT.webview);
  await waitUntil(`the chart laid out for a ${width} px window`, WAIT.webview, async () => {
    const w = Number(await chart.locator('#chart').getAttribute('data-width').catch(() => '0'));
    const now = await chart.locator('#chart').evaluate((e) => e.clientWidth).catch(() => 0);
    return w > 0 && Math.abs(w - now) < 8 && (await chart.locator(selector).count()) > 0 ? w : undefined;
  }, 250);
  await p.waitForTimeout(600);
  chart = await webviewWith(p, selector, WAIT.webview);
  return chart;
}

describe('The entanglement chart from a 500 px column to full width', function () {
  this.timeout(600_000);
  const suite = useWorkbench({ failedPrefix: 'chart-failed', closeEditors: true });
  const page = suite.page;

  it('at 500, 700 and 1400 px: labels inside the plot and apart, hovers on the window and the markers inside the chart, the table scrolls to failed, the verdict in words', async () => {
    const p = page();
    await openFile(p, 'quick.circuit.yaml');
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const finished = toast(p, 'Sweep finished: planted circuit (e2e quick)');
    await finished.waitFor({ state: 'visible', timeout: WAIT.sweep });
    await finished.getByRole('button', { name: 'Show Chart' }).click();
    await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    const doc = JSON.parse(fs.readFileSync(path.join(suite.workspace(), 'quick.results.json'), 'utf8')) as { verdict: { tEnt: number | null; tSurv: number | null; cleanWindow: [number, number] | null } };
    assert.ok(doc.verdict.cleanWindow && doc.verdict.tEnt !== null && doc.verdict.tSurv !== null, 'the quick sweep has a window and both markers');
    await runCommand(p, 'View: Close Primary Side Bar');
    await p.locator('.tab.active', { hasText: 'Chart:' }).click();
    await runCommand(p, 'View: Toggle Maximize Editor Group');
    try {
      for (const width of [500, 700, 1400]) {
        const chart = await atWidth(p, width, '#chart[data-state="ready"]');
        await assertLabelsInside(chart, width, [/^t_ent = /, /^t_surv = /, /clean window/]);
        // Hovers: the window's shading and the two markers answer, inside the chart's width.
        const frame = await plotArea(chart);
        const [lo, hi] = doc.verdict.cleanWindow!;
        const windowHover = await hoverAt(chart, Math.sqrt(lo * hi), 0.9);
        console.log(`      ${width} px: window hover ${round({ ...windowHover, text: windowHover.text.slice(0, 40) })}`);
        assert.match(windowHover.text, /clean window/, `at ${width} px the window's hover: ${windowHover.text}`);
        for (const [x, re] of [[doc.verdict.tEnt!, /t_ent = .*entanglement temperature/], [doc.verdict.tSurv!, /t_surv = .*persists/]] as const) {
          const h = await hoverAt(chart, x, 1 / 8);
          assert.match(h.text, re, `at ${width} px the marker's hover: ${h.text}`);
          assert.ok(h.x >= frame.frameLeft - 1 && h.x + h.width <= frame.frameRight + 1, `at ${width} px the hover ${round({ ...h, text: h.text.slice(0, 30) })} leaves the chart ${Math.round(frame.frameLeft)}…${Math.round(frame.frameRight)}`);
        }
        await chart.locator('#verdict').hover();
        // The level table: its own scroll box reaches the failed column; the page itself never scrolls sideways.
        const table = await chart.locator('#levels-scroll').evaluate((box) => {
          box.scrollLeft = box.scrollWidth;
          const b = box.getBoundingClientRect();
          const last = box.querySelector('thead th:last-child')!.getBoundingClientRect();
          const d = document.documentElement;
          return { scrolls: box.scrollWidth > box.clientWidth + 1, box: [b.left, b.right], failed: [last.left, last.right], text: box.querySelector('thead th:last-child')!.textContent, page: [d.scrollWidth, d.clientWidth] };
        });
        console.log(`      ${width} px: table ${JSON.stringify(table)}`);
        assert.strictEqual(table.text, 'failed');
        assert.ok(table.failed[0]! >= table.box[0]! - 1 && table.failed[1]! <= table.box[1]! + 1, `at ${width} px the failed column is reachable: ${JSON.stringify(table)}`);
        if (width === 500) assert.ok(table.scrolls, 'in a 500 px column the table scrolls inside its box');
        assert.ok(table.page[0]! <= table.page[1]! + 1, `at ${width} px the page does not scroll sideways: ${table.page.join(' > ')}`);
        // Controls wrap inside the page.
        const controls = await chart.locator('.toolbar').evaluateAll((bars) => bars.flatMap((b) => Array.from(b.querySelectorAll('vscode-radio, vscode-checkbox, vscode-button, vscode-single-select')).map((e) => e.getBoundingClientRect().right)));
        const pageWidth = await chart.locator('body').evaluate((b) => b.clientWidth);
        for (const r of controls) assert.ok(r <= pageWidth + 1, `at ${width} px a control ends at ${r} past the page's ${pageWidth}`);
        await screenshot(p, `chart-e2e-${width}`);
      }
      // The verdict in words, and the help that links the method.
      const chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
      const sentence = await chart.locator('[data-testid="verdict-sentence"]').innerText();
      assert.match(sentence, /^Clean from σ = /, sentence);
      await chart.locator('#how-to-read summary').click();
      assert.match(await chart.locator('#how-to-read').innerText(), /Middle panel: .*±margin/s);
      await chart.locator('#how-to-read a[data-section="The verdict"]').click();
      await p.locator('.tab', { hasText: 'method.md' }).first().waitFor({ state: 'visible', timeout: WAIT.webview });
    } finally {
      await p.setViewportSize({ width: 1400, height: 900 });
      await runCommand(p, 'View: Toggle Maximize Editor Group').catch(() => undefined);
      await runCommand(p, 'View: Close All Editors');
    }
  });

  it('the sgld chart on the loss-gap axis keeps its "ΔL(t_W) ≈ …" label inside the plot at 1400 and 700 px', async () => {
    const p = page();
    const ws = suite.workspace();
    fs.mkdirSync(path.join(ws, 'sgld'), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'planted', 'kappa-1.sgld.results.json'), path.join(ws, 'sgld', 'kappa-1.sgld.results.json'));
    await openFile(p, 'sgld/kappa-1.sgld.results.json');
    const lens = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Show chart' });
    await lens.waitFor({ state: 'visible', timeout: WAIT.lens });
    await lens.click();
    let chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    await chart.locator('vscode-radio[value="lossGap"]').click();
    await webviewWith(p, '#chart[data-state="ready"][data-x-axis="lossGap"]', WAIT.webview);
    await p.locator('.tab.active', { hasText: 'Chart:' }).click();
    await runCommand(p, 'View: Toggle Maximize Editor Group');
    try {
      for (const width of [1400, 700]) {
        chart = await atWidth(p, width, '#chart[data-state="ready"][data-x-axis="lossGap"]');
        const labels = await assertLabelsInside(chart, width, [/^ΔL\(t_W\) ≈ \d/]);
        const tw = labels.find((l) => l.text.startsWith('ΔL(t_W)'))!;
        assert.doesNotMatch(tw.text, /≈ 0$/, 'the label states the value, not a cut "≈ 0"');
        const yTicks = await chart.locator('#chart .ytick text, #chart .y2tick text, #chart .y3tick text').allTextContents();
        assert.ok(yTicks.length >= 9, `three ticks or more on each panel: ${yTicks.join(' ')}`);
        for (const t of yTicks) assert.doesNotMatch(t, /e-1\d/, `a tick at floating-point noise: ${yTicks.join(' ')}`);
        await screenshot(p, `chart-e2e-sgld-lossgap-${width}`);
      }
      // The exports are laid out for their own size (1200 × 800): every text inside the image, none at its edge.
      for (const format of ['svg', 'png'] as const) {
        const file = path.join(ws, 'sgld', `kappa-1.sgld.chart.${format}`);
        await chart.locator(`vscode-button[data-export="${format}"]`).click();
        // code-server's save dialog: a path box; the file's path typed in, Enter saves.
        const input = p.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: WAIT.webview });
        await p.waitForTimeout(500);
        await input.fill(file);
        await input.press('Enter');
        await waitUntil(`the ${format.toUpperCase()} export written`, WAIT.webview, async () => (fs.existsSync(file) && fs.statSync(file).size > 0 ? true : undefined), 250);
        await p.waitForTimeout(300);
        const measure = await p.context().newPage();
        try {
          if (format === 'svg') {
            await measure.setContent(`<html><body style="margin:0">${fs.readFileSync(file, 'utf8')}</body></html>`);
            const m = await measure.evaluate(() => {
              const svg = document.querySelector('svg')!;
              const frame = svg.getBoundingClientRect();
              const texts = Array.from(svg.querySelectorAll('text')).map((t) => {
                const r = t.getBoundingClientRect();
                return { x: r.x, y: r.y, width: r.width, height: r.height, text: (t.textContent ?? '').replace(/\u00a0/g, ' ').trim() };
              }).filter((b) => b.width > 0 && b.text !== '');
              return { frame: { width: frame.width, height: frame.height }, texts };
            });
            const title = [...m.texts].sort((a, b) => a.y - b.y)[0]!;
            const tw = m.texts.find((t) => t.text.startsWith('ΔL(t_W)'));
            console.log(`      SVG ${m.frame.width}×${m.frame.height}: title ${round({ ...title, text: title.text.slice(0, 30) })}; ${tw ? round(tw) : 'no ΔL(t_W) label'}`);
            assert.deepStrictEqual([m.frame.width, m.frame.height], [1200, 800]);
            for (const t of m.texts) assert.ok(t.x >= 4 && t.y >= 4 && t.x + t.width <= m.frame.width - 4 && t.y + t.height <= m.frame.height - 4, `the SVG's text ${round(t)} touches or leaves the ${m.frame.width}×${m.frame.height} image`);
            assert.ok(tw && /≈ \d\.\d/.test(tw.text), `the SVG states ΔL(t_W) with its value: ${tw?.text}`);
            // No two texts of the image on top of each other (the title over the top panel's ticks, a label over another).
            for (let i = 0; i < m.texts.length; i++) for (let j = i + 1; j < m.texts.length; j++) {
              assert.ok(!overlaps(m.texts[i]!, m.texts[j]!, 2), `in the SVG ${round(m.texts[i]!)} and ${round(m.texts[j]!)} overlap`);
            }
          } else {
            // Every pixel of a 4 px border is the background's: nothing is drawn at the PNG's edge.
            const data = fs.readFileSync(file).toString('base64');
            const m = await measure.evaluate(async (b64) => {
              const img = new Image();
              img.src = `data:image/png;base64,${b64}`;
              await img.decode();
              const c = document.createElement('canvas');
              [c.width, c.height] = [img.width, img.height];
              const g = c.getContext('2d')!;
              g.drawImage(img, 0, 0);
              const px = g.getImageData(0, 0, c.width, c.height).data;
              // (No named helper: the test's compiler would wrap it in a function the page does not have.)
              let off = 0;
              for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
                if (!(x < 4 || y < 4 || x >= c.width - 4 || y >= c.height - 4)) continue;
                const i = 4 * (y * c.width + x);
                if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2] || px[i + 3] !== px[3]) off++;
              }
              return { width: c.width, height: c.height, off };
            }, data);
            console.log(`      PNG ${m.width}×${m.height}: ${m.off} border pixels differ from the background`);
            assert.deepStrictEqual([m.width, m.height], [1200, 800]);
            assert.strictEqual(m.off, 0, 'nothing drawn within 4 px of the PNG\'s edge');
          }
        } finally {
          await measure.close();
        }
      }
    } finally {
      await chart.locator('vscode-radio[value="temperature"]').click().catch(() => undefined);
      await p.setViewportSize({ width: 1400, height: 900 });
      await runCommand(p, 'View: Toggle Maximize Editor Group').catch(() => undefined);
      await runCommand(p, 'View: Close All Editors');
    }
  });
});
