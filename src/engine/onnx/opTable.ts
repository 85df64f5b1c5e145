// The operators of the default ONNX domain (ai.onnx) that a model may use: the opset each first appeared in and
// how many inputs and outputs a node of it takes, from the ONNX operator specification (docs/Operators.md).
// Where the arity changed between opsets, the range spans every version and `arityAt` narrows the known cases.

export interface OpSignature {
  /** First opset with the op. */
  since: number;
  inputs: [min: number, max: number];
  outputs: [min: number, max: number];
}

const N = Infinity;

function op(since: number, minIn: number, maxIn: number, minOut = 1, maxOut = 1): OpSignature {
  return { since, inputs: [minIn, maxIn], outputs: [minOut, maxOut] };
}

const unary = (since = 1) => op(since, 1, 1);
const binary = (since = 1) => op(since, 2, 2);
const reduce = (since = 1) => op(since, 1, 2);

/** ai.onnx operators by name. */
export const DEFAULT_DOMAIN_OPS: Readonly<Record<string, OpSignature>> = {
  Abs: unary(), Acos: unary(7), Acosh: unary(9), Add: binary(), AffineGrid: op(20, 2, 2), And: binary(),
  ArgMax: unary(), ArgMin: unary(), Asin: unary(7), Asinh: unary(9), Atan: unary(7), Atanh: unary(9),
  Attention: op(23, 3, 6, 1, 4), AveragePool: unary(),
  BatchNormalization: op(1, 5, 5, 1, 5), Bernoulli: unary(15), BitShift: binary(11), BitwiseAnd: binary(18),
  BitwiseNot: unary(18), BitwiseOr: binary(18), BitwiseXor: binary(18), BlackmanWindow: unary(17),
  Cast: unary(), CastLike: binary(15), Ceil: unary(), Celu: unary(12), CenterCropPad: binary(18), Clip: op(1, 1, 3),
  Col2Im: op(18, 3, 3), Compress: binary(9), Concat: op(1, 1, N), ConcatFromSequence: unary(11), Constant: op(1, 0, 0),
  ConstantOfShape: unary(9), Conv: op(1, 2, 3), ConvInteger: op(10, 2, 4), ConvTranspose: op(1, 2, 3), Cos: unary(7),
  Cosh: unary(9), CumSum: binary(11),
  DFT: op(17, 1, 3), DeformConv: op(19, 3, 5), DepthToSpace: unary(), DequantizeLinear: op(10, 2, 3), Det: unary(11),
  Div: binary(), Dropout: op(1, 1, 3, 1, 2), DynamicQuantizeLinear: op(11, 1, 1, 3, 3),
  Einsum: op(12, 1, N), Elu: unary(), Equal: binary(), Erf: unary(9), Exp: unary(), Expand: binary(8), EyeLike: unary(9),
  Flatten: unary(), Floor: unary(),
  GRU: op(1, 3, 6, 0, 2), Gather: binary(), GatherElements: binary(11), GatherND: binary(11), Gelu: unary(20),
  Gemm: op(1, 2, 3), GlobalAveragePool: unary(), GlobalLpPool: unary(2), GlobalMaxPool: unary(), Greater: binary(),
  GreaterOrEqual: binary(12), GridSample: binary(16), GroupNormalization: op(18, 3, 3),
  HammingWindow: unary(17), HannWindow: unary(17), HardSigmoid: unary(), HardSwish: unary(14), Hardmax: unary(),
  Identity: unary(), If: op(1, 1, 1, 1, N), ImageDecoder: unary(20), InstanceNormalization: op(1, 3, 3), IsInf: unary(10),
  IsNaN: unary(9),
  LRN: unary(), LSTM: op(1, 3, 8, 0, 3), LayerNormalization: op(17, 2, 3, 1, 3), LeakyRelu: unary(), Less: binary(),
  LessOrEqual: binary(12), Log: unary(), LogSoftmax: unary(), Loop: op(1, 2, N, 1, N), LpNormalization: unary(),
  LpPool: unary(),
  MatMul: binary(), MatMulInteger: op(10, 2, 4), Max: op(1, 1, N), MaxPool: op(1, 1, 1, 1, 2), MaxRoiPool: binary(),
  MaxUnpool: op(9, 2, 3), Mean: op(1, 1, N), MeanVarianceNormalization: unary(9), MelWeightMatrix: op(17, 5, 5),
  Min: op(1, 1, N), Mish: unary(18), Mod: binary(10), Mul: binary(), Multinomial: unary(7),
  Neg: unary(), NegativeLogLikelihoodLoss: op(12, 2, 3), NonMaxSuppression: op(10, 2, 5), NonZero: unary(9), Not: unary(),
  OneHot: op(9, 3, 3), Optional: op(15, 0, 1), OptionalGetElement: unary(15), OptionalHasElement: op(15, 0, 1), Or: binary(7),
  PRelu: binary(), Pad: op(1, 1, 4), Pow: binary(),
  QLinearConv: op(10, 8, 9), QLinearMatMul: op(10, 8, 8), QuantizeLinear: op(10, 2, 3),
  RMSNormalization: op(23, 2, 2), RNN: op(1, 3, 6, 0, 2), RandomNormal: op(1, 0, 0), RandomNormalLike: unary(),
  RandomUniform: op(1, 0, 0), RandomUniformLike: unary(), Range: op(11, 3, 3), Reciprocal: unary(), ReduceL1: reduce(),
  ReduceL2: reduce(), ReduceLogSum: reduce(), ReduceLogSumExp: reduce(), ReduceMax: reduce(), ReduceMean: reduce(),
  ReduceMin: reduce(), ReduceProd: reduce(), ReduceSum: reduce(), ReduceSumSquare: reduce(), RegexFullMatch: unary(20),
  Relu: unary(), Reshape: op(1, 1, 2), Resize: op(10, 1, 4), ReverseSequence: binary(10), RoiAlign: op(10, 3, 3),
  RotaryEmbedding: op(23, 3, 4), Round: unary(11),
  STFT: op(17, 2, 4), Scan: op(8, 1, N, 1, N), Scatter: op(9, 3, 3), ScatterElements: op(11, 3, 3), ScatterND: op(11, 3, 3),
  Selu: unary(), SequenceAt: binary(11), SequenceConstruct: op(11, 1, N), SequenceEmpty: op(11, 0, 0),
  SequenceErase: op(11, 1, 2), SequenceInsert: op(11, 2, 3), SequenceLength: unary(11), SequenceMap: op(17, 1, N, 1, N),
  Shape: unary(), Shrink: unary(9), Sigmoid: unary(), Sign: unary(9), Sin: unary(7), Sinh: unary(9), Size: unary(),
  Slice: op(1, 1, 5), Softmax: unary(), SoftmaxCrossEntropyLoss: op(12, 2, 3, 1, 2), Softplus: unary(), Softsign: unary(),
  SpaceToDepth: unary(), Split: op(1, 1, 2, 1, N), SplitToSequence: op(11, 1, 2), Sqrt: unary(), Squeeze: op(1, 1, 2),
  StringConcat: binary(20), StringNormalizer: unary(10), StringSplit: op(20, 1, 1, 2, 2), Sub: binary(), Sum: op(1, 1, N),
  Tan: unary(7), Tanh: unary(), TfIdfVectorizer: unary(9), ThresholdedRelu: unary(10), Tile: op(1, 2, 3),
  TopK: op(1, 1, 2, 2, 2), Transpose: unary(), Trilu: op(14, 1, 2),
  Unique: op(11, 1, 1, 1, 4), Unsqueeze: op(1, 1, 2), Upsample: op(1, 1, 2), Where: op(9, 3, 3), Xor: binary(7),
};

/** The arity of `opType` at `opset`, where the specification changed it (e.g. Gemm's C is optional only from 11). */
export function arityAt(opType: string, opset: number, sig: OpSignature): OpSignature {
  const at = (minIn: number, maxIn: number): OpSignature => ({ ...sig, inputs: [minIn, maxIn] });
  switch (opType) {
    case 'Gemm': return opset < 11 ? at(3, 3) : sig;
    case 'Reshape': return opset >= 5 ? at(2, 2) : at(1, 1);
    case 'Slice': return opset >= 10 ? at(3, 5) : at(1, 1);
    case 'Resize': return opset === 10 ? at(2, 2) : sig;
    case 'Clip': return opset < 11 ? at(1, 1) : sig;
    case 'Pad': return opset < 11 ? at(1, 1) : opset < 18 ? at(2, 3) : at(2, 4);
    case 'Tile': return opset >= 6 ? at(2, 2) : at(3, 3);
    case 'TopK': return opset >= 10 ? at(2, 2) : at(1, 1);
    case 'Upsample': return opset >= 9 ? at(2, 2) : at(1, 1);
    case 'Split': case 'Squeeze': case 'Unsqueeze':
      return opset >= 13 ? at(opType === 'Split' ? 1 : opType === 'Squeeze' ? 1 : 2, 2) : at(1, opType === 'Split' ? 2 : 1);
    case 'ReduceSum': return opset >= 13 ? sig : at(1, 1);
    case 'ReduceL1': case 'ReduceL2': case 'ReduceLogSum': case 'ReduceLogSumExp': case 'ReduceMax': case 'ReduceMean':
    case 'ReduceMin': case 'ReduceProd': case 'ReduceSumSquare':
      return opset >= 18 ? sig : at(1, 1);
    default: return sig;
  }
}

/** Domains whose ops onnxruntime implements (beyond model-local functions). */
export const KNOWN_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'ai.onnx.preview.training', 'com.microsoft.nchwc']);

/** Highest default-domain opset accepted (ONNX 1.20); onnxruntime-node loads up to it. */
export const MAX_DEFAULT_OPSET = 25;
