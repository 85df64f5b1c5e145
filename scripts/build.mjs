// Bundles the extension, the CLI, the worker, the benchmark and the webview with esbuild.
// Native and editor modules stay external: onnxruntime-node ships per-platform binaries, vscode is the host's.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
};

const targets = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['src/worker/worker.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' },
  {
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', logLevel: 'warning',
  },
  {
    // The calibration panel (Plotly's heatmap of the Calibrate Sampler grid).
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    entryPoints: ['webview/calibration.ts'], outfile: 'dist/calibration.js', logLevel: 'warning',
  },
  {
    // The scan map panel (Plotly's heatmaps of a scan's entanglement map).
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    entryPoints: ['webview/scan.ts'], outfile: 'dist/scan.js', logLevel: 'warning',
  },
  {
    // The two-dial map panel (Plotly's heatmaps of a grid: clean cells, E_T, E_C).
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    entryPoints: ['webview/grid.ts'], outfile: 'dist/grid.js', logLevel: 'warning',
  },
];

const present = targets.filter((t) => existsSync(t.entryPoints[0]));
for (const t of targets) if (!present.includes(t)) console.log(`build: skipping ${t.entryPoints[0]} (not present)`);
if (watch) {
  for (const t of present) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(present.map((t) => esbuild.build(t)));
}
