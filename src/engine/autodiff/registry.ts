// The one table of gradient rules: op type → entries by opset range (see shared/STYLE.md, "Gradient rules").
import { GradRule, OneOutputRule, RegistryEntry } from './types';
import * as ew from './rules/elementwise';
import * as mm from './rules/matmul';
import * as red from './rules/reduce';
import * as sh from './rules/shape';
import * as nn from './rules/nn';
import * as ix from './rules/indexing';
import * as cv from './rules/conv';
import * as pl from './rules/pool';
import * as rs from './rules/resample';

const multi = (r: GradRule, minOpset?: number, maxOpset?: number): RegistryEntry => ({ kind: 'rule', rule: r, minOpset, maxOpset });
/** The adapter of a one-output rule: the driver runs a rule only when some output carries a gradient. */
const rule = (r: OneOutputRule, minOpset?: number, maxOpset?: number): RegistryEntry => multi((ctx, dy) => {
  const g = dy[0];
  if (!g) throw new Error('no gradient flows into its first output');
  return r(ctx, g);
}, minOpset, maxOpset);
const unrolledFirst: GradRule = (ctx) => { throw new Error(`${ctx.node.opType} is differentiated through its unrolled equations, and this node was not unrolled`); };
const none: RegistryEntry = { kind: 'nonDifferentiable' };
const notImplemented = (reason: string): RegistryEntry => ({ kind: 'notImplemented', reason });

/** Default-domain ops. Ops not listed have no gradient and are reported when they sit on the gradient path. */
export const REGISTRY: Readonly<Record<string, readonly RegistryEntry[]>> = {
  // elementwise
  Add: [rule(ew.add)], Sub: [rule(ew.sub)], Mul: [rule(ew.mul)], Div: [rule(ew.div)], Pow: [rule(ew.pow)],
  Neg: [rule(ew.neg)], Sqrt: [rule(ew.sqrt)], Reciprocal: [rule(ew.reciprocal)], Exp: [rule(ew.exp)], Log: [rule(ew.log)],
  Sin: [rule(ew.sin)], Cos: [rule(ew.cos)], Abs: [rule(ew.abs)],
  Relu: [rule(ew.relu)], LeakyRelu: [rule(ew.leakyRelu)], Tanh: [rule(ew.tanh)], Sigmoid: [rule(ew.sigmoid)],
  Softplus: [rule(ew.softplus)], Erf: [rule(ew.erf)], Gelu: [rule(ew.gelu, 20)],
  HardSigmoid: [rule(ew.hardSigmoid)], HardSwish: [rule(ew.hardSwish, 14)], Clip: [rule(ew.clip)],
  Max: [rule(ew.max)], Min: [rule(ew.min)], Sum: [rule(ew.sum)], Mean: [rule(ew.mean)],
  Elu: [rule(ew.elu)], Selu: [rule(ew.selu)], PRelu: [rule(ew.prelu)],
  Identity: [rule(ew.identity)], Dropout: [multi(ew.dropout)], Cast: [rule(ew.cast)],
  // products
  Gemm: [rule(mm.gemmRule)], MatMul: [rule(mm.matmul)], Einsum: [rule(mm.einsum, 12)],
  // reductions
  ReduceSum: [rule(red.reduceSum)], ReduceMean: [rule(red.reduceMean)], ReduceMax: [rule(red.reduceMax)], ReduceMin: [rule(red.reduceMin)],
  ReduceL2: [rule(red.reduceL2)], ReduceSumSquare: [rule(red.reduceSumSquare)], ReduceLogSumExp: [rule(red.reduceLogSumExp)],
  // layout
  Reshape: [rule(sh.reshapeBack)], Flatten: [rule(sh.reshapeBack)], Squeeze: [rule(sh.reshapeBack)], Unsqueeze: [rule(sh.reshapeBack)],
  Transpose: [rule(sh.transposeRule)], Expand: [rule(sh.expandRule)],
  // normalisation
  Softmax: [rule(nn.softmax)], LogSoftmax: [rule(nn.logSoftmax)],
  LayerNormalization: [multi(nn.layerNormalization, 17)], BatchNormalization: [multi(nn.batchNormalization)],
  InstanceNormalization: [rule(nn.instanceNormalization)], GroupNormalization: [rule(nn.groupNormalization, 18)],
  // indexing and routing
  Gather: [rule(ix.gather)], GatherElements: [rule(ix.gatherElements)], Slice: [rule(ix.sliceRule)],
  Concat: [rule(ix.concat)], Split: [multi(ix.splitRule)], Where: [rule(ix.where)], Pad: [rule(ix.padRule)],
  Tile: [rule(ix.tile)], CumSum: [rule(ix.cumSum)], Trilu: [rule(ix.trilu, 14)],
  // convolution and pooling
  Conv: [rule(cv.conv)], MaxPool: [multi(pl.maxPool)], AveragePool: [rule(pl.averagePool)], GlobalAveragePool: [rule(pl.globalAveragePool)],
  GlobalMaxPool: [rule(pl.globalMaxPool)], ConvTranspose: [rule(cv.convTranspose)],
  // resampling and pixel shuffles
  Resize: [rule(rs.resize, 10)], Upsample: [rule(rs.upsample, 7, 9)], DepthToSpace: [rule(rs.pixelShuffle)], SpaceToDepth: [rule(rs.pixelShuffle)],
  // no gradient flows through these: integer results, comparisons, logic, constants, piecewise-constant functions
  Shape: [none], Size: [none], Constant: [none], ConstantOfShape: [none], Range: [none], EyeLike: [none], OneHot: [none],
  Equal: [none], Less: [none], Greater: [none], LessOrEqual: [none], GreaterOrEqual: [none],
  Not: [none], And: [none], Or: [none], Xor: [none], IsNaN: [none], IsInf: [none],
  ArgMax: [none], ArgMin: [none], NonZero: [none], Floor: [none], Ceil: [none], Round: [none], Sign: [none],
  RandomNormal: [none], RandomUniform: [none], RandomNormalLike: [none], RandomUniformLike: [none], Bernoulli: [none],
  // known, deliberately absent
  TopK: [notImplemented('TopK has no gradient rule yet (its values would need a scatter by the returned indices)')],
  Mod: [notImplemented('Mod has no gradient rule (remainder is piecewise; use it only on index paths)')],
  Loop: [notImplemented('control flow (Loop) cannot be differentiated')],
  If: [notImplemented('control flow (If) cannot be differentiated')],
  Scan: [notImplemented('control flow (Scan) cannot be differentiated')],
  // LSTM and GRU are unrolled into the ops of their equations before differentiating (recurrent.ts)
  LSTM: [multi(unrolledFirst)], GRU: [multi(unrolledFirst)],
  RNN: [notImplemented('RNN has no gradient rule yet (backpropagation through time is not built)')],
};

export type Lookup =
  | { kind: 'found'; entry: RegistryEntry }
  | { kind: 'missing'; reason: string };

/** The entry for an op at an opset, or why there is none. */
export function lookupRule(opType: string, domain: string | undefined, opset: number): Lookup {
  if (domain && domain !== 'ai.onnx') return { kind: 'missing', reason: `custom-domain op ${domain}.${opType} has no gradient rule` };
  const entries = REGISTRY[opType];
  if (!entries) return { kind: 'missing', reason: `no gradient rule for ${opType}` };
  const entry = entries.find((e) => e.kind !== 'rule' || ((e.minOpset ?? 0) <= opset && opset <= (e.maxOpset ?? Infinity)));
  if (!entry) return { kind: 'missing', reason: `no gradient rule for ${opType} at opset ${opset}` };
  if (entry.kind === 'notImplemented') return { kind: 'missing', reason: entry.reason };
  return { kind: 'found', entry };
}

/** Op types with a gradient rule, sorted. */
export function differentiableOps(): string[] {
  return Object.entries(REGISTRY).filter(([, es]) => es.some((e) => e.kind === 'rule')).map(([op]) => op).sort();
}

/** Op types declared to carry no gradient, sorted. */
export function nonDifferentiableOps(): string[] {
  return Object.entries(REGISTRY).filter(([, es]) => es.some((e) => e.kind === 'nonDifferentiable')).map(([op]) => op).sort();
}
