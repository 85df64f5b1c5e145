// The hooks every e2e suite repeats, once: package the extension, build the planted workspace, start
// code-server and open the workbench; before each test quiet the window (and, where tests open editors of their own,
// close every editor); screenshot a failed test; restore the window size and stop everything after.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { plantedWorkspace } from './fixtures/workspace';
import {
  type CodeServer,
  openWorkbench,
  packagedExtension,
  quietWindow,
  runCommand,
  screenshot,
  startCodeServer,
  TIMEOUT_PACKAGE,
  type Workbench,
} from './harness';

export interface SuiteWorkbench {
  page(): Page;
  workbench(): Workbench;
  server(): CodeServer;
  /** The suite's workspace folder (a fresh copy of the planted examples and the e2e fixtures). */
  workspace(): string;
}

export function useWorkbench(o: {
  /** Whether code-server trusts the workspace (default true). */
  trusted?: boolean;
  /** Runs once the workbench is open (the untrusted suite answers the trust dialog). */
  afterOpen?: (page: Page) => Promise<void>;
  /** Quiet the window before each test (default true). */
  quiet?: boolean;
  /** Prefix of a failed test's screenshot. */
  failedPrefix: string;
  /** Adds the suite's own files to the workspace before code-server starts. */
  prepare?: (workspace: string) => void;
  /** Start every test with no editors open, whatever the test before it left. */
  closeEditors?: boolean;
}): SuiteWorkbench {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let ws = '';
  before(async function () {
    this.timeout(TIMEOUT_PACKAGE + 300_000);
    const vsixPath = await packagedExtension();
    ws = plantedWorkspace();
    o.prepare?.(ws);
    server = await startCodeServer({ vsixPath, workspaceDir: ws, trusted: o.trusted ?? true });
    wb = await openWorkbench(server.url);
    await o.afterOpen?.(wb.page);
  });
  beforeEach(async () => {
    if (!wb) return;
    if (o.quiet ?? true) await quietWindow(wb.page);
    if (o.closeEditors) await runCommand(wb.page, 'View: Close All Editors');
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `${o.failedPrefix}-${this.currentTest.title.slice(0, 50)}`).catch(() => undefined);
  });
  after(async () => {
    await wb?.page.setViewportSize({ width: 1400, height: 900 }).catch(() => undefined);
    await wb?.close();
    await server?.stop();
  });
  const workbench = (): Workbench => {
    assert.ok(wb, 'the workbench is open');
    return wb;
  };
  return {
    page: () => workbench().page,
    workbench,
    server: () => {
      assert.ok(server, 'code-server is running');
      return server;
    },
    workspace: () => ws,
  };
}
