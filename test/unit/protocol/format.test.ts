import { strict as assert } from 'node:assert';
import { formatDuration, formatLevel } from '../../../src/protocol/format';

describe('protocol/format', () => {
  it('levels: three significant digits, short forms', () => {
    assert.deepEqual([0.0167954962902, 31.6227766017, 1000, 1e-7, 0.22446934951, 3].map(formatLevel), ['0.0168', '31.6', '1000', '1e-7', '0.224', '3']);
  });

  it('durations in words (the editor) and compact (the terminal), one rounding rule', () => {
    assert.deepEqual([45, 180, 200, 3600, 3900, 7199, NaN, -1].map((s) => formatDuration(s)), ['45 s', '3 min', '3 min 20 s', '1 h', '1 h 5 min', '2 h', '?', '?']);
    assert.deepEqual([5, 65, 3600 + 120, 59.6, 7199].map((s) => formatDuration(s, 'compact')), ['5s', '1m05s', '1h02m', '1m00s', '1h59m']);
  });
});
