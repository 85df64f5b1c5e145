/**
 * Workspace Trust: the same workspace opened without trust (the user answers "No, I don't trust the
 * authors"). Hypothesis files are still checked, but no model runs: "Run Sweep" is refused with the
 * reason, no worker process starts, no results file appears, and the status bar, the CodeLens and the
 * Runs view say why.
 *
 *   npx mocha --config test/e2e/mocharc.json test/e2e/untrusted.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import {
  answerTrustDialog,
  openFile,
  openRunsTree,
  processesMatching,
  runCommand,
  screenshot,
} from './harness';
import { useWorkbench } from './suite';

const WORKER = /[\\/]dist[\\/]worker\.js\b/;
const UNTRUSTED = 'This workspace is not trusted: Circuit Thermometer checks hypothesis files but does not run models.';

describe('Circuit Thermometer in VS Code: untrusted workspace', function () {
  this.timeout(300_000);
  const suite = useWorkbench({ trusted: false, quiet: false, failedPrefix: 'failed-untrusted', afterOpen: (page) => answerTrustDialog(page, false) });

  it('runs nothing, and the status bar, the CodeLens, the refusal and the Runs view say why', async () => {
    const server = suite.server();
    const p = suite.page();
    await p.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible' });
    await openFile(p, 'quick.circuit.yaml');
    // The extension's own status bar item and the lens above the file.
    const item = p.locator('.statusbar-item', { hasText: 'Circuit Thermometer: restricted' });
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await p.locator('.codelens-decoration', { hasText: 'Run sweep (workspace not trusted)' }).waitFor({ state: 'visible', timeout: 60_000 });

    // Hypothesis files are still checked (a misspelled tensor name is found without running the model), and the
    // check that would run the model says it did not.
    await openFile(p, 'broken.circuit.yaml');
    await runCommand(p, 'View: Toggle Problems');
    const problems = p.locator('.markers-panel');
    await problems.locator('.monaco-list-row', { hasText: "no tensor '/relu/Relu_outptu_0'" }).waitFor({ state: 'visible', timeout: 90_000 });
    const notRun = squash(await problems.locator('.monaco-list-row', { hasText: 'untrusted' }).first().innerText({ timeout: 60_000 }));
    assert.match(notRun, /not run in an untrusted workspace/, notRun);
    await openFile(p, 'quick.circuit.yaml');

    // "Run Sweep" from the palette is refused, with the reason and the way out.
    await runCommand(p, 'Circuit Thermometer: Run Sweep');
    const refusal = toast(p, 'Cannot run a sweep');
    await refusal.waitFor({ state: 'visible', timeout: 30_000 });
    const text = squash(await refusal.innerText());
    assert.ok(text.includes(UNTRUSTED), `the refusal says why: ${text}`);
    await refusal.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor({ state: 'visible' });

    // The Runs tree (no runs here) says the same in its welcome content, with the way out.
    await openRunsTree(p);
    const welcome = p.locator('.part.sidebar .welcome-view-content', { hasText: 'not trusted' });
    await welcome.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(squash(await welcome.innerText()), /not trusted.*no model is run/);
    await welcome.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor({ state: 'visible' });

    // Nothing ran: no worker was started, no results file was written (checked after the refusal had time to
    // turn into a run if it were going to: the trusted scenario's worker starts within a second or two).
    await p.waitForTimeout(3000);
    assert.deepStrictEqual(processesMatching(server.pid, WORKER), [], 'no sweep worker process');
    assert.deepStrictEqual(fs.readdirSync(suite.workspace()).filter((f) => f.includes('.results')), [], 'no results file');
    assert.ok(fs.existsSync(path.join(suite.workspace(), 'quick.circuit.yaml')));
    await screenshot(p, 'untrusted');
  });
});

function toast(p: Page, text: string): Locator {
  return p.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

function squash(s: string): string {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}
