import { strict as assert } from 'node:assert';
import { evaluationRows } from '../../../../src/engine/sweep/evaluation';
import { PairedAccumulator } from '../../../../src/engine/sweep/metrics';

describe('sweep: the evaluation subset', () => {
  const order = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4];
  const isTarget = Uint8Array.from([1, 0, 0, 1, 0, 0, 1, 0, 0, 0]); // targets 0, 3, 6: 30% of 10 (in the order: 3, 0, 6)

  it('keeps the data’s target share, each kind in the seeded order, at least one of each', () => {
    const five = [...evaluationRows(order, isTarget, 5)];
    assert.equal(five.filter((r) => isTarget[r]).length, 2, 'round(5 × 0.3) = 2 targets');
    assert.equal(five.length, 5);
    assert.deepEqual(five.filter((r) => isTarget[r]), [3, 0], 'the first targets in the order');
    assert.deepEqual(five.filter((r) => !isTarget[r]), [7, 9, 5], 'the first controls in the order');
    assert.deepEqual(five, [7, 3, 9, 0, 5], 'in evaluation order');
    const two = [...evaluationRows(order, isTarget, 2)];
    assert.deepEqual(two.map((r) => isTarget[r]).sort(), [0, 1], 'one of each even when the share rounds to zero');
  });

  it('evaluates every row, in the order, when rows is absent or at least n', () => {
    assert.deepEqual([...evaluationRows(order, isTarget, undefined)], order);
    assert.deepEqual([...evaluationRows(order, isTarget, 10)], order);
    assert.deepEqual([...evaluationRows(order, isTarget, 1e6)], order);
  });

  it('reports the sample sd over rows of the per-row target and collateral effects', () => {
    const acc = new PairedAccumulator();
    // Rows: targets 0 and 2 (effects 0.5 and 1.5 on the loss metric), controls 1 and 3 (collateral 0.1, 0.4, 0.1).
    acc.add({ cleanLoss: [1, 2, 3, 4], ablatedLoss: [1.5, 2.1, 4.5, 4.4] }, [1, 0, 1, 0]);
    acc.add({ cleanLoss: [1], ablatedLoss: [1.1] }, [0]);
    const r = acc.result();
    const sd = (xs: number[]) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)); };
    assert.ok(Math.abs(r.rowSd.targetEffect - sd([0.5, 1.5])) < 1e-12, String(r.rowSd.targetEffect));
    assert.ok(Math.abs(r.rowSd.collateralEffect - sd([0.1, 0.4, 0.1])) < 1e-12, String(r.rowSd.collateralEffect));
  });
});
