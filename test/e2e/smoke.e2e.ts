/**
 * Smoke test of the e2e harness itself: a real code-server workbench in headless Chromium
 * opens a workspace file through Quick Open and shows its text. No extension involved.
 *
 *   bash test/e2e/setup-harness.sh
 *   npx mocha --require tsx/cjs test/e2e/smoke.e2e.ts --timeout 300000
 */
import * as assert from 'assert';
import {
  activeEditorText,
  collectConsole,
  openFile,
  openWorkbench,
  processTree,
  runCommand,
  screenshot,
  startCodeServer,
  stillAlive,
  tempWorkspace,
  type CodeServer,
  type Workbench,
} from './harness';

describe('e2e harness smoke: code-server + Chromium', function () {
  this.timeout(300_000);
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await screenshot(wb.page, `failed-${this.currentTest.title}`).catch(() => undefined);
    }
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('opens hello.txt via Quick Open and shows its text', async () => {
    const text = 'Hello from the Circuit Thermometer e2e harness';
    const ws = tempWorkspace({ 'hello.txt': `${text}\nsecond line\n` });
    server = await startCodeServer({ workspaceDir: ws, trusted: true });
    wb = await openWorkbench(server.url);
    const { page } = wb;

    await openFile(page, 'hello.txt');
    const shown = await activeEditorText(page);
    assert.ok(shown.includes(text), `editor shows ${JSON.stringify(shown)}`);
    assert.ok(shown.includes('second line'), `editor shows ${JSON.stringify(shown)}`);

    // The palette runs a command by title. A terminal also exercises code-server's native
    // node-pty, and its shell (a session leader of its own) must still die in stop().
    await runCommand(page, 'Terminal: Create New Terminal');
    const rows = page.locator('.terminal-wrapper .xterm-rows').first();
    await rows.waitFor({ state: 'visible' });
    // xterm reads keys from its hidden textarea; focus it rather than click (overlays).
    await page.locator('.terminal-wrapper .xterm-helper-textarea').first().focus();
    await page.keyboard.type('echo pty-$((6*7))');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => /pty-42\s/.test((document.querySelector('.terminal-wrapper .xterm-rows') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.txt' }).waitFor({ state: 'visible' });

    const png = await screenshot(page, 'smoke-hello');
    assert.ok(png.endsWith('smoke-hello.png'));

    const log = await collectConsole(page);
    if (process.env.CT_E2E_DEBUG) console.log(log.entries);
    assert.deepStrictEqual(log.cspViolations(), [], 'no CSP violations in the bare workbench');
    assert.deepStrictEqual(log.unexpectedErrors(), [], 'no console errors beyond the known noise');
  });

  it('stop() ends the server and every process it started', async () => {
    assert.ok(server, 'server started by the previous test');
    const pids = processTree(server.pid);
    assert.ok(pids.length >= 2, `server has helper processes: ${pids}`);
    await wb?.close();
    await server.stop();
    assert.deepStrictEqual(stillAlive(pids), [], 'no process of the server survives stop()');
  });
});
