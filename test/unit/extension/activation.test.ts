// activate() constructs and registers only: measured on the production bundle in a fresh Node process (as the
// extension host loads it), with the vscode test double. The engine must not load: onnxruntime-node (the one
// external module) stays out of require's cache until a hypothesis is checked.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');

const RUNNER = `
const Module = require('module');
const original = Module._resolveFilename;
const double = require.resolve('./vscode.js');
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? double : original.call(Module, request, ...rest); };
const vscode = require('vscode');
const t0 = performance.now();
const ext = require('./extension.js');
const t1 = performance.now();
const context = { subscriptions: [], asAbsolutePath: (p) => p, extensionUri: vscode.Uri.file(process.argv[2]), workspaceState: { get: () => undefined, update: async () => undefined } };
ext.activate(context);
const t2 = performance.now();
const loaded = Object.keys(require.cache).filter((k) => /onnxruntime|protobufjs|[\\\\/]yaml[\\\\/]/.test(k));
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, loaded, registered: vscode.registered, subscriptions: context.subscriptions.length }));
`;

describe('extension: activation', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-activation-'));
    const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', logLevel: 'silent' as const };
    await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/extension/extension.ts')], outfile: path.join(dir, 'extension.js'), external: ['vscode', 'onnxruntime-node'], minify: true });
    await esbuild.build({ ...common, entryPoints: [path.join(__dirname, 'vscodeDouble.ts')], outfile: path.join(dir, 'vscode.js') });
    fs.writeFileSync(path.join(dir, 'run.js'), RUNNER);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // How fast is printed, not asserted: speed targets live in benchmarks (a loaded CI machine made this flaky).
  it('registers every contributed command, the chart webview, the Runs tree and the language providers, without the engine', () => {
    const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [path.join(dir, 'run.js'), ROOT], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } })) as {
      requireMs: number; activateMs: number; loaded: string[]; registered: { commands: string[]; providers: string[]; webviews: string[]; trees: string[] }; subscriptions: number;
    });
    const best = runs.map((r) => r.requireMs + r.activateMs).sort((a, b) => a - b)[1];
    console.log(`      load + activate (median of 3 fresh processes): ${best.toFixed(1)} ms (${runs.map((r) => `${r.requireMs.toFixed(0)}+${r.activateMs.toFixed(1)}`).join(', ')})`);
    const r = runs[0];
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]>; customEditors: { viewType: string }[] } };
    assert.deepEqual([...r.registered.commands].sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.ok(r.registered.webviews.includes('circuitThermometer.chart'));
    // The Runs view is a native tree (createTreeView), not a webview.
    for (const views of Object.values(manifest.contributes.views)) for (const v of views) assert.ok(r.registered.trees.includes(v.id), v.id);
    for (const e of manifest.contributes.customEditors) assert.ok(r.registered.webviews.includes(e.viewType), `the custom editor ${e.viewType}`);
    // Two completion and two hover providers: tensor names (from the model), and the format's keys, choices and files;
    // two code-action providers: the diagnostics' quick fixes, and the calibrated step size; two lens providers:
    // hypothesis files (Run / Resume / Show chart) and results files (Show chart); links on the values that name files.
    assert.deepEqual([...r.registered.providers].sort(), ['codeActions', 'codeActions', 'codeLens', 'codeLens', 'completion', 'completion', 'documentLinks', 'hover', 'hover']);
    assert.ok(r.subscriptions >= 15, 'everything is disposed with the extension');
    assert.deepEqual(r.loaded, [], 'no engine module loaded at activation');
  });
});
