import * as assert from 'assert';
import { dealLevels, defaultWorkers, mergeShards } from '../../../src/worker/parallel';
import { sampleDocument } from '../chart/sampleDocument';

describe('worker: fanning a sweep out over processes', () => {
  it('deals levels round-robin into at most `workers` non-empty shards, every level once', () => {
    assert.deepStrictEqual(dealLevels([1, 2, 3, 4, 5], 2), [[1, 3, 5], [2, 4]]);
    assert.deepStrictEqual(dealLevels([1, 2], 8), [[1], [2]]);
    assert.deepStrictEqual(dealLevels([1, 2, 3], 1), [[1, 2, 3]]);
  });

  it('uses one worker per level at most, one per core at most', () => {
    assert.strictEqual(defaultWorkers(12, 2), 2);
    assert.strictEqual(defaultWorkers(3, 16), 3);
    assert.strictEqual(defaultWorkers(0, 16), 1);
  });

  it('merges shard documents into grid order, with the verdict over all levels and the full hypothesis', () => {
    const whole = sampleDocument();
    const [a, b] = [[0, 2], [1, 3]].map((idx) => ({ ...whole, levels: idx.map((i) => whole.levels[i]), verdict: { ...whole.verdict, summary: 'shard' }, timings: { totalSeconds: 1, setupSeconds: idx[0] + 0.5 } }));
    const merged = mergeShards(whole.hypothesis.resolved, whole.levels.map((l) => l.level), [a, b], 3);
    assert.deepStrictEqual(merged.levels, whole.levels);
    assert.deepStrictEqual(merged.verdict, { cleanWindow: [1, 10], tEnt: 1, tSurv: 10, cleanlinessDecades: 1, summary: merged.verdict.summary });
    assert.notStrictEqual(merged.verdict.summary, 'shard');
    assert.deepStrictEqual(merged.timings, { totalSeconds: 3, setupSeconds: 1.5 });
    assert.strictEqual(merged.status, 'complete');
    assert.throws(() => mergeShards(whole.hypothesis.resolved, [...whole.levels.map((l) => l.level), 1000], [a, b], 3), /no shard returned level 1000/);
  });
});
