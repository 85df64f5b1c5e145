// The float64 reference itself: on every model of the finite-difference table the float64 copy computes what the
// model computes (to float32 rounding), with no op left in float32; ops without a float64 kernel are spelled.
import * as assert from 'node:assert/strict';
import { float64Session } from '../../../../src/engine/autodiff/float64';
import { probeTensors } from '../../../../src/engine/autodiff/probe';
import { createSession } from '../../../../src/engine/onnx/runtime';
import { tensorToNumbers } from '../../../../src/engine/onnx/tensor';
import { opModel, opsetsOf, rowModel, rowName, ROWS } from './fdTable';

describe('autodiff: the float64 copy agrees with the model on every row of the FD table', function () {
  this.timeout(20000);
  for (const row of ROWS) for (const opset of opsetsOf(row)) {
    it(rowName(row, opset), async () => {
      const model = rowModel(row, opset);
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

  it('GroupNormalization (opset 21, whose kernel computes its statistics in float32) is float64 to 1e-12 against a float64 reference', async () => {
    const [n, c, spatial, groups, epsilon] = [2, 6, 4, 3, 1e-3];
    let names: string[] = [];
    const model = opModel(21, (o) => {
      names = [o.p([n, c, spatial]), o.p([c], { range: [0.5, 1.5] }), o.p([c])];
      return o.b.op('GroupNormalization', names, { num_groups: groups, epsilon: { float: epsilon } });
    }, 'GroupNormalization float64');
    const [x, scale, bias] = names.map((name) => tensorToNumbers(model.graph.initializer.find((t) => t.name === name)!));
    const { session, copy } = await float64Session(model, await probeTensors(model, {}));
    try {
      assert.ok(copy.lowered.includes('GroupNormalization'));
      const y = (await session.run({}))[model.graph.output[0]!.name]!.data as Float64Array;
      const per = (c / groups) * spatial;
      let worst = 0;
      for (let i = 0; i < n * groups; i++) {
        const xs = x!.slice(i * per, (i + 1) * per);
        const mu = xs.reduce((a, v) => a + v, 0) / per;
        const variance = xs.reduce((a, v) => a + (v - mu) ** 2, 0) / per;
        xs.forEach((v, k) => {
          const channel = ((i % groups) * per + k) / spatial | 0;
          const want = ((v - mu) / Math.sqrt(variance + Math.fround(epsilon))) * scale![channel]! + bias![channel]!;
          worst = Math.max(worst, Math.abs(y[i * per + k]! - want));
        });
      }
      assert.ok(worst < 1e-12, `max |y − reference| = ${worst.toExponential(2)}`);
    } finally {
      await session.release();
    }
  });
});
