// `evaluation: { rows: m }` on the planted example (weight-noise: its draws do not depend on the data): a sweep
// evaluated on the seeded subset gives the numbers of a sweep whose data files hold just those rows, up to the
// order of summation; rows ≥ n changes nothing; the results state the subset and its row-sampling se.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadArray, saveNpy } from '../../../../src/engine/data/load';
import { takeRows } from '../../../../src/engine/data/ndarray';
import { EVAL_ORDER_STREAM, evaluationRows } from '../../../../src/engine/sweep/evaluation';
import { runSweep } from '../../../../src/engine/sweep/run';
import { Rng } from '../../../../src/engine/util/random';
import { checkHypothesisFile, type Hypothesis } from '../../../../src/hypothesis';
import { copyPlanted, type PlantedCopy } from '../../../support/workerFixtures';

async function resolved(file: string): Promise<Hypothesis> {
  const r = await checkHypothesisFile(file);
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  return r.hypothesis;
}

// Zero ablation: resampling draws its sources within each evaluation batch, which another row order changes.
const quick = (y: string) => y.replace(/temperatures: \{[^}]*\}/, 'temperatures: { from: 0.03, to: 1, count: 3 }').replace(/noise: \{ samples: \d+ \}/, 'noise: { samples: 4 }')
  .replace('intervention: { kind: resample, scope: circuit }', 'intervention: { kind: zero, scope: circuit }').replace('reference: control\n', '');

describe('sweep: evaluation on a seeded subset of rows', function () {
  this.timeout(60_000);
  let planted: PlantedCopy;
  before(() => { planted = copyPlanted(); });
  after(() => planted.remove());

  it('equals a sweep on data that holds just the subset’s rows; the results state the subset and its se', async () => {
    const subset = await resolved(planted.variant('subset', (y) => `${quick(y)}evaluation: { rows: 48 }\n`));
    const doc = await runSweep(subset);
    const n = doc.data.n;
    const e = doc.data.evaluation;
    assert.ok(e, 'the results state the subset');
    assert.equal(e.rows, 48);
    assert.equal(e.target, Math.round((48 * doc.data.target) / n), 'the data’s target share');
    // On the planted task every target row of this subset changes by the same float32 loss (sd 0); control rows differ.
    assert.ok(e.rowSe.targetEffect >= 0 && e.rowSe.collateralEffect > 0 && Number.isFinite(e.rowSe.collateralEffect), JSON.stringify(e));

    // The same rows, written as data files of their own (evaluated whole, in another order).
    const isTarget = await loadArray(path.join(planted.dir, 'data/is_target.npy'));
    const flags = Uint8Array.from(isTarget.data as ArrayLike<number | bigint>, (v) => (Number(v) ? 1 : 0));
    const rows = evaluationRows(Rng.stream(subset.degradation.seed, EVAL_ORDER_STREAM).permutation(n), flags, 48);
    for (const name of ['x', 'y', 'is_target']) {
      const a = await loadArray(path.join(planted.dir, `data/${name}.npy`));
      saveNpy(path.join(planted.dir, `data/sub_${name}.npy`), takeRows(a, rows));
    }
    const restricted = await resolved(planted.variant('restricted', (y) => quick(y).replace('./data/x.npy', './data/sub_x.npy').replace('./data/y.npy', './data/sub_y.npy').replace('./data/is_target.npy', './data/sub_is_target.npy')));
    const whole = await runSweep(restricted);
    assert.equal(whole.data.n, 48);
    assert.equal(whole.data.evaluation, undefined);
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
    near(doc.baseline.targetEffect, whole.baseline.targetEffect, 'E_T(w*)');
    near(doc.baseline.collateralEffect, whole.baseline.collateralEffect, 'E_C(w*)');
    doc.levels.forEach((l, i) => {
      near(l.targetEffect.mean, whole.levels[i]!.targetEffect.mean, `E_T at level ${i}`);
      near(l.collateralEffect.mean, whole.levels[i]!.collateralEffect.mean, `E_C at level ${i}`);
      near(l.lossGap.mean, whole.levels[i]!.lossGap.mean, `ΔL at level ${i}`);
    });
  });

  it('rows ≥ n evaluates every row: the numbers of a hypothesis without the setting', async () => {
    const plain = await runSweep(await resolved(planted.variant('plain', quick)));
    const all = await runSweep(await resolved(planted.variant('all-rows', (y) => `${quick(y)}evaluation: { rows: 100000 }\n`)));
    assert.equal(all.data.evaluation, undefined);
    const numbers = (d: typeof plain) => JSON.stringify(d.levels, (k, v) => (k === 'seconds' ? undefined : v));
    assert.equal(numbers(all), numbers(plain));
    assert.deepEqual(all.baseline, plain.baseline);
  });
});
