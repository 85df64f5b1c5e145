// The float64 reference itself: on every model of the finite-difference table the float64 copy computes what the
// model computes (to float32 rounding), with no op left in float32; ops without a float64 kernel are spelled.
import * as assert from 'node:assert/strict';
import { float64Session } from '../../../../src/engine/autodiff/float64';
import { probeTensors } from '../../../../src/engine/autodiff/probe';
import { createSession } from '../../../../src/engine/onnx/runtime';
import { opModel, opsetsOf, ROWS } from './fdTable';

describe('autodiff: the float64 copy agrees with the model on every row of the FD table', function () {
  this.timeout(20000);
  for (const row of ROWS) for (const opset of opsetsOf(row)) {
    it(`${row.op}${row.what ? ` — ${row.what}` : ''} (opset ${opset})`, async () => {
      const model = opModel(opset, row.build);
      const { session, copy } = await float64Session(model, await probeTensors(model, {}));
      const original = await createSession(model);
      try {
        const [y32, y64] = [await original.run({}), await session.run({})];
        assert.deepEqual(copy.float32Ops, []);
        for (const o of model.graph.output) {
          assert.equal(y64[o.name].type, 'float64', o.name);
          const a = y32[o.name].data as Float32Array, b = y64[o.name].data as Float64Array;
          let diff = 0, scale = 0;
          b.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - a[i])); scale = Math.max(scale, Math.abs(v)); });
          // float32 rounding through one op (a few ulps, more for sums over a window or a sequence): 1e-5 relative.
          assert.ok(diff <= 1e-5 * scale, `${o.name}: max |y64 − y32| = ${diff.toExponential(2)}, scale ${scale.toExponential(2)}`);
        }
      } finally {
        await session.release();
        await original.release();
      }
    });
  }
});
