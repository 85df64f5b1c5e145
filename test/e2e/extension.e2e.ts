/**
 * The extension as a user meets it, in a real VS Code workbench (code-server + Chromium): the packaged
 * .vsix installed into a fresh extensions folder, a copy of the planted example workspace
 * (fixtures/workspace.ts), a trusted window. Each scenario asserts what is on screen and saves a
 * screenshot of its end state under test-results/e2e/.
 *
 * The scenarios share one window and run in order: the Runs tree lists the sweep the chart scenario
 * ran, and the console check covers everything the webviews did before it.
 *
 *   npm run test:e2e                                   (installs the harness, then every *.e2e.ts)
 *   npx mocha --config test/e2e/mocharc.json test/e2e/extension.e2e.ts
 *   CT_E2E_DOCS=1 …  also writes the README's screenshots to docs/images/
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { formatLevel } from '../../src/chart/format';
import type { ResultsDocument } from '../../src/protocol/results';
import { fixtureText, positionOf } from './fixtures/workspace';
import { runIcon, verdictWord } from '../../src/extension/runItems';
import { recordFromDocument, summarize } from '../../src/extension/runRecord';
import {
  activeEditorText,
  contextMenuOf,
  goToLine,
  openFile,
  openRunsTree,
  paletteCommands,
  processesMatching,
  REPO_ROOT,
  runCommand,
  runFromContextMenu,
  screenshot,
  stillAlive,
  toast,
  treeRow,
  treeRows,
  waitUntil,
  webviewWith,
} from './harness';
import { useWorkbench } from './suite';

/** The sweep worker the extension forks (dist/worker.js inside the installed extension). */
/** A sweep worker (the editor's model-probe worker, `--role probe`, comes and goes with the checks). */
const WORKER = /[\\/]dist[\\/]worker\.js(?! --role probe)\b/;
const DOCS = process.env.CT_E2E_DOCS === '1';
const DOCS_DIR = path.join(REPO_ROOT, 'docs', 'images');

/** Bounds of the scenario waits, in milliseconds. */
const WAIT = {
  diagnostics: 90_000, // first check loads the engine and the model in the extension host
  sweepStart: 60_000,
  sweepDone: 180_000,
  webview: 60_000,
  cancel: 30_000,
};

describe('Circuit Thermometer in VS Code: trusted workspace', function () {
  this.timeout(300_000);
  const suite = useWorkbench({ failedPrefix: 'failed' });
  const page = suite.page;
  /** quick.circuit.yaml's results, read from disk after the sweep scenario. */
  let quickResults: { path: string; doc: ResultsDocument } | undefined;

  it('shows a misspelled tensor name in the Problems panel on its line, and the quick fix repairs it', async () => {
    const p = page();
    const wrong = '/relu/Relu_outptu_0';
    const right = '/relu/Relu_output_0';
    const at = positionOf(fixtureText('broken.circuit.yaml'), wrong);

    await openFile(p, 'broken.circuit.yaml');
    await showProblems(p);
    const problem = p.locator('.markers-panel .monaco-list-row', { hasText: `no tensor '${wrong}'` });
    await problem.waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    const shown = squash(await problem.innerText());
    assert.ok(shown.includes(`did you mean '${right}'?`), `the problem offers the right name: ${shown}`);
    assert.ok(shown.includes(`[Ln ${at.line}, Col ${at.column}]`), `the problem is at line ${at.line}, column ${at.column}: ${shown}`);
    assert.strictEqual(await p.locator('.markers-panel .monaco-list-row').count(), 2, 'one file row and one problem row');
    // The editor underlines the name.
    const token = p.locator('.editor-group-container.active .view-lines span', { hasText: wrong }).last();
    await p.locator('.editor-group-container.active .squiggly-error').first().waitFor({ state: 'visible' });

    // Hovering the underlined name shows the message with its "Quick Fix…" action.
    await goToLine(p, at.line, at.column);
    await token.hover();
    const hover = p.locator('.monaco-hover:visible', { hasText: `no tensor '${wrong}'` });
    await hover.waitFor({ state: 'visible' });
    await hover.locator('a', { hasText: /^Quick Fix/ }).waitFor({ state: 'visible', timeout: WAIT.webview });
    await screenshot(p, 'diagnostics-1-problem');
    if (DOCS) await docsImage(p, 'diagnostics.png', await unionBox(p, ['.part.editor', '.part.panel']));

    // Cursor on the name, Ctrl+. : the fix is offered, and applying it repairs the file.
    await p.keyboard.press('Escape');
    await p.mouse.move(0, 0);
    await hover.waitFor({ state: 'hidden' });
    await goToLine(p, at.line, at.column);
    await p.keyboard.press('Control+.');
    const fix = p.locator('.action-widget .monaco-list-row', { hasText: `Change to '${right}'` });
    await fix.waitFor({ state: 'visible' });
    // The menu takes the keyboard (a pointer shield covers the page): move to the fix, then Enter.
    await waitUntil('the quick fix to be selected', WAIT.cancel, async () => {
      if (await fix.evaluate((row) => row.classList.contains('focused'))) return true;
      await p.keyboard.press('ArrowDown');
      return undefined;
    });
    await p.keyboard.press('Enter');
    await p.locator('.action-widget').waitFor({ state: 'hidden' });
    await waitUntil(`the editor to show ${right}`, WAIT.webview, async () => {
      const text = await activeEditorText(p);
      return text.includes(right) && !text.includes(wrong) ? true : undefined;
    });
    await problem.waitFor({ state: 'detached', timeout: WAIT.diagnostics });
    await p.locator('.markers-panel', { hasText: 'No problems have been detected in the workspace.' }).waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    await p.keyboard.press('Control+S');
    await waitUntil('the fixed file on disk', WAIT.cancel, () =>
      fs.readFileSync(path.join(suite.workspace(), 'broken.circuit.yaml'), 'utf8').includes(`tensor: ${right}`) || undefined);
    await screenshot(p, 'diagnostics-2-fixed');
  });

  it('"Run Sweep" from the palette shows progress, finishes, and the chart shows the results file', async () => {
    const p = page();
    await runCommand(p, 'View: Hide Panel');
    await openFile(p, 'quick.circuit.yaml');
    const resultsPath = path.join(suite.workspace(), 'quick.results.json');
    assert.ok(!fs.existsSync(resultsPath), 'no results before the sweep');

    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    // Progress: a notification that counts the work units (here one per level), and the status bar item.
    const progress = toast(p, 'sweeping planted circuit (e2e quick)');
    await progress.waitFor({ state: 'visible', timeout: WAIT.sweepStart });
    // One monotonic count of the sweep's work units (12 levels × 1 chain), as the CLI and the status bar say it.
    const seen = await waitUntil('a progress message "k of 12 work units done"', WAIT.sweepStart, async () => {
      const text = squash(await progress.innerText().catch(() => ''));
      return /\b\d+ of 12 work units done\b/.test(text) ? text : undefined;
    }, 100);
    assert.match(seen, /\b\d+ of 12 work units done · (about .+ left|estimating time left…)/);
    await p.locator('.statusbar-item', { hasText: 'Sweep: planted circuit (e2e quick)' }).waitFor({ state: 'visible' });
    await screenshot(p, 'sweep-1-progress');

    const finished = toast(p, 'Sweep finished: planted circuit (e2e quick)');
    await finished.waitFor({ state: 'visible', timeout: WAIT.sweepDone });
    assert.ok(fs.existsSync(resultsPath), `the results file is written next to the hypothesis: ${resultsPath}`);
    const doc = JSON.parse(fs.readFileSync(resultsPath, 'utf8')) as ResultsDocument;
    quickResults = { path: resultsPath, doc };
    assert.strictEqual(doc.levels.length, 12);
    assert.ok(doc.verdict.tEnt !== null && doc.verdict.cleanWindow, `the planted circuit has a clean window: ${doc.verdict.summary}`);
    assert.ok(squash(await finished.innerText()).includes(doc.verdict.summary), 'the notification states the verdict');

    await finished.getByRole('button', { name: 'Show Chart' }).click();
    const chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    await assertChartShows(chart, doc, resultsPath);
    await p.locator('.tab', { hasText: 'Chart: planted circuit (e2e quick)' }).waitFor({ state: 'visible' });
    await p.locator('.statusbar-item', { hasText: 'Sweep: planted circuit' }).waitFor({ state: 'hidden' });
    await screenshot(p, 'sweep-2-chart');
  });

  it('the Runs tree lists the finished run with its verdict\'s icon and actions; clicking it opens its chart', async () => {
    const p = page();
    assert.ok(quickResults, 'the sweep scenario produced results');
    const { doc, path: resultsPath } = quickResults;
    await runCommand(p, 'View: Close All Editors');
    await p.locator('.tab', { hasText: 'Chart:' }).waitFor({ state: 'detached' });

    const tree = await openRunsTree(p);
    const row = treeRow(tree, 'planted circuit (e2e quick)');
    await row.waitFor({ state: 'visible', timeout: WAIT.webview });
    const rows = await treeRows(tree);
    const group = rows.find((r) => r.label === 'quick.circuit.yaml');
    const run = rows.find((r) => r.label === 'planted circuit (e2e quick)');
    assert.ok(group && group.level === 1, `the run's hypothesis file heads its group: ${JSON.stringify(rows)}`);
    assert.ok(run && run.level === 2, `the run sits under it: ${JSON.stringify(rows)}`);
    // What the file says, in the tree's words and icon (src/extension/runItems.ts).
    const expected = summarize(recordFromDocument(doc, resultsPath, 'quick.circuit.yaml'));
    assert.ok(run.description.startsWith('weight-noise · '), `the row names the dial: ${run.description}`);
    assert.ok(run.description.includes(verdictWord(expected)), `the row states the verdict "${verdictWord(expected)}": ${run.description}`);
    if (doc.verdict.tEnt !== null) assert.ok(run.description.includes(`clean from t_ent ${formatLevel(doc.verdict.tEnt)}`), run.description);
    assert.strictEqual(run.icon, runIcon(expected).id, 'the icon matches the verdict');
    // A finished run with a results file: open, reveal, rerun, export, remove; nothing to cancel or resume.
    const menu = await contextMenuOf(p, row);
    for (const item of ['Show Entanglement Chart', 'Open Results File', 'Reveal Results in Explorer', 'Rerun Sweep', 'Export Results', 'Remove Run']) {
      assert.ok(menu.includes(item), `the context menu offers "${item}": ${JSON.stringify(menu)}`);
    }
    for (const item of ['Cancel Sweep', 'Resume Sweep', 'Cut', 'Copy', 'Paste']) assert.ok(!menu.includes(item), `no "${item}": ${JSON.stringify(menu)}`);
    await screenshot(p, 'runs-tree-menu');

    await row.click();
    const chart = await webviewWith(p, `#chart[data-state="ready"][data-run-id="${cssString(resultsPath)}"]`, WAIT.webview);
    await assertChartShows(chart, doc, resultsPath);
    await p.locator('.tab', { hasText: 'Chart: planted circuit (e2e quick)' }).waitFor({ state: 'visible' });
    await screenshot(p, 'runs-view');

    // Reveal Results shows the file in the Explorer; the tree is one click away again.
    await runFromContextMenu(p, treeRow(await openRunsTree(p), 'planted circuit (e2e quick)'), 'Reveal Results in Explorer');
    await p.locator('.explorer-folders-view .monaco-list-row.focused', { hasText: 'quick.results.json' }).waitFor({ state: 'visible', timeout: WAIT.webview });
    await openRunsTree(p);
  });

  it('cancel during a sweep stops the worker and leaves no results file', async () => {
    const p = page();
    const server = suite.server();
    assert.deepStrictEqual(processesMatching(server.pid, WORKER), [], 'no worker before the sweep (an idle editor holds none)');
    await openFile(p, 'long.circuit.yaml');
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    // A long sweep states its cost first and offers a quick look; this scenario runs the whole one.
    const ask = p.locator('.monaco-dialog-box', { hasText: 'This sweep of long.circuit.yaml' });
    await ask.waitFor({ state: 'visible', timeout: WAIT.sweepStart });
    await ask.getByRole('button', { name: 'Run', exact: true }).click();
    const progress = toast(p, 'sweeping planted circuit (e2e long, cancelled)');
    await progress.waitFor({ state: 'visible', timeout: WAIT.sweepStart });
    // At least one unit finished, so the cancel keeps a journal for Resume.
    const doneBefore = await waitUntil('a progress message "k of 40 work units done" with k ≥ 1', WAIT.sweepStart * 2, async () => {
      const m = /\b(\d+) of 40 work units done\b/.exec(squash(await progress.innerText().catch(() => '')));
      return m && Number(m[1]) >= 1 ? Number(m[1]) : undefined;
    }, 100);
    // Cancel is in the palette while a sweep runs, Resume is not (nothing was interrupted yet).
    const running = await paletteCommands(p, 'Circuit Thermometer: ');
    assert.ok(running.includes('Circuit Thermometer: Cancel Sweep'), `Cancel Sweep while a sweep runs: ${JSON.stringify(running)}`);
    assert.ok(!running.includes('Circuit Thermometer: Resume Sweep'), `no Resume Sweep before an interrupted sweep: ${JSON.stringify(running)}`);
    // The Runs view (open in the side bar since the previous scenario) badges its activity bar icon while it runs.
    const badge = p.locator('.activitybar .action-item:has(a[aria-label^="Circuit Thermometer"]) .badge-content');
    await waitUntil('the activity bar badge "1"', WAIT.sweepStart, async () =>
      ((await badge.isVisible()) && (await badge.innerText()).trim() === '1') || undefined);
    const workers = await waitUntil('the sweep worker process', WAIT.cancel, () => {
      const w = processesMatching(server.pid, WORKER);
      return w.length > 0 ? w : undefined;
    });

    await progress.getByRole('button', { name: 'Cancel' }).click();
    await toast(p, 'Sweep cancelled: long.circuit.yaml. No results file was written.').waitFor({ state: 'visible', timeout: WAIT.cancel });
    await waitUntil('every worker process to exit', WAIT.cancel, () =>
      stillAlive(workers.map((w) => w.pid)).length === 0 && processesMatching(server.pid, WORKER).length === 0 ? true : undefined);
    await p.locator('.statusbar-item', { hasText: 'Sweep: planted circuit' }).waitFor({ state: 'hidden' });
    await waitUntil('the activity bar badge to go (nothing runs)', WAIT.cancel, async () => ((await badge.isVisible()) ? undefined : true));
    // No results file, partial or temporary; the journal of finished work units may stay (Resume Sweep finishes it).
    const leftovers = filesUnder(suite.workspace()).filter((f) => (/long\.results/.test(f) && !/long\.results\.journal\.jsonl$/.test(f)) || /\.tmp\b|\.partial\b/.test(f));
    assert.deepStrictEqual(leftovers, [], 'no results file, partial or temporary, for the cancelled sweep');
    // The Runs tree (still open in the side bar) says what happened, and offers to finish it.
    const tree = await openRunsTree(p);
    const row = treeRow(tree, 'planted circuit (e2e long, cancelled)');
    await row.waitFor({ state: 'visible', timeout: WAIT.webview });
    // The tree redraws asynchronously after the store changes: wait for the row to say so, then check it.
    const cancelledRow = async () => (await treeRows(tree)).find((r) => r.label === 'planted circuit (e2e long, cancelled)');
    await waitUntil('the Runs tree to show the run as cancelled', WAIT.cancel, async () => (/· cancelled$/.test((await cancelledRow())?.description ?? '') ? true : undefined)).catch(() => undefined);
    const shown = await cancelledRow();
    assert.ok(shown && /· cancelled$/.test(shown.description) && shown.icon === 'debug-stop', `the cancelled run: ${JSON.stringify(shown)}`);
    const menu = await contextMenuOf(p, row);
    for (const item of ['Resume Sweep', 'Rerun Sweep', 'Remove Run', 'Show Entanglement Chart']) assert.ok(menu.includes(item), `"${item}" on a cancelled run: ${JSON.stringify(menu)}`);
    for (const item of ['Cancel Sweep', 'Open Results File', 'Reveal Results in Explorer']) assert.ok(!menu.includes(item), `no "${item}" on a cancelled run: ${JSON.stringify(menu)}`);
    // The file's lens offers Resume; the palette has Resume and no longer Cancel.
    await p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Resume sweep' }).waitFor({ state: 'visible', timeout: WAIT.webview });
    const after = await paletteCommands(p, 'Circuit Thermometer: ');
    assert.ok(after.includes('Circuit Thermometer: Resume Sweep') && !after.includes('Circuit Thermometer: Cancel Sweep'), `palette after the cancel: ${JSON.stringify(after)}`);
    await screenshot(p, 'cancel');

    // Resume from the tree: the sweep goes on from the units its journal kept, then is cancelled again.
    await runFromContextMenu(p, row, 'Resume Sweep');
    const resumed = toast(p, 'sweeping planted circuit (e2e long, cancelled)');
    await resumed.waitFor({ state: 'visible', timeout: WAIT.sweepStart });
    const doneAfter = await waitUntil('the resumed sweep\'s first progress message', WAIT.sweepStart, async () => {
      const m = /\b(\d+) of 40 work units done\b/.exec(squash(await resumed.innerText().catch(() => '')));
      return m ? Number(m[1]) : undefined;
    }, 100);
    assert.ok(doneAfter >= doneBefore, `the resumed sweep starts from the ${doneBefore} kept units, not from 0 (${doneAfter})`);
    await resumed.getByRole('button', { name: 'Cancel' }).click();
    await toast(p, 'Sweep cancelled').waitFor({ state: 'visible', timeout: WAIT.cancel });
    await waitUntil('every worker process to exit', WAIT.cancel, () => (processesMatching(server.pid, WORKER).length === 0 ? true : undefined));
  });

  it('the webviews log no console errors and no CSP violations, under a strict nonce policy', async () => {
    const p = page();
    const wb = suite.workbench();
    // Bring the chart back from the Runs tree (the only webview left: the Runs view is a native tree).
    await treeRow(await openRunsTree(p), 'planted circuit (e2e quick)').click();
    const chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);

    for (const [name, frame] of [['chart', chart]] as const) {
      const policy = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.ok(policy, `the ${name} webview declares a Content-Security-Policy`);
      assert.match(policy, /default-src 'none'/, `${name}: ${policy}`);
      const scriptSrc = /script-src ([^;]*)/.exec(policy)?.[1] ?? '';
      assert.match(scriptSrc, /^'nonce-[A-Za-z0-9+/=]{16,}'$/, `${name}: scripts only by nonce: ${policy}`);
      // Sources are the nonce, the webview's own origin (cspSource), data:/blob: images; no wildcard, no scheme.
      assert.doesNotMatch(policy, /unsafe-eval|unsafe-inline|unsafe-hashes|(^|[\s;])(\*|https?:|ws:)(?=[\s;]|$)/, `${name}: nothing loose: ${policy}`);
    }
    const errors = wb.console.unexpectedErrors();
    const violations = wb.console.cspViolations();
    await screenshot(p, 'webviews-console');
    assert.deepStrictEqual(violations, [], 'no CSP violations while the chart drew a live sweep and a finished one');
    assert.deepStrictEqual(errors, [], 'no console errors beyond the known workbench noise');

    // The check above can see violations: an inline script without the nonce is refused and reported.
    await chart.locator('body').evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.body.dataset.canary = "ran"';
      document.body.append(s);
    });
    await waitUntil('the planted violation to be reported', WAIT.cancel, () => (wb.console.cspViolations().length > 0 ? true : undefined));
    assert.strictEqual(await chart.locator('body').getAttribute('data-canary'), null, 'the inline script did not run');
  });

  it('README screenshot of a finished sweep\'s chart (CT_E2E_DOCS=1 only)', async function () {
    if (!DOCS) this.skip();
    this.timeout(600_000);
    const p = page();
    const example = docsExample(suite.workspace());
    await runCommand(p, 'View: Close All Editors');
    await openFile(p, example);
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const finished = toast(p, 'Sweep finished:');
    await finished.waitFor({ state: 'visible', timeout: 540_000 });
    await finished.getByRole('button', { name: 'Show Chart' }).click();
    const chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    await runCommand(p, 'View: Close Primary Side Bar');
    // Focus on the workbench (not inside the chart's iframe) before the next palette command.
    await p.locator('.tab.active', { hasText: 'Chart:' }).click();
    await runCommand(p, 'Notifications: Clear All Notifications');
    await p.locator('.tab.active', { hasText: 'Chart:' }).click();
    await runCommand(p, 'View: Toggle Maximize Editor Group');
    await p.waitForTimeout(2000); // Plotly's responsive relayout
    await chart.locator('body').evaluate(() => window.scrollTo(0, 0));
    await docsImage(p, 'chart.png', await webviewBox(p));
    await runCommand(p, 'View: Toggle Maximize Editor Group');
  });
});

/**
 * The example the README's chart shows, copied into the workspace: examples/modular's first hypothesis when
 * there is one, else the planted κ = 1 circuit (examples/planted/kappa-1.circuit.yaml). Returns the
 * hypothesis's path relative to the workspace.
 */
function docsExample(ws: string): string {
  const modular = path.join(REPO_ROOT, 'examples', 'modular');
  const hyps = fs.existsSync(modular) ? fs.readdirSync(modular).filter((f) => /\.circuit\.ya?ml$/.test(f)).sort() : [];
  if (hyps.length > 0) {
    fs.cpSync(modular, path.join(ws, 'modular'), { recursive: true, filter: (src) => !/[\\/](out|scripts)$/.test(src) && !/\.results\.json$/.test(src) });
    return `modular/${hyps[0]}`;
  }
  fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'planted', 'kappa-1.circuit.yaml'), path.join(ws, 'kappa-1.circuit.yaml'));
  return 'kappa-1.circuit.yaml';
}

// ---------------------------------------------------------------------------------------------------------------

/** The chart webview shows `doc` (read from disk): the plotted values, the clean-window shading and the t_ent
 *  marker equal the results file's numbers; the SVG really draws them; the verdict and the level table agree. */
async function assertChartShows(chart: FrameLocator, doc: ResultsDocument, resultsPath: string): Promise<void> {
  const gd = chart.locator('#chart');
  assert.strictEqual(await gd.getAttribute('data-run-id'), resultsPath);
  const fig = await gd.evaluate((el) => {
    const g = el as unknown as {
      data: { uid?: string; x: number[]; y: number[]; customdata?: number[]; visible?: unknown }[];
      layout: { shapes?: { name?: string; type?: string; x0?: number; x1?: number; fillcolor?: string }[]; xaxis?: { type?: string } };
    };
    return {
      // A panel drawn on a symlog scale keeps each point's value in data units in customdata.
      traces: g.data.map((t) => ({ uid: t.uid ?? '', x: Array.from(t.x), y: Array.from(t.customdata ?? t.y), visible: t.visible ?? true })),
      shapes: (g.layout.shapes ?? []).map((s) => ({ name: s.name ?? '', type: s.type ?? '', x0: s.x0, x1: s.x1, fillcolor: s.fillcolor ?? '' })),
      xType: g.layout.xaxis?.type ?? '',
    };
  });
  const trace = (uid: string) => {
    const t = fig.traces.find((x) => x.uid === uid);
    assert.ok(t, `the chart has a trace ${uid} (has ${fig.traces.map((x) => x.uid).join(', ')})`);
    return t;
  };
  const levels = doc.levels.map((l) => l.level);
  const ci = (e: { ci95?: [number, number]; mean: number; se: number }, i: 0 | 1) => (e.ci95 ? e.ci95[i] : e.mean + (i ? 1.96 : -1.96) * e.se);
  const expected: Record<string, number[]> = {
    target: doc.levels.map((l) => l.targetEffect.mean),
    'target-lower': doc.levels.map((l) => ci(l.targetEffect, 0)),
    'target-upper': doc.levels.map((l) => ci(l.targetEffect, 1)),
    collateral: doc.levels.map((l) => l.collateralEffect.mean),
    'collateral-lower': doc.levels.map((l) => ci(l.collateralEffect, 0)),
    'collateral-upper': doc.levels.map((l) => ci(l.collateralEffect, 1)),
    'loss-gap': doc.levels.map((l) => l.lossGap.mean),
  };
  for (const [uid, ys] of Object.entries(expected)) {
    const t = trace(uid);
    assert.deepStrictEqual(t.x, levels, `${uid}: x = the levels of the results file`);
    assert.deepStrictEqual(t.y, ys, `${uid}: y = the results file's values`);
    assert.notStrictEqual(t.visible, false, `${uid} is shown`);
  }
  assert.strictEqual(fig.xType, 'log', 'temperature on a log axis');

  const v = doc.verdict;
  const shape = (name: string) => {
    const s = fig.shapes.find((x) => x.name === name);
    assert.ok(s, `the chart has the shape ${name} (has ${fig.shapes.map((x) => x.name).join(', ')})`);
    return s;
  };
  const clean = shape('clean-window');
  assert.strictEqual(clean.type, 'rect');
  assert.deepStrictEqual([clean.x0, clean.x1], v.cleanWindow, 'the shading spans the clean window of the results file');
  assert.match(clean.fillcolor, /rgba\(.*,\s*0?\.\d+\)/, 'the clean window is shaded (translucent fill)');
  const tEnt = shape('marker-t-ent');
  assert.deepStrictEqual([tEnt.type, tEnt.x0, tEnt.x1], ['line', v.tEnt, v.tEnt], 'the t_ent marker stands at the results file t_ent');
  if (v.tSurv !== null) assert.strictEqual(shape('marker-t-surv').x0, v.tSurv);

  // Drawn, not only configured: Plotly rendered the shapes, their labels and one line per trace.
  const svgText = squash(await gd.locator('svg.main-svg').first().evaluate((s) => s.parentElement?.textContent ?? ''));
  assert.ok(svgText.includes(`t_ent = ${formatLevel(v.tEnt as number)}`), `the t_ent label is drawn: ${svgText.slice(0, 300)}`);
  assert.ok(svgText.includes('clean window'), 'the clean window label is drawn');
  assert.ok((await gd.locator('.shapelayer path').count()) >= 3, 'shading and markers are drawn');
  assert.ok((await gd.locator('.scatterlayer .trace').count()) >= Object.keys(expected).length, 'the traces are drawn');
  const box = await gd.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 250, `the plot has room: ${JSON.stringify(box)}`);

  const verdict = chart.locator('[data-testid=verdict]');
  assert.ok(squash(await verdict.innerText()).includes(v.summary), 'the verdict line is the results file verdict');
  assert.strictEqual(await verdict.getAttribute('data-t-ent'), String(v.tEnt));
  assert.strictEqual(await chart.locator('table#levels tbody tr').count(), doc.levels.length, 'one table row per level');
}

async function showProblems(p: Page): Promise<void> {
  const panel = p.locator('.markers-panel');
  if (await panel.isVisible()) return;
  await runCommand(p, 'View: Toggle Problems');
  await panel.waitFor({ state: 'visible' });
}

/** The bounding box of the visible webview (the chart panel's iframe). */
async function webviewBox(p: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const frames = p.locator('iframe.webview.ready');
  for (let i = 0; i < (await frames.count()); i++) {
    const box = await frames.nth(i).boundingBox();
    if (box && box.width > 400 && box.height > 300) return box;
  }
  throw new Error('no visible webview');
}

/** The smallest box holding every element of `selectors` (each one's first match). */
async function unionBox(p: Page, selectors: string[]): Promise<{ x: number; y: number; width: number; height: number }> {
  const boxes = [];
  for (const sel of selectors) {
    const b = await p.locator(sel).first().boundingBox();
    if (b) boxes.push(b);
  }
  assert.ok(boxes.length > 0, `none of ${selectors.join(', ')} is on screen`);
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
}

/** Writes a README screenshot (docs/images/<name>), clipped to `clip` when given. */
async function docsImage(p: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  fs.mkdirSync(DOCS_DIR, { recursive: true });
  const file = path.join(DOCS_DIR, name);
  await p.screenshot({ path: file, clip });
  const kb = fs.statSync(file).size / 1024;
  console.log(`    docs image: ${path.relative(REPO_ROOT, file)} (${kb.toFixed(0)} KB)`);
  assert.ok(kb < 400, `${name} is under 400 KB`);
}

function squash(s: string): string {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}

/** A value for a CSS attribute selector in double quotes. */
function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]);
}
