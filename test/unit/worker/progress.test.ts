import * as assert from 'assert';
import { formatProgress } from '../../../src/protocol/format';
import { Pace, ProgressMeter, ProgressTotal, unitsDoneOf } from '../../../src/worker/progress';

describe('worker progress in work units', () => {
  it('counts the unit under way by its draws', () => {
    assert.strictEqual(unitsDoneOf({ unitsDone: 0, units: 8, draw: 0, draws: 10 }), 0.1);
    assert.strictEqual(unitsDoneOf({ unitsDone: 3, units: 8, draw: 4, draws: 10 }), 3.5);
    assert.strictEqual(unitsDoneOf({ unitsDone: 7, units: 8, draw: 9, draws: 10 }), 8);
    assert.strictEqual(unitsDoneOf({ unitsDone: 8, units: 8, draw: 99, draws: 10 }), 8, 'never past the end');
  });

  it('throttles to one notification per interval except when a unit finishes', () => {
    let now = 1000;
    const meter = new ProgressMeter('r', 0, 100, () => now);
    const first = meter.update({ unitsDone: 0, units: 4, draw: 0, draws: 10 });
    assert.ok(first);
    assert.strictEqual(first.etaSeconds, null, 'no pace yet');
    assert.strictEqual(first.elapsedSeconds, 1);
    assert.strictEqual(first.workers, 1);
    now += 50;
    assert.strictEqual(meter.update({ unitsDone: 0, units: 4, draw: 1, draws: 10 }), null, 'too soon');
    now += 10;
    assert.ok(meter.update({ unitsDone: 1, units: 4, draw: 0, draws: 10 }), 'a finished unit always shows');
  });

  it('estimates the time left only once the pace has settled, then from the pace since the first report', () => {
    const pace = new Pace(0.03, 2);
    assert.strictEqual(pace.eta(0, 0.01), null, 'first report: no pace');
    assert.strictEqual(pace.eta(500, 0.2), null, 'under two seconds behind it');
    assert.strictEqual(pace.eta(2500, 0.02), null, 'under 3% of the work behind it');
    // From 1% at t = 0 to 26% at t = 5 s: 25% per 5 s, so the remaining 74% take 14.8 s.
    const eta = pace.eta(5000, 0.26);
    assert.ok(eta !== null && Math.abs(eta - 14.8) < 1e-9, String(eta));
  });

  it('sums several workers into counts that never go back, also when a lost worker’s unit under way is dropped', () => {
    let now = 0;
    const total = new ProgressTotal('r', 10, 2, 2, 0, () => now);
    assert.deepStrictEqual(pick(total.current()), { unitsDone: 2, fraction: 0.2 }, 'a journal’s units count from the start');
    now = 100;
    // Worker 0 is half-way through its first of 4 units, worker 1 a quarter through its first of 4.
    assert.deepStrictEqual(pick(total.report(0, { unitsDone: 0, units: 4, fraction: 0.125 })), { unitsDone: 2, fraction: 0.25 });
    assert.deepStrictEqual(pick(total.report(1, { unitsDone: 0, units: 4, fraction: 0.0625 })), { unitsDone: 2, fraction: 0.275 });
    total.unitDone();
    assert.strictEqual(total.current().unitsDone, 3);
    // Worker 1 dies: its quarter unit no longer counts, yet the fraction shown does not fall.
    total.forget(1);
    const after = total.current();
    assert.ok(after.fraction >= 0.275, String(after.fraction));
    assert.strictEqual(after.workers, 2);
    assert.strictEqual(after.units, 10);
  });

  it('reads the same in every view: "k of N work units done", and compact on a terminal', () => {
    assert.strictEqual(formatProgress({ unitsDone: 3, units: 12, fraction: 0.3, etaSeconds: 125 }), '3 of 12 work units done · about 2 min 5 s left');
    assert.strictEqual(formatProgress({ unitsDone: 0, units: 1, fraction: 0, etaSeconds: null }), '0 of 1 work unit done · estimating time left…');
    assert.strictEqual(formatProgress({ unitsDone: 3, units: 12, fraction: 0.3, etaSeconds: 65 }, 'compact'), '3/12 units · ETA 1m05s');
  });
});

function pick(p: { unitsDone: number; fraction: number }): { unitsDone: number; fraction: number } {
  return { unitsDone: p.unitsDone, fraction: Number(p.fraction.toFixed(12)) };
}
