// Matched random controls: the size-matched draw is uniform without replacement, the salience-matched draw follows
// the circuit's salience ranks, and on the planted network salience matching keeps idle units out of the null.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { HIDDEN, HIDDEN_TENSOR, unitLayout } from '../../../examples/planted/generate';
import { drawControls, log10DistinctSets } from '../../../src/engine/sweep/controls';
import { runSweep } from '../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../src/hypothesis';
import type { CircuitComponent } from '../../../src/protocol/hypothesis';

const circuit: CircuitComponent[] = [
  { tensor: 'h', axis: -1, units: [1, 5, 9] },
  { tensor: 'h', axis: -1, units: [2], positions: [0, 3] },
];
const dims = () => [8, 6, 20];

describe('sweep/controls', function () {
  this.timeout(60_000);

  it('size-matched: each component replaced by as many distinct units of its axis, same positions, fixed by the seed', () => {
    const sets = drawControls(circuit, dims, 16, 3);
    assert.equal(sets.length, 16);
    for (const set of sets) {
      assert.deepEqual(set.map((c) => [c.tensor, c.axis, c.units.length, c.positions]), circuit.map((c) => [c.tensor, c.axis, c.units.length, c.positions]));
      for (const c of set) {
        assert.equal(new Set(c.units).size, c.units.length);
        assert.ok(c.units.every((u) => Number.isInteger(u) && u >= 0 && u < 20));
      }
    }
    assert.deepEqual(drawControls(circuit, dims, 16, 3), sets, 'same seed, same sets');
    assert.notDeepEqual(drawControls(circuit, dims, 16, 4), sets);
    assert.equal(new Set(sets.map((s) => JSON.stringify(s))).size, 16, 'distinct sets');
    // C(20, 3)·C(20, 1) = 1140·20.
    assert.ok(Math.abs(log10DistinctSets(circuit, dims) - Math.log10(1140 * 20)) < 1e-12);
  });

  it('size-matched draws are uniform: every unit is drawn k/N of the time', () => {
    // 2000 sets of 3 of 20 units: each unit is in a set with probability 3/20; its count is binomial(2000, 0.15),
    // sd √(2000·0.15·0.85) ≈ 16: allow 4 sd around 300.
    const counts = new Array<number>(20).fill(0);
    for (const set of drawControls([circuit[0]!], dims, 2000, 11)) for (const u of set[0]!.units) counts[u]!++;
    for (const [u, n] of counts.entries()) assert.ok(Math.abs(n - 300) < 64, `unit ${u}: ${n} of 2000`);
  });

  it('salience-matched: each circuit unit is replaced by a unit from its own stratum of salience ranks', () => {
    // Salience = the unit's index: the circuit holds the 3 most salient units of 20. Three strata of the ranks
    // (0–6, 7–13, 14–19): every replacement comes from the top one.
    const salience = [Array.from({ length: 20 }, (_, i) => i)];
    const top: CircuitComponent[] = [{ tensor: 'h', axis: -1, units: [17, 18, 19] }];
    const sets = drawControls(top, dims, 32, 5, salience);
    for (const set of sets) {
      assert.equal(new Set(set[0]!.units).size, 3);
      assert.ok(set[0]!.units.every((u) => u >= 14), `${set[0]!.units}`);
    }
    // A circuit spread over the ranks gets a spread control: one unit per stratum.
    const spread = drawControls([{ tensor: 'h', axis: -1, units: [0, 10, 19] }], dims, 32, 5, salience);
    for (const set of spread) assert.deepEqual(set[0]!.units.map((u) => Math.floor((u * 3) / 20)), [0, 1, 2]);
  });

  it('on the planted network, salience-matched controls hold no idle unit; size-matched controls mostly do', async () => {
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../examples/planted/kappa-0.circuit.yaml'));
    const h = r.hypothesis!;
    const short = { ...h.degradation, temperatures: { levels: [0.01], scale: 'log' as const }, noise: { samples: 2 } };
    const { idle } = unitLayout();
    const idleSet = new Set(idle);
    const unitsOf = (doc: Awaited<ReturnType<typeof runSweep>>) => doc.controls!.sets.map((s) => s[0]!.units);
    const bySalience = await runSweep({ ...h, controls: { count: 8, match: 'salience' }, degradation: short });
    assert.equal(bySalience.controls!.match, 'salience');
    // Idle units do nothing at w* (salience exactly 0, the lowest rank); the circuit units are the most salient.
    for (const units of unitsOf(bySalience)) assert.ok(units.every((u) => !idleSet.has(u)), `idle unit drawn: ${units}`);
    const bySize = await runSweep({ ...h, controls: { count: 8, match: 'size' }, degradation: short });
    // 72 of 96 units are idle: a 4-unit uniform draw holds one with probability 1 − C(24,4)/C(96,4) ≈ 0.997.
    assert.ok(unitsOf(bySize).filter((units) => units.some((u) => idleSet.has(u))).length >= 6);
    assert.equal(HIDDEN, 96);
    assert.equal(bySize.controls!.sets[0]![0]!.tensor, HIDDEN_TENSOR);
  });
});
