// Float64 spellings of the ops that onnxruntime's CPU provider runs in float32 only, in ops that have float64
// kernels (Gather, MatMul, Pad, Relu, Min/Max, reductions, …); the float64 copy (float64.ts) uses them. Each writes
// the node's outputs under their own names. They need static shapes (the probe's, at the check's input shapes) and
// throw where they have none or meet a form they do not spell: the node then runs in float32 and is reported.
import { attr, attrFloat, attrInt, attrInts, attrString } from '../onnx/attributes';
import { GraphBuilder } from '../onnx/builder';
import { DataType, NodeProto } from '../onnx/proto';
import { makeTensor } from '../onnx/tensor';
import { inversePermutation, range, transpose } from './emit';
import { transposedPads, windowGeometry, WindowGeometry } from './rules/conv';
import { inverseWindowSizes } from './rules/pool';
import { interpolationMatrix } from './rules/resample';
import { unrollRecurrent } from './recurrent';

export interface LoweringContext {
  b: GraphBuilder;
  opset: number;
  /** Static dims of a tensor at the check's input shapes; throws when unknown (inside a subgraph). */
  shape(name: string): number[];
  /** Values of a stored or shape-computed tensor, or undefined. */
  constantValues(name: string): number[] | undefined;
}

export type Lowering = (n: NodeProto, lc: LoweringContext) => void;

const D = DataType.DOUBLE;
const prod = (s: readonly number[]) => s.reduce((a, v) => a * v, 1);
const c = (lc: LoweringContext, v: number) => lc.b.scalarOfType(v, D, 'f64_c');
const relu = (lc: LoweringContext, x: string) => lc.b.op('Relu', [x]);
/** min(x, 0) = −relu(−x). */
const negativePart = (lc: LoweringContext, x: string) => lc.b.neg(relu(lc, lc.b.neg(x)));
const out = (lc: LoweringContext, n: NodeProto, x: string, i = 0) => { lc.b.op('Identity', [x], {}, n.output[i]); };

/** clip(x, lo, hi) for scalar bounds (either may be infinite): Min/Max from opset 8, sums of Relus before. */
function clipScalars(lc: LoweringContext, x: string, lo: number, hi: number): string {
  const b = lc.b;
  if (lc.opset >= 8) {
    const low = Number.isFinite(lo) ? b.op('Max', [x, c(lc, lo)]) : x;
    return Number.isFinite(hi) ? b.op('Min', [low, c(lc, hi)]) : low;
  }
  // lo + relu(x − lo) − relu(x − hi)
  const above = Number.isFinite(lo) ? b.add(c(lc, lo), relu(lc, b.sub(x, c(lc, lo)))) : x;
  return Number.isFinite(hi) ? b.sub(above, relu(lc, b.sub(x, c(lc, hi)))) : above;
}

/**
 * Windows of x [N, C, *S] as [K, O, N, C] (K kernel positions, O output positions), zero-padded: one Gather of
 * constant positions along the leading (spatial) axis of the padded input laid out [P, N, C], so every gathered
 * block is a contiguous N·C row (a gather along a last axis copies element by element, hundreds of times slower).
 * The end padding is widened where a window reaches further (ceil_mode).
 */
function windows(lc: LoweringContext, x: string, sx: number[], geo: WindowGeometry, spatialOut: number[]): string {
  const b = lc.b;
  const [n, ch] = sx;
  const spatialIn = sx.slice(2);
  const end = spatialIn.map((s, i) => Math.max(geo.end[i], (spatialOut[i] - 1) * geo.strides[i] + (geo.kernel[i] - 1) * geo.dilations[i] + 1 - geo.begin[i] - s));
  if ([...geo.begin, ...end].some((p) => p < 0)) throw new Error('negative pads');
  const padded = spatialIn.map((s, i) => s + geo.begin[i] + end[i]);
  const flat = b.op('Transpose', [b.reshape(b.pad(x, [0, 0, ...geo.begin, 0, 0, ...end]), [n, ch, prod(padded)])], { perm: [2, 0, 1] });
  const step = padded.map((_, i) => prod(padded.slice(i + 1)));
  const kernelAt = positions(geo.kernel), outAt = positions(spatialOut);
  const index: number[] = [];
  for (const k of kernelAt) for (const o of outAt) index.push(o.reduce((a, oi, i) => a + (oi * geo.strides[i] + k[i] * geo.dilations[i]) * step[i], 0));
  return b.op('Gather', [flat, b.constInt64(index, [kernelAt.length, outAt.length], 'window_index')], { axis: 0 });
}

/** Every multi-index of a shape, row-major. */
function positions(shape: readonly number[]): number[][] {
  let all: number[][] = [[]];
  for (const d of shape) all = all.flatMap((p) => range(d).map((i) => [...p, i]));
  return all;
}

/** y = conv(x, W) + bias written to `output`, from the windows of x (kernel position first, so no large transpose);
 *  a 1×1 kernel without padding or stride is W [Mg, Cg] times x [Cg, S] directly. */
function convolve(lc: LoweringContext, x: string, sx: number[], w: string, sw: number[], groups: number, geo: WindowGeometry, spatialOut: number[], bias: string | undefined, output: string): void {
  const b = lc.b;
  const [n, ch] = sx, m = sw[0];
  const cg = ch / groups, mg = m / groups;
  const kernel = sw.slice(2), k = prod(kernel), o = prod(spatialOut);
  let y: string;
  if (k === 1 && [...geo.begin, ...geo.end].every((p) => p === 0) && geo.strides.every((s) => s === 1)) {
    y = b.reshape(b.op('MatMul', [b.reshape(w, [groups, mg, cg]), b.reshape(x, [n, groups, cg, o])]), [n, m, o]);
  } else if (cg === 1 && mg === 1) {
    // depthwise: Σ_k windows[k, o, n, c]·W[c, k] → [O, N, C] → [N, C, O]
    const wk = b.reshape(b.op('Transpose', [b.reshape(w, [m, k])]), [k, 1, 1, m]);
    const sum = b.reduce('ReduceSum', b.mul(windows(lc, x, sx, geo, spatialOut), wk), [0], false);
    y = b.op('Transpose', [sum], { perm: [1, 2, 0] });
  } else {
    // Σ_k windows[k] [G, O·N, Cg] · W[k] [G, Cg, Mg] (one batched MatMul, then a sum over k) → [G, O, N, Mg] → [N, M, O]
    const win = groups === 1 ? b.reshape(windows(lc, x, sx, geo, spatialOut), [k, 1, o * n, cg])
      : b.reshape(b.op('Transpose', [b.reshape(windows(lc, x, sx, geo, spatialOut), [k, o * n, groups, cg])], { perm: [0, 2, 1, 3] }), [k, groups, o * n, cg]);
    const wk = b.op('Transpose', [b.reshape(w, [groups, mg, cg, k])], { perm: [3, 0, 2, 1] });
    const sum = b.reshape(b.reduce('ReduceSum', b.op('MatMul', [win, wk]), [0], false), [groups, o, n, mg]);
    y = b.reshape(b.op('Transpose', [sum], { perm: [2, 0, 3, 1] }), [n, m, o]);
  }
  if (bias) y = b.add(y, b.reshape(bias, [m, 1]));
  b.op('Reshape', [y, b.constInt64([n, m, ...spatialOut], [spatialOut.length + 2], 'shape')], {}, output);
}

// conv(x, W): windows · W
const conv: Lowering = (n, lc) => {
  const [x, w, bias] = n.input;
  const sx = lc.shape(x), sw = lc.shape(w), sy = lc.shape(n.output[0]);
  const geo = windowGeometry(n, sx.slice(2), sy.slice(2), sw.slice(2));
  convolve(lc, x, sx, w, sw, attrInt(n, 'group', 1), geo, sy.slice(2), bias || undefined, n.output[0]);
};

// convᵀ(x, W) = conv(x with stride − 1 zeros between entries, W flipped and transposed per group, pads d(k−1) − p)
const convTranspose: Lowering = (n, lc) => {
  const b = lc.b;
  const [x, w, bias] = n.input;
  const sx = lc.shape(x), sw = lc.shape(w), sy = lc.shape(n.output[0]);
  const d = sx.length - 2;
  const [batch, ch] = sx;
  const groups = attrInt(n, 'group', 1);
  const mg = sw[1], cg = ch / groups, kernel = sw.slice(2);
  const spatialIn = sx.slice(2), spatialOut = sy.slice(2);
  const strides = attrInts(n, 'strides') ?? new Array<number>(d).fill(1);
  const dilations = attrInts(n, 'dilations') ?? new Array<number>(d).fill(1);
  const outputPadding = attrInts(n, 'output_padding') ?? new Array<number>(d).fill(0);
  const { begin, end } = transposedPads(n, spatialIn, spatialOut, kernel, strides, dilations, outputPadding);
  let z = x;
  let zs = spatialIn.map((v, i) => (v - 1) * strides[i] + 1);
  if (strides.some((s) => s > 1)) {
    const interleaved = b.reshape(x, [batch, ch, ...spatialIn.flatMap((v) => [v, 1])]);
    const spread = b.pad(interleaved, [...new Array<number>(2 + 2 * d).fill(0), 0, 0, ...strides.flatMap((s) => [0, s - 1])]);
    z = b.slice(b.reshape(spread, [batch, ch, ...spatialIn.map((v, i) => v * strides[i])]), zs.map(() => 0), zs, range(d + 2, 2));
  }
  let wf = w;
  kernel.forEach((k, i) => { if (k > 1) wf = b.op('Gather', [wf, b.constInt64(range(k).reverse(), [k], 'flip')], { axis: 2 + i }); });
  wf = b.reshape(transpose(b, b.reshape(wf, [groups, cg, mg, ...kernel]), [0, 2, 1, ...range(d + 3, 3)]), [groups * mg, cg, ...kernel]);
  let pb = kernel.map((k, i) => dilations[i] * (k - 1) - begin[i]);
  let pe = kernel.map((k, i) => dilations[i] * (k - 1) - end[i] + outputPadding[i]);
  if ([...pb, ...pe].some((p) => p < 0)) {
    z = b.slice(z, pb.map((p) => Math.max(0, -p)), zs.map((s, i) => s - Math.max(0, -pe[i])), range(d + 2, 2));
    zs = zs.map((s, i) => s - Math.max(0, -pb[i]) - Math.max(0, -pe[i]));
    pb = pb.map((p) => Math.max(0, p));
    pe = pe.map((p) => Math.max(0, p));
  }
  const geo: WindowGeometry = { kernel, strides: kernel.map(() => 1), dilations, begin: pb, end: pe };
  convolve(lc, z, [batch, ch, ...zs], wf, [groups * mg, cg, ...kernel], groups, geo, spatialOut, bias || undefined, n.output[0]);
};

// mean over each window: Σ windows · 1/|window|
const averagePool: Lowering = (n, lc) => {
  const b = lc.b, x = n.input[0];
  const sx = lc.shape(x), sy = lc.shape(n.output[0]);
  const geo = windowGeometry(n, sx.slice(2), sy.slice(2), attrInts(n, 'kernel_shape') ?? []);
  if (geo.dilations.some((v) => v !== 1)) throw new Error('dilated AveragePool');
  const inv = inverseWindowSizes(geo, sx.slice(2), sy.slice(2), attrInt(n, 'count_include_pad', 0) === 1);
  // windows [K, O, N, C] summed over K → [O, N, C], scaled per O, laid out [N, C, O]
  const sums = b.reduce('ReduceSum', windows(lc, x, sx, geo, sy.slice(2)), [0], false);
  const scaled = b.mul(sums, b.initializer(makeDouble(b.name('inv_window'), [inv.length, 1, 1], inv)));
  b.op('Reshape', [b.op('Transpose', [scaled], { perm: [1, 2, 0] }), b.constInt64(sy, [sy.length], 'shape')], {}, n.output[0]);
};

const makeDouble = (name: string, dims: number[], values: number[]) => makeTensor(name, dims, Float64Array.from(values), D);

/** y = A·x along each resized axis (A [out, in] the interpolation matrix of the gradient rule, rules/resample.ts). */
function resample(lc: LoweringContext, n: NodeProto, scales: number[], settings: Parameters<typeof interpolationMatrix>[0]): void {
  const b = lc.b, x = n.input[0];
  const sx = lc.shape(x), sy = lc.shape(n.output[0]);
  let y = x;
  for (let axis = 0; axis < sx.length; axis++) {
    if (sx[axis] === sy[axis] && scales[axis] === 1) continue;
    const a = interpolationMatrix(settings, sx[axis], sy[axis], scales[axis]);
    const at = range(sx[axis]).flatMap((i) => range(sy[axis]).map((o) => a[o * sx[axis] + i]));
    const perm = [...range(sx.length).filter((i) => i !== axis), axis];
    const moved = b.op('MatMul', [transpose(b, y, perm), b.initializer(makeDouble(b.name('interpolation'), [sx[axis], sy[axis]], at))]);
    y = transpose(b, moved, inversePermutation(perm));
  }
  out(lc, n, y);
}

function interpolation(n: NodeProto): 'nearest' | 'linear' {
  const mode = attrString(n, 'mode', 'nearest');
  if (mode === 'nearest' || mode === 'linear' || mode === 'bilinear') return mode === 'nearest' ? 'nearest' : 'linear';
  throw new Error(`${mode} interpolation`);
}

const resize: Lowering = (n, lc) => {
  const before11 = lc.opset < 11;
  if (attrInt(n, 'antialias', 0) === 1) throw new Error('antialias');
  if (attrString(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch' && n.input[3]) throw new Error('keep_aspect_ratio_policy');
  const sx = lc.shape(n.input[0]), sy = lc.shape(n.output[0]);
  const scalesInput = before11 ? n.input[1] : n.input[2];
  const given = scalesInput ? lc.constantValues(scalesInput) : undefined;
  if (scalesInput && given === undefined && !n.input[3]) throw new Error('scales computed from data');
  const scales = sx.map((v, i) => sy[i] / v);
  if (given?.length) {
    const axes = attrInts(n, 'axes');
    if (axes) axes.forEach((a, k) => { scales[a < 0 ? a + sx.length : a] = given[k]; });
    else given.forEach((s, i) => { scales[i] = s; });
  }
  resample(lc, n, scales, {
    mode: interpolation(n),
    coordinates: before11 ? 'asymmetric' : attrString(n, 'coordinate_transformation_mode', 'half_pixel'),
    nearest: before11 ? 'simple' : attrString(n, 'nearest_mode', 'round_prefer_floor'),
  });
};

const upsample: Lowering = (n, lc) => {
  const scales = n.input[1] ? lc.constantValues(n.input[1]) : attr(n, 'scales')?.floats?.map(Number);
  if (!scales) throw new Error('scales computed from data');
  resample(lc, n, scales, { mode: interpolation(n), coordinates: 'asymmetric', nearest: 'simple' });
};

// Clip: bounds as attributes (before opset 11) or as inputs
const clip: Lowering = (n, lc) => {
  const b = lc.b, x = n.input[0];
  if (lc.opset < 11) return out(lc, n, clipScalars(lc, x, attrFloat(n, 'min', -Infinity), attrFloat(n, 'max', Infinity)));
  const low = n.input[1] ? b.op('Max', [x, n.input[1]]) : x;
  out(lc, n, n.input[2] ? b.op('Min', [low, n.input[2]]) : low);
};

// hardsigmoid(x) = clip(αx + β, 0, 1); hardswish(x) = x·hardsigmoid(x) with α = 1/6, β = 1/2
const hardSigmoid: Lowering = (n, lc) => {
  const b = lc.b;
  out(lc, n, clipScalars(lc, b.add(b.mul(n.input[0], c(lc, attrFloat(n, 'alpha', 0.2))), c(lc, attrFloat(n, 'beta', 0.5))), 0, 1));
};
const hardSwish: Lowering = (n, lc) => {
  const b = lc.b, x = n.input[0];
  out(lc, n, b.mul(x, clipScalars(lc, b.add(b.mul(x, c(lc, 1 / 6)), c(lc, 0.5)), 0, 1)));
};

// leaky relu: relu(x) + α·min(x, 0); elu: relu(x) + α(exp(min(x, 0)) − 1); selu: γ·elu; prelu: relu(x) + slope·min(x, 0)
const leakyRelu: Lowering = (n, lc) => out(lc, n, lc.b.add(relu(lc, n.input[0]), lc.b.mul(negativePart(lc, n.input[0]), c(lc, attrFloat(n, 'alpha', 0.01)))));
function elu(lc: LoweringContext, x: string, alpha: number): string {
  const b = lc.b;
  return b.add(relu(lc, x), b.mul(c(lc, alpha), b.sub(b.op('Exp', [negativePart(lc, x)]), c(lc, 1))));
}
const eluRule: Lowering = (n, lc) => out(lc, n, elu(lc, n.input[0], attrFloat(n, 'alpha', 1)));
const selu: Lowering = (n, lc) => out(lc, n, lc.b.mul(c(lc, attrFloat(n, 'gamma', 1.05070102214813232421875)), elu(lc, n.input[0], attrFloat(n, 'alpha', 1.67326319217681884765625))));
const prelu: Lowering = (n, lc) => out(lc, n, lc.b.add(relu(lc, n.input[0]), lc.b.mul(negativePart(lc, n.input[0]), n.input[1])));
// softplus(x) = relu(x) + log(1 + exp(−|x|)) (no overflow)
const softplus: Lowering = (n, lc) => {
  const b = lc.b, x = n.input[0];
  out(lc, n, b.add(relu(lc, x), b.op('Log', [b.add(c(lc, 1), b.op('Exp', [b.neg(b.op('Abs', [x]))]))])));
};
const mean: Lowering = (n, lc) => out(lc, n, lc.b.div(lc.b.op('Sum', n.input), c(lc, n.input.length)));
const globalAveragePool: Lowering = (n, lc) => out(lc, n, lc.b.reduce('ReduceMean', n.input[0], range(lc.shape(n.input[0]).length, 2), true));
const globalMaxPool: Lowering = (n, lc) => out(lc, n, lc.b.reduce('ReduceMax', n.input[0], range(lc.shape(n.input[0]).length, 2), true));

/** (x − mean)/√(var + ε) over `axes`, with the mean and 1/√(var + ε) (keepdims); ε is a float attribute, float32 in the model. */
function normalize(lc: LoweringContext, x: string, axes: number[], epsilon: number): { y: string; mean: string; invStd: string } {
  const b = lc.b;
  epsilon = Math.fround(epsilon);
  const m = b.reduce('ReduceMean', x, axes, true);
  const centred = b.sub(x, m);
  const invStd = b.op('Reciprocal', [b.op('Sqrt', [b.add(b.reduce('ReduceMean', b.mul(centred, centred), axes, true), c(lc, epsilon))])]);
  return { y: b.mul(centred, invStd), mean: m, invStd };
}

const instanceNormalization: Lowering = (n, lc) => {
  const b = lc.b, [x, scale, bias] = n.input;
  const sx = lc.shape(x);
  const { y } = normalize(lc, x, range(sx.length, 2), attrFloat(n, 'epsilon', 1e-5));
  const perChannel = (t: string) => b.reshape(t, [sx[1], ...sx.slice(2).map(() => 1)]);
  out(lc, n, b.add(b.mul(y, perChannel(scale)), perChannel(bias)));
};

const layerNormalization: Lowering = (n, lc) => {
  const b = lc.b, [x, scale, bias] = n.input;
  const rank = lc.shape(x).length;
  const axis = attrInt(n, 'axis', -1);
  const { y, mean: m, invStd } = normalize(lc, x, range(rank, axis < 0 ? axis + rank : axis), attrFloat(n, 'epsilon', 1e-5));
  const scaled = b.mul(y, scale);
  out(lc, n, bias ? b.add(scaled, bias) : scaled);
  if (n.output[1]) out(lc, n, m, 1);
  if (n.output[2]) out(lc, n, invStd, 2);
};

/**
 * GroupNormalization has a float64 kernel, but from opset 21 its statistics are computed in `stash_type` (float32
 * by default), which makes float64 differences float32 noise: spelled as the groups' normalization instead.
 * Scale and bias are per group before opset 21 ([G]) and per channel from it ([C]).
 */
const groupNormalization: Lowering = (n, lc) => {
  const b = lc.b, [x, scale, bias] = n.input;
  const sx = lc.shape(x);
  const groups = attrInt(n, 'num_groups', 0);
  const view = [sx[0], groups, sx[1] / groups, prod(sx.slice(2))];
  const { y } = normalize(lc, b.reshape(x, view), [2, 3], attrFloat(n, 'epsilon', 1e-5));
  const param = lc.shape(scale)[0] === sx[1] && groups !== sx[1] ? [1, groups, sx[1] / groups, 1] : [1, groups, 1, 1];
  out(lc, n, b.reshape(b.add(b.mul(y, b.reshape(scale, param)), b.reshape(bias, param)), sx));
};

/**
 * erf in float64: its Maclaurin series (46 terms, Horner in x²) for |x| ≤ 2.5 and 1 − erfc from erfc's continued
 * fraction (depth 50) beyond, each fed a clamped x so the branch not taken stays finite; both agree with erf to
 * a few 10⁻¹⁵.
 */
function erf(lc: LoweringContext, x: string): string {
  const b = lc.b;
  const coefficients: number[] = [];
  let factorial = 1;
  for (let k = 0; k <= 45; k++) {
    if (k > 0) factorial *= k;
    coefficients.push((k % 2 ? -1 : 1) / (factorial * (2 * k + 1)));
  }
  const xs = clipScalars(lc, x, -2.5, 2.5);
  const x2 = b.mul(xs, xs);
  let s = c(lc, coefficients[45]);
  for (let k = 44; k >= 0; k--) s = b.add(b.mul(s, x2), c(lc, coefficients[k]));
  const series = b.mul(b.mul(xs, s), c(lc, 2 / Math.sqrt(Math.PI)));
  const z = clipScalars(lc, b.op('Abs', [x]), 2.5, Infinity);
  let t = z;
  for (let k = 50; k >= 1; k--) t = b.add(z, b.div(c(lc, k / 2), t));
  const erfc = b.div(b.op('Exp', [b.neg(b.mul(z, z))]), b.mul(t, c(lc, Math.sqrt(Math.PI))));
  const tail = b.mul(lc.opset >= 9 ? b.op('Sign', [x]) : b.sign(x, D), b.sub(c(lc, 1), erfc));
  const far = b.op('Greater', [b.op('Abs', [x]), c(lc, 2.5)]);
  return b.op('Where', [far, tail, series]);
}
const erfRule: Lowering = (n, lc) => out(lc, n, erf(lc, n.input[0]));
// gelu(x) = x/2·(1 + erf(x/√2)), or x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))
const gelu: Lowering = (n, lc) => {
  const b = lc.b, x = n.input[0];
  const inner = attrString(n, 'approximate', 'none') === 'tanh'
    ? b.op('Tanh', [b.mul(c(lc, Math.sqrt(2 / Math.PI)), b.add(x, b.mul(c(lc, 0.044715), b.mul(x, b.mul(x, x)))))])
    : erf(lc, b.mul(x, c(lc, Math.SQRT1_2)));
  out(lc, n, b.mul(b.mul(x, c(lc, 0.5)), b.add(c(lc, 1), inner)));
};

/** Ops without a float64 kernel in onnxruntime's CPU provider (onnxruntime-node 1.30), or whose kernel computes in float32, and their spellings. */
export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  Conv: conv, ConvTranspose: convTranspose, AveragePool: averagePool, GlobalAveragePool: globalAveragePool, GlobalMaxPool: globalMaxPool,
  Resize: resize, Upsample: upsample, Clip: clip, HardSigmoid: hardSigmoid, HardSwish: hardSwish, LeakyRelu: leakyRelu,
  Elu: eluRule, Selu: selu, PRelu: prelu, Softplus: softplus, Mean: mean, InstanceNormalization: instanceNormalization,
  GroupNormalization: groupNormalization, LayerNormalization: layerNormalization, Erf: erfRule, Gelu: gelu,
  LSTM: (n, lc) => unrollRecurrent(n, lc.b, lc.shape, D), GRU: (n, lc) => unrollRecurrent(n, lc.b, lc.shape, D),
};
