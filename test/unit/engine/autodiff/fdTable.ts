// The finite-difference table: one row per op (and per opset variant), a small model around the op with its inputs as
// parameters. rules.test.ts checks every row against central differences; float64.test.ts runs every row's model in
// the float64 copy.
import { opModel, OpBuilder } from '../../../support/opModel';
import { DataType } from '../../../../src/engine/onnx/proto';
import { makeTensor } from '../../../../src/engine/onnx/tensor';

export interface Row {
  op: string;
  what: string;
  /** The one opset this row is about; without it the row runs at the lowest and the highest opset of its op. */
  opset?: number;
  /** The lowest opset of a row whose form begins later than its op (e.g. a Resize coordinate mode, opset 11). */
  from?: number;
  build: (o: OpBuilder) => string | string[];
}

const pos = { range: [0.5, 1.5] as [number, number] };
/** A rank-0 value computed from a [2] parameter: gradcheck treats scalar initializers as constants, so scalar operands
 *  (Clip bounds, a Pad value) are made differentiable this way. */
const scalarFrom = (o: OpBuilder, range: [number, number]) => o.b.op('ReduceMean', [o.p([2], { range })], { keepdims: 0 });
const f = (v: number) => ({ float: v });
/** An LSTM/GRU sequence_lens input (int32). */
const lens = (o: OpBuilder, values: number[]) => o.b.initializer(makeTensor(o.b.name('lens'), [values.length], values, DataType.INT32));

/** A Resize node in the spelling of the builder's opset: [x, scales] at 10, an empty roi tensor at 11–12, '' after. */
function resizeOp(o: OpBuilder, x: string, by: { scales?: number[]; sizes?: number[] }, attrs: Record<string, string | number> = {}): string {
  const b = o.b;
  const scales = by.scales ? b.constFloat(by.scales, [by.scales.length], 'scales') : '';
  if (b.opset < 11) return b.op('Resize', [x, scales], attrs);
  const empty = b.opset < 13 ? b.constFloat([], [0], 'empty') : '';
  const inputs = [x, empty, scales || empty];
  if (by.sizes) inputs.push(b.constInt64(by.sizes, [by.sizes.length], 'sizes'));
  return b.op('Resize', inputs, attrs);
}

export const ROWS: Row[] = [
  // elementwise, with broadcasting
  { op: 'Add', what: '[2,3,4] + [3,1]', build: (o) => o.b.add(o.p([2, 3, 4]), o.p([3, 1])) },
  { op: 'Add', what: 'same input twice', build: (o) => { const x = o.p([3, 4]); return o.b.add(x, x); } },
  { op: 'Sub', what: '[2,3] − [3]', build: (o) => o.b.sub(o.p([2, 3]), o.p([3])) },
  { op: 'Mul', what: '[2,1,4] · [3,1]', build: (o) => o.b.mul(o.p([2, 1, 4]), o.p([3, 1])) },
  { op: 'Div', what: '[2,3] / [2,1]', build: (o) => o.b.div(o.p([2, 3]), o.p([2, 1], pos)) },
  { op: 'Pow', what: 'x^2 (constant exponent)', build: (o) => o.b.op('Pow', [o.p([2, 3]), o.b.scalarFloat(2)]) },
  { op: 'Pow', what: 'x^0.5 (constant exponent)', build: (o) => o.b.op('Pow', [o.p([2, 3], pos), o.b.scalarFloat(0.5)]) },
  { op: 'Pow', what: 'x^p, p a [3] parameter', build: (o) => o.b.op('Pow', [o.p([2, 3], pos), o.p([3], { range: [0.5, 2] })]) },
  { op: 'Neg', what: '', build: (o) => o.b.neg(o.p([2, 3])) },
  { op: 'Sqrt', what: '', build: (o) => o.b.op('Sqrt', [o.p([2, 3], pos)]) },
  { op: 'Reciprocal', what: '', build: (o) => o.b.op('Reciprocal', [o.p([2, 3], pos)]) },
  { op: 'Exp', what: '', build: (o) => o.b.op('Exp', [o.p([2, 3])]) },
  { op: 'Log', what: '', build: (o) => o.b.op('Log', [o.p([2, 3], pos)]) },
  { op: 'Sin', what: '', build: (o) => o.b.op('Sin', [o.p([2, 3])]) },
  { op: 'Cos', what: '', build: (o) => o.b.op('Cos', [o.p([2, 3])]) },
  { op: 'Abs', what: '', build: (o) => o.b.op('Abs', [o.p([2, 3])]) },
  { op: 'Relu', what: '', build: (o) => o.b.op('Relu', [o.p([3, 4])]) },
  { op: 'LeakyRelu', what: 'alpha 0.1', build: (o) => o.b.op('LeakyRelu', [o.p([3, 4])], { alpha: f(0.1) }) },
  { op: 'Tanh', what: '', build: (o) => o.b.op('Tanh', [o.p([3, 4])]) },
  { op: 'Sigmoid', what: '', build: (o) => o.b.op('Sigmoid', [o.p([3, 4])]) },
  { op: 'Softplus', what: '', build: (o) => o.b.op('Softplus', [o.p([3, 4])]) },
  { op: 'Erf', what: '', build: (o) => o.b.op('Erf', [o.p([3, 4])]) },
  { op: 'Gelu', what: 'exact', opset: 20, build: (o) => o.b.op('Gelu', [o.p([3, 4], { scale: 3 })]) },
  { op: 'Gelu', what: 'tanh approximation', opset: 20, build: (o) => o.b.op('Gelu', [o.p([3, 4], { scale: 3 })], { approximate: 'tanh' }) },
  { op: 'HardSigmoid', what: 'default alpha, beta', build: (o) => o.b.op('HardSigmoid', [o.p([3, 4], { scale: 4 })]) },
  { op: 'HardSigmoid', what: 'alpha 1/6 (PyTorch)', build: (o) => o.b.op('HardSigmoid', [o.p([3, 4], { scale: 5 })], { alpha: f(1 / 6) }) },
  { op: 'HardSwish', what: '', build: (o) => o.b.op('HardSwish', [o.p([3, 4], { scale: 5 })]) },
  { op: 'Clip', what: 'bounds as inputs (opset 13)', opset: 13, build: (o) => o.b.op('Clip', [o.p([3, 4]), o.b.scalarFloat(-0.5), o.b.scalarFloat(0.5)]) },
  { op: 'Clip', what: 'min only', opset: 13, build: (o) => o.b.op('Clip', [o.p([3, 4]), o.b.scalarFloat(0)]) },
  { op: 'Clip', what: 'bounds as attributes, no Where (opset 8)', opset: 8, build: (o) => o.b.op('Clip', [o.p([3, 4])], { min: f(-0.5), max: f(0.5) }) },
  { op: 'Clip', what: 'bounds as parameters', opset: 13, build: (o) => o.b.op('Clip', [o.p([3, 4]), scalarFrom(o, [-0.6, -0.4]), scalarFrom(o, [0.4, 0.6])]) },
  { op: 'Clip', what: 'max only, a parameter', opset: 13, build: (o) => o.b.op('Clip', [o.p([3, 4]), '', scalarFrom(o, [0.2, 0.3])]) },
  { op: 'Clip', what: 'min above max: every y is max', opset: 13, build: (o) => o.b.op('Clip', [o.p([3, 4]), scalarFrom(o, [0.4, 0.6]), scalarFrom(o, [-0.6, -0.4])]) },
  { op: 'Max', what: '[2,3] vs [3]', build: (o) => o.b.op('Max', [o.p([2, 3]), o.p([3])]) },
  { op: 'Min', what: '[2,3] vs [2,1] (opset 11)', opset: 11, build: (o) => o.b.op('Min', [o.p([2, 3]), o.p([2, 1])]) },
  { op: 'Elu', what: 'alpha 0.5', build: (o) => o.b.op('Elu', [o.p([3, 4])], { alpha: f(0.5) }) },
  { op: 'Selu', what: '', build: (o) => o.b.op('Selu', [o.p([3, 4])]) },
  { op: 'PRelu', what: 'slope [3,1,1] on [2,3,2,2]', build: (o) => o.b.op('PRelu', [o.p([2, 3, 2, 2]), o.p([3, 1, 1], { range: [0.1, 0.4] })]) },
  { op: 'Mean', what: 'two inputs, broadcast', build: (o) => o.b.op('Mean', [o.p([2, 3]), o.p([3])]) },
  { op: 'Sum', what: 'three inputs, broadcast', build: (o) => o.b.op('Sum', [o.p([2, 3]), o.p([3]), o.p([2, 1])]) },
  { op: 'Identity', what: '', build: (o) => o.b.op('Identity', [o.p([2, 3])]) },
  { op: 'Dropout', what: 'inference', build: (o) => o.b.op('Dropout', [o.p([2, 3])]) },
  { op: 'Cast', what: 'float → double → float', build: (o) => o.b.cast(o.b.mul(o.b.cast(o.p([2, 3]), 11), o.b.cast(o.p([2, 3]), 11)), 1) },
  // products
  { op: 'Gemm', what: 'plain, bias [N]', build: (o) => o.b.op('Gemm', [o.p([3, 4]), o.p([4, 5]), o.p([5])]) },
  { op: 'Gemm', what: 'transA, bias [1,N], alpha/beta', build: (o) => o.b.op('Gemm', [o.p([4, 3]), o.p([4, 5]), o.p([1, 5])], { transA: 1, alpha: f(0.7), beta: f(1.3) }) },
  { op: 'Gemm', what: 'transB, bias [M,1]', build: (o) => o.b.op('Gemm', [o.p([3, 4]), o.p([5, 4]), o.p([3, 1])], { transB: 1 }) },
  { op: 'Gemm', what: 'transA and transB, no bias (opset 11)', opset: 11, build: (o) => o.b.op('Gemm', [o.p([4, 3]), o.p([5, 4])], { transA: 1, transB: 1 }) },
  { op: 'MatMul', what: '2-D × 2-D', build: (o) => o.b.op('MatMul', [o.p([3, 4]), o.p([4, 5])]) },
  { op: 'MatMul', what: '[2,3,4] × [4,5] (linear layer)', build: (o) => o.b.op('MatMul', [o.p([2, 3, 4]), o.p([4, 5])]) },
  { op: 'MatMul', what: '[2,2,3,4] × [2,2,4,3] (attention)', build: (o) => o.b.op('MatMul', [o.p([2, 2, 3, 4]), o.p([2, 2, 4, 3])]) },
  { op: 'MatMul', what: '[2,1,3,4] × [3,4,5] (broadcast batch)', build: (o) => o.b.op('MatMul', [o.p([2, 1, 3, 4]), o.p([3, 4, 5])]) },
  { op: 'MatMul', what: '[3,4] × [2,4,5] (shared left)', build: (o) => o.b.op('MatMul', [o.p([3, 4]), o.p([2, 4, 5])]) },
  { op: 'MatMul', what: '[4] × [2,4,5] (vector left)', build: (o) => o.b.op('MatMul', [o.p([4]), o.p([2, 4, 5])]) },
  { op: 'MatMul', what: '[2,3,4] × [4] (vector right)', build: (o) => o.b.op('MatMul', [o.p([2, 3, 4]), o.p([4])]) },
  // reductions
  { op: 'ReduceSum', what: 'axes attribute, keepdims (opset 11)', opset: 11, build: (o) => o.b.op('ReduceSum', [o.p([2, 3, 4])], { axes: [1] }) },
  { op: 'ReduceSum', what: 'axes input [-1, 0], no keepdims (opset 13)', opset: 13, build: (o) => o.b.op('ReduceSum', [o.p([2, 3, 4]), o.ints([-1, 0])], { keepdims: 0 }) },
  { op: 'ReduceSum', what: 'all axes (opset 13)', opset: 13, build: (o) => o.b.op('ReduceSum', [o.p([2, 3])], { keepdims: 0 }) },
  { op: 'ReduceMean', what: 'axes attribute [-1] (opset 17)', opset: 17, build: (o) => o.b.op('ReduceMean', [o.p([2, 3, 4])], { axes: [-1] }) },
  { op: 'ReduceMean', what: 'axes input, no keepdims (opset 18)', opset: 18, build: (o) => o.b.op('ReduceMean', [o.p([2, 3, 4]), o.ints([1])], { keepdims: 0 }) },
  { op: 'ReduceMax', what: 'axes attribute [-1], no keepdims (opset 17)', opset: 17, build: (o) => o.b.op('ReduceMax', [o.p([2, 3, 4])], { axes: [-1], keepdims: 0 }) },
  { op: 'ReduceMax', what: 'axes input (opset 18)', opset: 18, build: (o) => o.b.op('ReduceMax', [o.p([2, 3, 4]), o.ints([0, 2])]) },
  { op: 'ReduceMin', what: 'axis 1', build: (o) => o.b.reduce('ReduceMin', o.p([2, 3, 4]), [1], true) },
  { op: 'ReduceL2', what: 'axis -1', build: (o) => o.b.reduce('ReduceL2', o.p([2, 3, 4]), [-1], true) },
  { op: 'ReduceSumSquare', what: 'all axes', build: (o) => o.b.op('ReduceSumSquare', [o.p([2, 3])], { keepdims: 0 }) },
  { op: 'ReduceLogSumExp', what: 'axis 1', build: (o) => o.b.reduce('ReduceLogSumExp', o.p([2, 3, 4]), [1], false) },
  { op: 'ReduceSum', what: 'axes [-1, 0], no keepdims', build: (o) => o.b.reduce('ReduceSum', o.p([2, 3, 4]), [-1, 0], false) },
  { op: 'ReduceMean', what: 'axis 1, no keepdims', build: (o) => o.b.reduce('ReduceMean', o.p([2, 3, 4]), [1], false) },
  { op: 'ReduceMax', what: 'axes [0, 2]', build: (o) => o.b.reduce('ReduceMax', o.p([2, 3, 4]), [0, 2], true) },
  { op: 'Einsum', what: 'bij,bjk->bik', build: (o) => o.b.op('Einsum', [o.p([2, 3, 4]), o.p([2, 4, 5])], { equation: 'bij,bjk->bik' }) },
  { op: 'Einsum', what: '...ij,jk->...ik and an operand-only label (ij,j->j)', build: (o) => [o.b.op('Einsum', [o.p([2, 2, 3, 4]), o.p([4, 5])], { equation: '...ij,jk->...ik' }), o.b.op('Einsum', [o.p([3, 4]), o.p([4])], { equation: 'ij,j->j' })] },
  { op: 'Einsum', what: 'implicit output (ij,jk)', build: (o) => o.b.op('Einsum', [o.p([3, 4]), o.p([4, 2])], { equation: 'ij,jk' }) },
  // layout
  { op: 'Reshape', what: '[2,3,4] → [0,-1]', build: (o) => o.b.op('Reshape', [o.p([2, 3, 4]), o.ints([0, -1])]) },
  { op: 'Flatten', what: 'axis 2', build: (o) => o.b.op('Flatten', [o.p([2, 3, 2, 2])], { axis: 2 }) },
  { op: 'Squeeze', what: 'axes attribute (opset 11)', opset: 11, build: (o) => o.b.op('Squeeze', [o.p([2, 1, 3])], { axes: [1] }) },
  { op: 'Squeeze', what: 'axes input [-2] (opset 13)', opset: 13, build: (o) => o.b.op('Squeeze', [o.p([2, 1, 3]), o.ints([-2])]) },
  { op: 'Unsqueeze', what: 'axes attribute (opset 11)', opset: 11, build: (o) => o.b.op('Unsqueeze', [o.p([2, 3])], { axes: [0, 2] }) },
  { op: 'Unsqueeze', what: 'axes input [-1] (opset 13)', opset: 13, build: (o) => o.b.op('Unsqueeze', [o.p([2, 3]), o.ints([-1])]) },
  { op: 'Transpose', what: 'perm [2,0,1]', build: (o) => o.b.op('Transpose', [o.p([2, 3, 4])], { perm: [2, 0, 1] }) },
  { op: 'Transpose', what: 'default (reverse)', build: (o) => o.b.op('Transpose', [o.p([2, 3, 4])]) },
  { op: 'Squeeze', what: 'axis 1', build: (o) => o.b.squeeze(o.p([2, 1, 3]), [1]) },
  { op: 'Unsqueeze', what: 'axes [0, 2]', build: (o) => o.b.unsqueeze(o.p([2, 3]), [0, 2]) },
  { op: 'Expand', what: '[3,1] → [2,3,4]', build: (o) => o.b.op('Expand', [o.p([3, 1]), o.ints([2, 3, 4])]) },
  // normalisation
  { op: 'Softmax', what: 'axis -1 (opset 13)', opset: 13, build: (o) => o.b.op('Softmax', [o.p([2, 3, 4], { scale: 2 })], { axis: -1 }) },
  { op: 'Softmax', what: 'axis 1 (opset 13)', opset: 13, build: (o) => o.b.op('Softmax', [o.p([2, 3, 4], { scale: 2 })], { axis: 1 }) },
  { op: 'Softmax', what: 'axis 1, coerced to 2-D (opset 11)', opset: 11, build: (o) => o.b.op('Softmax', [o.p([2, 3, 4], { scale: 2 })], { axis: 1 }) },
  { op: 'LogSoftmax', what: 'axis -1 (opset 13)', opset: 13, build: (o) => o.b.op('LogSoftmax', [o.p([2, 3, 4], { scale: 2 })], { axis: -1 }) },
  { op: 'LogSoftmax', what: 'default axis 1, coerced (opset 11)', opset: 11, build: (o) => o.b.op('LogSoftmax', [o.p([2, 3, 4], { scale: 2 })]) },
  { op: 'LayerNormalization', what: 'axis -1, scale and bias', build: (o) => o.b.op('LayerNormalization', [o.p([2, 3, 5]), o.p([5], pos), o.p([5])], { axis: -1 }) },
  { op: 'LayerNormalization', what: 'Mean and InvStdDev outputs used too', build: (o) => o.b.node('LayerNormalization', [o.p([2, 3, 5]), o.p([5], pos), o.p([5])], 3, { axis: -1 }) },
  { op: 'LayerNormalization', what: 'only Mean and InvStdDev used, axis 1', build: (o) => o.b.node('LayerNormalization', [o.p([2, 3, 4]), o.p([3, 4], pos)], 3, { axis: 1 }).slice(1) },
  { op: 'LayerNormalization', what: 'axis 1 (two axes), no bias', build: (o) => o.b.op('LayerNormalization', [o.p([2, 3, 4]), o.p([3, 4], pos)], { axis: 1, epsilon: f(1e-3) }) },
  { op: 'BatchNormalization', what: '[2,3,4,4], all five inputs', build: (o) => o.b.op('BatchNormalization', [o.p([2, 3, 4, 4]), o.p([3], pos), o.p([3]), o.p([3]), o.p([3], pos)]) },
  { op: 'BatchNormalization', what: '[4,3] (no spatial axes, opset 9)', opset: 9, build: (o) => o.b.op('BatchNormalization', [o.p([4, 3]), o.p([3], pos), o.p([3]), o.p([3]), o.p([3], pos)], { epsilon: f(1e-3) }) },
  { op: 'InstanceNormalization', what: '[2,3,4,5]', build: (o) => o.b.op('InstanceNormalization', [o.p([2, 3, 4, 5]), o.p([3], pos), o.p([3])]) },
  // indexing and routing
  { op: 'Gather', what: 'embedding rows with repeats (opset 17, ScatterND add)', build: (o) => o.b.op('Gather', [o.p([5, 3]), o.ints([1, 4, 1, 0, 4, 4], [2, 3])], { axis: 0 }) },
  { op: 'Gather', what: 'embedding rows with repeats (opset 13, one-hot Gemm)', opset: 13, build: (o) => o.b.op('Gather', [o.p([5, 3]), o.ints([1, 4, 1, 0, 4, 4], [2, 3])], { axis: 0 }) },
  { op: 'Gather', what: 'axis -1, index vector with a repeat', build: (o) => o.b.op('Gather', [o.p([2, 3, 4]), o.ints([3, 0, 3])], { axis: -1 }) },
  { op: 'Gather', what: 'negative index values, axis 1 (opset 17)', opset: 17, build: (o) => o.b.op('Gather', [o.p([2, 3, 4]), o.ints([-1, 0, -1])], { axis: 1 }) },
  { op: 'Gather', what: 'negative index values, axis 1 (opset 13)', opset: 13, build: (o) => o.b.op('Gather', [o.p([2, 3, 4]), o.ints([-1, 0, -1])], { axis: 1 }) },
  { op: 'Gather', what: 'axis 1, scalar index', build: (o) => o.b.op('Gather', [o.p([2, 3, 4]), o.ints([2], [])], { axis: 1 }) },
  { op: 'GatherElements', what: 'axis -1 with repeats', build: (o) => o.b.op('GatherElements', [o.p([2, 3]), o.ints([0, 2, 2, 1, 1, 1, 0, 0], [2, 4])], { axis: -1 }) },
  { op: 'Slice', what: 'steps 1, negative start (opset 13)', opset: 13, build: (o) => o.b.op('Slice', [o.p([3, 5]), o.ints([-3]), o.ints([100]), o.ints([1])]) },
  { op: 'Slice', what: 'step 2 and step −1', opset: 17, build: (o) => o.b.op('Slice', [o.p([4, 5]), o.ints([0, 4]), o.ints([4, 0]), o.ints([0, -1]), o.ints([2, -1])]) },
  { op: 'Slice', what: 'attributes (opset 9)', opset: 9, build: (o) => o.b.op('Slice', [o.p([3, 5])], { starts: [1, 1], ends: [3, 4], axes: [0, 1] }) },
  { op: 'Slice', what: 'rows 1:3, columns 1:4', build: (o) => o.b.slice(o.p([3, 5]), [1, 1], [3, 4], [0, 1]) },
  { op: 'Concat', what: 'three inputs, axis -1', build: (o) => o.b.op('Concat', [o.p([2, 2]), o.p([2, 3]), o.p([2, 1])], { axis: -1 }) },
  { op: 'Split', what: 'split attribute (opset 11)', opset: 11, build: (o) => o.b.node('Split', [o.p([5, 2])], 2, { axis: 0, split: [2, 3] }) },
  { op: 'Split', what: 'split input, axis -1 (opset 13)', opset: 13, build: (o) => o.b.node('Split', [o.p([2, 5]), o.ints([1, 4])], 2, { axis: -1 }) },
  { op: 'Split', what: 'num_outputs, one output unused (opset 18)', opset: 18, build: (o) => o.b.node('Split', [o.p([2, 6])], 3, { axis: 1, num_outputs: 3 }).slice(1) },
  { op: 'Split', what: 'sizes [2, 3] on axis 0', build: (o) => o.b.split(o.p([5, 2]), [2, 3], 0) },
  { op: 'Where', what: 'condition [2,1,3] broadcast, a [3], b [2,4,3]', build: (o) => o.b.op('Where', [o.bools([true, false, true, false, false, true], [2, 1, 3]), o.p([3]), o.p([2, 4, 3])]) },
  { op: 'Pad', what: 'constant, pads input (opset 13)', opset: 13, build: (o) => o.b.op('Pad', [o.p([2, 3]), o.ints([1, 0, 2, 3])]) },
  { op: 'Pad', what: 'pads attribute (opset 10)', opset: 10, build: (o) => o.b.op('Pad', [o.p([2, 3])], { pads: [0, 1, 1, 0] }) },
  { op: 'Pad', what: 'the padding value a parameter (opset 13)', opset: 13, build: (o) => o.b.op('Pad', [o.p([2, 3]), o.ints([1, 0, 2, 3]), scalarFrom(o, [-1, 1])]) },
  { op: 'Pad', what: 'constant zeros, begin and end', build: (o) => o.b.pad(o.p([2, 3]), [1, 0, 2, 3]) },
  { op: 'Tile', what: 'repeats [2,1,3]', build: (o) => o.b.op('Tile', [o.p([2, 3, 2]), o.ints([2, 1, 3])]) },
  { op: 'CumSum', what: 'axis 1, and reverse exclusive', build: (o) => [o.b.op('CumSum', [o.p([2, 4]), o.ints([1], [])]), o.b.op('CumSum', [o.p([2, 4]), o.ints([-1], [])], { reverse: 1, exclusive: 1 })] },
  { op: 'Trilu', what: 'lower, k = 1', build: (o) => o.b.op('Trilu', [o.p([2, 4, 4]), o.ints([1], [])], { upper: 0 }) },
  // convolution and pooling
  { op: 'Conv', what: '2-D, pad 1, bias', build: (o) => o.b.op('Conv', [o.p([2, 3, 6, 6]), o.p([4, 3, 3, 3]), o.p([4])], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }) },
  { op: 'Conv', what: 'stride 2, asymmetric pads, no bias', build: (o) => o.b.op('Conv', [o.p([1, 2, 7, 6]), o.p([3, 2, 3, 2])], { strides: [2, 2], pads: [1, 0, 0, 1] }) },
  { op: 'Conv', what: 'dilation 2, stride 2 on 9×9', build: (o) => o.b.op('Conv', [o.p([1, 2, 9, 9]), o.p([2, 2, 3, 3])], { dilations: [2, 2], strides: [2, 2] }) },
  { op: 'Conv', what: 'groups 2', build: (o) => o.b.op('Conv', [o.p([2, 4, 5, 5]), o.p([6, 2, 3, 3]), o.p([6])], { group: 2 }) },
  { op: 'Conv', what: 'depthwise, stride 2, auto_pad SAME_UPPER', build: (o) => o.b.op('Conv', [o.p([1, 3, 6, 6]), o.p([3, 1, 3, 3])], { group: 3, strides: [2, 2], auto_pad: 'SAME_UPPER' }) },
  { op: 'Conv', what: '1-D, stride 2, pad 2', build: (o) => o.b.op('Conv', [o.p([2, 3, 9]), o.p([4, 3, 3]), o.p([4])], { strides: [2], pads: [2, 2] }) },
  { op: 'Conv', what: '1×1 (pointwise)', build: (o) => o.b.op('Conv', [o.p([2, 4, 3, 3]), o.p([5, 4, 1, 1])]) },
  { op: 'MaxPool', what: '2×2 stride 2', build: (o) => o.b.op('MaxPool', [o.p([2, 2, 6, 6])], { kernel_shape: [2, 2], strides: [2, 2] }) },
  { op: 'MaxPool', what: '3×3 stride 2 pad 1 (overlapping)', opset: 17, build: (o) => o.b.op('MaxPool', [o.p([1, 2, 7, 7])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { op: 'MaxPool', what: '1-D, ceil_mode (opset 12)', opset: 12, build: (o) => o.b.op('MaxPool', [o.p([2, 3, 7])], { kernel_shape: [2], strides: [2], ceil_mode: 1 }) },
  { op: 'AveragePool', what: '2×2 stride 2', build: (o) => o.b.op('AveragePool', [o.p([2, 2, 6, 6])], { kernel_shape: [2, 2], strides: [2, 2] }) },
  { op: 'AveragePool', what: '3×3 pad 1, padding not counted', build: (o) => o.b.op('AveragePool', [o.p([1, 2, 5, 5])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }) },
  { op: 'AveragePool', what: '3×3 stride 2 pad 1, padding counted', build: (o) => o.b.op('AveragePool', [o.p([1, 2, 6, 6])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }) },
  { op: 'AveragePool', what: '1-D, ceil_mode', opset: 17, build: (o) => o.b.op('AveragePool', [o.p([1, 2, 7])], { kernel_shape: [3], strides: [2], ceil_mode: 1 }) },
  { op: 'ConvTranspose', what: '2-D, stride 2, pads 1, output_padding 1, bias', build: (o) => o.b.op('ConvTranspose', [o.p([2, 3, 4, 4]), o.p([3, 2, 3, 3]), o.p([2])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }) },
  { op: 'ConvTranspose', what: 'groups 2, dilation 2, asymmetric pads', build: (o) => o.b.op('ConvTranspose', [o.p([1, 4, 3, 4]), o.p([4, 3, 2, 3])], { group: 2, dilations: [2, 2], pads: [0, 1, 1, 0] }) },
  { op: 'ConvTranspose', what: '1-D, stride 3, output_shape', build: (o) => o.b.op('ConvTranspose', [o.p([2, 2, 4]), o.p([2, 3, 3]), o.p([3])], { strides: [3], output_shape: [11] }) },
  { op: 'ConvTranspose', what: '2×2 stride 2 (the detection neck\'s upsampling)', build: (o) => o.b.op('ConvTranspose', [o.p([1, 4, 3, 3]), o.p([4, 4, 2, 2]), o.p([4])], { strides: [2, 2], kernel_shape: [2, 2] }) },
  { op: 'Resize', what: 'nearest ×2 (scales)', build: (o) => resizeOp(o, o.p([1, 2, 3, 4]), { scales: [1, 1, 2, 2] }, { mode: 'nearest' }) },
  { op: 'Resize', what: 'linear ×2 (scales)', build: (o) => resizeOp(o, o.p([1, 2, 3, 4]), { scales: [1, 1, 2, 2] }, { mode: 'linear' }) },
  { op: 'Resize', what: 'linear, half_pixel, sizes 5×7 → 7×4', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 5, 7]), { sizes: [1, 2, 7, 4] }, { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }) },
  { op: 'Resize', what: 'linear, align_corners, sizes 4×3 → 7×5', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 4, 3]), { sizes: [1, 2, 7, 5] }, { mode: 'linear', coordinate_transformation_mode: 'align_corners' }) },
  { op: 'Resize', what: 'linear, pytorch_half_pixel, scales 1.5 and 0.5', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 4, 6]), { scales: [1, 1, 1.5, 0.5] }, { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }) },
  { op: 'Resize', what: 'linear, half_pixel, scale 1.5 on 5 rows (7 rows: the scale, not 7/5, places them)', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 5, 3]), { scales: [1, 1, 1.5, 1] }, { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }) },
  { op: 'Resize', what: 'linear, asymmetric, ×3', from: 11, build: (o) => resizeOp(o, o.p([1, 1, 3, 3]), { scales: [1, 1, 3, 3] }, { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }) },
  { op: 'Resize', what: 'nearest, asymmetric, floor (PyTorch\'s nearest), ×2', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 3, 3]), { scales: [1, 1, 2, 2] }, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }) },
  { op: 'Resize', what: 'nearest, half_pixel, round_prefer_floor, sizes 4×6 → 6×3', from: 11, build: (o) => resizeOp(o, o.p([1, 2, 4, 6]), { sizes: [1, 2, 6, 3] }, { mode: 'nearest', coordinate_transformation_mode: 'half_pixel' }) },
  { op: 'Resize', what: 'nearest, align_corners, round_prefer_ceil, sizes 3×3 → 5×2', from: 11, build: (o) => resizeOp(o, o.p([1, 1, 3, 3]), { sizes: [1, 1, 5, 2] }, { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }) },
  { op: 'Upsample', what: 'nearest ×2, scales attribute (opset 7)', opset: 7, build: (o) => o.b.op('Upsample', [o.p([1, 2, 3, 3])], { mode: 'nearest', scales: { floats: [1, 1, 2, 2] } }) },
  { op: 'Upsample', what: 'linear, scales input 1 × 1 × 2 × 1.5 (opset 9)', opset: 9, build: (o) => o.b.op('Upsample', [o.p([1, 2, 3, 4]), o.b.constFloat([1, 1, 2, 1.5])], { mode: 'linear' }) },
  { op: 'GroupNormalization', what: '2 groups of 2 channels, scale per group (opset 18)', opset: 18, build: (o) => o.b.op('GroupNormalization', [o.p([2, 4, 3, 3]), o.p([2], pos), o.p([2])], { num_groups: 2 }) },
  { op: 'GroupNormalization', what: '3 groups of 2 channels, scale per channel (opset 21)', opset: 21, build: (o) => o.b.op('GroupNormalization', [o.p([2, 6, 4]), o.p([6], pos), o.p([6])], { num_groups: 3, epsilon: f(1e-3) }) },
  { op: 'DepthToSpace', what: 'DCR, blocksize 2', build: (o) => o.b.op('DepthToSpace', [o.p([2, 8, 2, 3])], { blocksize: 2 }) },
  { op: 'DepthToSpace', what: 'CRD, blocksize 2', from: 11, build: (o) => o.b.op('DepthToSpace', [o.p([1, 8, 3, 2])], { blocksize: 2, mode: 'CRD' }) },
  { op: 'SpaceToDepth', what: 'blocksize 2', build: (o) => o.b.op('SpaceToDepth', [o.p([2, 3, 4, 6])], { blocksize: 2 }) },
  { op: 'GlobalMaxPool', what: '', build: (o) => o.b.op('GlobalMaxPool', [o.p([2, 3, 3, 4])]) },
  // recurrent layers (unrolled over time before differentiating): X [seq 3, batch 2, input 4], hidden 3
  { op: 'LSTM', what: 'forward, biases, initial state; Y, Y_h and Y_c', build: (o) => o.b.node('LSTM', [o.p([3, 2, 4]), o.p([1, 12, 4]), o.p([1, 12, 3]), o.p([1, 24]), '', o.p([1, 2, 3]), o.p([1, 2, 3])], 3, { hidden_size: 3 }) },
  { op: 'LSTM', what: 'reverse, sequence lengths [3, 2], peepholes, clip', build: (o) => o.b.node('LSTM', [o.p([3, 2, 4]), o.p([1, 12, 4]), o.p([1, 12, 3]), o.p([1, 24]), lens(o, [3, 2]), o.p([1, 2, 3]), o.p([1, 2, 3]), o.p([1, 9])], 3, { hidden_size: 3, direction: 'reverse', clip: f(1.5) }) },
  { op: 'LSTM', what: 'bidirectional, no biases, zero initial state; Y only', build: (o) => o.b.op('LSTM', [o.p([3, 2, 4]), o.p([2, 12, 4]), o.p([2, 12, 3])], { hidden_size: 3, direction: 'bidirectional' }) },
  { op: 'LSTM', what: 'bidirectional, sequence lengths [2, 3]; Y_h and Y_c', build: (o) => o.b.node('LSTM', [o.p([3, 2, 4]), o.p([2, 12, 4]), o.p([2, 12, 3]), o.p([2, 24]), lens(o, [2, 3]), o.p([2, 2, 3]), o.p([2, 2, 3])], 3, { hidden_size: 3, direction: 'bidirectional' }).slice(1) },
  { op: 'GRU', what: 'forward, biases, initial state; Y and Y_h', build: (o) => o.b.node('GRU', [o.p([3, 2, 4]), o.p([1, 9, 4]), o.p([1, 9, 3]), o.p([1, 18]), '', o.p([1, 2, 3])], 2, { hidden_size: 3 }) },
  { op: 'GRU', what: 'bidirectional, linear_before_reset', build: (o) => o.b.node('GRU', [o.p([3, 2, 4]), o.p([2, 9, 4]), o.p([2, 9, 3]), o.p([2, 18]), '', o.p([2, 2, 3])], 2, { hidden_size: 3, direction: 'bidirectional', linear_before_reset: 1 }) },
  { op: 'GRU', what: 'reverse, sequence lengths [1, 3], no biases', build: (o) => o.b.node('GRU', [o.p([3, 2, 4]), o.p([1, 9, 4]), o.p([1, 9, 3]), '', lens(o, [1, 3])], 2, { hidden_size: 3, direction: 'reverse' }) },
  { op: 'GRU', what: 'bidirectional, sequence lengths [3, 2], linear_before_reset', build: (o) => o.b.node('GRU', [o.p([3, 2, 4]), o.p([2, 9, 4]), o.p([2, 9, 3]), o.p([2, 18]), lens(o, [3, 2]), o.p([2, 2, 3])], 2, { hidden_size: 3, direction: 'bidirectional', linear_before_reset: 1 }) },
  { op: 'GlobalAveragePool', what: '', build: (o) => o.b.op('GlobalAveragePool', [o.p([2, 3, 4, 5])]) },
];

/** The lowest opset at which each op's rule is checked: where the op (or the form a row uses, e.g. broadcasting Max)
 *  begins, or where the gradient's own ops begin (MaxPool needs a scatter, opset 9); 7 otherwise. */
export const LOWEST: Readonly<Record<string, number>> = {
  Erf: 9, Gelu: 20, HardSwish: 14, Max: 8, Min: 8, Sum: 8, Mean: 8, Einsum: 12, Expand: 8, LayerNormalization: 17,
  GatherElements: 11, Where: 9, CumSum: 11, Trilu: 14, MaxPool: 9, GroupNormalization: 18, DepthToSpace: 7, SpaceToDepth: 7,
  Resize: 10, Upsample: 7,
};
/** The highest opset every rule is checked at. */
export const HIGHEST = 21;

/** The opsets a row runs at. */
export const opsetsOf = (row: Row): number[] => (row.opset === undefined ? [row.from ?? LOWEST[row.op] ?? 7, HIGHEST] : [row.opset]);

/** A row's test name at one opset; it also seeds the row's inputs, so a row draws the same inputs alone or in the table. */
export const rowName = (row: Row, opset: number): string => `${row.op}${row.what ? ` — ${row.what}` : ''} (opset ${opset})`;

/** The row's model at `opset`, its parameters seeded from its name. */
export const rowModel = (row: Row, opset: number) => opModel(opset, row.build, rowName(row, opset));

export { opModel };
