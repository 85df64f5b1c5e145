/**
 * End-to-end harness: a real VS Code workbench (code-server) driven by Debian's Chromium
 * through playwright-core, offline. See shared/E2E-RECIPE.md; code-server itself is
 * installed and cached by test/e2e/setup-harness.sh.
 *
 * No `vscode` import: this runs in plain Node (`npx tsx`, or mocha with `--require tsx/cjs`).
 *
 * Every process it starts is tracked: `CodeServer.stop()` / `Workbench.close()` end them, and a
 * process 'exit' / SIGINT / SIGTERM handler kills whatever is still alive (by process
 * group and by walking /proc for descendants), so a failing test leaves nothing running.
 * Every wait has a bound.
 *
 *   const server = await startCodeServer({ vsixPath, workspaceDir, trusted: true });
 *   const wb = await openWorkbench(server.url);        // { browser, page, console, close }
 *   try {
 *     await runCommand(wb.page, 'Circuit Thermometer: …');
 *     await webviewFrame(wb.page).locator('…').waitFor();
 *     await screenshot(wb.page, 'name');              // test-results/e2e/name.png
 *     assert.deepStrictEqual(wb.console.cspViolations(), []);
 *   } finally { await wb.close(); await server.stop(); }
 *
 * Env: CT_E2E_CACHE (cache folder), CT_CODE_SERVER_VERSION, CT_E2E_CHROMIUM,
 * CT_E2E_KEEP=1 (keep throwaway folders). Server logs: test-results/e2e/logs/.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = process.env.CT_CODE_SERVER_VERSION ?? '4.100.3';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
export const CHROMIUM_PATH = process.env.CT_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Bounds, in milliseconds. */
export const TIMEOUTS = {
  installExtension: 120_000,
  serverReady: 90_000,
  serverStop: 10_000,
  workbench: 120_000,
  quickInput: 15_000,
  /** runCommand / openFile: total time to find the row, retries included. */
  command: 60_000,
  action: 30_000,
};

// ---------------------------------------------------------------------------------------
// Locating code-server

export function cacheDir(): string {
  return process.env.CT_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'circuit-thermometer-e2e');
}

/** The code-server package folder (…/node_modules/code-server), or a clear error. */
export function codeServerDir(): string {
  const base = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(base, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(path.join(base, '.install-complete')) || !fs.existsSync(entry)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in ${base}: run \`bash test/e2e/setup-harness.sh\` first`,
    );
  }
  return path.dirname(path.dirname(path.dirname(entry)));
}

// ---------------------------------------------------------------------------------------
// Process bookkeeping

interface Tracked {
  pid: number;
  cleanup: () => void; // synchronous, safe to call twice
}
const live = new Map<number, Tracked>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = (): void => {
    for (const t of [...live.values()]) {
      try {
        t.cleanup();
      } catch {
        /* best effort at exit */
      }
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}

/** All descendants of `pid` (children first found via /proc/<n>/stat's ppid field). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces or parens: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parentOf.get(ppid) ?? [];
      list.push(Number(e));
      parentOf.set(ppid, list);
    } catch {
      /* process went away */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const c of parentOf.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); treat it as gone.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Kill a process, its process group and every descendant (which may have left the
 *  group), plus any pids in `also`. Returns every pid it signalled. */
function killTree(pid: number, signal: NodeJS.Signals, also: Iterable<number> = []): number[] {
  const pids = new Set([pid, ...descendants(pid), ...also]);
  try {
    process.kill(-pid, signal);
  } catch {
    /* no such group */
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
  return [...pids];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

function httpStatus(url: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Environment for code-server: no VS Code variables leaking in from an outer editor
 *  (VSCODE_IPC_HOOK_CLI would send --install-extension to *that* editor), and XDG
 *  folders inside the throwaway root so nothing lands in $HOME. */
function serverEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PASSWORD' || k === 'HASHED_PASSWORD') continue;
    if (k === 'PORT' || k.startsWith('CODE_SERVER_')) continue;
    env[k] = v;
  }
  env.XDG_CONFIG_HOME = path.join(root, 'xdg-config');
  env.XDG_DATA_HOME = path.join(root, 'xdg-data');
  env.XDG_CACHE_HOME = path.join(root, 'xdg-cache');
  return env;
}

/** Run a short code-server CLI command (e.g. --install-extension) to completion, bounded. */
function runCli(args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const entry = path.join(codeServerDir(), 'out', 'node', 'entry.js');
    const child = spawn(process.execPath, [entry, ...args], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid!;
    live.set(pid, { pid, cleanup: () => killTree(pid, 'SIGKILL') });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      killTree(pid, 'SIGKILL');
      reject(new Error(`code-server ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(pid);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      killTree(pid, 'SIGKILL'); // anything it left behind
      live.delete(pid);
      fs.appendFileSync(logFile, `$ code-server ${args.join(' ')}\n${out}\n[exit ${code}]\n`);
      if (code === 0) resolve(out);
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

// ---------------------------------------------------------------------------------------
// code-server

export interface StartOptions {
  /** A packaged extension to install before the server starts. */
  vsixPath?: string;
  /** The folder opened as the workspace. */
  workspaceDir: string;
  /** true: --disable-workspace-trust (no trust dialog). false: Workspace Trust is on and
   *  the folder starts untrusted (restricted mode); the trust dialog is shown. */
  trusted: boolean;
  /** Extra user settings, merged over the harness's quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra command-line arguments for code-server. */
  extraArgs?: string[];
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  /** Throwaway root holding user-data, extensions and XDG folders. */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** Kills the server, its process group and descendants; removes the throwaway root
   *  (kept when CT_E2E_KEEP=1). Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'security.workspace.trust.untrustedFiles': 'open',
  'window.restoreWindows': 'none',
  // DOM renderer: terminal text is readable from the page (the WebGL one draws on a canvas).
  'terminal.integrated.gpuAcceleration': 'off',
};

let serverCount = 0;

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  installExitHandlers();
  const csDir = codeServerDir();
  const entry = path.join(csDir, 'out', 'node', 'entry.js');
  if (!fs.existsSync(opts.workspaceDir)) throw new Error(`workspaceDir does not exist: ${opts.workspaceDir}`);
  if (opts.vsixPath && !fs.existsSync(opts.vsixPath)) throw new Error(`vsix not found: ${opts.vsixPath}`);

  // Short root: code-server puts a unix socket in the user-data dir (108-byte path limit).
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-'));
  const userDataDir = path.join(root, 'ud');
  const extensionsDir = path.join(root, 'ext');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  const configFile = path.join(root, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  fs.mkdirSync(path.join(RESULTS_DIR, 'logs'), { recursive: true });
  const logFile = path.join(RESULTS_DIR, 'logs', `code-server-${process.pid}-${++serverCount}.log`);
  fs.writeFileSync(logFile, '');
  const env = serverEnv(root);
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  let child: ChildProcess | undefined;
  let stopped = false;
  const removeRoot = (): void => {
    if (process.env.CT_E2E_KEEP === '1') return;
    try {
      fs.rmSync(root, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  };
  const syncCleanup = (): void => {
    if (child?.pid) killTree(child.pid, 'SIGKILL');
    removeRoot();
  };

  try {
    if (opts.vsixPath) {
      const out = await runCli(
        [...common, '--force', '--install-extension', path.resolve(opts.vsixPath)],
        env,
        logFile,
        TIMEOUTS.installExtension,
      );
      if (!/successfully installed|already installed/i.test(out)) {
        throw new Error(`installing ${opts.vsixPath} did not report success:\n${out}`);
      }
    }

    const port = await freePort();
    const args = [
      entry,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(opts.trusted ? ['--disable-workspace-trust'] : []),
      ...(opts.extraArgs ?? []),
      path.resolve(opts.workspaceDir),
    ];
    const logFd = fs.openSync(logFile, 'a');
    fs.writeSync(logFd, `$ node ${args.join(' ')}\n`);
    // detached: own process group, so stop() can signal the server and its helpers at once.
    child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    const pid = child.pid;
    if (!pid) throw new Error('code-server did not start');
    live.set(pid, { pid, cleanup: syncCleanup });
    let exitCode: number | null | undefined;
    child.on('exit', (code, sig) => (exitCode = code ?? (sig ? -1 : null)));

    const url = `http://127.0.0.1:${port}/`;
    await waitFor(`code-server on ${url} (log: ${logFile})`, TIMEOUTS.serverReady, async () => {
      if (exitCode !== undefined) {
        throw new Error(`code-server exited (${exitCode}) before it was ready; log ${logFile}:\n${tail(logFile)}`);
      }
      const status = await httpStatus(`${url}healthz`);
      return status === 200 ? true : undefined;
    });

    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      // Remember the whole tree first: orphans are re-parented and no longer found from pid.
      const signalled = killTree(pid, 'SIGTERM');
      const deadline = Date.now() + TIMEOUTS.serverStop;
      while (Date.now() < deadline && signalled.some(alive)) await sleep(100);
      killTree(pid, 'SIGKILL', signalled);
      live.delete(pid);
      removeRoot();
    };
    return { url, port, pid, root, userDataDir, extensionsDir, logFile, stop };
  } catch (e) {
    stopped = true;
    syncCleanup();
    if (child?.pid) live.delete(child.pid);
    throw e;
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------
// Browser

export interface ConsoleEntry {
  type: string; // console message type, or 'pageerror'
  text: string;
  url: string;
}

/** Console errors every bare code-server workbench prints here, offline: the proprietary
 *  `vsda` module (signing of remote connections) is not shipped in code-server. */
export const KNOWN_CONSOLE_NOISE: RegExp[] = [
  /\/vsda\/rust\/web\/vsda(_bg\.wasm|\.js)/,
  // The workbench's own shutdown joins (its remote connection, chat stores) while a window reloads.
  /\[lifecycle\] Long running operations during shutdown are unsupported in the web/,
  // The workbench's own log file, flushed to its IndexedDB after a reload closed that database (seen once, in the
  // sampler scenario's reload; the message names only the workbench's log and database).
  /Unable to write file 'vscode-log:[^']*' \(Error: IndexedDB database 'vscode-web-db' is closed\.\)/,
  // VS Code's own race: a tree row's click command (registered per redraw, with its arguments) is dropped when the
  // Runs tree redraws under the pointer; the click is lost and the workbench logs this. The tree redraws only when a
  // row changes (runsTree.ts), and the Runs-tree scenarios assert that the click opens the chart.
  /^Error: Actual command not found, wanted to execute circuitThermometer\.showChart \/\d+$/,
];

export interface ConsoleLog {
  entries: ConsoleEntry[];
  /** console errors and uncaught page errors, from every frame (webviews included). */
  errors(): ConsoleEntry[];
  /** errors() less KNOWN_CONSOLE_NOISE (matched against text and source url). */
  unexpectedErrors(): ConsoleEntry[];
  /** Content-Security-Policy violations, from console text and `securitypolicyviolation` events. */
  cspViolations(): ConsoleEntry[];
}

const CSP_MARK = '[ct-e2e csp]';
const consoleLogs = new WeakMap<Page, ConsoleLog>();

/**
 * Records console messages and page errors of `page` (all frames). Idempotent: the same
 * log is returned for the same page. `openWorkbench` calls it before navigating, so
 * messages from the workbench's start are in it too. A script added to every frame
 * reports `securitypolicyviolation` events on the console, so CSP violations inside
 * webviews are caught even where Chromium prints nothing.
 */
export async function collectConsole(page: Page): Promise<ConsoleLog> {
  const existing = consoleLogs.get(page);
  if (existing) return existing;
  const entries: ConsoleEntry[] = [];
  const log: ConsoleLog = {
    entries,
    errors: () => entries.filter((e) => e.type === 'error' || e.type === 'pageerror'),
    unexpectedErrors: () =>
      log.errors().filter((e) => !KNOWN_CONSOLE_NOISE.some((re) => re.test(e.text) || re.test(e.url))),
    cspViolations: () =>
      entries.filter((e) => e.text.includes(CSP_MARK) || /Content Security Policy|Refused to (load|execute|apply|connect|frame|create)/i.test(e.text)),
  };
  consoleLogs.set(page, log);
  page.on('console', (msg) => {
    entries.push({ type: msg.type(), text: msg.text(), url: msg.location()?.url ?? '' });
  });
  page.on('pageerror', (err) => {
    entries.push({ type: 'pageerror', text: String(err?.stack ?? err), url: page.url() });
  });
  await page.addInitScript((mark: string) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`${mark} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI}`);
    });
  }, CSP_MARK);
  return log;
}

export interface Workbench {
  browser: Browser;
  page: Page;
  console: ConsoleLog;
  /** Closes the browser (bounded). Safe to call twice. */
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless, opens the workbench at `url`, waits for it. */
export async function openWorkbench(url: string, opts: { headless?: boolean } = {}): Promise<Workbench> {
  installExitHandlers();
  // Chromium's crash reporter writes under $XDG_CONFIG_HOME/chromium: keep that out of $HOME.
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-chromium-'));
  const removeXdg = (): void => fs.rmSync(xdg, { recursive: true, force: true });
  const key = -Math.floor(Math.random() * 1e9) - 1; // cleanup-table key, not a pid
  live.set(key, { pid: key, cleanup: removeXdg });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: opts.headless ?? true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache') },
      timeout: TIMEOUTS.action,
    });
  } catch (e) {
    removeXdg();
    live.delete(key);
    throw e;
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.race([browser.close().catch(() => undefined), sleep(TIMEOUTS.serverStop)]);
    removeXdg();
    live.delete(key);
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUTS.action);
    const log = await collectConsole(page);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: TIMEOUTS.workbench });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: TIMEOUTS.workbench });
    // The status bar is among the last parts laid out; past it the palette answers keys.
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: TIMEOUTS.workbench });
    return { browser, page, console: log, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Workbench helpers

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} input`;
const QUICK_ROW = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Opens a quick input with `open`, types `query`, and runs the row whose label is exactly
 * `label` (Enter when it is the focused row, else a click). The list does not refresh
 * while open, and extension commands only appear once the extension host has registered
 * them, so a miss closes the widget and tries again until `timeoutMs`. On failure: a
 * screenshot and the rows that were shown.
 */
async function pickFromQuickInput(
  page: Page,
  open: () => Promise<void>,
  query: string,
  label: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
  const row = page.locator(QUICK_ROW).filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  let lastError: unknown;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    await open();
    const input = page.locator(QUICK_INPUT_BOX);
    try {
      // The key can go astray while focus moves (a file just opened, a webview clicked): press it again.
      await input.waitFor({ state: 'visible', timeout: Math.min(TIMEOUTS.quickInput, Math.max(1000, deadline - Date.now())) });
    } catch (e) {
      lastError = e;
      await page.locator('.monaco-workbench').first().focus().catch(() => undefined);
      await sleep(500);
      continue;
    }
    try {
      // The widget can close again between showing and typing (a layout change, focus moving into a webview).
      await input.fill(query, { timeout: Math.max(1000, Math.min(TIMEOUTS.quickInput, deadline - Date.now())) });
    } catch (e) {
      lastError = e;
      await page.keyboard.press('Escape').catch(() => undefined);
      await sleep(500);
      continue;
    }
    try {
      await row.waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(5000 * attempt, deadline - Date.now())) });
    } catch (e) {
      lastError = e;
      if (Date.now() < deadline) {
        await page.keyboard.press('Escape');
        await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: TIMEOUTS.quickInput }).catch(() => undefined);
        await sleep(500);
        continue;
      }
      const rows = await page.locator(QUICK_ROW).allInnerTexts().catch(() => [] as string[]);
      const shot = await screenshot(page, `failed-quick-input-${Date.now()}`).catch(() => '(no screenshot)');
      await page.keyboard.press('Escape').catch(() => undefined);
      throw new Error(
        `no quick-input row labelled ${JSON.stringify(label)} for ${JSON.stringify(query)} within ${timeoutMs} ms ` +
          `(${attempt} tries); rows shown: ${JSON.stringify(rows.map((r) => r.replace(/\s+/g, ' ').trim()))}; ` +
          `screenshot ${shot}\n${String(lastError)}`,
      );
    }
    const focused = page.locator(`${QUICK_ROW}.focused`).first();
    const focusedLabel = (await focused.count()) ? await focused.locator('.label-name').first().innerText() : '';
    if (exact.test(focusedLabel)) await page.keyboard.press('Enter');
    else await row.click();
    await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: TIMEOUTS.quickInput });
    return;
  }
  throw new Error(`quick input for ${JSON.stringify(query)}: no time left (${String(lastError)})`);
}

/** Runs a command by its exact title from the Command Palette (Control+Shift+P, type,
 *  Enter), retrying until the command is registered (bounded by TIMEOUTS.command). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await pickFromQuickInput(page, () => page.keyboard.press('Control+Shift+P'), `>${title}`, title, TIMEOUTS.command);
}

/** Opens a workspace file by name with Quick Open (Control+P, type, Enter). */
export async function openFile(page: Page, fileName: string): Promise<void> {
  await pickFromQuickInput(page, () => page.keyboard.press('Control+P'), fileName, path.basename(fileName), TIMEOUTS.command);
  await page
    .locator('.editor-group-container.active .tab.active')
    .filter({ hasText: path.basename(fileName) })
    .waitFor({ state: 'visible', timeout: TIMEOUTS.action });
}

/** The text shown by the active editor (visible lines), with the editor's non-breaking
 *  spaces turned back into spaces. */
export async function activeEditorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
  await lines.first().waitFor({ state: 'visible', timeout: TIMEOUTS.action });
  const text = await lines.first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Puts the cursor at line:column (1-based) of the active editor with "Go to Line/Column…" (Ctrl+G). */
export async function goToLine(p: Page, line: number, column: number): Promise<void> {
  await p.keyboard.press('Control+G');
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await p.keyboard.press('Enter');
  await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await p.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ state: 'visible' });
}

/** A notification toast whose text contains `text`. */
export function toast(p: Page, text: string): Locator {
  return p.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** Saves a PNG of the page under test-results/e2e/<name>.png and prints its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const safe = name.replace(/[^\w.-]+/g, '-');
  const file = path.join(RESULTS_DIR, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file, timeout: TIMEOUTS.action });
  console.log(`    screenshot: ${path.relative(process.cwd(), file) || file}`);
  return file;
}

/** The document inside a webview (the `index`-th ready one; default the first). */
export function webviewFrame(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
}

/** With `trusted: false`, the workbench opens with the Workspace Trust dialog: answer it.
 *  `trust: false` continues in Restricted Mode. */
export async function answerTrustDialog(page: Page, trust: boolean): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors' });
  await dialog.waitFor({ state: 'visible', timeout: TIMEOUTS.action });
  await dialog
    .getByRole('button', { name: trust ? 'Yes, I trust the authors' : "No, I don't trust the authors" })
    .click();
  await dialog.waitFor({ state: 'hidden', timeout: TIMEOUTS.action });
}

/** Texts of the notification toasts currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
}

/** A throwaway folder (for a workspace), removed at process exit unless CT_E2E_KEEP=1. */
export function tempWorkspace(files: Record<string, string>): string {
  installExitHandlers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  const id = -Math.floor(Math.random() * 1e9) - 1; // a key for the cleanup table, not a pid
  live.set(id, {
    pid: id,
    cleanup: () => {
      if (process.env.CT_E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
      live.delete(id);
    },
  });
  return dir;
}

/** This pid and its descendants now running (for tests of the harness itself). */
export function processTree(pid: number): number[] {
  return [pid, ...descendants(pid)].filter(alive);
}

/** The pids from `pids` still running. */
export function stillAlive(pids: number[]): number[] {
  return pids.filter(alive);
}

// ---------------------------------------------------------------------------------------
// Scenario helpers (used by the extension's scenario files)

/** Polls `probe` every `intervalMs` until it returns something other than undefined; throws
 *  "timed out … waiting for <what>" after `timeoutMs`. */
export function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  intervalMs = 250,
): Promise<T> {
  return waitFor(what, timeoutMs, probe, intervalMs);
}

export interface ProcessInfo {
  pid: number;
  /** The command line, arguments joined by spaces. */
  cmdline: string;
}

/** Running processes in the tree of `rootPid` (itself included) whose command line matches `pattern`. */
export function processesMatching(rootPid: number, pattern: RegExp): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of processTree(rootPid)) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // went away
    }
    if (pattern.test(cmdline)) out.push({ pid, cmdline });
  }
  return out;
}

/**
 * The document of the webview that shows `selector` (the chart panel, a side-bar view, …): every
 * webview is an `iframe.webview` holding an `#active-frame`, and several may be loaded at once
 * (hidden ones are kept), so they are searched for the one that has `selector`. Bounded.
 */
export async function webviewWith(page: Page, selector: string, timeoutMs = TIMEOUTS.command): Promise<FrameLocator> {
  return waitFor(`a webview showing ${selector}`, timeoutMs, async () => {
    const frames = page.locator('iframe.webview.ready');
    const n = await frames.count();
    for (let i = 0; i < n; i++) {
      const doc = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
      if ((await doc.locator(selector).count().catch(() => 0)) === 0) continue;
      // Pin it by the iframe's own id: a position among the webviews changes as others open and close.
      const id = await frames.nth(i).evaluate((f) => {
        const name = f.getAttribute('name');
        if (name) return `[name="${CSS.escape(name)}"]`;
        const m = /[?&]id=([\w-]+)/.exec(f.getAttribute('src') ?? '');
        return m ? `[src*="id=${m[1]}"]` : '';
      }).catch(() => '');
      return id ? page.frameLocator(`iframe.webview${id}`).frameLocator('#active-frame') : doc;
    }
    return undefined;
  }, 500);
}

// ---------------------------------------------------------------------------------------
// The packaged extension, built once per content hash

/** What goes into the .vsix, or decides how it is built: a change to any of these repackages. */
const VSIX_INPUTS = [
  'package.json',
  'package-lock.json',
  '.vscodeignore',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'tsconfig.json',
  'scripts',
  'src',
  'webview',
  'media',
  'schemas',
  'docs',
];
export const VSIX_CACHE_DIR = path.join(REPO_ROOT, 'test-results', 'vsix-cache');
export const TIMEOUT_PACKAGE = 600_000;

function filesUnder(rel: string): string[] {
  const abs = path.join(REPO_ROOT, rel);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return [];
  }
  if (st.isFile()) return [rel];
  if (!st.isDirectory()) return [];
  return fs
    .readdirSync(abs)
    .sort()
    .flatMap((name) => filesUnder(path.join(rel, name)));
}

/** sha256 over the paths and contents of VSIX_INPUTS (first 16 hex digits). */
export function extensionSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const rel of VSIX_INPUTS.flatMap(filesUnder)) {
    hash.update(`${rel.split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(path.join(REPO_ROOT, rel)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** vsce's name for this machine's platform (scripts/package.mjs --target). */
function vsceTarget(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  return `${process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'win32' : 'linux'}-${arch}`;
}

let packaging: Promise<string> | undefined;

/**
 * The extension packaged for this platform by `scripts/package.mjs` (what `npm run package` runs),
 * cached in test-results/vsix-cache/<hash>.vsix by the hash of its sources, so it is built once for
 * all scenario files and again only when a source changes. CT_E2E_VSIX=path uses that file instead.
 */
export function packagedExtension(): Promise<string> {
  packaging ??= packageOnce();
  return packaging;
}

async function packageOnce(): Promise<string> {
  const given = process.env.CT_E2E_VSIX;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`CT_E2E_VSIX=${given} does not exist`);
    return path.resolve(given);
  }
  installExitHandlers();
  const t0 = Date.now();
  const hash = extensionSourceHash();
  const cached = path.join(VSIX_CACHE_DIR, `${hash}.vsix`);
  if (fs.existsSync(cached)) {
    console.log(`    extension: cached ${path.relative(REPO_ROOT, cached)}`);
    return cached;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const target = vsceTarget();
  const produced = path.join(REPO_ROOT, `${pkg.name}-${target}-${pkg.version}.vsix`);
  fs.mkdirSync(path.join(RESULTS_DIR, 'logs'), { recursive: true });
  const logFile = path.join(RESULTS_DIR, 'logs', 'package.log');
  const logFd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', target], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  if (!pid) throw new Error('scripts/package.mjs did not start');
  live.set(pid, { pid, cleanup: () => killTree(pid, 'SIGKILL') });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        killTree(pid, 'SIGKILL');
        reject(new Error(`scripts/package.mjs did not finish in ${TIMEOUT_PACKAGE} ms; log ${logFile}:\n${tail(logFile)}`));
      }, TIMEOUT_PACKAGE);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`scripts/package.mjs exited with ${code}; log ${logFile}:\n${tail(logFile)}`);
  } finally {
    killTree(pid, 'SIGKILL');
    live.delete(pid);
  }
  if (!fs.existsSync(produced)) throw new Error(`scripts/package.mjs did not write ${produced}; log ${logFile}`);
  fs.mkdirSync(VSIX_CACHE_DIR, { recursive: true });
  // Older packages are of older sources: keep only this one.
  for (const old of fs.readdirSync(VSIX_CACHE_DIR)) fs.rmSync(path.join(VSIX_CACHE_DIR, old), { force: true });
  fs.copyFileSync(produced, `${cached}.partial`);
  fs.renameSync(`${cached}.partial`, cached);
  console.log(`    extension: packaged ${path.relative(REPO_ROOT, cached)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return cached;
}

/** A quiet window to start a scenario from: no menu or widget left open by a failed one, no old notifications. */
export async function quietWindow(page: Page): Promise<void> {
  for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
  await runCommand(page, 'Notifications: Clear All Notifications');
}

// ---- the Runs tree (a native tree view in the Circuit Thermometer side bar) -----------------------------------

/** A row of a tree view as a user sees it: its label, description, icon (codicon id), depth and tooltip-free text. */
export interface TreeRow {
  label: string;
  description: string;
  icon: string;
  level: number;
}

const SIDEBAR_TREE = '.part.sidebar .customview-tree';

/** Shows the Circuit Thermometer side bar (without toggling it away when it is already shown); returns its tree. */
export async function openRunsTree(page: Page): Promise<Locator> {
  const pane = page.locator('.part.sidebar .composite.title', { hasText: /Circuit Thermometer/i });
  const shown = await pane.isVisible().catch(() => false);
  if (!shown) await page.locator('.activitybar .action-item a.action-label[aria-label^="Circuit Thermometer"]').click();
  // Right after a reload the restored layout can hide the side bar again under that click (one CI run): the view's
  // own focus command shows it whatever the layout did.
  if (!shown && !(await pane.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false))) {
    await runCommand(page, 'Circuit Thermometer: Focus on Runs View');
  }
  await pane.waitFor({ state: 'visible', timeout: TIMEOUTS.command });
  const tree = page.locator(SIDEBAR_TREE).first();
  if (!shown) {
    // A tree view that becomes visible draws its last rows, then fetches them again: a click on the first drawing
    // can reach a command VS Code already disposed ("Actual command not found"). Wait until the rows hold still.
    let last = '';
    await waitFor('the Runs tree to settle', TIMEOUTS.command, async () => {
      const now = JSON.stringify(await tree.locator('.monaco-list-row').allInnerTexts().catch(() => []));
      const still = now === last && now !== '';
      last = now;
      return still || undefined;
    }, 500);
    await sleep(500);
  }
  return tree;
}

/** The tree's rows, top to bottom (a list draws its rows out of DOM order: sorted by their index). */
export async function treeRows(tree: Locator): Promise<TreeRow[]> {
  return tree.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => {
    const icon = r.querySelector('.custom-view-tree-node-item-icon');
    const codicon = icon ? Array.from(icon.classList).find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin') : undefined;
    return {
      label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
      icon: codicon ? codicon.slice('codicon-'.length) : '',
      level: Number(r.getAttribute('aria-level') ?? '0'),
      index: Number(r.getAttribute('data-index') ?? '0'),
    };
  }).sort((a, b) => a.index - b.index).map(({ index: _, ...row }) => row));
}

/** The row of a tree whose label is `label` (exactly). */
export function treeRow(tree: Locator, label: string): Locator {
  return tree.locator('.monaco-list-row').filter({ has: tree.page().locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) }).first();
}

/** The titles of a row's context menu (right-click), then closes it. */
export async function contextMenuOf(page: Page, row: Locator): Promise<string[]> {
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor({ state: 'visible', timeout: TIMEOUTS.action });
  const items = (await menu.locator('.action-item:not(.disabled) .action-label').allInnerTexts()).map((t) => t.trim()).filter((t) => t.length > 0);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: TIMEOUTS.action }).catch(() => undefined);
  return items;
}

/** Runs an entry of a row's context menu. */
export async function runFromContextMenu(page: Page, row: Locator, title: string): Promise<void> {
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor({ state: 'visible', timeout: TIMEOUTS.action });
  const item = menu.locator('.action-item .action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }).first();
  // A menu ignores a click that comes too soon after it opened: hover, wait, click; if it is still open, Enter
  // runs the item the hover focused.
  await item.hover();
  await sleep(400);
  await item.click();
  if (await menu.isVisible().catch(() => false)) {
    await sleep(500);
    if (await menu.isVisible().catch(() => false)) await page.keyboard.press('Enter');
  }
  await menu.waitFor({ state: 'hidden', timeout: TIMEOUTS.action });
}

/** The palette's commands whose titles contain `query` (typed after ">"), then closes the palette. */
export async function paletteCommands(page: Page, query: string): Promise<string[]> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor({ state: 'visible', timeout: TIMEOUTS.quickInput });
  await input.fill(`>${query}`);
  // The list filters as one types: wait until it settles on the query.
  await sleep(800);
  const labels = (await page.locator(QUICK_ROW).locator('.label-name').allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' ').trim());
  await page.keyboard.press('Escape');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: TIMEOUTS.quickInput }).catch(() => undefined);
  return labels;
}
