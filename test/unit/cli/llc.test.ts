// The note under a negative λ̂: w* is not a minimum of the loss on these data, so the LLC does not apply there.
import { strict as assert } from 'node:assert';
import { negativeLlcNote } from '../../../src/cli/llc';

describe('CLI llc: the negative-λ̂ note', () => {
  it('says nothing for λ̂ ≥ 0, notes a negative λ̂, and says when it is more than 2 se below 0', () => {
    assert.deepEqual(negativeLlcNote({ mean: 3.2, se: 0.4 }), []);
    assert.deepEqual(negativeLlcNote({ mean: 0, se: 0.4 }), []);
    const within = negativeLlcNote({ mean: -0.3, se: 0.4 }).join('\n');
    assert.match(within, /λ̂ is negative: .*w\* is not a local minimum/);
    assert.doesNotMatch(within, /2 se/);
    assert.match(negativeLlcNote({ mean: -3, se: 0.4 }).join('\n'), /more than 2 se below 0/);
    assert.match(negativeLlcNote({ mean: -3, se: null }).join('\n'), /negative: /);
  });
});
