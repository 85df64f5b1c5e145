// Ops that select, combine or route elements: the gradient is scattered (added) back to where each came from.
import { attrInt, attrInts, attrString } from '../../onnx/attributes';
import { normAxis, range, transpose, zeros } from '../emit';
import { unbroadcast } from '../unbroadcast';
import { GradContext, GradRule, OneOutputRule } from '../types';
import { scalarLike } from './common';

const numel = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

// y = data.take(idx, axis) ⇒ d data[idx[j]] += g[j]  (ScatterND with add from opset 16, one-hot Gemm before)
export const gather: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const b = ctx.b;
  const [data, idx] = ctx.node.input;
  const sd = ctx.shape(data), si = ctx.shape(idx);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), sd.length);
  const pre = sd.slice(0, axis), post = sd.slice(axis + 1);
  // g is [pre, I, post]; bring the index dims to the front: [I, pre, post].
  const gRank = pre.length + si.length + post.length;
  const toFront = [...range(pre.length + si.length, pre.length), ...range(pre.length), ...range(gRank, pre.length + si.length)];
  const gFront = transpose(b, g, toFront);
  const dFrontShape = [sd[axis], ...pre, ...post];
  let dFront: string;
  if (ctx.opset >= 16) {
    const base = zeros(b, dFrontShape, ctx.dataType(data));
    dFront = b.op('ScatterND', [base, b.unsqueeze(idx, [si.length]), gFront], { reduction: 'add' });
  } else {
    // Σ_j onehot(idx_j)ᵀ·g_j as one Gemm: [A, J] × [J, rest].
    const rows = numel(si), rest = numel(pre) * numel(post);
    // Negative indices count from the end: compare against both spellings of every position.
    const flatIdx = b.reshape(idx, [rows, 1]);
    const hit = b.op('Or', [
      b.op('Equal', [flatIdx, b.constInt64(range(sd[axis]), [1, sd[axis]], 'positions')]),
      b.op('Equal', [flatIdx, b.constInt64(range(sd[axis]).map((k) => k - sd[axis]), [1, sd[axis]], 'negative_positions')]),
    ]);
    const onehot = b.cast(hit, ctx.dataType(data));
    dFront = b.reshape(b.gemm(onehot, b.reshape(gFront, [rows, rest]), { transA: true, dataType: ctx.dataType(data) }), dFrontShape);
  }
  // [A, pre, post] → [pre, A, post]
  const back = [...range(pre.length + 1, 1), 0, ...range(sd.length, pre.length + 1)];
  return [transpose(b, dFront, back), null];
};

// y[i] = x[… idx[i] …] along axis ⇒ dx = scatter-add of g at idx (ScatterElements with add from opset 16; before,
// dx[…k…] = Σ_j g[…j…]·[idx[…j…] = k], a one-hot product over a new last axis)
export const gatherElements: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const b = ctx.b;
  const [data, idx] = ctx.node.input;
  const sd = ctx.shape(data), si = ctx.shape(idx), dt = ctx.dataType(data);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), sd.length);
  if (ctx.opset >= 16) return [b.scatterElements(zeros(b, sd, dt), idx, g, axis, 'add'), null];
  const d = sd[axis], r = si.length;
  const column = b.unsqueeze(idx, [r]);
  const hit = b.op('Or', [
    b.op('Equal', [column, b.constInt64(range(d), [d], 'positions')]),
    b.op('Equal', [column, b.constInt64(range(d).map((k) => k - d), [d], 'negative_positions')]),
  ]);
  // [...si, d] summed over the gathered axis, then the new last axis takes its place.
  const summed = b.reduce('ReduceSum', b.mul(b.cast(hit, dt), b.unsqueeze(g, [r])), [axis], true);
  const swapped = transpose(b, summed, range(r + 1).map((i) => (i === axis ? r : i === r ? axis : i)));
  const dense = b.reshape(swapped, si.map((n, i) => (i === axis ? d : n)));
  const pads = sd.map((n, i) => (i === axis ? 0 : n - si[i]));
  return [b.pad(dense, [...sd.map(() => 0), ...pads]), null];
};

/** Per-axis (start, end, step) of a Slice node after ONNX's clamping rules. */
function sliceBounds(ctx: GradContext, dims: readonly number[]): { start: number; end: number; step: number }[] {
  const n = ctx.node;
  const read = (i: number, attrName: string): number[] | undefined => {
    if (ctx.opset < 10) return attrInts(n, attrName);
    if (!n.input[i]) return undefined;
    const v = ctx.constantInts(n.input[i]);
    if (!v) throw new Error(`Slice ${attrName} '${n.input[i]}' depend on data, not on shapes`);
    return v;
  };
  const starts = read(1, 'starts')!, ends = read(2, 'ends')!;
  const axes = read(3, 'axes') ?? range(starts.length);
  const steps = read(4, 'steps') ?? starts.map(() => 1);
  const out = dims.map((d) => ({ start: 0, end: d, step: 1 }));
  axes.forEach((a0, k) => {
    const a = normAxis(a0, dims.length), d = dims[a], step = steps[k];
    let s = starts[k], e = ends[k];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) { s = Math.min(Math.max(s, 0), d); e = Math.min(Math.max(e, 0), d); } else { s = Math.min(Math.max(s, 0), d - 1); e = Math.min(Math.max(e, -1), d - 1); }
    out[a] = { start: s, end: e, step };
  });
  return out;
}

// y = x[s:e:k] ⇒ dx = zeros with g written back at the sliced positions (a Pad when every step is 1)
export const sliceRule: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null, null, null, null];
  const b = ctx.b;
  const x = ctx.node.input[0];
  const sx = ctx.shape(x), sy = ctx.shape(ctx.node.output[0]);
  const bounds = sliceBounds(ctx, sx);
  if (bounds.every((r) => r.step === 1)) {
    return [b.pad(g, [...bounds.map((r) => r.start), ...bounds.map((r, i) => sx[i] - r.start - sy[i])]), null, null, null, null];
  }
  // Strided or reversed: scatter into a flat zero tensor at the precomputed flat positions.
  const strides = sx.map((_, i) => numel(sx.slice(i + 1)));
  let flat = [0];
  bounds.forEach((r, i) => {
    const picks = range(sy[i]).map((k) => r.start + k * r.step);
    flat = flat.flatMap((f) => picks.map((p) => f + p * strides[i]));
  });
  const base = zeros(b, [numel(sx)], ctx.dataType(x));
  const scattered = b.scatterElements(base, b.constInt64(flat, [flat.length], 'positions'), b.reshape(g, [flat.length]), 0);
  return [b.reshape(scattered, sx), null, null, null, null];
};

// y = concat(x₁ … xₙ) ⇒ (dx₁ … dxₙ) = split(g)
export const concat: OneOutputRule = (ctx, g) => {
  const ins = ctx.node.input;
  if (!ins.some((_, i) => ctx.needs(i))) return ins.map(() => null);
  const rank = ctx.shape(ins[0]).length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), rank);
  const sizes = ins.map((x) => ctx.shape(x)[axis]);
  const parts = ctx.b.split(g, sizes, axis);
  return ins.map((_, i) => (ctx.needs(i) ? parts[i] : null));
};

// (y₁ … yₙ) = split(x) ⇒ dx = concat(g₁ … gₙ), zeros for outputs without a gradient
export const splitRule: GradRule = (ctx, dy) => {
  if (!ctx.needs(0)) return ctx.node.input.map(() => null);
  const x = ctx.node.input[0];
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), ctx.shape(x).length);
  const parts = ctx.node.output.map((o, i) => dy[i] ?? zeros(ctx.b, ctx.shape(o), ctx.dataType(x)));
  return [parts.length === 1 ? parts[0] : ctx.b.op('Concat', parts, { axis }), ...ctx.node.input.slice(1).map(() => null)];
};

// y = where(c, a, b) ⇒ da = g·[c], db = g·[¬c]
export const where: OneOutputRule = (ctx, g) => {
  const [c, a, bIn] = ctx.node.input;
  const zero = scalarLike(ctx, 0, ctx.node.output[0]);
  return [
    null,
    ctx.needs(1) ? unbroadcast(ctx, ctx.b.op('Where', [c, g, zero]), a) : null,
    ctx.needs(2) ? unbroadcast(ctx, ctx.b.op('Where', [c, zero, g]), bIn) : null,
  ];
};

// y = pad(x, p, v) (constant mode) ⇒ dx = g[p_begin : p_begin + shape(x)], dv = Σ g − Σ dx (the padded cells)
export const padRule: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0) && !ctx.needs(2)) return ctx.node.input.map(() => null);
  const mode = attrString(ctx.node, 'mode', 'constant');
  if (mode !== 'constant') throw new Error(`Pad in '${mode}' mode has no gradient rule`);
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  let pads = ctx.opset < 11 ? attrInts(ctx.node, 'pads') : ctx.constantInts(ctx.node.input[1]);
  if (!pads) throw new Error('Pad pads depend on data, not on shapes');
  const axesIn = ctx.node.input[3];
  if (axesIn) {
    const axes = ctx.constantInts(axesIn);
    if (!axes) throw new Error('Pad axes depend on data');
    const full = new Array<number>(2 * sx.length).fill(0);
    axes.forEach((a0, k) => { const a = normAxis(a0, sx.length); full[a] = pads![k]; full[a + sx.length] = pads![k + axes.length]; });
    pads = full;
  }
  if (pads.some((p) => p < 0)) throw new Error('Pad with negative pads (cropping) has no gradient rule');
  const starts = sx.map((_, i) => pads![i]);
  const dx = ctx.b.slice(g, starts, starts.map((s, i) => s + sx[i]), range(sx.length));
  const value = ctx.node.input[2];
  const dv = ctx.needs(2) ? ctx.b.sub(unbroadcast(ctx, g, value), unbroadcast(ctx, dx, value, sx)) : null;
  return ctx.node.input.map((_, i) => (i === 0 && ctx.needs(0) ? dx : i === 2 ? dv : null));
};

// y = tile(x, r) ⇒ dx = Σ over the r copies: reshape g to [r₀, d₀, r₁, d₁, …] and sum the r axes
export const tile: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const x = ctx.node.input[0];
  const sx = ctx.shape(x), sy = ctx.shape(ctx.node.output[0]);
  const reps = sx.map((d, i) => sy[i] / d);
  const inter = sx.flatMap((d, i) => [reps[i], d]);
  const summed = ctx.b.reduce('ReduceSum', ctx.b.reshape(g, inter), range(sx.length).map((i) => 2 * i), false);
  return [summed, null];
};

// y = cumsum(x, axis) ⇒ dx = reverse cumsum(g, axis)
export const cumSum: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const reverse = attrInt(ctx.node, 'reverse', 0), exclusive = attrInt(ctx.node, 'exclusive', 0);
  return [ctx.b.op('CumSum', [g, ctx.node.input[1]], { reverse: 1 - reverse, exclusive }), null];
};

// y = triangle(x, k) ⇒ dx = triangle(g, k)
export const trilu: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const inputs = ctx.node.input[1] ? [g, ctx.node.input[1]] : [g];
  return [ctx.b.op('Trilu', inputs, { upper: attrInt(ctx.node, 'upper', 1) }), null];
};

