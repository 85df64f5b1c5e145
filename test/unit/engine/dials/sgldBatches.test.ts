// Independent minibatches (exponential-sgld's): every batch is b distinct examples, uniform, and unrelated to the last
// one (an epoch's next batch never shares an example with it; an independent one shares b²/n on average).
import { strict as assert } from 'node:assert';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { MinibatchStream } from '../../../../src/engine/dials/sgldBatches';
import { Rng } from '../../../../src/engine/util/random';

describe('sgld/batches: independent minibatches', () => {
  const n = 10, b = 3, batches = 20_000;
  const ids = makeArray('float32', [n, 1], Float32Array.from({ length: n }, (_, i) => i));

  it('b distinct examples per batch, each example b/n of the time, b²/n shared with the previous batch', () => {
    const stream = new MinibatchStream([{ input: 'x', array: ids }], n, b, Rng.stream(7), true);
    const counts = new Array<number>(n).fill(0);
    let previous = new Set<number>(), shared = 0;
    for (let k = 0; k < batches; k++) {
      const rows = Array.from(stream.next().x!.data as Float32Array);
      assert.deepEqual(rows, Array.from(stream.indices));
      const set = new Set(rows);
      assert.equal(set.size, b, `batch ${k}: ${rows}`);
      for (const r of rows) counts[r]!++;
      if (k > 0) for (const r of rows) if (previous.has(r)) shared++;
      previous = set;
    }
    // Uniform: Pearson's χ² on n − 1 = 9 degrees of freedom below its 0.1% point (27.9).
    const expected = (batches * b) / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 27.9, `χ² ${chi2} for ${counts}`);
    // The overlap of two independent batches is hypergeometric: mean b²/n = 0.9, variance b·(b/n)·(1 − b/n)·(n − b)/(n − 1).
    const variance = b * (b / n) * (1 - b / n) * ((n - b) / (n - 1));
    const mean = shared / (batches - 1);
    assert.ok(Math.abs(mean - (b * b) / n) < 4 * Math.sqrt(variance / (batches - 1)), `mean overlap ${mean}`);
  });

  it('the whole data set when b = n, as epochs give it', () => {
    const stream = new MinibatchStream([{ input: 'x', array: ids }], n, n, Rng.stream(7), true);
    for (let k = 0; k < 3; k++) assert.deepEqual(Array.from(stream.next().x!.data as Float32Array), Array.from({ length: n }, (_, i) => i));
  });
});
