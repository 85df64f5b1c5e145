// Grid results files (two dials at once), mutated: bytes and fields, as results.fuzz.ts does for one-dial files. Each
// is read the way `grid` writes and a reader opens it (readGridFile): a clean ResultsFileError, or a map that the
// CLI's table, the figure and the page render without throwing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildGridFigure } from '../../src/chart/gridFigure';
import { gridPageHtml } from '../../src/chart/gridPage';
import { lightTheme } from '../../src/chart/theme';
import { formatGridTable } from '../../src/cli/gridTable';
import { readGridFile } from '../../src/engine/sweep/grid';
import { ResultsFileError } from '../../src/engine/sweep/readResults';
import type { GridDocument } from '../../src/protocol/grid';
import { sampleDocument } from '../support/sampleDocument';
import { assertCleanMessage, HOSTILE_NUMBERS, HOSTILE_STRINGS, mutateBytes, Rng } from './harness';

const CASES = 600;

function sampleGrid(): GridDocument {
  const one = sampleDocument();
  const cells = one.levels.slice(0, 3);
  return {
    kind: 'circuit-thermometer/grid', version: 1, sweep: one, columns: cells.map((c) => c.level),
    rows: [100, 200].map((step, r) => ({ checkpoint: `step-${step}.onnx`, step, cells: cells.map((c, i) => ({ ...c, clean: r === 1 && i > 0 })), verdict: one.verdict })),
    correction: { method: 'bonferroni', alpha: 0.05, cells: 6, perCell: 0.05 / 6, specificity: 'once at w*' }, clean: 2, summary: 'clean in 2 of 6 cells',
  };
}

function paths(x: unknown, limit = 4000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]) => {
    if (out.length >= limit) return;
    if (at.length > 0) out.push(at);
    if (Array.isArray(v)) v.slice(0, 6).forEach((e, i) => walk(e, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const [k, e] of Object.entries(v)) walk(e, [...at, k]);
  };
  walk(x, []);
  return out;
}

describe('fuzz: grid results files', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fuzz-grid-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`${CASES} mutated grid files: a clean error, or a map every view renders`, () => {
    const rng = new Rng(0x6a1d);
    const base = JSON.stringify(sampleGrid());
    let shown = 0;
    for (let k = 0; k < CASES; k++) {
      let how: string;
      let text: string | Uint8Array;
      if (k % 2 === 0) {
        const doc = JSON.parse(base) as unknown;
        // Mutations aimed at the grid's own fields half the time (the embedded sweep is results.fuzz.ts's).
        const all = paths(doc).filter((p) => k % 4 === 0 || p[0] !== 'sweep');
        const at = rng.pick(all);
        let parent = doc as Record<string | number, unknown>;
        for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        const replacement = rng.pick<unknown>([undefined, null, 'x', 0, -1, [], {}, true, rng.pick(HOSTILE_STRINGS), rng.pick(HOSTILE_NUMBERS), [1, 2, 3], { mean: 'a' }]);
        const key = at[at.length - 1]!;
        if (replacement === undefined && !Array.isArray(parent)) delete parent[key]; else parent[key] = replacement;
        how = `${at.join('.')} = ${JSON.stringify(replacement)?.slice(0, 30)}`;
        text = JSON.stringify(doc);
      } else {
        const m = mutateBytes(Buffer.from(base), rng);
        how = m.how;
        text = m.bytes;
      }
      const file = path.join(dir, `case-${k}.grid.json`);
      fs.writeFileSync(file, text);
      const where = `case ${k} (${how})`;
      try {
        const doc = readGridFile(file);
        formatGridTable(doc);
        buildGridFigure(doc, lightTheme);
        gridPageHtml(doc, { plotlySource: '' });
        shown++;
      } catch (e) {
        assert.ok(e instanceof ResultsFileError, `${where}: ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`);
        assertCleanMessage(e.message, where);
      }
      fs.rmSync(file);
    }
    assert.ok(shown > 0, 'some mutations leave a readable map');
    console.log(`      grid: ${CASES} cases, ${shown} rendered`);
  });
});
