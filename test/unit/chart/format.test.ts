// The verdict's small texts that the chart page, the CLI table and the webview share.
import { strict as assert } from 'node:assert';
import { calibrationText } from '../../../src/chart/format';

describe('chart/format', () => {
  it('calibrationText says why there is none: sufficiency is not calibrated; otherwise too few control sets', () => {
    assert.match(calibrationText({ calibration: null, question: 'sufficiency' }, false), /^no calibration \(sufficiency is not calibrated/);
    assert.match(calibrationText({ calibration: null, question: 'necessity' }, false), /needs ≥ 3 matched random sets/);
  });
});
