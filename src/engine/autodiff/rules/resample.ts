// Resampling and pixel shuffles. Resize and Upsample (nearest and linear) are linear in x and separable: along each
// resized axis y = A·x with A [out, in] the interpolation matrix, so dx = Aᵀ·g axis by axis. A is built here from the
// static shapes with the coordinate rules of the ONNX spec (and of onnxruntime for the opsets before 11).
import { attrInt, attrInts, attrString } from '../../onnx/attributes';
import { GraphBuilder } from '../../onnx/builder';
import { makeTensor } from '../../onnx/tensor';
import { inversePermutation, range, transpose } from '../emit';
import { GradContext, OneOutputRule } from '../types';

const f32 = Math.fround;

/** The source coordinate of output position `o` along one axis (ONNX Resize, coordinate_transformation_mode). */
function sourceCoordinate(mode: string, o: number, scale: number, lengthIn: number, lengthOut: number): number {
  switch (mode) {
    case 'half_pixel': return f32(f32(f32(o + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel': return lengthOut > 1 ? f32(f32(f32(o + 0.5) / scale) - 0.5) : 0;
    case 'align_corners': return lengthOut === 1 ? 0 : f32(f32(o * (lengthIn - 1)) / (lengthOut - 1));
    case 'asymmetric': return f32(o / scale);
    case 'tf_half_pixel_for_nn': return f32(f32(o + 0.5) / scale);
    default: throw new Error(`Resize with coordinate_transformation_mode '${mode}' has no gradient rule`);
  }
}

/** The input index nearest output coordinate `x` (nearest_mode; `simple` is onnxruntime's rule before opset 11). */
function nearestIndex(mode: string, x: number, downsampling: boolean): number {
  const frac = x - Math.floor(x);
  switch (mode) {
    case 'round_prefer_floor': return frac === 0.5 ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil': return frac === 0.5 ? Math.ceil(x) : Math.round(x);
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'simple': return downsampling ? Math.ceil(x) : Math.trunc(x);
    default: throw new Error(`Resize with nearest_mode '${mode}' has no gradient rule`);
  }
}

interface AxisResample { mode: 'nearest' | 'linear'; coordinates: string; nearest: string }

/** The interpolation matrix A [out, in] of one axis, row-major. */
export function interpolationMatrix(r: AxisResample, lengthIn: number, lengthOut: number, scale: number): number[] {
  const a = new Array<number>(lengthOut * lengthIn).fill(0);
  for (let o = 0; o < lengthOut; o++) {
    const x = sourceCoordinate(r.coordinates, o, scale, lengthIn, lengthOut);
    if (r.mode === 'nearest') {
      const i = Math.min(Math.max(nearestIndex(r.nearest, x, scale < 1), 0), lengthIn - 1);
      a[o * lengthIn + i] += 1;
    } else {
      const c = Math.min(Math.max(x, 0), lengthIn - 1);
      const i0 = Math.floor(c), i1 = Math.min(i0 + 1, lengthIn - 1), w = c - i0;
      a[o * lengthIn + i0] += 1 - w;
      a[o * lengthIn + i1] += w;
    }
  }
  return a;
}

/** dx = Aᵀ·g along `axis`, for each resized axis in turn: g's axis moved last, multiplied by A [out, in]. */
function applyTransposed(b: GraphBuilder, g: string, shape: number[], axis: number, matrix: string): string {
  const rank = shape.length;
  const perm = [...range(rank).filter((i) => i !== axis), axis];
  const moved = b.op('MatMul', [transpose(b, g, perm), matrix]);
  return transpose(b, moved, inversePermutation(perm));
}

interface ResampleGeometry { scales: number[]; settings: AxisResample }

function resample(ctx: GradContext, g: string, geo: ResampleGeometry): string {
  const x = ctx.node.input[0];
  const sx = ctx.shape(x), sy = ctx.shape(ctx.node.output[0]);
  let grad = g;
  const current = [...sy];
  for (let axis = 0; axis < sx.length; axis++) {
    if (sx[axis] === sy[axis] && geo.scales[axis] === 1) continue;
    const values = interpolationMatrix(geo.settings, sx[axis], sy[axis], geo.scales[axis]);
    const matrix = ctx.b.initializer(makeTensor(ctx.b.name(`interpolation_axis${axis}`), [sy[axis], sx[axis]], values, ctx.dataType(x)));
    grad = applyTransposed(ctx.b, grad, current, axis, matrix);
    current[axis] = sx[axis];
  }
  return grad;
}

function interpolationMode(ctx: GradContext): 'nearest' | 'linear' {
  const mode = attrString(ctx.node, 'mode', 'nearest');
  if (mode === 'nearest' || mode === 'linear' || mode === 'bilinear') return mode === 'nearest' ? 'nearest' : 'linear';
  throw new Error(`${ctx.node.opType} in '${mode}' mode has no gradient rule (nearest and linear have)`);
}

/** Per-axis scales: the `scales` constant where given, else output/input lengths (what `sizes` means). */
function scalesOf(ctx: GradContext, given: number[] | undefined, axes: number[] | undefined): number[] {
  const sx = ctx.shape(ctx.node.input[0]), sy = ctx.shape(ctx.node.output[0]);
  const measured = sx.map((d, i) => sy[i] / d);
  if (!given || given.length === 0) return measured;
  if (!axes) return given;
  const full = [...measured];
  axes.forEach((a, k) => { full[a < 0 ? a + sx.length : a] = given[k]; });
  return full;
}

// y = resize(x) = (⊗ A_axis)·x ⇒ dx = (⊗ A_axisᵀ)·g; roi, scales and sizes get none (they are geometry)
export const resize: OneOutputRule = (ctx, g) => {
  const none = ctx.node.input.slice(1).map(() => null);
  if (!ctx.needs(0)) return [null, ...none];
  const n = ctx.node;
  const before11 = ctx.opset < 11;
  const coordinates = before11 ? 'asymmetric' : attrString(n, 'coordinate_transformation_mode', 'half_pixel');
  const nearest = before11 ? 'simple' : attrString(n, 'nearest_mode', 'round_prefer_floor');
  if (attrInt(n, 'antialias', 0) === 1) {
    const sx = ctx.shape(n.input[0]), sy = ctx.shape(n.output[0]);
    if (sy.some((d, i) => d < sx[i])) throw new Error('Resize with antialias while downsampling has no gradient rule');
  }
  if (attrString(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch' && n.input[3]) {
    throw new Error(`Resize with keep_aspect_ratio_policy '${attrString(n, 'keep_aspect_ratio_policy', '')}' has no gradient rule`);
  }
  const scalesInput = before11 ? n.input[1] : n.input[2];
  const given = scalesInput ? ctx.constantFloats(scalesInput) : undefined;
  if (scalesInput && given === undefined && !n.input[3]) {
    throw new Error(`Resize scales '${scalesInput}' are computed from data, not from shapes`);
  }
  const scales = scalesOf(ctx, given, attrInts(n, 'axes'));
  return [resample(ctx, g, { scales, settings: { mode: interpolationMode(ctx), coordinates, nearest } }), ...none];
};

// Upsample (opsets 7–9): Resize's rule with asymmetric coordinates; scales an attribute (7) or an input (9)
export const upsample: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null, null];
  const n = ctx.node;
  const given = n.input[1] ? ctx.constantFloats(n.input[1]) : attrFloats(ctx);
  if (given === undefined) throw new Error(`Upsample scales '${n.input[1]}' are computed from data, not from shapes`);
  return [resample(ctx, g, { scales: given, settings: { mode: interpolationMode(ctx), coordinates: 'asymmetric', nearest: 'simple' } }), null];
};

function attrFloats(ctx: GradContext): number[] | undefined {
  const a = ctx.node.attribute.find((x) => x.name === 'scales');
  return a?.floats ? Array.from(a.floats) : undefined;
}

/** The 6-D view and permutation of a pixel shuffle: y = reshape(transpose(reshape(x, view), perm), shape(y)). */
function shuffle(ctx: GradContext): { view: number[]; perm: number[] } {
  const [n, c, h, w] = ctx.shape(ctx.node.input[0]);
  const k = attrInt(ctx.node, 'blocksize', 0);
  if (ctx.node.opType === 'SpaceToDepth') return { view: [n, c, h / k, k, w / k, k], perm: [0, 3, 5, 1, 2, 4] };
  const mode = ctx.opset >= 11 ? attrString(ctx.node, 'mode', 'DCR') : 'DCR';
  if (mode === 'CRD') return { view: [n, c / (k * k), k, k, h, w], perm: [0, 1, 4, 2, 5, 3] };
  return { view: [n, k, k, c / (k * k), h, w], perm: [0, 3, 4, 1, 5, 2] };
}

// y = reshape(transpose(reshape(x, v), p)) ⇒ dx = reshape(transpose(reshape(g, p(v)), p⁻¹), shape(x))
// (DepthToSpace in DCR and CRD mode, SpaceToDepth)
export const pixelShuffle: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const b = ctx.b;
  const { view, perm } = shuffle(ctx);
  const permuted = b.reshape(g, perm.map((p) => view[p]));
  return [b.reshape(transpose(b, permuted, inversePermutation(perm)), ctx.shape(ctx.node.input[0]))];
};
