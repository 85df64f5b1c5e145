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
import { assertCleanMessage, mutateBytes, mutateField, Rng } from './harness';

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
        how = mutateField(doc, rng, (p) => k % 4 === 0 || p[0] !== 'sweep');
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
