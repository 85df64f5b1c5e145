// Which weights a dial degrades: the trained weights of the one weights rule (onnx/weights.ts), so not the running
// statistics, which training never fits (noise on a variance can even make it negative), nor masks and scalars.
import { GraphIndex, ParameterInfo } from '../onnx/graph';
import { attrTensor } from '../onnx/attributes';
import { ModelProto } from '../onnx/proto';
import { tensorToFloat32 } from '../onnx/tensor';

export function degradableParameters(model: ModelProto): ParameterInfo[] {
  return GraphIndex.of(model).weights();
}

/**
 * The weights a dial's samples cover: the degradable ones, or for `checkpoints` every float parameter (a checkpoint
 * carries its own running statistics too).
 */
export function dialParameters(model: ModelProto, dial: string): ParameterInfo[] {
  return dial === 'checkpoints' ? GraphIndex.of(model).parameters() : degradableParameters(model);
}

/** Current values of the given parameters (initializers or Constant nodes) as float32. */
export function parameterValues(model: ModelProto, parameters: readonly ParameterInfo[]): Float32Array[] {
  const index = GraphIndex.of(model);
  return parameters.map((p) => {
    const init = index.initializers.get(p.name);
    if (init) return tensorToFloat32(init);
    const node = index.producer.get(p.name);
    const t = node && node.opType === 'Constant' ? attrTensor(node, 'value') : undefined;
    if (!t) throw new Error(`parameter '${p.name}' has no stored value`);
    return tensorToFloat32(t);
  });
}
