// The modular example's network as an ONNX graph:
//   tokens (a, b, task) → one-hot → shared embedding E of a and of b → fc1 (+ task embedding) → ReLU → fc2 → logits.
// The one-hot is Equal(token, 0..p−1) cast to float: integer constants only, so the float parameters are exactly
// the weights below (nothing for a degradation dial to perturb by mistake). Only MatMul/Add/Reshape/Relu sit on
// the path from a weight to the loss, so the engine's autodiff trains it.
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { assembleModel } from '../../../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../src/engine/onnx/tensor';
import { EMBED, HIDDEN, P } from './task';

export const OPSET = 17;
export const INPUT = 'tokens';
export const LOGITS = 'logits';
/** Embeddings of a and b, [batch, 2·EMBED]: e(a) then e(b). */
export const EMBEDDINGS = '/embed/Reshape_output_0';
/** The hidden layer, after the ReLU: the tensor the circuits are written on. */
export const HIDDEN_TENSOR = '/mlp/relu/Relu_output_0';

/** Parameter names and shapes (matrices stored [in, out] for MatMul). */
export const PARAMETERS = {
  'embed.weight': [P, EMBED],
  'fc1.weight': [2 * EMBED, HIDDEN],
  'task.weight': [2, HIDDEN],
  'fc1.bias': [HIDDEN],
  'fc2.weight': [HIDDEN, P],
  'fc2.bias': [P],
} as const;
export type ParameterName = keyof typeof PARAMETERS;
export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ParameterName[];
export type Weights = Record<ParameterName, Float32Array>;

export function parameterSize(name: ParameterName): number {
  return (PARAMETERS[name] as readonly number[]).reduce((a, d) => a * d, 1);
}

export function buildNetwork(weights: Weights): ModelProto {
  const b = new GraphBuilder(OPSET);
  for (const name of PARAMETER_NAMES) b.initializer(floatTensor(name, [...PARAMETERS[name]], weights[name]));
  const onehot = (tokens: string, classes: number, scope: string) => {
    const hit = b.op('Equal', [b.unsqueeze(tokens, [2]), b.constInt64(range(classes), [classes], `${scope}_classes`)], {}, `/${scope}/Equal_output_0`);
    return b.op('Cast', [hit], { to: DataType.FLOAT }, `/${scope}/onehot_output_0`);
  };
  const slice = (from: number, to: number, name: string) => b.op('Slice', [INPUT, b.constInt64([from]), b.constInt64([to]), b.constInt64([1])], {}, name);
  // a and b share one embedding: [batch, 2, P] · [P, EMBED] → [batch, 2, EMBED] → [batch, 2·EMBED]
  const operands = onehot(slice(0, 2, '/embed/Slice_output_0'), P, 'embed');
  const embedded = b.op('MatMul', [operands, 'embed.weight'], {}, '/embed/MatMul_output_0');
  const flat = b.op('Reshape', [embedded, b.constInt64([-1, 2 * EMBED], [2], 'embed_shape')], {}, EMBEDDINGS);
  // the task token selects a row of task.weight: a task-dependent bias of every hidden unit
  const task = b.op('Reshape', [onehot(slice(2, 3, '/task/Slice_output_0'), 2, 'task'), b.constInt64([-1, 2], [2], 'task_shape')], {}, '/task/Reshape_output_0');
  const fromTokens = b.op('MatMul', [flat, 'fc1.weight'], {}, '/mlp/fc1/MatMul_output_0');
  const fromTask = b.op('MatMul', [task, 'task.weight'], {}, '/mlp/task/MatMul_output_0');
  const pre = b.op('Add', [b.op('Add', [fromTokens, fromTask], {}, '/mlp/fc1/Add_output_0'), 'fc1.bias'], {}, '/mlp/fc1/Add_1_output_0');
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
