// Pooling. MaxPool routes g to the arg-max of each window (the forward node's Indices output);
// AveragePool spreads g/|window| over each window with a ones-kernel transposed convolution.
import { attrInt, attrInts } from '../../onnx/attributes';
import { expand, range, zeros } from '../emit';
import { GradRule, OneOutputRule } from '../types';
import { transposedConvAttrs, windowGeometry, WindowGeometry } from './conv';
import { scalarLike } from './common';
import { makeTensor } from '../../onnx/tensor';

const numel = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

// y = max over window ⇒ dx[argmax] += g  (the forward node's Indices are flat positions in x)
export const maxPool: GradRule = (ctx, dy) => {
  const g = dy[0];
  if (dy[1]) throw new Error('the Indices output of MaxPool carries no gradient');
  if (!g || !ctx.needs(0)) return [null];
  const b = ctx.b, x = ctx.node.input[0];
  const sx = ctx.shape(x), sy = ctx.shape(ctx.node.output[0]);
  if (attrInt(ctx.node, 'storage_order', 0) !== 0) throw new Error('MaxPool with column-major storage_order has no gradient rule');
  const geo = windowGeometry(ctx.node, sx.slice(2), sy.slice(2), attrInts(ctx.node, 'kernel_shape') ?? []);
  const overlapping = geo.kernel.some((k, i) => (k - 1) * geo.dilations[i] + 1 > geo.strides[i]);
  if (overlapping && ctx.opset < 16) throw new Error('overlapping MaxPool windows need ScatterElements with reduction (opset 16 or later)');
  if (ctx.opset < 8) throw new Error('MaxPool has no Indices output before opset 8, which its gradient routes by');
  const indices = ctx.forwardOutput(1);
  const base = zeros(b, [numel(sx)], ctx.dataType(x));
  const flat = b.scatterElements(base, b.reshape(indices, [numel(sy)]), b.reshape(g, [numel(sy)]), 0, overlapping ? 'add' : undefined);
  return [b.reshape(flat, sx)];
};

/** 1/|window| per output position, row-major over the output's spatial axes: window sizes are separable over the
 *  axes and mirror the runtime's clipping (padding counts only with count_include_pad, never past the end pads). */
export function inverseWindowSizes(geo: WindowGeometry, spatialIn: number[], spatialOut: number[], includePad: boolean): number[] {
  const sizes = spatialOut.map((o, i) => range(o).map((p) => {
    const start = p * geo.strides[i] - geo.begin[i];
    const end = Math.min(start + geo.kernel[i], spatialIn[i] + geo.end[i]);
    return includePad ? end - start : Math.min(end, spatialIn[i]) - Math.max(start, 0);
  }));
  let inv: number[] = [1];
  for (const s of sizes) inv = inv.flatMap((a) => s.map((v) => a / v));
  return inv;
}

// y = mean over window ⇒ dx = Σ_windows ∋ x g/|window|  (|window| counts padding only with count_include_pad)
export const averagePool: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const b = ctx.b, x = ctx.node.input[0];
  const sx = ctx.shape(x), sy = ctx.shape(ctx.node.output[0]);
  const spatialIn = sx.slice(2), spatialOut = sy.slice(2);
  const geo = windowGeometry(ctx.node, spatialIn, spatialOut, attrInts(ctx.node, 'kernel_shape') ?? []);
  if (geo.dilations.some((d) => d !== 1)) throw new Error('dilated AveragePool has no gradient rule');
  const includePad = attrInt(ctx.node, 'count_include_pad', 0) === 1;
  const inv = inverseWindowSizes(geo, spatialIn, spatialOut, includePad);
  const scaled = inv.every((v) => v === inv[0])
    ? b.mul(g, scalarLike(ctx, inv[0], x))
    : b.mul(g, b.initializer(makeTensor(b.name('inv_window'), spatialOut, inv, ctx.dataType(x))));
  const channels = sx[1];
  const ones = b.initializer(makeTensor(b.name('ones_kernel'), [channels, 1, ...geo.kernel], new Array<number>(channels * numel(geo.kernel)).fill(1), ctx.dataType(x)));
  return [b.op('ConvTranspose', [scaled, ones], { ...transposedConvAttrs(geo, spatialIn, spatialOut), group: channels })];
};

// y = mean over spatial axes ⇒ dx = broadcast(g)/|S|
export const globalAveragePool: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  return [expand(ctx.b, ctx.b.mul(g, scalarLike(ctx, 1 / numel(sx.slice(2)), x)), sx, ctx.dataType(x))];
};

// y = max over spatial axes ⇒ dx = g·[x = y]/#ties
export const globalMaxPool: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const b = ctx.b, x = ctx.node.input[0];
  const axes = range(ctx.shape(x).length, 2);
  const hit = b.cast(b.equalFloat(x, ctx.node.output[0]), ctx.dataType(x));
  return [b.mul(g, b.div(hit, b.reduce('ReduceSum', hit, axes, true)))];
};
