// The one rule for which stored tensors are weights (docs/method.md, "Which tensors are weights"). `inspect`,
// `gradcheck`, the samplers and the LLC's d all read it through GraphIndex.parameters().
import { attrTensor } from './attributes';
import { GraphProto, NodeProto, TensorProto } from './proto';
import { dtypeName, DTypeName, isFloatType, numElements, tensorToFloat32 } from './tensor';

/**
 * What a stored tensor is:
 * - `weight`: a trained value, sampled by the dials and counted in the LLC's d;
 * - `statistic`: a BatchNormalization running mean or variance (differentiable, but training never fits it);
 * - `scalar`, `index`, `mask`, `unused`, `non-float`: not a parameter of the function (see `reason`).
 */
export type StoredRole = 'weight' | 'statistic' | 'scalar' | 'index' | 'mask' | 'unused' | 'non-float';

export interface StoredTensor {
  name: string;
  dtype: DTypeName;
  shape: number[];
  size: number;
  source: 'initializer' | 'constant';
  role: StoredRole;
  /** Why a tensor that is not a weight or statistic is left out, in the words `inspect` and `gradcheck` print. */
  reason?: string;
}

/** Values this large (or infinite) are masking constants (−inf, finfo.min as the dynamo exporter writes them). */
export const MASK_MAGNITUDE = 1e30;
/** A tensor whose entries are 0 and one and the same value at least this large in magnitude is an additive mask
 *  (GPT-2's masked_bias −1e4, −1e9): a trained tensor is never one repeated value this far out. */
export const MASK_FILL = 1e4;

/** Input slots that take shapes, axes, indices, sizes or conditions: no gradient flows into them. */
const INDEX_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Tile: [1], Squeeze: [1], Unsqueeze: [1], Split: [1], Slice: [1, 2, 3, 4], Pad: [1, 3],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ReduceL1: [1], ReduceL2: [1],
  ReduceLogSum: [1], ReduceLogSumExp: [1], ReduceSumSquare: [1], Resize: [1, 2, 3], Upsample: [1], TopK: [1],
  Gather: [1], GatherElements: [1], GatherND: [1], ScatterElements: [1], ScatterND: [1], Scatter: [1], OneHot: [0, 1, 2],
  ConstantOfShape: [0], Range: [0, 1, 2], Where: [0], CumSum: [1], Trilu: [1], NonMaxSuppression: [0, 1, 2, 3, 4],
};

/** Ops whose outputs carry no gradient (shapes, comparisons): a tensor read only by them is not a weight. */
const NON_DIFFERENTIABLE_READERS = new Set(['Shape', 'Size', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual',
  'IsNaN', 'IsInf', 'ArgMax', 'ArgMin', 'NonZero', 'Sign', 'Floor', 'Ceil', 'Round']);

/** Whether `node` reads `name` as a value: through a data slot, or from inside one of its subgraphs. */
function readsAsValue(node: NodeProto, name: string): boolean {
  const slots = node.input.flatMap((x, slot) => (x === name ? [slot] : []));
  return slots.length === 0 || slots.some((slot) => readsSlotAsValue(node, slot));
}

function readsSlotAsValue(node: NodeProto, slot: number): boolean {
  if (NON_DIFFERENTIABLE_READERS.has(node.opType)) return false;
  if (node.domain && node.domain !== 'ai.onnx') return true;
  return !(INDEX_SLOTS[node.opType] ?? []).includes(slot);
}

function isMask(t: TensorProto): boolean {
  if (t.dataLocation === 1 && !(t.rawData && t.rawData.byteLength)) return false; // external data not loaded: cannot tell
  const v = tensorToFloat32(t);
  let fill: number | undefined, onlyFill = true;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(Math.abs(x) < MASK_MAGNITUDE)) return true;
    if (x === 0) continue;
    if (Math.abs(x) < MASK_FILL || (fill !== undefined && x !== fill)) onlyFill = false;
    fill ??= x;
  }
  return fill !== undefined && onlyFill;
}

/**
 * Every stored tensor (initializer or Constant node value) with its role. The rule, in order:
 * 1. not floating point → `non-float`;
 * 2. a scalar → `scalar`: rank 0, or a one-element Constant node (exporters write folded literals — ε, 0.5, √d —
 *    both ways); a one-element initializer of rank ≥ 1, such as a bias [1], is not a scalar;
 * 3. read by no node → `unused`; read only through shape/axes/index/condition slots or by ops without a gradient → `index`;
 * 4. a running mean or variance of BatchNormalization → `statistic`;
 * 5. holds a non-finite value or one of magnitude ≥ 1e30, or only 0 and one repeated fill value of magnitude ≥ 1e4 →
 *    `mask` (a causal or padding mask, or a masked_bias fill, not a trained value);
 * 6. otherwise → `weight`.
 */
export function classifyStoredTensors(graph: GraphProto, consumers: ReadonlyMap<string, NodeProto[]>): StoredTensor[] {
  const statistics = new Set<string>();
  for (const n of graph.node) {
    if (n.opType !== 'BatchNormalization') continue;
    if (n.input[3]) statistics.add(n.input[3]);
    if (n.input[4]) statistics.add(n.input[4]);
  }
  const outputs = new Set(graph.output.map((o) => o.name));
  const out: StoredTensor[] = [];
  const classify = (t: TensorProto, name: string, source: 'initializer' | 'constant') => {
    const shape = t.dims.map(Number);
    const size = numElements(shape);
    const base = { name, dtype: dtypeName(t.dataType), shape, size, source };
    if (!isFloatType(t.dataType)) return out.push({ ...base, role: 'non-float', reason: `${base.dtype} tensors are not weights` });
    if (shape.length === 0 || (source === 'constant' && size <= 1)) {
      return out.push({ ...base, role: 'scalar', reason: 'a scalar constant (epsilon, exponent, scale), not a weight' });
    }
    const readers = consumers.get(name) ?? [];
    if (readers.length === 0 && !outputs.has(name)) return out.push({ ...base, role: 'unused', reason: 'read by no node' });
    const asValue = readers.some((n) => readsAsValue(n, name));
    if (!asValue && !outputs.has(name)) {
      return out.push({ ...base, role: 'index', reason: 'read only as a shape, index, axes or condition, not a weight' });
    }
    if (statistics.has(name)) return out.push({ ...base, role: 'statistic' });
    if (isMask(t)) return out.push({ ...base, role: 'mask', reason: 'holds infinite or near-float-max values, or only 0 and one fill of magnitude ≥ 1e4 (a mask, not a weight)' });
    out.push({ ...base, role: 'weight' });
  };
  for (const t of graph.initializer) classify(t, t.name, 'initializer');
  for (const n of graph.node) {
    if (n.opType !== 'Constant') continue;
    const t = attrTensor(n, 'value');
    if (t) classify(t, n.output[0], 'constant');
  }
  return out;
}
