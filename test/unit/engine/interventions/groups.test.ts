// Unit groups (groupSize): a unit is a contiguous group of its axis everywhere upstream of the mask, and the mask is
// the one place that expands it; matched controls are drawn as whole groups. And the batch-axis rule that refuses
// tensors whose axis 0 is not the examples axis.
import { strict as assert } from 'node:assert';
import { componentMask } from '../../../../src/engine/interventions/mask';
import { batchAxisProblem } from '../../../../src/engine/onnx/batchAxis';
import { distinctSets, drawControls, unitsAlong } from '../../../../src/engine/sweep/controls';
import { keyHelpMarkdown, keysAt } from '../../../../src/hypothesis/keyHelp';
import type { CircuitComponent } from '../../../../src/protocol/hypothesis';

describe('interventions: unit groups', () => {
  it('groupSize g marks entries u·g … (u+1)·g − 1 of the axis, at the positions given', () => {
    // [batch, seq 2, heads·d_head = 3·2]: head 1 = entries 2, 3
    const c: CircuitComponent = { tensor: 't', axis: -1, units: [1], groupSize: 2 };
    assert.deepEqual(Array.from(componentMask('t', [4, 2, 6], [c], 'circuit')), [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(componentMask('t', [4, 2, 6], [{ ...c, positions: [1] }], 'circuit')), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(componentMask('t', [4, 2, 6], [{ ...c, units: [0, 2] }], 'complement')), [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
    // The same head on a [batch, seq, heads, d_head] tensor (axis 2) marks the same entries in memory order.
    assert.deepEqual(Array.from(componentMask('t', [4, 2, 3, 2], [{ tensor: 't', axis: 2, units: [1] }], 'circuit')), [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('a group index beyond the groups, or a groupSize that does not divide the axis, is refused', () => {
    assert.throws(() => componentMask('t', [4, 6], [{ tensor: 't', axis: -1, units: [3], groupSize: 2 }], 'circuit'), /unit 3 of 't' is outside \[0, 3\) along axis -1 \(groups of 2\)/);
    assert.throws(() => componentMask('t', [4, 6], [{ tensor: 't', axis: -1, units: [0], groupSize: 4 }], 'circuit'), /groupSize 4 does not divide axis -1 of 't' \(6 entries/);
  });

  it('controls are whole groups: indices below the group count, the groupSize carried, distinct-set counts over groups', () => {
    const circuit: CircuitComponent[] = [{ tensor: 'z', axis: -1, units: [2], groupSize: 16 }];
    const dims = () => [8, 10, 128];
    assert.equal(unitsAlong(circuit[0]!, dims()), 8);
    // Method v3: the 7 other heads, disjoint from the circuit's head 2 — an exact null of 7 sets.
    assert.equal(distinctSets(circuit, dims), 7);
    const sets = drawControls(circuit, dims, { count: 40, enumerate: 256, seed: 1 }).sets;
    assert.equal(sets.length, 7);
    const seen = new Set<number>();
    for (const [c] of sets) {
      assert.equal(c!.groupSize, 16);
      assert.equal(c!.units.length, 1);
      assert.ok(c!.units[0]! >= 0 && c!.units[0]! < 8 && c!.units[0] !== 2);
      seen.add(c!.units[0]!);
      // Its mask: 16 contiguous entries starting at a multiple of 16, at every position.
      const m = componentMask('z', dims(), [c!], 'circuit');
      const row = Array.from(m.subarray(0, 128));
      const first = row.indexOf(1);
      assert.equal(first % 16, 0);
      assert.deepEqual(row.map((v, i) => (i >= first && i < first + 16 ? 1 : 0)), row);
    }
    assert.equal(seen.size, 7, 'every other head once');
  });
});

describe('onnx/batchAxis: is axis 0 the examples axis?', () => {
  it('per-example tensors pass; batch-independent ones pass for zero ablation only', () => {
    assert.equal(batchAxisProblem('x', 2, [2, 8, 4, 16], 3, [3, 8, 4, 16]), undefined);
    assert.equal(batchAxisProblem('x', 2, [2, 8, 4, 16], 3, [3, 8, 4, 16], false), undefined);
    assert.equal(batchAxisProblem('w', 2, [64, 32], 3, [64, 32]), undefined);
    const p = batchAxisProblem('w', 2, [8, 32], 3, [8, 32], false);
    assert.ok(p && /'w' is \[8, 32\] at batch 2 and at batch 3: it does not depend on the examples/.test(p.problem), p?.problem);
    assert.match(p!.fix, /kind: zero/);
  });

  it('nn.MultiheadAttention\'s layouts are named with both shapes: batch·heads on axis 0, on axis 1, seq·batch', () => {
    const a = batchAxisProblem('bh', 2, [8, 10, 16], 3, [12, 10, 16]);
    assert.ok(a && /'bh' is \[8, 10, 16\] at batch 2 and \[12, 10, 16\] at batch 3: axis 0 holds batch × 4 rows/.test(a.problem), a?.problem);
    const b = batchAxisProblem('sbh', 2, [10, 8, 16], 3, [10, 12, 16]);
    assert.ok(b && /axis 1 grows with the batch \(batch × 4\), so axis 0 is not the examples axis/.test(b.problem), b?.problem);
    const c = batchAxisProblem('sb', 2, [20, 64], 3, [30, 64]);
    assert.ok(c && /axis 0 holds batch × 10 rows/.test(c.problem), c?.problem);
    assert.match(c!.fix, /groupSize: d_head.*docs\/pytorch\.md/);
    const d = batchAxisProblem('r', 2, [2, 4], 3, [3, 2, 2]);
    assert.ok(d && /rank changes with the batch/.test(d.problem));
  });
});

describe('hypothesis: the editor knows groupSize and ignoreIndex', () => {
  it('completion offers them where they belong, and their hovers say what they do', () => {
    assert.ok(keysAt(['circuit', 'components', 0]).some((k) => k.key === 'groupSize'));
    assert.ok(keysAt(['data']).some((k) => k.key === 'ignoreIndex'));
    assert.match(keyHelpMarkdown(['circuit', 'components', 0, 'groupSize']) ?? '', /integer ≥ 1 · default `1`[\s\S]*a head of a merged/);
    assert.match(keyHelpMarkdown(['data', 'ignoreIndex']) ?? '', /default `-100`[\s\S]*ignore_index/);
  });
});
