// A scan's per-draw sums (src/engine/sweep/scanDraw.ts) against the definitions computed row by row: every unit's
// E_T and E_C, and the row standard errors of its effects and of its excess over the other units of its component,
// whose running-sum identity (Σx² = a²Σe² − 2ab·Σe·S + b²ΣS²) is what is under test.
import { strict as assert } from 'node:assert';
import { ScanAccumulator } from '../../../../src/engine/sweep/scanDraw';
import { Rng } from '../../../../src/engine/util/random';

const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1));
};

describe('scan draw sums', () => {
  it('give every unit its effects and row standard errors, excesses against its own component', () => {
    const rng = Rng.stream(7, 1);
    // 7 copies: component 0 has copies 0, 2, 5; component 1 has 1, 3, 4, 6.
    const componentOf = Int32Array.of(0, 1, 0, 1, 1, 0, 1);
    const rows = 23;
    const kind = Uint8Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const u = () => rng.normal();
    const cleanLoss = Float32Array.from({ length: rows }, () => 1 + u());
    const ablated = Array.from({ length: 7 }, () => Float32Array.from({ length: rows }, () => 1 + 2 * u()));
    const acc = new ScanAccumulator(componentOf, 2);
    // Two batches, the second with padding beyond `valid`.
    const first = 15;
    const part = (a: Float32Array, from: number, to: number) => a.slice(from, to);
    acc.add({ cleanLoss: part(cleanLoss, 0, first), ablatedLoss: part(ablated[0]!, 0, first), controlLoss: ablated.slice(1).map((a) => part(a, 0, first)) }, kind.slice(0, first), first);
    const pad = (a: Float32Array) => Float32Array.of(...a.slice(first), 99, 99);
    acc.add({ cleanLoss: pad(cleanLoss), ablatedLoss: pad(ablated[0]!), controlLoss: ablated.slice(1).map(pad) }, Uint8Array.of(...kind.slice(first), 1, 0), rows - first);
    const m = acc.result();

    const target = [...kind.keys()].filter((i) => kind[i] === 1);
    const control = [...kind.keys()].filter((i) => kind[i] === 0);
    const effect = (j: number, i: number) => ablated[j]![i]! - cleanLoss[i]!;
    for (let j = 0; j < 7; j++) {
      const mates = [...componentOf.keys()].filter((o) => o !== j && componentOf[o] === componentOf[j]);
      for (const [side, idx, meanAt, seAt] of [['target', target, m.targetEffect, 0], ['control', control, m.collateralEffect, 1]] as const) {
        const e = idx.map((i) => effect(j, i));
        const x = idx.map((i) => effect(j, i) - mates.reduce((a, o) => a + effect(o, i), 0) / mates.length);
        const mean = e.reduce((a, b) => a + b, 0) / e.length;
        assert.ok(Math.abs(meanAt[j]! - mean) < 1e-9, `${side} mean of copy ${j}`);
        assert.ok(Math.abs(m.rowSe[j]![seAt]! - sd(e) / Math.sqrt(e.length)) < 1e-9, `${side} row se of copy ${j}`);
        assert.ok(Math.abs(m.rowSe[j]![seAt + 2]! - sd(x) / Math.sqrt(x.length)) < 1e-9, `${side} excess row se of copy ${j}`);
      }
    }
    const mean = (idx: number[]) => idx.reduce((a, i) => a + cleanLoss[i]!, 0) / idx.length;
    assert.ok(Math.abs(m.targetLoss - mean(target)) < 1e-9 && Math.abs(m.controlLoss - mean(control)) < 1e-9);
    assert.ok(Math.abs(m.loss - mean([...kind.keys()])) < 1e-9);
  });
});
