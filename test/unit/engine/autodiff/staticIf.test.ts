// If nodes: one decided by shapes is replaced by the branch it takes (and checked against finite differences); one
// decided by the parameters is refused, naming the node and why.
import * as assert from 'node:assert/strict';
import { GradientError } from '../../../../src/engine/autodiff';
import { gradcheck } from '../../../../src/engine/autodiff/gradcheck';
import { AttributeType, GraphProto } from '../../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { opModel, OpBuilder } from '../../../support/opModel';

/** y = If(cond) then x·W1 else tanh(x·W2), the branches reading x, W1 and W2 from the outer scope. */
function ifModel(condition: (o: OpBuilder, x: string) => string) {
  return opModel(13, (o) => {
    const x = o.p([2, 3]), w1 = o.p([3, 4]), w2 = o.p([3, 4]);
    const branch = (name: string, build: (out: string) => GraphProto['node']): GraphProto => ({
      name, node: build(`${name}_y`), initializer: [], input: [], output: [makeValueInfo(`${name}_y`, 'float32', null)], valueInfo: [],
    });
    const thenBranch = branch('then', (out) => [{ opType: 'MatMul', domain: '', name: 'then_mm', input: [x, w1], output: [out], attribute: [] }]);
    const elseBranch = branch('else', (out) => [
      { opType: 'MatMul', domain: '', name: 'else_mm', input: [x, w2], output: ['else_mm_y'], attribute: [] },
      { opType: 'Tanh', domain: '', name: 'else_tanh', input: ['else_mm_y'], output: [out], attribute: [] },
    ]);
    const [y] = o.b.node('If', [condition(o, x)], 1);
    o.b.nodes[o.b.nodes.length - 1].attribute = [
      { name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch },
      { name: 'else_branch', type: AttributeType.GRAPH, g: elseBranch },
    ];
    return y;
  });
}

describe('autodiff: static If', () => {
  it('an If on a shape (x has 3 columns) is inlined: the branch taken is checked, the other one is gone', async () => {
    const model = ifModel((o, x) => o.b.op('Equal', [o.b.op('Gather', [o.b.op('Shape', [x]), o.ints([1], [])], { axis: 0 }), o.ints([3], [])]));
    const report = await gradcheck(model, { seed: 2 });
    assert.deepEqual(report.inlined.map((i) => [i.node, i.branch, i.pinned]), [['If', 'then_branch', []]]);
    assert.deepEqual(report.tensors.map((t) => t.name), ['w1', 'w2'], 'x·W1: x and W1 are checked');
    assert.ok(report.pass, `max rel. error ${report.maxRelError}`);
  });

  it('the else branch when the shape says so', async () => {
    const model = ifModel((o, x) => o.b.op('Equal', [o.b.op('Gather', [o.b.op('Shape', [x]), o.ints([1], [])], { axis: 0 }), o.ints([5], [])]));
    const report = await gradcheck(model, { seed: 2 });
    assert.deepEqual(report.inlined.map((i) => i.branch), ['else_branch']);
    assert.deepEqual(report.tensors.map((t) => t.name), ['w1', 'w3']);
    assert.ok(report.pass, `max rel. error ${report.maxRelError}`);
  });

  it('an If on the parameters (Σx > 0) is refused, naming the node and its condition', async () => {
    const model = ifModel((o, x) => o.b.op('Greater', [o.b.op('ReduceSum', [x], { keepdims: 0 }), o.b.scalarFloat(0)]));
    await assert.rejects(gradcheck(model, { seed: 2 }), (e: unknown) => {
      assert.ok(e instanceof GradientError, String(e));
      assert.match(e.message, /If \(node 'If'\): control flow \(If\) cannot be differentiated: its condition '[^']+' depends on float data or the parameters/);
      return true;
    });
  });
});
