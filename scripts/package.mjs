// Packages the extension as a .vsix per platform target, each carrying only that platform's onnxruntime binaries.
//   node scripts/package.mjs                      → circuit-thermometer-linux-x64-<version>.vsix
//   node scripts/package.mjs --target win32-x64   (linux-x64 | linux-arm64 | darwin-arm64 | win32-x64 | win32-arm64)
//   node scripts/package.mjs --all
// Builds the bundles minified first, derives the ignore file for the target from .vscodeignore, writes the README the
// details page shows (scripts/marketplaceReadme.mjs: images embedded, no clone-only steps), runs vsce.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { marketplaceReadme } from './marketplaceReadme.mjs';

/** vsce target → onnxruntime-node's binary folder (bin/napi-v6/<platform>/<arch>). */
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

/** Where the README for the details page is written (under dist/, which git ignores). */
const MARKETPLACE_README = 'dist/marketplace/README.md';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--target');
const targets = args.includes('--all') ? Object.keys(TARGETS) : [at >= 0 ? args[at + 1] : 'linux-x64'];
for (const t of targets) {
  if (!TARGETS[t]) {
    console.error(`package: unknown target '${t}'; one of ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}

const { version, name } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });

const base = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
for (const target of targets) {
  const bin = TARGETS[target];
  if (!fs.existsSync(path.join(root, 'node_modules/onnxruntime-node/bin/napi-v6', bin))) {
    console.error(`package: onnxruntime-node has no binaries for ${target} (node_modules/onnxruntime-node/bin/napi-v6/${bin})`);
    process.exit(1);
  }
  // The details page's README replaces the repository's (vsce takes it from inside the project, by relative path).
  const ignore = base
    .replace(/^!node_modules\/onnxruntime-node\/bin\/napi-v6\/.*$/m, `!node_modules/onnxruntime-node/bin/napi-v6/${bin}/**`)
    .replace(/^!README\.md$/m, `!${MARKETPLACE_README}`);
  const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-vsce-')), '.vscodeignore');
  fs.writeFileSync(ignoreFile, ignore);
  fs.mkdirSync(path.dirname(path.join(root, MARKETPLACE_README)), { recursive: true });
  fs.writeFileSync(path.join(root, MARKETPLACE_README), marketplaceReadme(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), root));
  const out = path.join(root, `${name}-${target}-${version}.vsix`);
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--skip-license', '--no-rewrite-relative-links', '--readme-path', MARKETPLACE_README, '--out', out], { cwd: root, stdio: 'inherit' });
  fs.rmSync(path.dirname(ignoreFile), { recursive: true, force: true });
  console.log(`package: ${path.relative(root, out)} (${(fs.statSync(out).size / 1048576).toFixed(1)} MiB)`);
}
