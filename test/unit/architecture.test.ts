// The floors of docs/architecture.md: every relative import in src/ and webview/ points to its own folder or to a
// lower floor, and protocol/ imports nothing of ours. Type-only imports count too: they are the coupling.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Floor of each top-level folder (src/<folder>, or webview/). */
const FLOORS: Record<string, number> = { protocol: 0, engine: 1, chart: 1, hypothesis: 2, webview: 2, worker: 3, cli: 4, extension: 4 };

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The folder a file belongs to (`engine`, `webview`, …), or null outside src/ and webview/ (package.json). */
function folderOf(file: string): string | null {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] === 'webview') return 'webview';
  if (rel[0] === 'src' && rel.length > 2) return rel[1]!;
  return null;
}

/** Relative module specifiers of a file's imports and re-exports, static and dynamic. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+['"](\.[^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/(?:import|require)\(\s*['"](\.[^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

/** Every import that runs against the floors, as "file → target". */
export function floorViolations(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    if (from === null) continue;
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      const to = folderOf(path.resolve(path.dirname(file), spec));
      if (to === null || to === from) continue;
      const ok = from !== 'protocol' && FLOORS[to]! < FLOORS[from]!;
      if (!ok) out.push(`${path.relative(ROOT, file)} → ${spec} (${from}, floor ${FLOORS[from]}, imports ${to}, floor ${FLOORS[to]})`);
    }
  }
  return out;
}

describe('architecture: imports point down the floors', () => {
  const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'webview'))];

  it('every folder is on a floor', () => {
    const folders = new Set(files.map(folderOf).filter((f): f is string => f !== null));
    for (const f of folders) assert.ok(f in FLOORS, `src/${f} has no floor in docs/architecture.md`);
  });

  it('no import runs up a floor or sideways, and protocol/ imports nothing of ours', () => {
    assert.deepEqual(floorViolations(files), []);
  });

  it('the check sees a violation when there is one (type-only, re-export and dynamic imports too)', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'src', 'engine', '.floor-test-'));
    try {
      const file = path.join(dir, 'probe.ts');
      fs.writeFileSync(file, [
        "import type { Hypothesis } from '../../hypothesis/check';",
        "export { thing } from '../../cli/main';",
        "const x = import('../../extension/extension');",
        "import { formatNumber } from '../../chart/format';",
        "import type { Baseline } from '../../protocol/results';",
      ].join('\n'));
      const found = floorViolations([file]);
      assert.equal(found.length, 4, found.join('\n'));
      assert.ok(found.every((f) => /engine, floor 1/.test(f)));
      assert.ok(!found.some((f) => f.includes('protocol/results')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
