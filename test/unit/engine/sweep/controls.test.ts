// The null: controls disjoint from the circuit and distinct from each other, enumerated when few (exact), drawn
// uniformly without replacement otherwise; the salience-matched draw follows the circuit's salience ranks.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { HIDDEN, HIDDEN_TENSOR, unitLayout } from '../../../../examples/planted/generate';
import { defaultControlCount, distinctSets, drawControls, impossibleComponents, type UnitSet } from '../../../../src/engine/sweep/controls';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../../src/hypothesis';
import type { CircuitComponent } from '../../../../src/protocol/hypothesis';
import { atLevels } from '../../../support/degradation';

const circuit: CircuitComponent[] = [
  { tensor: 'h', axis: -1, units: [1, 5, 9] },
  { tensor: 'h', axis: -1, units: [2], positions: [0, 3] },
];
const dims = () => [8, 6, 20];
const draw = (c: readonly CircuitComponent[], count: number, seed: number, enumerate = 0, salience?: number[][]): UnitSet[] =>
  drawControls(c, dims, { count, enumerate, seed, salience }).sets;
const circuitUnits = (c: readonly CircuitComponent[]) => new Set(c.flatMap((x) => x.units));

describe('sweep/controls', function () {
  this.timeout(60_000);

  it('each set: same tensor, axis, positions and sizes; no circuit unit; overlapping components never share a unit; distinct sets; fixed by the seed', () => {
    const sets = draw(circuit, 64, 3);
    assert.equal(sets.length, 64);
    const own = circuitUnits(circuit);
    for (const set of sets) {
      assert.deepEqual(set.map((c) => [c.tensor, c.axis, c.units.length, c.positions]), circuit.map((c) => [c.tensor, c.axis, c.units.length, c.positions]));
      const all = set.flatMap((c) => c.units);
      assert.ok(all.every((u) => !own.has(u) && Number.isInteger(u) && u >= 0 && u < 20), `${all}`);
      // The two components touch the same activations at positions 0 and 3: one unit is never used twice.
      assert.equal(new Set(all).size, all.length);
    }
    assert.deepEqual(draw(circuit, 64, 3), sets, 'same seed, same sets');
    assert.notDeepEqual(draw(circuit, 64, 4), sets);
    assert.equal(new Set(sets.map((s) => JSON.stringify(s))).size, 64, 'distinct sets');
    // 16 free units (20 − the 4 circuit units): C(16, 3) for the first component, then 13 left for the second.
    assert.equal(distinctSets(circuit, dims), 560 * 13);
  });

  it('positions that do not overlap are independent draws: each component only avoids its own circuit units', () => {
    const split: CircuitComponent[] = [{ tensor: 'h', axis: -1, units: [0], positions: [0] }, { tensor: 'h', axis: -1, units: [1], positions: [1] }];
    assert.equal(distinctSets(split, dims), 19 * 19);
    for (const set of draw(split, 50, 1)) {
      assert.notEqual(set[0]!.units[0], 0);
      assert.notEqual(set[1]!.units[0], 1);
    }
  });

  it('exact null: every distinct disjoint set when N ≤ enumerate, the same for every seed', () => {
    // One unit of 8 along axis 1 and one of 8 along axis 2 of another tensor: 7·7 = 49 disjoint pairs.
    const two: CircuitComponent[] = [{ tensor: 'a', axis: 1, units: [3] }, { tensor: 'b', axis: 1, units: [6] }];
    const d = () => [4, 8];
    const r = drawControls(two, d, { count: 16, enumerate: 256, seed: 0 });
    assert.equal(r.exact, true);
    assert.equal(r.distinct, 49);
    assert.equal(r.sets.length, 49);
    assert.equal(new Set(r.sets.map((s) => JSON.stringify(s))).size, 49);
    assert.ok(r.sets.every((s) => s[0]!.units[0] !== 3 && s[1]!.units[0] !== 6));
    assert.deepEqual(drawControls(two, d, { count: 16, enumerate: 256, seed: 9 }).sets, r.sets);
    // Above the enumeration limit, K are drawn.
    const sampled = drawControls(two, d, { count: 16, enumerate: 10, seed: 0 });
    assert.equal(sampled.exact, false);
    assert.equal(sampled.sets.length, 16);
  });

  it('the default K makes the smallest p-value α/2 or less (39 at α = 0.05)', () => {
    assert.equal(defaultControlCount(0.05), 39);
    assert.equal(defaultControlCount(0.01), 199);
    for (const a of [0.2, 0.1, 0.05, 0.01]) assert.ok(1 / (defaultControlCount(a) + 1) <= a / 2 + 1e-12);
  });

  it('a component that names all but fewer units than it needs is impossible', () => {
    const wide: CircuitComponent[] = [{ tensor: 'h', axis: -1, units: Array.from({ length: 11 }, (_, i) => i) }];
    assert.deepEqual(impossibleComponents(wide, dims), [{ index: 0, free: 9, size: 11 }]);
    assert.equal(distinctSets(wide, dims), 0);
    assert.deepEqual(drawControls(wide, dims, { count: 8, enumerate: 256, seed: 0 }).sets, []);
  });

  it('an exact null holds every free unit equally often; sampled draws are uniform over the free units', () => {
    // 3 of the 17 free units of 20: C(17, 3) = 680 ≤ 2000 sets asked, so all are used, each unit in C(16, 2) = 120.
    const counts = new Array<number>(20).fill(0);
    const exact = draw([circuit[0]!], 2000, 11);
    assert.equal(exact.length, 680);
    for (const set of exact) for (const u of set[0]!.units) counts[u]!++;
    counts.forEach((n, u) => assert.equal(n, [1, 5, 9].includes(u) ? 0 : 120, `unit ${u}`));
    // 3 of 57 free units of 60, 300 distinct sets per seed, 20 seeds: binomial-like counts around 6000·3/57 ≈ 316
    // (sd ≈ 17): allow 4 sd.
    const wide = () => [8, 6, 60];
    const many = new Array<number>(60).fill(0);
    for (let seed = 0; seed < 20; seed++) {
      for (const set of drawControls([circuit[0]!], wide, { count: 300, enumerate: 0, seed }).sets) for (const u of set[0]!.units) many[u]!++;
    }
    many.forEach((n, u) => {
      if ([1, 5, 9].includes(u)) assert.equal(n, 0);
      else assert.ok(Math.abs(n - 6000 * 3 / 57) < 70, `unit ${u}: ${n} of 6000`);
    });
  });

  it('salience-matched: each circuit unit is replaced by a free unit from its own stratum of salience ranks', () => {
    // Salience = the unit's index: the circuit holds the 3 most salient units of 20. Three strata of the ranks
    // (0–6, 7–13, 14–19): the top stratum has 3 free units (14, 15, 16), so there is one such set and no second.
    const salience = [Array.from({ length: 20 }, (_, i) => i)];
    const top: CircuitComponent[] = [{ tensor: 'h', axis: -1, units: [17, 18, 19] }];
    assert.deepEqual(draw(top, 1, 5, 0, salience).map((s) => s[0]!.units), [[14, 15, 16]]);
    assert.throws(() => draw(top, 3, 5, 0, salience), /only 1 distinct salience-matched control sets of 3/);
    const spread = draw([{ tensor: 'h', axis: -1, units: [0, 10, 19] }], 32, 5, 0, salience);
    for (const set of spread) {
      assert.deepEqual(set[0]!.units.map((u) => Math.floor((u * 3) / 20)), [0, 1, 2]);
      assert.ok(set[0]!.units.every((u) => ![0, 10, 19].includes(u)));
    }
  });

  it('on the planted network, no control holds a circuit unit; salience-matched controls hold no idle unit', async () => {
    const r = await checkHypothesisFile(path.resolve(__dirname, '../../../../examples/planted/kappa-0.circuit.yaml'));
    const h = r.hypothesis!;
    const short = atLevels(h.degradation, [0.01], 'log', 2);
    const { idle, circuit: planted } = unitLayout();
    const idleSet = new Set(idle);
    const unitsOf = (doc: Awaited<ReturnType<typeof runSweep>>) => doc.controls!.sets.map((s) => s[0]!.units);
    const bySalience = await runSweep({ ...h, controls: { count: 8, match: 'salience' }, degradation: short });
    assert.equal(bySalience.controls!.match, 'salience');
    for (const units of unitsOf(bySalience)) assert.ok(units.every((u) => !idleSet.has(u) && !planted.includes(u)), `idle or circuit unit drawn: ${units}`);
    const bySize = await runSweep({ ...h, controls: { count: 8, match: 'size' }, degradation: short });
    for (const units of unitsOf(bySize)) assert.ok(units.every((u) => !planted.includes(u)));
    assert.equal(bySize.controls!.exact, false);
    assert.equal(bySize.controls!.distinct, distinctSets(h.circuit.components, () => [1, HIDDEN]));
    assert.equal(bySize.controls!.sets[0]![0]!.tensor, HIDDEN_TENSOR);
  });
});
