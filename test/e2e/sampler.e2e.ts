/**
 * The sampler in the editor, in a real VS Code (code-server + Chromium, the packaged .vsix): the chart panel's Sampler
 * tab draws a sgld sweep's chains (the figure's traces are the results file's, the levels that did not converge are
 * named above it, the tab survives a reload), and *Calibrate Sampler* opens its grid in an editor panel (the heatmap,
 * the recommended ε per level) whose recommendation the code action on the file's `sgld:` line and the panel's
 * button write into the file.
 *
 *   npx mocha --no-config --require tsx/cjs --timeout 300000 test/e2e/sampler.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { formatLevel } from '../../src/chart/format';
import type { ResultsDocument } from '../../src/protocol/results';
import { fixtureText } from './fixtures/workspace';
import {
  activeEditorText,
  goToLine,
  openFile,
  runCommand,
  screenshot,
  toast,
  waitUntil,
  webviewWith,
} from './harness';
import { useWorkbench } from './suite';

const WAIT = { diagnostics: 90_000, sweep: 180_000, webview: 60_000, short: 30_000 };

function squash(s: string): string {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}

interface Trace { uid: string; type: string; yaxis: string; y: (number | null)[]; z?: (number | null)[][] }

/** The traces Plotly holds for the graph div `selector` (its `data`), as plain JSON. */
async function tracesOf(frame: FrameLocator, selector: string): Promise<Trace[]> {
  return frame.locator(selector).evaluate((el) => {
    const g = el as unknown as { data: { uid?: string; type?: string; yaxis?: string; y?: ArrayLike<number | null>; z?: ArrayLike<number | null>[] }[] };
    return g.data.map((t) => ({ uid: t.uid ?? '', type: t.type ?? 'scatter', yaxis: t.yaxis ?? 'y', y: Array.from(t.y ?? []), ...(t.z ? { z: Array.from(t.z, (row) => Array.from(row)) } : {}) }));
  });
}

describe('Circuit Thermometer in VS Code: the sampler dashboard and calibration', function () {
  this.timeout(300_000);
  const suite = useWorkbench({
    failedPrefix: 'sampler-failed',
    closeEditors: true,
    prepare: (dir) => { for (const f of ['sampler.circuit.yaml', 'calibrate.circuit.yaml']) fs.writeFileSync(path.join(dir, f), fixtureText(f)); },
  });
  const page = suite.page;
  const ws = () => suite.workspace();
  /** How many console errors and CSP violations there were once the reloaded window was up again. */
  let consoleMark = { errors: 0, csp: 0 };

  it('the chart panel\'s Sampler tab says why a weight-noise run has no chains, draws a sgld sweep\'s, names the levels that did not converge, and survives a reload', async () => {
    const p = page();
    // A weight-noise sweep first: its Sampler tab has nothing to draw, and says why.
    await openFile(p, 'quick.circuit.yaml');
    // The suite's first command: wait for the extension's CodeLens on the file, so that the extension is active and
    // knows the active editor (else Run Sweep may ask which hypotheses to sweep: one CI run did).
    await p.locator('.editor-group-container.active .codelens-decoration', { hasText: 'Run sweep' }).waitFor({ state: 'visible', timeout: WAIT.diagnostics });
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const quick = toast(p, 'Sweep finished: planted circuit (e2e quick)');
    await quick.waitFor({ state: 'visible', timeout: WAIT.sweep });
    await quick.getByRole('button', { name: 'Show Chart' }).click();
    let chart = await webviewWith(p, '#chart[data-state="ready"]', WAIT.webview);
    try {
      // Two tabs; the chart opens on Entanglement.
      const headers = squash((await chart.locator('vscode-tab-header').allInnerTexts()).join(' | '));
      assert.strictEqual(headers, 'Entanglement | Sampler');
      await chart.locator('vscode-tab-header[data-tab="sampler"]').click();
      const empty = chart.locator('#sampler [data-testid=sampler-empty]');
      await empty.waitFor({ state: 'visible', timeout: WAIT.short });
      assert.strictEqual(squash(await empty.innerText()), 'weight-noise draws are independent: there are no chains to show');
      assert.ok(!(await chart.locator('[data-testid=sampler-convergence]').isVisible()), 'no convergence line without chains');
      await screenshot(p, 'sampler-tab-no-chains');

      // Then the sgld sweep: the panel, still on its Sampler tab, draws its chains.
      await p.locator('.tab', { hasText: 'quick.circuit.yaml' }).first().click();
      await openFile(p, 'sampler.circuit.yaml');
      await runCommand(p, 'Circuit Thermometer: Run Sweep');
      const finished = toast(p, 'Sweep finished: planted circuit (e2e sampler)');
      await finished.waitFor({ state: 'visible', timeout: WAIT.sweep });
      const resultsPath = path.join(ws(), 'sampler.results.json');
      const doc = JSON.parse(fs.readFileSync(resultsPath, 'utf8')) as ResultsDocument;
      assert.strictEqual(doc.dial, 'sgld');
      await finished.getByRole('button', { name: 'Show Chart' }).click();
      chart = await webviewWith(p, `#sampler[data-state="ready"][data-run-id="${resultsPath.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`, WAIT.webview);
      await assertSamplerShows(chart, doc, resultsPath);
      await chart.locator('[data-testid=sampler-convergence]').evaluate((e) => e.scrollIntoView());
      await screenshot(p, 'sampler-tab');

      // The console so far (the last test checks what follows the reload; the unloading workbench logs its own).
      const wb = suite.workbench();
      assert.deepStrictEqual(wb.console.cspViolations(), [], 'no CSP violations while the Sampler tab drew');
      assert.deepStrictEqual(wb.console.unexpectedErrors(), [], 'no console errors while the Sampler tab drew');

      // The tab is in the page's state: a reloaded window restores the panel on it.
      await runCommand(p, 'Developer: Reload Window');
      await p.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: WAIT.webview });
      chart = await webviewWith(p, '#sampler[data-state="ready"]', WAIT.webview * 2);
      consoleMark = { errors: wb.console.unexpectedErrors().length, csp: wb.console.cspViolations().length };
      await assertSamplerShows(chart, doc, resultsPath);
      await screenshot(p, 'sampler-tab-after-reload');

      // Back to the entanglement chart: drawn for its width (it was hidden while the Sampler tab was shown).
      await chart.locator('vscode-tab-header[data-tab="entanglement"]').click();
      await waitUntil('the entanglement chart laid out again', WAIT.webview, async () => {
        const w = Number(await chart.locator('#chart').getAttribute('data-width').catch(() => '0'));
        return w > 300 && (await chart.locator('#chart[data-state="ready"]').count()) > 0 ? true : undefined;
      });
      assert.ok(await chart.locator('#chart .scatterlayer .trace').count() > 0, 'the entanglement chart is drawn');
      assert.ok(!(await chart.locator('#sampler').isVisible()), 'the dashboard is hidden on the Entanglement tab');
    } finally {
      await p.locator('.tab', { hasText: 'Chart:' }).first().click({ timeout: WAIT.short }).catch(() => undefined);
      await runCommand(p, 'View: Close All Editors');
    }
  });

  it('Calibrate Sampler shows its grid in an editor panel; the code action and the panel\'s button write the step size', async () => {
    const p = page();
    const file = path.join(ws(), 'calibrate.circuit.yaml');
    const original = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(original, /stepSize/, 'the fixture writes no step size');
    await openFile(p, 'calibrate.circuit.yaml');
    await runCommand(p, 'Circuit Thermometer: Calibrate Sampler');
    try {
      // The notification offers the panel, no longer the browser.
      const note = toast(p, 'Calibration of calibrate.circuit.yaml');
      await note.waitFor({ state: 'visible', timeout: WAIT.sweep });
      const noteText = squash(await note.innerText());
      assert.ok(await note.getByRole('button', { name: 'Show Calibration' }).count() === 1, `"Show Calibration": ${noteText}`);
      assert.strictEqual(await note.getByRole('button', { name: 'Open Heatmap' }).count(), 0, noteText);

      // The panel opened beside the editor: the heatmap of acceptance per (ε, t) cell, the recommendation, ε per level.
      const panel = await webviewWith(p, '#heatmap[data-state="ready"]', WAIT.webview);
      await p.locator('.tab', { hasText: 'Calibration: calibrate.circuit.yaml' }).waitFor({ state: 'visible' });
      const heat = (await tracesOf(panel, '#heatmap')).find((t) => t.type === 'heatmap');
      assert.ok(heat?.z, 'a heatmap trace');
      assert.strictEqual(heat.z.length, 8, 'one row per step size of the grid');
      assert.ok(heat.z.every((row) => row.length === 2), 'one column per temperature');
      assert.ok(heat.z.flat().some((a) => a !== null && a >= 0.9) && heat.z.flat().every((a) => a === null || (a >= 0 && a <= 1)), `acceptances: ${JSON.stringify(heat.z)}`);
      assert.ok(await panel.locator('#heatmap .hm, #heatmap .heatmaplayer image, #heatmap .heatmaplayer').count() > 0, 'the heatmap is drawn');
      const stepSize = await panel.locator('[data-testid=calibration-recommendation]').getAttribute('data-step-size');
      assert.ok(stepSize && Number(stepSize) > 0, `a recommended step size: ${stepSize}`);
      assert.strictEqual(await panel.locator('table#per-level tbody tr').count(), 2, 'the recommended ε of each temperature');
      const button = panel.locator('vscode-button[data-action="write-step-size"]');
      assert.strictEqual(squash(await button.innerText()), `Write stepSize: ${stepSize} into calibrate.circuit.yaml`);
      // The file leaves ε to auto: the panel either keeps auto with its reason (auto's per-level ε differ; the
      // button is then a secondary choice) or recommends the one ε; either way it says which.
      const said = squash(await panel.locator('[data-testid=calibration-recommendation]').innerText());
      const kept = /^Keep stepSize: auto \(the default\): it picks ε per level, here from \S+ at t = \S+ to \S+ at t = \S+ \([\d.]+× apart\)/.test(said);
      assert.ok(kept || said.startsWith(`Recommended: stepSize ${stepSize}`), said);
      assert.strictEqual(await button.getAttribute('secondary') !== null, kept, 'secondary exactly when auto is kept');
      // The notification says what the panel says; over auto kept for a reason its write is the last button, "… anyway".
      assert.ok(noteText.includes(said.slice(0, 60)), `the notification gives the panel's recommendation: ${noteText}`);
      assert.strictEqual(await note.getByRole('button', { name: kept ? `Write stepSize: ${stepSize} anyway` : `Write stepSize: ${stepSize}`, exact: true }).count(), 1, noteText);
      // Column labels stay apart; R̂ is explained under the figure.
      const ticks = await panel.locator('#heatmap .xtick text').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().toJSON() as { x: number; width: number }));
      assert.strictEqual(ticks.length, 2, 'one label per temperature');
      assert.ok(ticks[0]!.x + ticks[0]!.width < ticks[1]!.x, `the column labels do not overlap: ${JSON.stringify(ticks)}`);
      assert.match(squash(await panel.locator('[data-testid=calibration-rhat]').innerText()), /split-R̂ .* It does not judge the sweep/);
      await screenshot(p, 'calibration-panel');
      // The same strict policy as the other webviews: scripts by nonce only, nothing loose.
      const policy = await panel.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.ok(policy && /default-src 'none'/.test(policy) && /script-src 'nonce-[A-Za-z0-9+/=]{16,}';/.test(policy), `the calibration panel's policy: ${policy}`);
      assert.doesNotMatch(policy, /unsafe-eval|unsafe-inline|unsafe-hashes|(^|[\s;])(\*|https?:|ws:)(?=[\s;]|$)/, policy);

      // The code action on the sgld: line (there is no stepSize: line yet).
      await p.locator('.tab', { hasText: 'calibrate.circuit.yaml' }).filter({ hasNotText: 'Calibration' }).first().click();
      const sgldLine = original.split('\n').findIndex((l) => l.startsWith('  sgld:')) + 1;
      await goToLine(p, sgldLine, 5);
      await p.keyboard.press('Control+.');
      const action = p.locator('.action-widget .monaco-list-row', { hasText: `Use the calibrated step size ${stepSize} (from Calibrate Sampler, ` });
      await action.waitFor({ state: 'visible', timeout: WAIT.short });
      assert.match(squash(await action.innerText()), /\(from Calibrate Sampler, \d\d:\d\d\)/, 'the time of the calibration');
      await screenshot(p, 'calibration-code-action');
      await waitUntil('the code action to be selected', WAIT.short, async () => {
        if (await action.evaluate((row) => row.classList.contains('focused'))) return true;
        await p.keyboard.press('ArrowDown');
        return undefined;
      });
      await p.keyboard.press('Enter');
      await p.locator('.action-widget').waitFor({ state: 'hidden' });
      await waitUntil(`the editor to show stepSize: ${stepSize}`, WAIT.short, async () => ((await activeEditorText(p)).includes(`sgld: { stepSize: ${stepSize}, chains: 2`) ? true : undefined));
      // The panel follows the file: its button is off now that the file holds the value.
      await waitUntil('the panel to see the written step size', WAIT.short, async () => ((await button.getAttribute('disabled')) !== null ? true : undefined));
      assert.match(squash(await panel.locator('body').innerText()), new RegExp(`sets stepSize: ${stepSize.replace('.', '\\.')} already`));

      // Undone and saved, the panel's button writes it (and saves the file, which had no changes of its own).
      await p.keyboard.press('Control+Z');
      await waitUntil('the edit undone', WAIT.short, async () => (!(await activeEditorText(p)).includes('stepSize') ? true : undefined));
      await p.keyboard.press('Control+S');
      await waitUntil('the file saved without a step size', WAIT.short, () => (fs.readFileSync(file, 'utf8') === original ? true : undefined));
      await waitUntil('the panel\'s button on again', WAIT.short, async () => ((await button.getAttribute('disabled')) === null ? true : undefined));
      await button.click();
      const written = await waitUntil('the step size written to disk', WAIT.short, () => {
        const text = fs.readFileSync(file, 'utf8');
        return text.includes(`stepSize: ${stepSize}`) ? text : undefined;
      });
      assert.strictEqual(written, original.replace('sgld: { chains: 2', `sgld: { stepSize: ${stepSize}, chains: 2`), 'only the step size was added');
      await waitUntil('the panel to see the written step size', WAIT.short, async () => ((await button.getAttribute('disabled')) !== null ? true : undefined));
      await screenshot(p, 'calibration-written');

      // A reloaded window brings the panel back with its grid (kept in the workspace state), not an empty editor.
      // What the panel logged so far is checked now: a reload's own shutdown messages are workbench noise.
      const wb = suite.workbench();
      assert.deepStrictEqual(wb.console.cspViolations().slice(consoleMark.csp), [], 'no CSP violations while the heatmap drew');
      assert.deepStrictEqual(wb.console.unexpectedErrors().slice(consoleMark.errors), [], 'no console errors while the calibration panel was used');
      await runCommand(p, 'Developer: Reload Window');
      await p.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: WAIT.webview });
      consoleMark = { errors: wb.console.unexpectedErrors().length, csp: wb.console.cspViolations().length };
      const restored = await webviewWith(p, '#heatmap[data-state="ready"]', WAIT.webview * 2);
      await p.locator('.tab', { hasText: 'Calibration: calibrate.circuit.yaml' }).waitFor({ state: 'visible' });
      assert.strictEqual(await restored.locator('[data-testid=calibration-recommendation]').getAttribute('data-step-size'), stepSize);
      assert.strictEqual((await tracesOf(restored, '#heatmap')).find((t) => t.type === 'heatmap')?.z?.length, 8, 'the same grid');
      await screenshot(p, 'calibration-after-reload');
    } finally {
      fs.writeFileSync(file, original);
      await p.locator('.tab', { hasText: 'calibrate.circuit.yaml' }).first().click({ timeout: WAIT.short }).catch(() => undefined);
      await runCommand(p, 'View: Close All Editors');
    }
  });

  it('the restored Sampler tab and the calibration panel logged no console errors and no CSP violations', () => {
    const wb = suite.workbench();
    assert.deepStrictEqual(wb.console.cspViolations().slice(consoleMark.csp), [], 'no CSP violations while the dashboard and the heatmap drew');
    assert.deepStrictEqual(wb.console.unexpectedErrors().slice(consoleMark.errors), [], 'no console errors beyond the known workbench noise');
  });
});

/** The Sampler tab shows `doc`'s chains: every chain's loss trace equals the results file's, the per-level
 *  diagnostics are there, and the line above names exactly the levels whose chains did not converge. */
async function assertSamplerShows(chart: FrameLocator, doc: ResultsDocument, resultsPath: string): Promise<void> {
  const gd = chart.locator('#sampler');
  assert.strictEqual(await gd.getAttribute('data-run-id'), resultsPath);
  const traces = await tracesOf(chart, '#sampler');
  const losses = traces.filter((t) => t.yaxis === 'y');
  const expected = doc.levels.flatMap((l) => l.chains.map((c) => c.loss));
  assert.strictEqual(losses.length, expected.length, 'one loss trace per chain');
  assert.deepStrictEqual(losses.map((t) => t.y), expected, 'the loss traces are the results file\'s');
  assert.strictEqual(traces.filter((t) => t.yaxis === 'y2').length, expected.length, 'one ‖w − w*‖ trace per chain');
  for (const uid of ['dashboard-rhat', 'dashboard-ess', 'dashboard-acceptance', 'dashboard-step-size']) assert.ok(traces.some((t) => t.uid === uid), `the ${uid} trace`);
  assert.ok(await gd.locator('.scatterlayer .trace').count() >= expected.length * 2, 'the traces are drawn');
  const box = await gd.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 300, `the dashboard has room: ${JSON.stringify(box)}`);

  const notConverged = doc.levels.filter((l) => l.tests?.converged === false && !l.error);
  const note = chart.locator('[data-testid=sampler-convergence]');
  assert.strictEqual(await gd.getAttribute('data-unconverged'), notConverged.map((l) => String(l.level)).join(','));
  if (notConverged.length === 0) {
    // Every level converged: the line says so, in the normal colour.
    const said = squash(await note.innerText());
    assert.ok(said.startsWith(`all ${doc.levels.filter((l) => l.convergence && !l.error).length} levels converged: worst R̂ `), said);
    assert.strictEqual(await note.getAttribute('data-converged'), 'true');
  } else {
    assert.ok(await note.isVisible(), 'the unconverged levels are named');
    assert.ok(squash(await note.innerText()).startsWith(`not converged at t = ${notConverged.map((l) => formatLevel(l.level)).join(', ')} (R̂ `), squash(await note.innerText()));
  }
}
