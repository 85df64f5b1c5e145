// The types of the attributes that many ai.onnx operators share, from the ONNX operator specification: a FLOAT
// `alpha` given as a string, or an INT `transB` given as a float, is refused by onnxruntime's graph resolution
// ("Mismatched attribute type"); flags the specification defines as 0 or 1 (Gemm's transA/transB, keepdims, …) are
// read by our gradient rules as `=== 1` and by onnxruntime as `!= 0`, so any other value is refused too.
import { AttributeType } from './proto';

/** Attribute name → its type, for the names whose type is the same on every default-domain op that has them. */
export const ATTRIBUTE_TYPES: Readonly<Record<string, AttributeType>> = {
  alpha: AttributeType.FLOAT, beta: AttributeType.FLOAT, gamma: AttributeType.FLOAT, epsilon: AttributeType.FLOAT,
  momentum: AttributeType.FLOAT, lambd: AttributeType.FLOAT,
  transA: AttributeType.INT, transB: AttributeType.INT, axis: AttributeType.INT, keepdims: AttributeType.INT, group: AttributeType.INT,
  ceil_mode: AttributeType.INT, count_include_pad: AttributeType.INT, storage_order: AttributeType.INT,
  noop_with_empty_axes: AttributeType.INT, select_last_index: AttributeType.INT, largest: AttributeType.INT, sorted: AttributeType.INT,
  exclusive: AttributeType.INT, reverse: AttributeType.INT, upper: AttributeType.INT, to: AttributeType.INT, saturate: AttributeType.INT,
  kernel_shape: AttributeType.INTS, pads: AttributeType.INTS, strides: AttributeType.INTS, dilations: AttributeType.INTS,
  perm: AttributeType.INTS, output_padding: AttributeType.INTS, output_shape: AttributeType.INTS,
  auto_pad: AttributeType.STRING,
};

/** INT attributes that are flags: 0 or 1. */
export const FLAG_ATTRIBUTES: ReadonlySet<string> = new Set([
  'transA', 'transB', 'keepdims', 'ceil_mode', 'count_include_pad', 'noop_with_empty_axes', 'select_last_index', 'largest', 'sorted',
  'exclusive', 'reverse', 'upper', 'saturate',
]);

export const ATTRIBUTE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS', 9: 'TENSORS', 10: 'GRAPHS',
  11: 'SPARSE_TENSOR', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS',
};

/** Attributes the specification requires (no default), by op, at a given opset: onnxruntime refuses a node without them. */
export function requiredAttributes(opType: string, opset: number): readonly string[] {
  switch (opType) {
    case 'Cast': return ['to'];
    case 'If': return ['then_branch', 'else_branch'];
    case 'Loop': return ['body'];
    case 'Scan': return ['body', 'num_scan_inputs'];
    case 'MaxPool': case 'AveragePool': case 'LpPool': return ['kernel_shape'];
    case 'LRN': return ['size'];
    case 'Concat': return opset >= 4 ? ['axis'] : [];
    case 'Unsqueeze': return opset < 13 ? ['axes'] : [];
    default: return [];
  }
}

/** Constant's value attributes: a Constant node has exactly one. */
export const CONSTANT_VALUES: ReadonlySet<string> = new Set(['value', 'sparse_value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings']);
