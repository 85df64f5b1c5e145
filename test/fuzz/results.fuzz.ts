// Results files, mutated: bytes (truncation, bit flips, chunk edits) and fields (a field deleted, or set to null, a
// string, a number, an array, an object, a hostile string; levels cut or repeated). Each is read the way the
// editor's runs view reads it (readResultsFile): a clean ResultsFileError, or a document every view can render —
// the CLI's verdict table, the chart page's data, the runs view's record — without throwing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chartPageHtml } from '../../src/chart/page';
import { formatVerdictTable } from '../../src/cli/table';
import { ResultsFileError, readResultsFile } from '../../src/engine/sweep/readResults';
import { recordFromDocument } from '../../src/extension/runRecord';
import { chartDocOf } from '../../src/protocol/webview';
import { sampleDocument, sampleDocumentV1 } from '../support/sampleDocument';
import { assertCleanMessage, mutateBytes, mutateField, Rng } from './harness';

const CASES = 1000;

describe('fuzz: results files', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fuzz-results-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`${CASES} mutated results files: a clean error, or a document every view renders`, () => {
    const rng = new Rng(0x4e5);
    const bases = [sampleDocument(), sampleDocumentV1()].map((d) => JSON.stringify(d));
    let shown = 0;
    const refused = new Map<string, number>();
    for (let k = 0; k < CASES; k++) {
      const base = bases[k % bases.length]!;
      let how: string;
      let text: string | Uint8Array;
      if (k % 2 === 0) {
        const doc = JSON.parse(base) as unknown;
        how = mutateField(doc, rng);
        text = JSON.stringify(doc);
      } else {
        const m = mutateBytes(Buffer.from(base), rng);
        how = m.how;
        text = m.bytes;
      }
      const file = path.join(dir, `case-${k}.results.json`);
      fs.writeFileSync(file, text);
      const where = `case ${k} (${how})`;
      const started = performance.now();
      try {
        const doc = readResultsFile(file);
        formatVerdictTable(doc);
        chartDocOf(doc);
        recordFromDocument(doc, file, 'fuzz');
        chartPageHtml(doc, { plotlySource: '' });
        shown++;
      } catch (e) {
        assert.ok(e instanceof ResultsFileError, `${where}: ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`);
        assertCleanMessage(e.message, where);
        refused.set(e.code, (refused.get(e.code) ?? 0) + 1);
      }
      assert.ok(performance.now() - started < 5000, `${where}: slow`);
      fs.rmSync(file);
    }
    console.log(`      results: ${CASES} cases, ${shown} rendered, refused ${[...refused].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  });
});
