// Ops without a gradient on the path from a parameter to the loss are reported by name, never skipped.
import * as assert from 'node:assert/strict';
import { analyzeGradientSupport, buildGradientGraph, GradientError } from '../../../../src/engine/autodiff';
import { gradcheck } from '../../../../src/engine/autodiff/gradcheck';
import { opModel } from '../../../support/opModel';

const weightedSum = { kind: 'weighted-sum' as const, weights: { } as Record<string, string> };

describe('autodiff: unsupported ops and activity analysis', () => {
  it('a Mod on the gradient path is an error naming op, node, opset and the input that needs a gradient', async () => {
    let out = '';
    const model = opModel(17, (o) => { out = o.b.op('Add', [o.b.op('Mod', [o.p([2, 3]), o.b.scalarFloat(0.7)], { fmod: 1 }), o.p([3])]); return out; });
    const w = model.graph.initializer[0].name;
    const support = analyzeGradientSupport(model, [w], out);
    assert.equal(support.supported, false);
    assert.equal(support.missing.length, 1);
    assert.equal(support.missing[0].op, 'Mod');
    assert.match(support.missing[0].node, /Mod/);
    assert.match(support.missing[0].reason, /opset 17/);
    assert.match(support.missing[0].reason, new RegExp(`input '${w}'`));
    await assert.rejects(
      buildGradientGraph({ model, parameters: [w], loss: { ...weightedSum, weights: { [out]: 'R' } }, feedShapes: {} }),
      (e: unknown) => e instanceof GradientError && e.missing.length === 1 && e.missing[0].op === 'Mod' && /Mod/.test(e.message),
    );
  });

  it('TopK and a custom-domain op on the path are both listed', () => {
    let out = '';
    const model = opModel(17, (o) => {
      const [values] = o.b.node('TopK', [o.p([2, 5]), o.ints([2])], 2, { axis: -1 });
      const custom = o.b.node('FusedThing', [values], 1, {}, 'com.example')[0];
      out = o.b.add(custom, o.p([2]));
      return out;
    });
    const params = model.graph.initializer.filter((t) => t.dataType === 1).map((t) => t.name);
    const support = analyzeGradientSupport(model, params, out);
    assert.deepEqual(support.missing.map((m) => m.op), ['TopK', 'com.example.FusedThing']);
  });

  it('a Mod on an integer index path is not on the gradient path: the gradient builds and checks', async () => {
    const model = opModel(17, (o) => {
      const idx = o.b.op('Mod', [o.ints([7, 3, 9, 4]), o.ints([5], [])]);
      return o.b.op('Gather', [o.p([5, 3]), idx], { axis: 0 });
    });
    const report = await gradcheck(model, { seed: 3 });
    assert.equal(report.checked, 1);
    assert.ok(report.pass, `max rel. error ${report.maxRelError}`);
  });

  it('Shape of a parameter feeds a Reshape without being differentiated; parameters that do not reach the loss are not missing', () => {
    let out = '';
    const model = opModel(17, (o) => {
      const a = o.p([2, 3]);
      const unused = o.b.op('Mod', [o.p([4]), o.b.scalarFloat(2)], { fmod: 1 });
      out = o.b.op('Reshape', [o.b.op('Relu', [o.p([6])]), o.b.op('Shape', [a])]);
      return [out, unused];
    });
    const params = model.graph.initializer.filter((t) => t.dataType === 1).map((t) => t.name);
    assert.deepEqual(analyzeGradientSupport(model, params, out), { supported: true, missing: [] });
  });

  it('RNN on the path is refused with a diagnostic naming op, node and opset (the model itself runs)', async () => {
    const model = opModel(14, (o) => o.b.node('RNN', [o.p([3, 2, 4]), o.p([1, 5, 4]), o.p([1, 5, 5])], 1, { hidden_size: 5 })[0]);
    await assert.rejects(gradcheck(model, { seed: 1 }), (e: unknown) => {
      assert.ok(e instanceof GradientError, String(e));
      assert.match(e.message, /RNN \(node 'RNN'\): RNN has no gradient rule yet .*\(opset 14; input 'w1' depends on the parameters\)/);
      return true;
    });
  });

  it('an LSTM in a form the unrolling does not cover (input_forget) is refused naming node, opset and form', async () => {
    const model = opModel(14, (o) => o.b.node('LSTM', [o.p([3, 2, 4]), o.p([1, 20, 4]), o.p([1, 20, 5])], 1, { hidden_size: 5, input_forget: 1 })[0]);
    await assert.rejects(gradcheck(model, { seed: 1 }), (e: unknown) => {
      assert.ok(e instanceof GradientError, String(e));
      assert.match(e.message, /LSTM node 'LSTM' \(opset 14\): input_forget is not unrolled/);
      return true;
    });
  });
});
