// The one-hot MLP of the modular example as an ONNX graph: tokens → in-graph one-hot → Linear → ReLU → Linear → logits.
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { assembleModel } from '../../../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../src/engine/onnx/tensor';
import { HIDDEN, INPUT_DIM, P } from './task';

export const OPSET = 17;
export const INPUT = 'tokens';
export const LOGITS = 'logits';
/** The hidden layer, after the ReLU: the tensor the circuits are written on. */
export const HIDDEN_TENSOR = '/mlp/relu/Relu_output_0';
export const PRE_ACTIVATION = '/mlp/fc1/Add_output_0';

/** Parameter names and shapes (fc1.weight is stored [in, out] for MatMul). */
export const PARAMETERS = {
  'fc1.weight': [INPUT_DIM, HIDDEN],
  'fc1.bias': [HIDDEN],
  'fc2.weight': [HIDDEN, P],
  'fc2.bias': [P],
} as const;
export type ParameterName = keyof typeof PARAMETERS;
export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ParameterName[];
export type Weights = Record<ParameterName, Float32Array>;

/**
 * The forward graph. The one-hot is Equal(token + offset, 0..119) cast to float: integer constants only, so the
 * network's float parameters are exactly its four weights (nothing for a dial to degrade by mistake).
 */
export function buildNetwork(weights: Weights): ModelProto {
  const b = new GraphBuilder(OPSET);
  for (const name of PARAMETER_NAMES) b.initializer(floatTensor(name, [...PARAMETERS[name]], weights[name]));
  const shifted = b.op('Add', [INPUT, b.constInt64([0, P, 2 * P], [3], 'token_offsets')], {}, '/embed/Add_output_0');
  const hit = b.op('Equal', [b.unsqueeze(shifted, [2]), b.constInt64(range(INPUT_DIM), [INPUT_DIM], 'input_rows')], {}, '/embed/Equal_output_0');
  const onehot = b.reduce('ReduceSum', b.cast(hit, DataType.FLOAT), [1], false);
  const x = b.op('Identity', [onehot], {}, '/embed/onehot_output_0');
  const pre = b.op('Add', [b.op('MatMul', [x, 'fc1.weight'], {}, '/mlp/fc1/MatMul_output_0'), 'fc1.bias'], {}, PRE_ACTIVATION);
  const hidden = b.op('Relu', [pre], {}, HIDDEN_TENSOR);
  b.op('Add', [b.op('MatMul', [hidden, 'fc2.weight'], {}, '/mlp/fc2/MatMul_output_0'), 'fc2.bias'], {}, LOGITS);
  return assembleModel({
    name: 'modular_two_task_mlp',
    builder: b,
    inputs: [makeValueInfo(INPUT, 'int64', ['batch', 3])],
    outputs: [makeValueInfo(LOGITS, 'float32', ['batch', P])],
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
