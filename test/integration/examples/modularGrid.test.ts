// The shipped two-dial example (examples/modular/addition-frequencies.grid.*): the committed map reads back, names
// the checkpoints its hypothesis lists, states its correction, and one of its cells is what a fresh run gives.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readGridFile, runGrid } from '../../../src/engine/sweep/grid';
import { checkHypothesisFile } from '../../../src/hypothesis';

const DIR = path.resolve(__dirname, '../../../examples/modular');

describe('examples/modular: the two-dial map', function () {
  this.timeout(300_000);

  it('the committed map reads back with its rows, columns and Bonferroni correction over its 20 cells', async () => {
    const doc = readGridFile(path.join(DIR, 'addition-frequencies.grid.json'));
    const h = (await checkHypothesisFile(path.join(DIR, 'addition-frequencies.grid.circuit.yaml'))).hypothesis!;
    assert.deepEqual(doc.rows.map((r) => r.step), h.degradation.grid!.steps);
    assert.deepEqual(doc.rows.map((r) => path.resolve(DIR, r.checkpoint)), h.degradation.grid!.checkpoints);
    assert.deepEqual(doc.columns, h.degradation.levels);
    assert.deepEqual(doc.correction, { method: 'bonferroni', alpha: 0.05, cells: 20, perCell: 0.0025, specificity: 'once at w*' });
    assert.equal(doc.clean, doc.rows.reduce((n, r) => n + r.cells.filter((c) => c.clean).length, 0));
  });

  it('a fresh run of one cell (the trained network, σ = 0.003) gives the committed numbers', async () => {
    const doc = readGridFile(path.join(DIR, 'addition-frequencies.grid.json'));
    const h = (await checkHypothesisFile(path.join(DIR, 'addition-frequencies.grid.circuit.yaml'))).hypothesis!;
    const last = h.degradation.grid!.checkpoints.length - 1;
    const one = await runGrid({
      ...h,
      degradation: { ...h.degradation, levels: [doc.columns[0]!], scale: 'log', grid: { checkpoints: [h.degradation.grid!.checkpoints[last]!], steps: [h.degradation.grid!.steps[last]!] } },
    });
    const [fresh, committed] = [one.rows[0]!.cells[0]!, doc.rows[last]!.cells[0]!];
    // Same seeds, same draws: only float32 rounding may differ (the committed map was evaluated with the circuit's
    // copies built in full; low-rank copies, interventions/lowRank.ts, round at ~1e-7 of each logit).
    for (const k of ['targetEffect', 'collateralEffect', 'lossGap'] as const) {
      assert.ok(Math.abs(fresh[k].mean - committed[k].mean) <= 1e-6 * Math.max(1, Math.abs(committed[k].mean)), `${k}: ${fresh[k].mean} vs ${committed[k].mean}`);
    }
  });
});
