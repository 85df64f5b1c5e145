import * as assert from 'assert';
import { fractionDone, ProgressMeter, type SweepPosition } from '../../../src/worker/progress';

const at = (levelIndex: number, chain: number, draw: number): SweepPosition => ({ levelIndex, levels: 4, level: 10 ** levelIndex, chain, chains: 2, draw, draws: 10 });

describe('worker progress meter', () => {
  it('counts levels, chains and draws into one fraction', () => {
    assert.strictEqual(fractionDone(at(0, 0, 0)), 1 / 80);
    assert.strictEqual(fractionDone(at(0, 1, 9)), 1 / 4);
    assert.strictEqual(fractionDone(at(2, 0, 4)), (2 + 5 / 20) / 4);
    assert.strictEqual(fractionDone(at(3, 1, 9)), 1);
  });

  it('throttles to one notification per interval except at a new level, and estimates the time left from the pace', () => {
    let now = 1000;
    const meter = new ProgressMeter('r', 0, 100, () => now);
    const first = meter.update(at(0, 0, 0));
    assert.ok(first);
    assert.strictEqual(first.etaSeconds, null, 'no pace yet');
    assert.strictEqual(first.elapsedSeconds, 1);
    now += 50;
    assert.strictEqual(meter.update(at(0, 0, 1)), null, 'too soon');
    now += 10;
    assert.ok(meter.update(at(1, 0, 0)), 'a new level always shows');
    // Steady pace: one draw per 100 ms from the first event on; 80 draws in all.
    now = 1000 + 100 * 39;
    const mid = meter.update(at(1, 1, 9));
    assert.ok(mid && mid.etaSeconds !== null);
    // 39 draws in 3.9 s ⇒ the remaining 40 take 4 s.
    assert.ok(Math.abs(mid.etaSeconds - 4) < 1e-9, String(mid.etaSeconds));
    assert.strictEqual(mid.fraction, 0.5);
  });
});
