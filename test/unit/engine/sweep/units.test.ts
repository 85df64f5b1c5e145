import * as assert from 'assert';
import { levelResult, MARKOV_CHAIN_DRAWS, type ChainWithGaps } from '../../../../src/engine/sweep/level';
import { allUnits, IncompleteUnitsError, LevelAssembler, levelFromUnits, missingUnits, resultsFromUnits, shardUnits, unitKey } from '../../../../src/engine/sweep/units';
import { DEFAULT_VERDICT, judgeContext, judgeLevels } from '../../../../src/engine/sweep/verdict';
import type { Hypothesis } from '../../../../src/protocol/hypothesis';
import type { SweepHeader, UnitResult } from '../../../../src/protocol/shard';
import { defaultWorkers } from '../../../../src/worker/parallel';
import { sampleDocument } from '../../../support/sampleDocument';

/** The sample document's hypothesis with the settings the judge reads: sgld, 4 chains, the default verdict. */
function fullHypothesis(h: Hypothesis, levels: number[]): Hypothesis {
  return {
    ...h, intervention: { kind: 'zero', scope: 'circuit' }, controls: { count: 8, match: 'size' }, verdict: DEFAULT_VERDICT,
    degradation: {
      dial: 'sgld', levels, scale: 'log', seed: 0,
      sgld: { stepSize: 1e-3, localization: 10, chains: 4, draws: 4, burnIn: 0, thin: 1, batchSize: 8 },
    },
  };
}

const chain = (c: number, shift: number, diverged = false): ChainWithGaps => ({
  chain: c, loss: [1, 2, 3, 4], targetEffect: [0.5 + shift, 0.6 + shift, 0.55 + shift, 0.52], collateralEffect: [0.01, 0.02 * shift, 0.015, 0.01],
  lossGap: [0.1 * shift, 0.2, 0.15, 0.1], controlLossGap: [0.05, 0.04 + shift, 0.06, 0.05], targetLossGap: [0.1, 0.2, 0.1 + shift, 0.1],
  controlTargetEffect: [[0.1, 0.2, 0.3], [0.2, 0.1 + shift, 0.3], [0.1, 0.2, 0.3], [0.15, 0.2, 0.25]],
  controlCollateralEffect: [[0, 0.01, 0], [0, 0, shift], [0.01, 0, 0], [0, 0, 0]],
  ...(diverged ? { diverged: true } : {}),
});

function headerOf(levels: number[]): { header: SweepHeader; hypothesis: Hypothesis } {
  const whole = sampleDocument();
  const hypothesis = fullHypothesis(whole.hypothesis.resolved, levels);
  const { levels: _l, verdict: _v, timings: _t, status: _s, ...document } = whole;
  return {
    hypothesis,
    header: { plan: 'p', levels: levels.length, chains: 4, draws: { independent: false, deterministic: false }, setupSeconds: 0.5, document: { ...document, hypothesis: { ...document.hypothesis, resolved: hypothesis } } },
  };
}

const unit = (levelIndex: number, level: number, c: ChainWithGaps, error?: string): UnitResult => ({ levelIndex, level, chain: c.chain, trace: c, seconds: 1, nbeta: 2, ...(error ? { error } : {}) });

describe('sweep work units: plans, shards and the document put back together', () => {
  it('plans every (level, chain) unit once and deals shards that cover them once, round-robin', () => {
    const units = allUnits(3, 4);
    assert.strictEqual(units.length, 12);
    assert.deepStrictEqual(units.slice(0, 5).map(unitKey), ['0/0', '0/1', '0/2', '0/3', '1/0']);
    const shards = [0, 1, 2, 3, 4].map((i) => shardUnits(units, i, 5));
    assert.deepStrictEqual(shards.map((s) => s.length), [3, 3, 2, 2, 2], 'sizes differ by one at most');
    assert.deepStrictEqual(shards.flat().map(unitKey).sort(), units.map(unitKey).sort());
    assert.deepStrictEqual(shardUnits(units, 1, 5).map(unitKey), ['0/1', '1/2', '2/3']);
    assert.throws(() => shardUnits(units, 5, 5), /shard 5 is not one of 0 … 4/);
    assert.throws(() => shardUnits(units, 0, 0), /at least one shard/);
  });

  it('uses one worker per unit at most, one per core at most', () => {
    assert.strictEqual(defaultWorkers(12, 2), 2);
    assert.strictEqual(defaultWorkers(3, 16), 3);
    assert.strictEqual(defaultWorkers(0, 16), 1);
    assert.strictEqual(defaultWorkers(13, 16, 4), 16);
    assert.strictEqual(defaultWorkers(13, 64, 4), 52);
  });

  it('assembles a level as one process does, whatever order its units arrive in; cut after the first chain that diverged', () => {
    const { header, hypothesis } = headerOf([10]);
    const whole = sampleDocument();
    const direct = (chains: ChainWithGaps[], error?: string) =>
      levelResult({ level: 10, chains, seconds: chains.length, nbeta: 2, ...(error ? { error } : {}) }, MARKOV_CHAIN_DRAWS);
    const shuffled = [chain(2, 0.3), chain(0, 0), chain(3, 0.1), chain(1, 0.2)].map((c) => unit(0, 10, c));
    assert.strictEqual(levelFromUnits(header, 0, shuffled.slice(0, 3)), null, 'incomplete until chain 1 is in');
    const merged = levelFromUnits(header, 0, shuffled)!;
    assert.deepStrictEqual(merged, direct([chain(0, 0), chain(1, 0.2), chain(2, 0.3), chain(3, 0.1)]));
    assert.ok(merged.chains.every((c) => c.lossGap === undefined && c.controlTargetEffect === undefined), 'results keep no per-draw series');
    assert.strictEqual(merged.controls!.length, 3);
    assert.ok(merged.convergence, 'R̂ and ESS over all four chains');
    // Chain 1 diverged: chains 2 and 3 (which one process would never have run) are dropped, and not needed.
    const diverging = [unit(0, 10, chain(0, 0)), unit(0, 10, chain(1, 0.2, true), 'SGLD diverged (chain 1)'), unit(0, 10, chain(3, 0.1))];
    assert.deepStrictEqual(missingUnits(header, diverging), []);
    const cut = levelFromUnits(header, 0, diverging)!;
    assert.deepStrictEqual(cut.chains.map((c) => c.chain), [0, 1]);
    assert.deepStrictEqual(cut, direct([chain(0, 0), chain(1, 0.2, true)], 'SGLD diverged (chain 1)'));
    assert.strictEqual(cut.targetEffect.n, 4, 'the diverged chain feeds no estimate');
    assert.strictEqual(cut.llc, undefined);
    // Live levels are judged against the whole grid, once each.
    const live: number[] = [];
    const assembler = new LevelAssembler((l, i) => {
      live.push(i);
      assert.deepStrictEqual(l, judgeLevels([merged], judgeContext(hypothesis, whole.baseline, 1)).levels[0]);
    });
    for (const u of shuffled) assembler.add(header, u);
    assembler.add(header, shuffled[0]!);
    assert.deepStrictEqual(live, [0]);
  });

  it('builds the results document over the whole grid and names what is missing', () => {
    const { header, hypothesis } = headerOf([1, 10]);
    const whole = sampleDocument();
    const units = [0, 1].flatMap((li) => [0, 1, 2, 3].map((c) => unit(li, [1, 10][li]!, chain(c, 0.1 * c + li))));
    const doc = resultsFromUnits(header, [...units].reverse(), 3);
    const levels = [0, 1].map((li) => levelFromUnits(header, li, units)!);
    const expected = judgeLevels(levels, judgeContext(hypothesis, whole.baseline, 2));
    assert.deepStrictEqual(doc.levels, expected.levels);
    assert.deepStrictEqual(doc.verdict, expected.verdict);
    assert.deepStrictEqual(doc.timings, { totalSeconds: 3, setupSeconds: 0.5 });
    assert.strictEqual(doc.status, 'complete');
    assert.deepStrictEqual(doc.hypothesis.resolved, hypothesis);
    const missing = units.filter((u) => unitKey(u) !== '1/2');
    assert.deepStrictEqual(missingUnits(header, missing), [{ levelIndex: 1, chain: 2 }]);
    assert.throws(() => resultsFromUnits(header, missing, 3), (e: unknown) => e instanceof IncompleteUnitsError && /1 work unit is missing \(first: level 2, chain 3\)/.test(e.message));
  });
});
