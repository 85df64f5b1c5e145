// The one weights rule (onnx/weights.ts), checked on models built so that each tensor's role is known by construction,
// and checked to be the rule that inspect, gradcheck, the dials and the LLC's d all read.
import * as assert from 'node:assert/strict';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { GraphIndex } from '../../../../src/engine/onnx/graph';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { floatTensor, makeTensor } from '../../../../src/engine/onnx/tensor';
import { summarizeModel } from '../../../../src/engine/onnx/summary';
import { degradableParameters, dialParameters } from '../../../../src/engine/dials/parameters';
import { gradcheck } from '../../../../src/engine/autodiff/gradcheck';
import { seededValues } from '../../../fixtures/models';

const FLOAT_MIN = -3.4028234663852886e38;

/**
 * x [1, 4] → Gemm(W [3, 4], b [3]) → scores [1, 3] + causal-style mask [1, 3] (0 / finfo.min, as the dynamo exporter
 * stores it) → Softmax → a last layer with a one-output bias [1] (the wake-word classifier's `last_layer.bias`) → y [1, 1];
 * a Resize-like float `scales` read only as a shape, a BatchNormalization on the side, an unused initializer.
 */
function roles(): ModelProto {
  const b = new GraphBuilder(17);
  const w = b.initializer(floatTensor('fc.weight', [3, 4], seededValues(12, 1)));
  const bias = b.initializer(floatTensor('fc.bias', [3], seededValues(3, 2)));
  const mask = b.initializer(floatTensor('where', [1, 3], [0, FLOAT_MIN, FLOAT_MIN]));
  const last = b.initializer(floatTensor('last_layer.weight', [1, 3], seededValues(3, 3)));
  const lastBias = b.initializer(floatTensor('last_layer.bias', [1], [0.25]));
  const eps = b.initializer(floatTensor('eps', [], [1e-5]));
  // GPT-2's masked_bias as HF's older exports store it: a one-element fill of −1e4 on the masked branch of a Where.
  const maskedBias = b.initializer(floatTensor('masked_bias', [1], [-1e4]));
  const big = b.initializer(floatTensor('big.weight', [3], [2e4, 3e4, 0]));
  b.initializer(floatTensor('unused', [2], [1, 2]));
  const h = b.op('Gemm', ['x', w, bias], { transB: 1 });
  const masked = b.op('Where', [b.initializer(makeTensor('keep', [1, 3], [1, 1, 0], DataType.BOOL)), h, maskedBias]);
  const p = b.op('Softmax', [b.add(b.add(b.add(masked, mask), eps), b.reduce('ReduceSum', big, null, false))], { axis: -1 });
  b.op('Gemm', [p, last, lastBias], { transB: 1 }, 'y');
  // An image path: BatchNormalization (scale, bias, running mean, running variance), then an upsampling whose
  // float scales are a shape argument.
  const bn = b.op('BatchNormalization', ['img',
    b.initializer(floatTensor('bn.scale', [2], [1, 1.5])), b.initializer(floatTensor('bn.bias', [2], [0, 0.1])),
    b.initializer(floatTensor('bn.mean', [2], [0.1, -0.2])), b.initializer(floatTensor('bn.var', [2], [1e7, 4e7]))]); // huge, as PaddleOCR's detector has them
  const scales = b.initializer(floatTensor('up.scales', [4], [1, 1, 2, 2]));
  b.op('Resize', [bn, '', scales], { mode: 'nearest' }, 'up');
  b.initializer(makeTensor('shape_ints', [2], [1, 3], DataType.INT64));
  return assembleModel({
    name: 'roles', builder: b,
    inputs: [makeValueInfo('x', 'float32', [1, 4]), makeValueInfo('img', 'float32', [1, 2, 2, 2])],
    outputs: [makeValueInfo('y', 'float32', [1, 1]), makeValueInfo('up', 'float32', [1, 2, 4, 4])],
  });
}

describe('the weights rule', () => {
  const model = roles();
  const role = (name: string) => GraphIndex.of(model).storedTensors().find((t) => t.name === name)?.role;

  it('gives every stored tensor the role it was built with', () => {
    assert.deepEqual(
      Object.fromEntries(GraphIndex.of(model).storedTensors().map((t) => [t.name, t.role])),
      {
        'fc.weight': 'weight', 'fc.bias': 'weight', where: 'mask', 'last_layer.weight': 'weight', 'last_layer.bias': 'weight',
        eps: 'scalar', masked_bias: 'mask', 'big.weight': 'weight', keep: 'non-float', unused: 'unused', 'bn.scale': 'weight', 'bn.bias': 'weight', 'bn.mean': 'statistic', 'bn.var': 'statistic',
        'up.scales': 'index', shape_ints: 'non-float',
      },
    );
  });

  it('a one-element Constant node is a scalar literal, a one-element initializer of rank 1 a weight', () => {
    const b = new GraphBuilder(17);
    const k = b.op('Constant', [], { value: floatTensor('k', [1], [0.5]) });
    const bias = b.initializer(floatTensor('bias', [1], [0.5]));
    b.op('Mul', [b.add('x', bias), k], {}, 'y');
    const m = assembleModel({ name: 'c', builder: b, inputs: [makeValueInfo('x', 'float32', [2])], outputs: [makeValueInfo('y', 'float32', [2])] });
    const got = Object.fromEntries(GraphIndex.of(m).storedTensors().map((t) => [t.name, t.role]));
    assert.deepEqual(got, { bias: 'weight', [k]: 'scalar' });
  });

  it('inspect, the dials and the LLC read the same weights; gradcheck also checks the running statistics', async () => {
    const weights = ['fc.weight', 'fc.bias', 'last_layer.weight', 'last_layer.bias', 'big.weight', 'bn.scale', 'bn.bias'];
    const s = summarizeModel({ proto: model, path: 'roles.onnx', sha256: '' } as Parameters<typeof summarizeModel>[0]);
    assert.deepEqual(s.parameters.tensors.filter((t) => t.role === 'weight').map((t) => t.name), weights);
    assert.equal(s.parameters.count, 12 + 3 + 3 + 1 + 3 + 2 + 2);
    assert.deepEqual(s.parameters.excluded.map((t) => t.name), ['where', 'masked_bias', 'unused', 'up.scales']);
    assert.deepEqual(degradableParameters(model).map((p) => p.name), weights);
    assert.deepEqual(dialParameters(model, 'checkpoints').map((p) => p.name), [...weights, 'bn.mean', 'bn.var']);
    const report = await gradcheck(model, { seed: 3 });
    assert.deepEqual(report.tensors.map((t) => t.name).sort(), [...weights, 'bn.mean', 'bn.var'].sort());
    assert.ok(report.pass, JSON.stringify(report.tensors.filter((t) => !t.pass)));
    // The one-output bias is checked, not skipped as a scalar; the mask is skipped with the rule's reason.
    assert.ok(report.tensors.some((t) => t.name === 'last_layer.bias'));
    assert.match(report.skipped.find((x) => x.name === 'where')?.reason ?? '', /mask/);
    assert.equal(role('where'), 'mask');
  });
});
