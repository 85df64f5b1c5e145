/**
 * Two dials at once in a real VS Code (code-server + Chromium, the packaged .vsix): a hypothesis with
 * degradation.grid offers Run grid / Show grid lenses (not Run sweep); Run grid runs its 6 cells in worker processes
 * with a progress notification, writes grid.grid.json and opens the map panel, whose Plotly figure holds the file's
 * clean cells, E_T and E_C and outlines its clean region; the Runs tree lists the run and opens its map; the
 * .grid.json opened as text offers Show grid. A longer map cancelled after its first cells keeps them in its journal:
 * the notification says so, the file shows a Resume grid lens, and Resume grid runs only the missing cells and writes
 * the map an uninterrupted run writes, number for number.
 *
 *   npx mocha --no-config --require tsx/cjs --timeout 300000 test/e2e/grid.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { cleanOutline, GRID_SHAPE, GRID_TRACE } from '../../src/chart/gridFigure';
import { runGrid } from '../../src/engine/sweep/grid';
import { checkHypothesisFile } from '../../src/hypothesis';
import { cellState, type GridDocument } from '../../src/protocol/grid';
import { fixtureText } from './fixtures/workspace';
import { REPO_ROOT, openFile, openRunsTree, runCommand, screenshot, toast, treeRow, waitUntil, webviewWith } from './harness';
import { useWorkbench } from './suite';

const WAIT = { lens: 90_000, grid: 180_000, webview: 60_000 };

interface Heatmap { uid: string; type: string; z: (number | null)[][] }

async function figureOf(frame: FrameLocator): Promise<{ data: Heatmap[]; regionEdges: number }> {
  return frame.locator('#map').evaluate((el, region) => {
    const g = el as unknown as { data: { uid?: string; type?: string; z?: ArrayLike<number | null>[] }[]; layout: { shapes?: { name?: string }[] } };
    return {
      data: g.data.map((t) => ({ uid: t.uid ?? '', type: t.type ?? '', z: Array.from(t.z ?? [], (row) => Array.from(row)) })),
      regionEdges: (g.layout.shapes ?? []).filter((s) => s.name === region).length,
    };
  }, GRID_SHAPE.region);
}

/** The map panel shows `doc`: its summary, 6 cells, the clean cells, E_T and E_C of the file, the clean region outlined. */
async function assertMapShows(map: FrameLocator, doc: GridDocument): Promise<void> {
  const div = map.locator('#map[data-testid=grid-map][data-state=ready]');
  assert.strictEqual(await div.getAttribute('data-cells'), '6');
  assert.strictEqual(await div.getAttribute('data-clean'), String(doc.clean));
  assert.strictEqual((await map.locator('[data-testid=grid-summary]').innerText()).trim(), doc.summary);
  assert.strictEqual(await map.locator('[data-testid=grid-rows] li').count(), 2);
  const fig = await figureOf(map);
  const byUid = new Map(fig.data.map((t) => [t.uid, t]));
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  assert.deepStrictEqual(byUid.get(GRID_TRACE.target)?.z, doc.rows.map((r) => r.cells.map((c) => finite(c.targetEffect.mean))));
  assert.deepStrictEqual(byUid.get(GRID_TRACE.collateral)?.z, doc.rows.map((r) => r.cells.map((c) => finite(c.collateralEffect.mean))));
  const states = ['diverged', 'inconclusive', 'no-behaviour', 'not-clean', 'clean'];
  assert.deepStrictEqual(byUid.get(GRID_TRACE.clean)?.z, doc.rows.map((r) => r.cells.map((c) => states.indexOf(cellState(c)))));
  const outline = cleanOutline(doc.rows.map((r) => r.cells.map((c) => c.clean === true)));
  assert.strictEqual(fig.regionEdges, 3 * outline.length, 'the clean region outlined on each of the three panels');
}

describe('Circuit Thermometer in VS Code: two dials at once', function () {
  this.timeout(300_000);
  const suite = useWorkbench({
    failedPrefix: 'grid-failed',
    closeEditors: true,
    prepare: (dir) => {
      fs.writeFileSync(path.join(dir, 'grid.circuit.yaml'), fixtureText('grid.circuit.yaml'));
      // The same map with 75× the draws (seconds per cell): long enough to cancel after its first cells.
      fs.writeFileSync(path.join(dir, 'long-grid.circuit.yaml'), fixtureText('grid.circuit.yaml').replace('samples: 16', 'samples: 1200').replace('(e2e grid)', '(e2e grid, resumed)'));
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'planted', 'planted-kappa-0.3.onnx'), path.join(dir, 'planted-kappa-0.3.onnx'));
    },
  });
  const page = (): Page => suite.page();
  const gridFile = () => path.join(suite.workspace(), 'grid.grid.json');

  it('Run grid runs the map in workers, writes grid.grid.json and shows its map; the Runs tree and the file open it again', async () => {
    const p = page();
    await openFile(p, 'grid.circuit.yaml');
    const run = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run grid' });
    await run.waitFor({ state: 'visible', timeout: WAIT.lens });
    const lenses = (await p.locator('.editor-group-container.active .codelens-decoration').allInnerTexts()).join(' | ');
    assert.ok(/Show grid/.test(lenses) && !/Run sweep/.test(lenses), `grid lenses, no sweep lens: ${lenses}`);
    await run.click();
    const progress = toast(p, 'two-dial map of grid.circuit.yaml');
    const finished = toast(p, 'Grid finished: grid.circuit.yaml');
    await Promise.race([progress.waitFor({ state: 'visible', timeout: WAIT.grid }), finished.waitFor({ state: 'visible', timeout: WAIT.grid })]);
    await finished.waitFor({ state: 'visible', timeout: WAIT.grid });
    assert.ok(fs.existsSync(gridFile()), 'grid.grid.json written beside the hypothesis');
    assert.ok(fs.readdirSync(suite.workspace()).every((f) => !f.endsWith('.tmp')), 'no temp file left');
    const doc = JSON.parse(fs.readFileSync(gridFile(), 'utf8')) as GridDocument;
    assert.strictEqual(doc.kind, 'circuit-thermometer/grid');
    assert.deepStrictEqual(doc.rows.map((r) => r.step), [100, 200]);
    assert.ok(squash(await finished.innerText()).includes(doc.summary), 'the notification states the map\'s summary');
    let map = await webviewWith(p, '#map[data-testid=grid-map][data-state=ready]', WAIT.webview);
    await assertMapShows(map, doc);
    assert.match(await map.locator('[data-testid=grid-title]').innerText(), /planted circuit \(e2e grid\)/);
    await screenshot(p, 'grid-map');

    // The Runs tree lists the map under its hypothesis; a click opens the map again (after every editor was closed).
    await runCommand(p, 'View: Close All Editors');
    const tree = await openRunsTree(p);
    const row = treeRow(tree, 'planted circuit (e2e grid)');
    await row.waitFor({ state: 'visible', timeout: WAIT.webview });
    await row.click();
    map = await webviewWith(p, '#map[data-testid=grid-map][data-state=ready]', WAIT.webview);
    await assertMapShows(map, doc);

    // The grid results opened as text: Show grid opens its map.
    await runCommand(p, 'View: Close All Editors');
    await openFile(p, 'grid.grid.json');
    const show = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Show grid' });
    await show.waitFor({ state: 'visible', timeout: WAIT.lens });
    await show.click();
    map = await webviewWith(p, '#map[data-testid=grid-map][data-state=ready]', WAIT.webview);
    await assertMapShows(map, doc);
    const wb = suite.workbench();
    assert.deepStrictEqual(wb.console.cspViolations(), [], 'no CSP violations in the map panel');
    assert.deepStrictEqual(wb.console.unexpectedErrors(), [], 'no console errors');
  });

  it('a cancelled map keeps its finished cells; the Resume grid lens runs only the missing ones and writes the uninterrupted map', async () => {
    const p = page();
    await runCommand(p, 'View: Close All Editors');
    await openFile(p, 'long-grid.circuit.yaml');
    const run = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run grid' });
    await run.waitFor({ state: 'visible', timeout: WAIT.lens });
    await run.click();
    const progress = toast(p, 'two-dial map of long-grid.circuit.yaml');
    await progress.waitFor({ state: 'visible', timeout: WAIT.grid });
    const kept = await waitUntil('a progress message "k of 6 work units done" with k ≥ 1', WAIT.grid, async () => {
      const m = /\b(\d+) of 6 work units done\b/.exec(squash(await progress.innerText().catch(() => '')));
      return m && Number(m[1]) >= 1 ? Number(m[1]) : undefined;
    }, 100);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const cancelled = toast(p, 'Grid cancelled: long-grid.circuit.yaml. No grid results file was written.');
    await cancelled.waitFor({ state: 'visible', timeout: WAIT.grid });
    const said = /(\d+) of 6 work units are kept in long-grid\.grid\.journal\.jsonl: Resume Grid finishes the rest\./.exec(squash(await cancelled.innerText()));
    assert.ok(said && Number(said[1]) >= kept && Number(said[1]) < 6, `the cancel names the kept units: ${await cancelled.innerText()}`);
    const journal = path.join(suite.workspace(), 'long-grid.grid.journal.jsonl');
    const map = path.join(suite.workspace(), 'long-grid.grid.json');
    assert.ok(fs.existsSync(journal) && !fs.existsSync(map), 'the journal is kept, no map written');
    await screenshot(p, 'grid-cancelled');

    // The file's lens offers Resume grid; it goes on from the kept units.
    const resume = p.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Resume grid' });
    await resume.waitFor({ state: 'visible', timeout: WAIT.lens });
    await resume.click();
    const resumed = toast(p, 'two-dial map of long-grid.circuit.yaml');
    const finished = toast(p, 'Grid finished: long-grid.circuit.yaml');
    const first = await waitUntil('the resumed map\'s first progress message, or its end', WAIT.grid, async () => {
      if (await finished.isVisible()) return Infinity;
      const m = /\b(\d+) of 6 work units done\b/.exec(squash(await resumed.innerText().catch(() => '')));
      return m ? Number(m[1]) : undefined;
    }, 100);
    assert.ok(first >= Number(said![1]), `the resumed map starts from the ${said![1]} kept units, not from 0 (${first})`);
    await finished.waitFor({ state: 'visible', timeout: WAIT.grid });
    assert.ok(!fs.existsSync(journal), 'the journal is removed once the map is written');
    const doc = JSON.parse(fs.readFileSync(map, 'utf8')) as GridDocument;
    const checked = await checkHypothesisFile(path.join(suite.workspace(), 'long-grid.circuit.yaml'));
    assert.ok(checked.hypothesis, checked.diagnostics.map((d) => d.message).join('; '));
    assert.deepStrictEqual(numbers(doc), numbers(await runGrid(checked.hypothesis)), 'the resumed map is the uninterrupted one-process map, number for number');
    await webviewWith(p, '#map[data-testid=grid-map][data-state=ready]', WAIT.webview);
    const wb = suite.workbench();
    assert.deepStrictEqual(wb.console.cspViolations(), [], 'no CSP violations');
    assert.deepStrictEqual(wb.console.unexpectedErrors(), [], 'no console errors');
  });
});

/** A map's numbers and verdicts: no wall-clock fields, creation time, workers, or paths (the file's are relative). */
function numbers(doc: GridDocument): unknown {
  const { sweep, rows, ...rest } = doc;
  const { timings: _t, createdAt: _c, hypothesis: _h, model: _m, data: _d, ...shared } = sweep;
  return JSON.parse(JSON.stringify({ ...rest, rows: rows.map(({ checkpoint: _cp, ...r }) => r), sweep: shared }, (k, v) => (k === 'seconds' ? undefined : v)));
}

function squash(s: string): string {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}
