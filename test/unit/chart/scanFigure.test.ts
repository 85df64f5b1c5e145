// The entanglement map's figure (src/chart/scanFigure.ts) from a real scan of the planted κ = 1 network (2 levels × 2
// samples: the map's cells at w* do not depend on the grid), without a webview: which cells light up, what a click
// carries, the rows of the per-level panels; and the scan document's reader (src/protocol/scan.ts).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { buildScanFigure, rankScanUnits, SCAN_TRACE } from '../../../src/chart/scanFigure';
import { scanPageHtml } from '../../../src/chart/scanPage';
import { lightTheme } from '../../../src/chart/theme';
import { runScan } from '../../../src/engine/sweep/scan';
import { checkHypothesisFile } from '../../../src/hypothesis';
import { type ScanDocument, SCAN_VERSION, scanProblem } from '../../../src/protocol/scan';
import { atLevels } from '../../support/degradation';

const PLANTED = path.resolve(__dirname, '../../../examples/planted');

type Heatmap = { uid: string; x: unknown[]; y: unknown[]; z: (number | null)[][]; text: string[][]; customdata: (number[] | null)[][] };

describe('scan figure', function () {
  this.timeout(120_000);
  let doc: ScanDocument;
  let circuit: number[];

  before(async () => {
    const h = (await checkHypothesisFile(path.join(PLANTED, 'scan-hidden.circuit.yaml'))).hypothesis!;
    circuit = (await checkHypothesisFile(path.join(PLANTED, 'kappa-1.circuit.yaml'))).hypothesis!.circuit.components[0]!.units;
    const levels = h.degradation.levels;
    doc = await runScan({ ...h, degradation: atLevels(h.degradation, [levels[0]!, levels[6]!], h.degradation.scale, 2) });
  });

  const trace = (uid: string) => buildScanFigure(doc, lightTheme).data.find((d) => (d as { uid?: string }).uid === uid) as unknown as Heatmap;

  it('the effect map lights exactly the circuit units, stars the specific ones, and a cell carries its unit', () => {
    const t = trace(SCAN_TRACE.effect);
    assert.deepEqual(t.y, ['hidden']);
    assert.equal(t.x.length, 96);
    const lit = t.x.filter((_, i) => (t.z[0]![i] ?? 0) > 0.1);
    assert.deepEqual(lit, [...circuit].sort((a, b) => a - b));
    const starred = t.x.filter((_, i) => t.text[0]![i] === '★');
    assert.deepEqual(starred, [...circuit].sort((a, b) => a - b));
    t.x.forEach((u, i) => assert.deepEqual(t.customdata[0]![i], [0, u]));
  });

  it('the per-level panels list the top units first, one column per level, clicks carrying the unit', () => {
    for (const uid of [SCAN_TRACE.target, SCAN_TRACE.collateral]) {
      const t = trace(uid);
      assert.equal(t.x.length, doc.levels.length);
      assert.deepEqual((t.y as string[]).slice(0, 4).sort(), circuit.map((u) => `hidden[${u}]`).sort());
      const top = rankScanUnits(doc);
      t.customdata.forEach((row, r) => row.forEach((c) => assert.deepEqual(c, [top[r]!.component, top[r]!.unit])));
    }
    const survival = trace(SCAN_TRACE.survival);
    for (const v of survival.z[0]!) assert.ok(v !== null && v >= -1 && v < doc.levels.length);
  });

  it('the page inlines the figure; the reader takes the document and refuses a damaged or newer one', () => {
    const html = scanPageHtml(doc, { plotlySource: '/* plotly */' });
    assert.match(html, new RegExp(SCAN_TRACE.effect));
    assert.doesNotMatch(html, /<\/script><script>alert/);
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src [^"]*script-src [^"]*sha256-/, 'the one-dial page\'s content policy');
    const json = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    assert.equal(scanProblem(json), null);
    assert.match(scanProblem({ ...json, version: SCAN_VERSION + 1 }) ?? '', /newer/);
    const units = (json.units as Record<string, unknown>[]).map((u, i) => (i === 5 ? { ...u, clean: [true] } : u));
    assert.match(scanProblem({ ...json, units }) ?? '', /units\[5\]: not one clean flag per level/);
  });
});
