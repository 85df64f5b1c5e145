import * as assert from 'assert';
import { levelResult, MARKOV_CHAIN_DRAWS, type ChainWithGaps } from '../../../src/engine/sweep/level';
import { DEFAULT_VERDICT, judgeContext, judgeLevels } from '../../../src/engine/sweep/verdict';
import type { Hypothesis } from '../../../src/protocol/hypothesis';
import { dealLevels, defaultWorkers, mergeShards, planShards } from '../../../src/worker/parallel';
import { sampleDocument } from '../chart/sampleDocument';

/** The sample document's hypothesis with the settings the judge reads: sgld, 4 chains, the default verdict. */
function fullHypothesis(h: Hypothesis, levels: number[]): Hypothesis {
  return {
    ...h, intervention: { kind: 'zero', scope: 'circuit' }, controls: { count: 8, match: 'size' }, verdict: DEFAULT_VERDICT,
    degradation: {
      dial: 'sgld', temperatures: { levels, scale: 'log' }, seed: 0, noise: { samples: 2 },
      sgld: { stepSize: 1e-3, localization: 10, chains: 4, draws: 4, burnIn: 0, thin: 1, batchSize: 8 },
    },
  };
}

describe('worker: fanning a sweep out over processes', () => {
  it('deals levels round-robin into at most `workers` non-empty shards, every level once', () => {
    assert.deepStrictEqual(dealLevels([1, 2, 3, 4, 5], 2), [[1, 3, 5], [2, 4]]);
    assert.deepStrictEqual(dealLevels([1, 2], 8), [[1], [2]]);
    assert.deepStrictEqual(dealLevels([1, 2, 3], 1), [[1, 2, 3]]);
  });

  it('uses one worker per (level, chain) pair at most, one per core at most', () => {
    assert.strictEqual(defaultWorkers(12, 2), 2);
    assert.strictEqual(defaultWorkers(3, 16), 3);
    assert.strictEqual(defaultWorkers(0, 16), 1);
    assert.strictEqual(defaultWorkers(13, 16, 4), 16);
    assert.strictEqual(defaultWorkers(13, 64, 4), 52);
  });

  it('plans shards that cover every (level, chain) pair once: levels alone while they suffice, chain groups beyond', () => {
    const grid = Array.from({ length: 13 }, (_, i) => i + 1);
    const pairs = (plans: ReturnType<typeof planShards>, chains: number) =>
      plans.flatMap((p) => p.levels.flatMap((t) => (p.chains ?? Array.from({ length: chains }, (_, c) => c)).map((c) => `${t}:${c}`))).sort();
    const all = (levels: number[], chains: number) => levels.flatMap((t) => Array.from({ length: chains }, (_, c) => `${t}:${c}`)).sort();
    assert.deepStrictEqual(planShards(grid, 4, 2), dealLevels(grid, 2).map((levels) => ({ levels })));
    assert.deepStrictEqual(planShards(grid, 1, 16).length, 13);
    const sixteen = planShards(grid, 4, 16);
    assert.strictEqual(sixteen.length, 16);
    assert.deepStrictEqual(pairs(sixteen, 4), all(grid, 4));
    assert.deepStrictEqual(new Set(sixteen.map((p) => p.chains!.join())), new Set(['0,1', '2,3']));
    assert.strictEqual(planShards(grid, 4, 64).length, 52);
    assert.deepStrictEqual(pairs(planShards(grid, 4, 64), 4), all(grid, 4));
    assert.deepStrictEqual(planShards([5, 50], 4, 4), [
      { levels: [5], chains: [0, 1] }, { levels: [5], chains: [2, 3] }, { levels: [50], chains: [0, 1] }, { levels: [50], chains: [2, 3] },
    ]);
    assert.deepStrictEqual(planShards([7], 4, 3).map((p) => p.chains), [[0, 1], [2], [3]]);
  });

  it('merges a level\'s chain groups as one process would: chains in order, cut after the first that diverged', () => {
    const whole = sampleDocument();
    const hypothesis = fullHypothesis(whole.hypothesis.resolved, whole.levels.map((l) => l.level));
    const chain = (c: number, shift: number, diverged = false): ChainWithGaps => ({
      chain: c, loss: [1, 2, 3, 4], targetEffect: [0.5 + shift, 0.6 + shift, 0.55 + shift, 0.52], collateralEffect: [0.01, 0.02 * shift, 0.015, 0.01],
      lossGap: [0.1 * shift, 0.2, 0.15, 0.1], controlLossGap: [0.05, 0.04 + shift, 0.06, 0.05], targetLossGap: [0.1, 0.2, 0.1 + shift, 0.1],
      controlTargetEffect: [[0.1, 0.2, 0.3], [0.2, 0.1 + shift, 0.3], [0.1, 0.2, 0.3], [0.15, 0.2, 0.25]],
      controlCollateralEffect: [[0, 0.01, 0], [0, 0, shift], [0.01, 0, 0], [0, 0, 0]],
      ...(diverged ? { diverged: true } : {}),
    });
    const part = (chains: ChainWithGaps[], error?: string) => levelResult({ level: 10, chains, seconds: 1, nbeta: 2, ...(error ? { error } : {}) }, MARKOV_CHAIN_DRAWS, true);
    const docOf = (levels: ReturnType<typeof part>[]) => ({ ...whole, levels });
    const judged = (chains: ChainWithGaps[], error?: string) => {
      const stats = levelResult({ level: 10, chains, seconds: 1, nbeta: 2, ...(error ? { error } : {}) }, MARKOV_CHAIN_DRAWS);
      return judgeLevels([stats], judgeContext(hypothesis, whole.baseline, 1)).levels[0]!;
    };
    // No divergence: the groups' chains together, statistics over all four.
    const groups = [part([chain(2, 0.3), chain(3, 0.1)]), part([chain(0, 0), chain(1, 0.2)])];
    const merged = mergeShards(hypothesis, [10], [docOf([groups[0]!]), docOf([groups[1]!])], 1).levels[0]!;
    assert.deepStrictEqual(merged, judged([chain(0, 0), chain(1, 0.2), chain(2, 0.3), chain(3, 0.1)]));
    assert.ok(merged.chains.every((c) => c.lossGap === undefined && c.controlTargetEffect === undefined));
    assert.strictEqual(merged.controls!.length, 3);
    assert.ok(merged.convergence, 'R̂ and ESS over the merged chains');
    // Chain 1 diverged in its group: chains 2 and 3 (which one process would never have run) are dropped.
    const diverging = [part([chain(0, 0), chain(1, 0.2, true)], 'SGLD diverged (chain 1)'), part([chain(2, 0.3), chain(3, 0.1)])];
    const cut = mergeShards(hypothesis, [10], diverging.map((l) => docOf([l])), 1).levels[0]!;
    assert.deepStrictEqual(cut.chains.map((c) => c.chain), [0, 1]);
    assert.strictEqual(cut.error, 'SGLD diverged (chain 1)');
    assert.deepStrictEqual(cut, judged([chain(0, 0), chain(1, 0.2, true)], 'SGLD diverged (chain 1)'));
    // The diverged chain's partial trace feeds no estimate, and a diverged level reports no λ̂.
    assert.strictEqual(cut.targetEffect.n, 4);
    assert.strictEqual(cut.llc, undefined);
  });

  it('merges shard documents into grid order, with the verdict over all levels and the full hypothesis', () => {
    const whole = sampleDocument();
    const [a, b] = [[0, 2, 4], [1, 3]].map((idx) => ({ ...whole, levels: idx.map((i) => whole.levels[i]), verdict: { ...whole.verdict, summary: 'shard' }, timings: { totalSeconds: 1, setupSeconds: idx[0] + 0.5 } }));
    const hypothesis = fullHypothesis(whole.hypothesis.resolved, whole.levels.map((l) => l.level));
    const merged = mergeShards(hypothesis, whole.levels.map((l) => l.level), [a, b], 3);
    const expected = judgeLevels(whole.levels, judgeContext(hypothesis, whole.baseline, whole.levels.length));
    assert.deepStrictEqual(merged.levels, expected.levels);
    assert.deepStrictEqual(merged.verdict, expected.verdict);
    assert.notStrictEqual(merged.verdict.summary, 'shard');
    assert.deepStrictEqual(merged.timings, { totalSeconds: 3, setupSeconds: 1.5 });
    assert.strictEqual(merged.status, 'complete');
    assert.throws(() => mergeShards(hypothesis, [...whole.levels.map((l) => l.level), 1e6], [a, b], 3), /no shard returned level 1000000/);
  });
});
