// The two-dial map's figure: the outline of the clean region (known answers on small masks), and the figure of a
// map built from one-dial sample levels: one value per cell, states ordered, the outline on all three panels.
import * as assert from 'assert';
import { buildGridFigure, cleanOutline, GRID_SHAPE, GRID_TRACE } from '../../../src/chart/gridFigure';
import { gridPageHtml } from '../../../src/chart/gridPage';
import { lightTheme } from '../../../src/chart/theme';
import type { GridDocument } from '../../../src/protocol/grid';
import { sampleDocument } from '../../support/sampleDocument';

describe('chart: the two-dial map', () => {
  it('outlines the clean region: one cell has four edges, two adjacent cells six, nothing clean none', () => {
    assert.deepEqual(cleanOutline([[false, true]]), [[0.5, -0.5, 1.5, -0.5], [0.5, 0.5, 1.5, 0.5], [0.5, -0.5, 0.5, 0.5], [1.5, -0.5, 1.5, 0.5]]);
    assert.equal(cleanOutline([[true, true]]).length, 6);
    assert.equal(cleanOutline([[true], [true]]).length, 6);
    // An L of three cells: perimeter 8 unit edges.
    assert.equal(cleanOutline([[true, false], [true, true]]).length, 8);
    assert.deepEqual(cleanOutline([[false, false], [false, false]]), []);
  });

  it('draws clean, E_T and E_C per cell with a hover, and the outline on each panel', () => {
    const one = sampleDocument();
    const cells = one.levels.slice(0, 3);
    const doc: GridDocument = {
      kind: 'circuit-thermometer/grid', version: 1, sweep: one, columns: cells.map((c) => c.level),
      rows: [
        { checkpoint: 'a.onnx', step: 100, cells: cells.map((c) => ({ ...c, clean: false })), verdict: one.verdict },
        { checkpoint: 'b.onnx', step: 200, cells: cells.map((c, i) => ({ ...c, clean: i > 0, tests: { ...c.tests, converged: true, behaviour: true } })), verdict: one.verdict },
      ],
      correction: { method: 'bonferroni', alpha: 0.05, cells: 6, perCell: 0.05 / 6, specificity: 'once at w*' }, clean: 2, summary: 'clean in 2 of 6 cells',
    };
    const fig = buildGridFigure(doc, lightTheme);
    const trace = (uid: string) => fig.data.find((d) => (d as { uid?: string }).uid === uid) as unknown as { z: (number | null)[][]; text: string[][] };
    assert.deepEqual(trace(GRID_TRACE.clean).z[1], [3, 4, 4]);
    assert.deepEqual(trace(GRID_TRACE.target).z[0], cells.map((c) => c.targetEffect.mean));
    assert.deepEqual(trace(GRID_TRACE.collateral).z[1], cells.map((c) => c.collateralEffect.mean));
    assert.match(trace(GRID_TRACE.clean).text[1]![1]!, /^step 200, t = 1: clean<br>E_T = /);
    // Two adjacent clean cells: six unit edges, drawn on each of the three panels.
    assert.equal(fig.layout.shapes!.filter((s) => s.name === GRID_SHAPE.region).length, 18);
    const page = gridPageHtml({ ...doc, summary: '<script>alert(1)</script>' }, { plotlySource: '/* plotly */' });
    assert.ok(!page.includes('<script>alert(1)</script>'), 'file text is escaped');
    assert.match(page, /Content-Security-Policy/);
  });
});
