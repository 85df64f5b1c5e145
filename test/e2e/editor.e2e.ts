/**
 * The editor as a researcher works in it, in a real VS Code (code-server + Chromium, the packaged .vsix): the chart
 * laid out legibly from a 400 px column to full width (screenshots at three widths), the Runs tree (its welcome
 * content, grouped by hypothesis, dial, time and verdict, keyboard, a cancelled run that survives a reload, Remove),
 * the walkthrough and its example, results files opened as charts with relative paths, and help on the format (hover
 * on a key with its method link, completion of keys, choices and data files).
 *
 *   npx mocha --config test/e2e/mocharc.json test/e2e/editor.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import type { ResultsDocument } from '../../src/protocol/results';
import { openFile, openRunsTree, paletteCommands, REPO_ROOT, runCommand, runFromContextMenu, screenshot, toast, treeRow, treeRows, waitUntil, webviewWith } from './harness';
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

/** A string inside a CSS attribute selector's double quotes. */
function cssPath(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
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

  it('an empty Runs tree welcomes with buttons; Get Started opens the walkthrough, whose first step copies the bundled example and opens it', async () => {
    const p = page();
    await openRunsTree(p);
    const welcome = p.locator('.part.sidebar .welcome-view-content', { hasText: 'No runs yet' });
    await welcome.waitFor({ state: 'visible', timeout: WAIT.webview });
    const buttons = (await welcome.locator('.monaco-button').allInnerTexts()).map(squash);
    for (const b of ['Open an Example', 'New Hypothesis from Model', 'Run Sweep']) assert.ok(buttons.includes(b), `the welcome offers "${b}": ${JSON.stringify(buttons)}`);
    await screenshot(p, 'runs-welcome');
    // Nothing runs and nothing was interrupted: Cancel, Resume and Remove are not in the palette.
    const palette = await paletteCommands(p, 'Circuit Thermometer: ');
    assert.ok(palette.includes('Circuit Thermometer: Run Sweep'), JSON.stringify(palette));
    for (const c of ['Cancel Sweep', 'Resume Sweep', 'Remove Run', 'Rerun Sweep', 'Reveal Results in Explorer']) assert.ok(!palette.includes(`Circuit Thermometer: ${c}`), `no "${c}" in the palette now: ${JSON.stringify(palette)}`);

    await runCommand(p, 'Circuit Thermometer: Get Started');
    const walkthrough = p.locator('.gettingStartedContainer');
    await walkthrough.waitFor({ state: 'visible', timeout: WAIT.webview });
    await walkthrough.getByText('Get started with Circuit Thermometer').first().waitFor({ state: 'visible', timeout: WAIT.short });
    const steps = (await walkthrough.locator('.getting-started-step .step-title').allInnerTexts()).map(squash);
    assert.deepStrictEqual(steps, ['Open an example hypothesis', 'Run a sweep', 'Read the chart'], 'the three steps, in order');
    await screenshot(p, 'walkthrough');
    await walkthrough.locator('.getting-started-step', { hasText: 'Open an example hypothesis' }).first().click();
    await walkthrough.locator('.monaco-button, a.button-link', { hasText: 'Open an Example' }).first().click();
    // The workspace has hypotheses: they are offered, the bundled example first.
    const copy = p.locator('.quick-input-widget .monaco-list-row', { hasText: 'Copy the bundled example' });
    await copy.waitFor({ state: 'visible', timeout: WAIT.short });
    assert.ok(await p.locator('.quick-input-widget .monaco-list-row', { hasText: 'quick.circuit.yaml' }).count() > 0, 'the workspace\'s own hypotheses are offered too');
    // The bundled example is the first, focused row.
    assert.strictEqual(await copy.getAttribute('data-index'), '0');
    // A click, not Enter: on a loaded machine the key can land before the quick input has focus, and the pick stays open.
    await copy.click();
    await p.locator('.editor-group-container.active .tab.active', { hasText: 'kappa-1.circuit.yaml' }).waitFor({ state: 'visible', timeout: WAIT.webview });
    for (const f of ['kappa-1.circuit.yaml', 'planted-kappa-1.onnx', 'data/x.npy', 'data/y.npy', 'data/is_target.npy']) {
      assert.ok(fs.existsSync(path.join(suite.workspace(), 'circuit-thermometer-example', f)), `the example's ${f} is in the workspace`);
    }
    // It is a working hypothesis: checked without a problem, so the lens offers to run it.
    await p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run sweep' }).waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    assert.strictEqual(await p.locator('.editor-group-container.active .squiggly-error').count(), 0, 'no problem in the example');
    // Back on the walkthrough, the first step is ticked.
    await p.locator('.tab', { hasText: 'Walkthrough' }).first().click();
    await waitUntil('the first step to be complete', WAIT.short, async () => {
      const step = walkthrough.locator('.getting-started-step', { hasText: 'Open an example hypothesis' }).first();
      // The step's checkbox turns into the "checked" icon (VS Code's getting-started-step-checked codicon).
      return (await step.locator('.codicon-getting-started-step-checked, [aria-checked="true"]').count()) > 0 ? true : undefined;
    });
    await screenshot(p, 'walkthrough-step-done');
    await runCommand(p, 'View: Close All Editors');
  });

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
    // The lens's estimate (a pilot's, before any run of this file) against the sweep's measured time: within 3×.
    const estimate = p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run sweep (≈' });
    await estimate.waitFor({ state: 'visible', timeout: WAIT.sweep });
    const range = parseRange(squash(await estimate.innerText()));
    const started = Date.now();
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const finished = toast(p, 'Sweep finished: planted circuit (e2e quick)');
    await finished.waitFor({ state: 'visible', timeout: WAIT.sweep });
    const measured = (Date.now() - started) / 1000;
    const middle = Math.sqrt(range.low * range.high);
    console.log(`      quick.circuit.yaml: estimated ${range.low}–${range.high} s, measured ${measured.toFixed(1)} s`);
    assert.ok(middle / 3 <= measured && measured <= middle * 3, `estimated ${range.low}–${range.high} s, measured ${measured.toFixed(1)} s`);
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
        const titles = await boxes(chart, '.g-ytitle text, .g-y2title text, .g-y3title text');
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

  it('the Runs tree groups by hypothesis, shows dial, time and verdict, moves by keyboard; a cancelled run survives a reload and Remove removes it', async () => {
    const p = page();
    await openFile(p, 'long.circuit.yaml');
    // The cost is stated before the sweep starts, as a range measured by a short pilot: on the CodeLens (which says
    // what it counts until the pilot reports), and in the run command's question.
    const lens = p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run sweep (≈' });
    await lens.waitFor({ state: 'visible', timeout: WAIT.sweep }).catch(async (e: unknown) => {
      // Say what was shown instead: CI's log is all there is of a failure there.
      const shown = await p.locator('.codelens-decoration').allInnerTexts().catch(() => [] as string[]);
      const tabs = await p.locator('.tab').allInnerTexts().catch(() => [] as string[]);
      throw new Error(`no "Run sweep (≈ …)" lens; lenses shown: ${JSON.stringify(shown.map(squash))}; tabs: ${JSON.stringify(tabs.map(squash))}\n${String(e)}`);
    });
    const lensText = squash(await lens.innerText());
    assert.match(lensText, /Run sweep \(≈ [\d.]+( s| min| h)?–[\d.]+ (s|min|h) on \d+ workers?\)/, lensText);
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const ask = p.locator('.monaco-dialog-box', { hasText: 'This sweep of long.circuit.yaml' });
    await ask.waitFor({ state: 'visible', timeout: WAIT.sweep });
    const asked = squash(await ask.innerText());
    assert.ok(/40 levels × 4000 samples: ≈ .* on \d+ workers? \(measured by a pilot\)/.test(asked), `the question states the work and its time: ${asked}`);
    assert.ok(await ask.getByRole('button', { name: /^Quick Look \(≈ .*\)$/ }).count() === 1, `a cheaper preset is offered: ${asked}`);
    await screenshot(p, 'sweep-cost-question');
    await ask.getByRole('button', { name: 'Run', exact: true }).click();
    const progress = toast(p, 'sweeping planted circuit (e2e long, cancelled)');
    await progress.waitFor({ state: 'visible', timeout: WAIT.short * 2 });
    await waitUntil('the long sweep to report its work units', WAIT.short * 2, async () => /\b\d+ of 40 work units done\b/.test(squash(await progress.innerText().catch(() => ''))) || undefined, 100);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await toast(p, 'Sweep cancelled').waitFor({ state: 'visible', timeout: WAIT.short });

    // The Runs tree: grouped by hypothesis file, each run with dial, time and verdict.
    let tree = await openRunsTree(p);
    await treeRow(tree, 'planted circuit (e2e long, cancelled)').waitFor({ state: 'visible', timeout: WAIT.webview });
    const rows = await treeRows(tree);
    const quickAt = rows.findIndex((r) => r.label === 'quick.circuit.yaml' && r.level === 1);
    assert.ok(quickAt >= 0, `quick.circuit.yaml heads a group: ${JSON.stringify(rows)}`);
    const done = rows[quickAt + 1];
    assert.ok(done && done.level === 2 && done.label === 'planted circuit (e2e quick)', `its run below it: ${JSON.stringify(rows)}`);
    assert.match(done.description, /^weight-noise · \d\d:\d\d · (clean from t_ent [\d.e-]+|entangled|not specific|inconclusive)\b/, 'dial, time and verdict');
    const cancelledRow = rows.find((r) => r.label === 'planted circuit (e2e long, cancelled)');
    assert.ok(cancelledRow && /· cancelled$/.test(cancelledRow.description), `the cancelled run is listed: ${JSON.stringify(cancelledRow)}`);
    // Keyboard navigation: the tree takes focus and arrows move through it (a webview list had none).
    await runCommand(p, 'Circuit Thermometer: Focus on Runs View');
    await p.keyboard.press('Home');
    const focused = async () => squash(await tree.locator('.monaco-list-row.focused .label-name').innerText());
    await waitUntil('the first row focused', WAIT.short, async () => ((await focused()) === rows[0]!.label ? true : undefined));
    await p.keyboard.press('ArrowDown');
    // A tree refresh (the cancelled run's row settling) can take the focus between the two keys, and the arrow is
    // then lost (a CI run timed out here once): after 3 s without the move, focus the view again and repeat both
    // keys, which lands on the second row whether or not the first arrow arrived.
    let polls = 0;
    await waitUntil('the second row focused', WAIT.short, async () => {
      if ((await focused().catch(() => '')) === rows[1]!.label) return true;
      if (++polls % 30 === 0) {
        await runCommand(p, 'Circuit Thermometer: Focus on Runs View');
        await p.keyboard.press('Home');
        await p.keyboard.press('ArrowDown');
      }
      return undefined;
    }, 100);
    await screenshot(p, 'runs-view-grouped');

    await runCommand(p, 'Developer: Reload Window');
    await p.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: WAIT.webview });
    tree = await openRunsTree(p);
    const cancelled = treeRow(tree, 'planted circuit (e2e long, cancelled)');
    await cancelled.waitFor({ state: 'visible', timeout: WAIT.webview });
    await screenshot(p, 'runs-view-after-reload');
    const before = (await treeRows(tree)).length;
    await runFromContextMenu(p, cancelled, 'Remove Run');
    // The run went, and its group with it (its only run).
    await waitUntil('the removed run to leave the tree', WAIT.short, async () => ((await treeRows(tree)).some((r) => r.label === 'planted circuit (e2e long, cancelled)') ? undefined : true));
    assert.strictEqual((await treeRows(tree)).length, before - 2, 'the run and its now empty group are gone');
  });

  it('a results file opens as its chart (lens and title button); results carry workspace-relative paths, and old absolute ones never show', async () => {
    const p = page();
    const ws = suite.workspace();
    // The quick sweep of the chart scenario: written with paths relative to itself.
    const quick = JSON.parse(fs.readFileSync(path.join(ws, 'quick.results.json'), 'utf8')) as ResultsDocument;
    assert.strictEqual(quick.hypothesis.file, 'quick.circuit.yaml');
    assert.strictEqual(quick.model.path, 'planted-kappa-0.onnx');
    assert.deepStrictEqual(quick.hypothesis.resolved.data.inputs, { x: 'data/x.npy' });
    // A committed example's results without their hypothesis, and the same file as an older build wrote it
    // (another machine's absolute paths): both open, neither shows a path of another machine.
    const committed = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'planted', 'kappa-1.sgld.results.json'), 'utf8');
    fs.mkdirSync(path.join(ws, 'shared'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'shared', 'kappa-1.sgld.results.json'), committed);
    const old = JSON.parse(committed) as ResultsDocument;
    const foreign = (f: string) => `/home/someone/project/${f}`;
    old.hypothesis.file = foreign(old.hypothesis.file);
    old.model.path = foreign(old.model.path);
    fs.mkdirSync(path.join(ws, 'old'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'old', 'kappa-1.sgld.results.json'), JSON.stringify(old));

    const tree = await openRunsTree(p);
    await waitUntil('both copies in the Runs tree', WAIT.webview, async () => ((await treeRows(tree)).filter((r) => r.label === 'kappa-1.sgld.circuit.yaml').length === 2 ? true : undefined));
    const rows = await treeRows(tree);
    for (const r of rows) assert.ok(!/\/home\/someone|\/work\/|^\//.test(`${r.label} ${r.description}`), `no absolute path in the tree: ${JSON.stringify(r)}`);
    assert.deepStrictEqual(rows.filter((r) => r.label === 'kappa-1.sgld.circuit.yaml').map((r) => r.description).sort(), ['old', 'shared'], 'each group names the folder it is in');
    await screenshot(p, 'runs-relative-paths');

    // Opened as text, a results file offers its chart; the chart's subtitle names it relative to the workspace.
    await openFile(p, 'shared/kappa-1.sgld.results.json');
    const lens = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Show chart' });
    await lens.waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    assert.ok(await p.locator('.editor-group-container.active .editor-actions .action-label[aria-label^="Show Entanglement Chart"]').count() > 0, 'the editor title has Show Chart too');
    await lens.click();
    const chart = await webviewWith(p, `#chart[data-state="ready"][data-run-id="${cssPath(path.join(ws, 'shared', 'kappa-1.sgld.results.json'))}"]`, WAIT.webview);
    const subtitle = squash(await chart.locator('#status').innerText());
    assert.ok(subtitle.startsWith('shared/kappa-1.sgld.circuit.yaml · dial sgld'), `the subtitle: ${subtitle}`);
    await screenshot(p, 'results-file-chart');
    await runCommand(p, 'View: Close All Editors');
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
    // The Tensors section: the intermediate tensors a component can name, each a link that copies it, and a search.
    const relu = model.locator('table tr', { has: model.locator('td a', { hasText: '/relu/Relu_output_0' }) }).first();
    await relu.waitFor({ state: 'visible', timeout: WAIT.short });
    assert.match(squash(await relu.innerText()), /^\/relu\/Relu_output_0 Relu float32 \[\w+, \d+\]$/, 'name, op, dtype and shape');
    await screenshot(p, 'onnx-model-page');
    await relu.locator('td a').first().click();
    await toast(p, 'Copied the tensor name "/relu/Relu_output_0"').waitFor({ state: 'visible', timeout: WAIT.short });
    await model.locator('a', { hasText: 'search them all' }).first().click();
    const search = p.locator('.quick-input-widget');
    await search.waitFor({ state: 'visible', timeout: WAIT.short });
    await p.keyboard.type('Relu');
    await search.locator('.monaco-list-row', { hasText: '/relu/Relu_output_0' }).first().waitFor({ state: 'visible', timeout: WAIT.short });
    await screenshot(p, 'onnx-model-tensor-search');
    await p.keyboard.press('Escape');
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
    assert.ok(await hover.locator('a', { hasText: 'The tests (method version 3)' }).count() > 0, `a link to the method section: ${hoverText}`);
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

/** "Run sweep (≈ 15–40 s on 2 workers)" → seconds; "≈ 50 s–2.1 min", "≈ 7 s" too. */
function parseRange(lens: string): { low: number; high: number } {
  const m = /≈ ([\d.]+)( s| min| h)?(?:–([\d.]+))? (s|min|h)\b/.exec(lens);
  if (!m) throw new Error(`no range in "${lens}"`);
  const unit = (u: string | undefined) => (u?.trim() === 'h' ? 3600 : u?.trim() === 'min' ? 60 : 1);
  const high = Number(m[3] ?? m[1]) * unit(m[4]);
  const low = Number(m[1]) * unit(m[2] ?? m[4]);
  return { low, high };
}
