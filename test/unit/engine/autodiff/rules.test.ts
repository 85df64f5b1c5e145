// One row per op (and per opset variant): a small model around the op, its inputs as parameters, checked
// against central finite differences by gradcheck. Shapes are small and include broadcasting and negative axes.
import * as assert from 'node:assert/strict';
import { gradcheck, GRADCHECK_TOLERANCE } from '../../../../src/engine/autodiff/gradcheck';
import { differentiableOps } from '../../../../src/engine/autodiff';
import { opsetsOf, rowModel, rowName, ROWS } from './fdTable';

describe('autodiff: one finite-difference row per rule', function () {
  this.timeout(20000);
  for (const row of ROWS) for (const opset of opsetsOf(row)) {
    it(rowName(row, opset), async () => {
      const report = await gradcheck(rowModel(row, opset), { seed: 5, directions: 2 });
      assert.ok(report.checked > 0, 'nothing was checked');
      // Against both references: float64 differences on the float64 copy (which spells some ops, LSTM and GRU among
      // them, in other float64 ops) and float32 differences on onnxruntime's own kernels.
      const bad = report.tensors.filter((t) => !t.pass || t.relError32! > GRADCHECK_TOLERANCE.relative).map((t) => `${t.name} [${t.shape}]: rel. error ${t.relError64!.toExponential(2)} vs float64, ${t.relError32!.toExponential(2)} vs float32 (${t.directions.map((d) => `${d.analytic.toPrecision(5)} vs ${d.float64!.numeric.toPrecision(5)} and ${d.float32!.numeric.toPrecision(5)}`).join(', ')})`);
      assert.deepEqual(bad, [], `tolerance ${GRADCHECK_TOLERANCE.relative}`);
      assert.deepEqual(report.float64?.float32Ops, [], 'every op of the row has a float64 kernel or spelling');
    });
  }

  it('every op with a rule has a row', () => {
    const covered = new Set(ROWS.map((r) => r.op));
    assert.deepEqual(differentiableOps().filter((op) => !covered.has(op)), []);
  });
});
