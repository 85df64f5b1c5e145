/**
 * The editor as a researcher works in it, in a real VS Code (code-server + Chromium, the packaged .vsix): the chart
 * laid out legibly from a 400 px column to full width (screenshots at three widths), the Runs view (grouped by
 * hypothesis, time, verdict, legend, a cancelled run that survives a reload, Remove), and help on the format (hover
 * on a key with its method link, completion of keys, choices and data files).
 *
 *   npx mocha --config test/e2e/mocharc.json test/e2e/editor.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { openFile, runCommand, screenshot, toast, waitUntil, webviewWith } from './harness';
import { useWorkbench } from './suite';

const WAIT = { diagnostics: 90_000, sweep: 180_000, webview: 60_000, short: 30_000 };

interface Box { x: number; y: number; width: number; height: number }

function overlaps(a: Box, b: Box, slack = 1): boolean {
  return a.x + slack < b.x + b.width && b.x + slack < a.x + a.width && a.y + slack < b.y + b.height && b.y + slack < a.y + a.height;
}

/** Boxes (in the chart frame's coordinates) of the elements matching `selector` inside #chart. */
async function boxes(chart: FrameLocator, selector: string): Promise<(Box & { text: string })[]> {
  return chart.locator("#chart").evaluate((root, sel) => Array.from(root.querySelectorAll(sel)).map((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent ?? '' };
  }).filter((b) => b.width > 0 && b.height > 0), selector);
}

function squash(s: string): string {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}

describe('Circuit Thermometer in VS Code: the editor a researcher lives in', function () {
  this.timeout(300_000);
  const suite = useWorkbench({
    failedPrefix: 'editor-failed',
    // Each test starts from an empty editor area, whatever the one before it left open.
    closeEditors: true,
    prepare: (dir) => {
      // A hypothesis to write in: no controls key yet, and labels to fill in.
      fs.writeFileSync(path.join(dir, 'help.circuit.yaml'), [
        'model: ./planted-kappa-0.onnx',
        'data:',
        '  inputs: { x: ./data/x.npy }',
        '  labels: ./data/y.npy',
        '  target: { mask: ./data/is_target.npy }',
        'loss: { output: logits, kind: cross-entropy }',
        'circuit:',
        '  name: help me',
        '  components:',
        '    - tensor: /relu/Relu_output_0',
        '      units: [0, 21]',
        'intervention: { kind: zero, scope: circuit }',
        'degradation:',
        '  dial: weight-noise',
        '  temperatures: { from: 0.01, to: 3, count: 4 }',
        'verdict: { collateralTolerance: 0.1, persistence: 0.25 }',
        '',
      ].join('\n'));
    },
  });
  const page = suite.page;

  it('the extension\'s details page renders the packaged README: its images shown, the editor\'s quick start first', async () => {
    const p = page();
    await runCommand(p, 'Extensions: Show Enabled Extensions');
    const item = p.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Circuit Thermometer' }).first();
    await item.waitFor({ state: 'visible', timeout: WAIT.webview });
    await item.click();
    const details = await webviewWith(p, 'img[alt^="The entanglement chart"]', WAIT.webview);
    const images = await details.locator('img').evaluateAll((imgs) => imgs.map((i) => {
      const img = i as HTMLImageElement;
      return { alt: img.alt, loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth, scheme: img.src.split(':')[0] };
    }));
    const shots = images.filter((i) => /entanglement chart|diagnostic/.test(i.alt));
    assert.strictEqual(shots.length, 2, `both README screenshots are there: ${JSON.stringify(images)}`);
    for (const i of shots) assert.ok(i.loaded && i.width > 300, `"${i.alt}" is shown, not its alt text: ${JSON.stringify(i)}`);
    const text = squash(await details.locator('body').innerText());
    const quick = text.indexOf('Quick start');
    assert.ok(quick >= 0 && text.indexOf('New Hypothesis from Model', quick) > quick, 'the quick start is the editor\'s');
    assert.ok(!/fresh clone|npm ci/.test(text.slice(0, text.indexOf('On the command line'))), 'no clone-only steps before the CLI section');
    await screenshot(p, 'extension-details-page');
    await runCommand(p, 'View: Close All Editors');
  });

  it('the chart lays out legibly at 400 px, half and full width: no label under the mode bar, no title over another, ticks apart', async () => {
    const p = page();
    await openFile(p, 'quick.circuit.yaml');
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const finished = toast(p, 'Sweep finished: planted circuit (e2e quick)');
    await finished.waitFor({ state: 'visible', timeout: WAIT.sweep });
    await finished.getByRole('button', { name: 'Show Chart' }).click();
    let chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    await runCommand(p, 'View: Close Primary Side Bar');
    await p.locator('.tab.active', { hasText: 'Chart:' }).click();
    await runCommand(p, 'View: Toggle Maximize Editor Group');
    try {
      for (const viewport of [1600, 860, 470]) {
        await p.setViewportSize({ width: viewport, height: 1000 });
        // The panel lays the figure out again for its new width (data-width is the width it laid out for).
        const width = await waitUntil(`the chart laid out for a ${viewport} px window`, WAIT.webview, async () => {
          const w = Number(await chart.locator('#chart').getAttribute('data-width').catch(() => '0'));
          const now = await chart.locator('#chart').evaluate((e) => e.clientWidth).catch(() => 0);
          return w > 0 && Math.abs(w - now) < 8 && (await chart.locator('#chart[data-state="ready"]').count()) > 0 ? w : undefined;
        }, 250);
        await p.waitForTimeout(600);
        chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
        await chart.locator('#chart').hover();
        const modebar = await boxes(chart, '.modebar-group');
        assert.ok(modebar.length > 0, 'the mode bar is there');
        const labels = await boxes(chart, '.shape-label-text');
        assert.ok(labels.some((l) => /t_surv/.test(l.text)) && labels.some((l) => /t_ent/.test(l.text)), `the marker labels are drawn: ${labels.map((l) => l.text).join(' | ')}`);
        for (const l of labels) for (const m of modebar) assert.ok(!overlaps(l, m), `at ${width} px the mode bar covers "${l.text}"`);
        const frame = await chart.locator('#chart').evaluate((e) => e.getBoundingClientRect().toJSON() as Box);
        for (const l of labels) assert.ok(l.x >= frame.x - 1 && l.x + l.width <= frame.x + frame.width + 1, `at ${width} px "${l.text}" runs past the chart's edge`);
        const titles = await boxes(chart, '.g-ytitle text, .g-y4title text, .g-y2title text');
        assert.strictEqual(titles.length, 3, `three y titles at ${width} px`);
        for (let i = 0; i < titles.length; i++) for (let j = i + 1; j < titles.length; j++) {
          assert.ok(!overlaps(titles[i]!, titles[j]!), `at ${width} px the y titles "${titles[i]!.text}" and "${titles[j]!.text}" overlap`);
        }
        const ticks = (await boxes(chart, '.xaxislayer-above .xtick text')).sort((a, b) => a.x - b.x);
        assert.ok(ticks.length >= 2, `x ticks at ${width} px`);
        for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]!.x >= ticks[i - 1]!.x + ticks[i - 1]!.width + 2, `at ${width} px x ticks "${ticks[i - 1]!.text}" and "${ticks[i]!.text}" touch`);
        await screenshot(p, `chart-width-${width}`);
      }
    } finally {
      // Restore the window even when a check failed, so the next test starts from the usual layout.
      await p.setViewportSize({ width: 1400, height: 900 });
      // Focus back on the workbench (not inside the chart's iframe) before the next palette command.
      await p.locator('.tab.active', { hasText: 'Chart:' }).click({ timeout: WAIT.short }).catch(() => undefined);
      await runCommand(p, 'View: Toggle Maximize Editor Group');
      await runCommand(p, 'View: Close All Editors');
    }
  });

  it('the Runs view groups by hypothesis, shows time, verdict and a legend; a cancelled run survives a reload and Remove removes it', async () => {
    const p = page();
    await openFile(p, 'long.circuit.yaml');
    // The cost is stated before the sweep starts: on the CodeLens, and in the run command's question.
    const lens = p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run sweep (about' });
    await lens.waitFor({ state: 'visible', timeout: WAIT.diagnostics }).catch(async (e: unknown) => {
      // Say what was shown instead: CI's log is all there is of a failure there.
      const shown = await p.locator('.codelens-decoration').allInnerTexts().catch(() => [] as string[]);
      const tabs = await p.locator('.tab').allInnerTexts().catch(() => [] as string[]);
      throw new Error(`no "Run sweep (about …)" lens; lenses shown: ${JSON.stringify(shown.map(squash))}; tabs: ${JSON.stringify(tabs.map(squash))}\n${String(e)}`);
    });
    const lensText = squash(await lens.innerText());
    assert.match(lensText, /Run sweep \(about [\d h min s]+ on \d+ workers?\)/, lensText);
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const ask = p.locator('.monaco-dialog-box', { hasText: 'This sweep of long.circuit.yaml' });
    await ask.waitFor({ state: 'visible', timeout: WAIT.short * 2 });
    const asked = squash(await ask.innerText());
    assert.ok(/40 levels × 4000 samples: about .* on \d+ workers?/.test(asked), `the question states the work and its time: ${asked}`);
    assert.ok(await ask.getByRole('button', { name: /^Quick Look \(about .* on \d+ workers?\)$/ }).count() === 1, `a cheaper preset is offered: ${asked}`);
    await screenshot(p, 'sweep-cost-question');
    await ask.getByRole('button', { name: 'Run', exact: true }).click();
    const progress = toast(p, 'sweeping planted circuit (e2e long, cancelled)');
    await progress.waitFor({ state: 'visible', timeout: WAIT.short * 2 });
    await waitUntil('the long sweep to report its work units', WAIT.short * 2, async () => /\b\d+ of 40 work units done\b/.test(squash(await progress.innerText().catch(() => ''))) || undefined, 100);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await toast(p, 'Sweep cancelled').waitFor({ state: 'visible', timeout: WAIT.short });

    const openRuns = async () => {
      await p.locator('.activitybar .action-item a.action-label[aria-label^="Circuit Thermometer"]').click();
      return webviewWith(p, 'li.run[data-status="complete"]', WAIT.webview);
    };
    let runs = await openRuns();
    const group = runs.locator('section.group', { has: runs.locator('li.run[data-status="complete"]') }).first();
    assert.match(squash(await group.locator('h3.group-head').innerText()), /quick\.circuit\.yaml/);
    const done = group.locator('li.run[data-status="complete"]').first();
    assert.match(squash(await done.locator('.time').innerText()), /^\d\d:\d\d$/, 'a finished run shows when it was made');
    assert.match(squash(await done.locator('.verdict').innerText()), /^(clean from t_ent [\d.e-]+|entangled|inconclusive)$/);
    assert.ok((await done.getAttribute('title'))?.startsWith('planted circuit (e2e quick)'), 'the tooltip opens with the full name');
    assert.ok(await runs.locator('p.legend').isVisible(), 'the sparkline has a legend');
    assert.match(squash(await runs.locator('p.legend').innerText()), /target effect E_T.*collateral E_C/);
    assert.ok(await runs.locator('li.run[data-status="cancelled"]').count() >= 1, 'the cancelled run is listed');
    await screenshot(p, 'runs-view-grouped');

    await runCommand(p, 'Developer: Reload Window');
    await p.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: WAIT.webview });
    runs = await openRuns();
    const cancelled = runs.locator('li.run[data-status="cancelled"]').first();
    await cancelled.waitFor({ state: 'visible', timeout: WAIT.webview });
    assert.ok(squash(await cancelled.innerText()).includes('planted circuit (e2e long, cancelled)'), 'the cancelled run survived the reload');
    await screenshot(p, 'runs-view-after-reload');
    const before = await runs.locator('li.run').count();
    await cancelled.locator('[data-action="remove"]').click();
    await waitUntil('the removed run to leave the list', WAIT.short, async () => ((await runs.locator('li.run').count()) === before - 1 ? true : undefined));
    assert.strictEqual(await runs.locator('li.run[data-status="cancelled"]').count(), 0);
  });

  it('opening an .onnx file shows the model page (read-only), and its button scaffolds a hypothesis with the workspace\'s data', async () => {
    const p = page();
    await runCommand(p, 'View: Close All Editors');
    await openFile(p, 'planted-kappa-0.onnx');
    const model = await webviewWith(p, '[data-testid=onnx-model-page]', WAIT.webview);
    const text = squash(await model.locator('body').innerText());
    for (const part of ['Inputs', 'Outputs', 'Parameters', 'Ops', 'Gradient']) assert.ok(new RegExp(part, 'i').test(text), `the page shows ${part}: ${text.slice(0, 400)}`);
    assert.ok(text.includes('/relu/Relu_output_0') || text.includes('Relu'), 'the ops are listed');
    assert.strictEqual(await p.locator('.editor-group-container.active .monaco-editor .view-lines').count(), 0, 'no text editor of the binary');
    await screenshot(p, 'onnx-model-page');
    await model.locator('[data-action=new-hypothesis]').click();
    // Where and under which name: beside the model, "kappa0".
    const quick = p.locator('.quick-input-widget');
    await quick.waitFor({ state: 'visible', timeout: WAIT.short });
    await p.keyboard.press('Enter');
    await p.locator('.quick-input-widget input').fill('kappa0');
    await p.keyboard.press('Enter');
    await p.locator('.editor-group-container.active .tab.active', { hasText: 'kappa0.circuit.yaml' }).waitFor({ state: 'visible', timeout: WAIT.webview });
    const written = fs.readFileSync(path.join(suite.workspace(), 'kappa0.circuit.yaml'), 'utf8');
    assert.match(written, /x: \.\/data\/x\.npy/, 'the input file found in the workspace');
    assert.match(written, /labels: \.\/data\/y\.npy/, 'y.npy for the labels');
    assert.match(written, /mask: \.\/data\/is_target\.npy/, 'is_target.npy for the mask');
    assert.match(written, /Relu → \[batch, \d+\]/, 'measured shapes, not [?]');
    await screenshot(p, 'new-hypothesis-from-model');
    await runCommand(p, 'View: Close All Editors');
  });

  it('hover on a key shows its description and method section; completion offers keys, choices and ranked data files', async () => {
    const p = page();
    await runCommand(p, 'View: Close All Editors');
    await openFile(p, 'help.circuit.yaml');
    const editor = p.locator('.editor-group-container.active .monaco-editor').first();
    await editor.locator('.view-lines').waitFor({ state: 'visible' });
    // Hover "collateralTolerance".
    await p.locator('.editor-group-container.active .view-lines span', { hasText: 'collateralTolerance' }).last().hover();
    const hover = p.locator('.monaco-hover:visible', { hasText: 'verdict.collateralTolerance' });
    await hover.waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    const hoverText = squash(await hover.innerText());
    assert.ok(hoverText.includes('τ_C') && hoverText.includes('default 0.1'), `the key's description and default: ${hoverText}`);
    assert.ok(await hover.locator('a', { hasText: 'The tests at each level' }).count() > 0, `a link to the method section: ${hoverText}`);
    await screenshot(p, 'help-hover-key');
    await p.keyboard.press('Escape');

    const suggest = p.locator('.editor-widget.suggest-widget.visible');
    const typeAndSuggest = async (text: string) => {
      await p.keyboard.type(text, { delay: 20 });
      await p.keyboard.press('Control+Space');
      await suggest.waitFor({ state: 'visible', timeout: WAIT.short });
    };
    // A top-level key: "contr" → controls.
    await editor.click();
    await p.keyboard.press('Control+End');
    await typeAndSuggest('contr');
    await suggest.locator('.monaco-list-row', { hasText: 'controls' }).first().waitFor({ state: 'visible', timeout: WAIT.short });
    await screenshot(p, 'help-complete-key');
    await p.keyboard.press('Escape');
    // A choice: `metric: ` → loss, logit-diff, accuracy.
    await p.keyboard.press('Home');
    await p.keyboard.press('Shift+End');
    await typeAndSuggest('metric: ');
    for (const v of ['loss', 'logit-diff', 'accuracy']) await suggest.locator('.monaco-list-row', { hasText: v }).first().waitFor({ state: 'visible', timeout: WAIT.short });
    await screenshot(p, 'help-complete-enum');
    await p.keyboard.press('Escape');
    // A data file for the labels: retype the value of `labels:` (line 4, after "  labels: "); y.npy ranks first.
    await p.keyboard.press('Control+G');
    await p.locator('.quick-input-widget input').fill(':4:11');
    await p.keyboard.press('Enter');
    await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await p.keyboard.press('Shift+End');
    await typeAndSuggest('./');
    const first = squash(await suggest.locator('.monaco-list-row').first().innerText());
    assert.ok(first.startsWith('./data/y.npy'), `labels: y.npy ranks first, got ${first}`);
    await screenshot(p, 'help-complete-file');
    await p.keyboard.press('Escape');
    await runCommand(p, 'File: Revert File');
  });
});
