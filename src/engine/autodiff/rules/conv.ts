// Convolution (1-D, 2-D, 3-D; strides, padding, dilation, groups). dx is a transposed convolution of g with
// the same weights; dW is a convolution of x with g, where stride and dilation trade places.
import { attrInt, attrInts, attrString } from '../../onnx/attributes';
import { range, transpose } from '../emit';
import { NodeProto } from '../../onnx/proto';
import { OneOutputRule } from '../types';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Explicit begin and end pads per spatial axis (auto_pad resolved against the static shapes). */
  begin: number[];
  end: number[];
}

/** Kernel geometry of a Conv/pool node, with auto_pad turned into explicit pads using the probed shapes. */
export function windowGeometry(node: NodeProto, spatialIn: number[], spatialOut: number[], kernel: number[]): WindowGeometry {
  const d = spatialIn.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(d).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(d).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let begin: number[], end: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = range(d).map((i) => Math.max(0, (spatialOut[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatialIn[i]));
    begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
    end = total.map((t, i) => t - begin[i]);
  } else if (autoPad === 'VALID') {
    begin = new Array<number>(d).fill(0);
    end = new Array<number>(d).fill(0);
  } else {
    const pads = attrInts(node, 'pads') ?? new Array<number>(2 * d).fill(0);
    begin = pads.slice(0, d);
    end = pads.slice(d);
  }
  return { kernel, strides, dilations, begin, end };
}

/**
 * ConvTranspose attributes that map a gradient of the window outputs back onto an input of `spatialIn` size:
 * the end padding crops positions past the input, output_padding adds trailing positions no window reached.
 */
export function transposedConvAttrs(geo: WindowGeometry, spatialIn: number[], spatialOut: number[]): Record<string, number[]> {
  const pads = [...geo.begin];
  const endPads: number[] = [], outputPadding: number[] = [];
  spatialIn.forEach((x, i) => {
    const full = geo.strides[i] * (spatialOut[i] - 1) + (geo.kernel[i] - 1) * geo.dilations[i] + 1 - geo.begin[i];
    endPads.push(Math.max(0, full - x));
    outputPadding.push(Math.max(0, x - full));
  });
  return { strides: geo.strides, dilations: geo.dilations, pads: [...pads, ...endPads], output_padding: outputPadding, kernel_shape: geo.kernel };
}

// y = conv(x, W) + b ⇒ dx = convᵀ(g, W), dW[m, c] = Σ_n conv(x[n, c], g[n, m]) (stride ↔ dilation), db = Σ g
export const conv: OneOutputRule = (ctx, g) => {
  const b = ctx.b;
  const [x, w, bias] = ctx.node.input;
  const sx = ctx.shape(x), sw = ctx.shape(w), sy = ctx.shape(ctx.node.output[0]);
  const d = sx.length - 2;
  const [n, c] = sx, m = sw[0];
  const groups = attrInt(ctx.node, 'group', 1);
  const kernel = sw.slice(2);
  const spatialIn = sx.slice(2), spatialOut = sy.slice(2);
  const geo = windowGeometry(ctx.node, spatialIn, spatialOut, kernel);
  let dx: string | null = null, dw: string | null = null, db: string | null = null;
  if (ctx.needs(0)) {
    dx = b.op('ConvTranspose', [g, w], { ...transposedConvAttrs(geo, spatialIn, spatialOut), group: groups });
  }
  if (ctx.needs(1)) {
    const cg = c / groups, mg = m / groups;
    // x: [N, C, S] → [Cg, G·N, S] (batch becomes channels within each group)
    const xr = b.reshape(transpose(b, b.reshape(x, [n, groups, cg, ...spatialIn]), [2, 1, 0, ...range(d + 3, 3)]), [cg, groups * n, ...spatialIn]);
    // g: [N, M, O] → [M, N, O] (a kernel with N input channels per group)
    const gr = b.reshape(transpose(b, b.reshape(g, [n, groups, mg, ...spatialOut]), [1, 2, 0, ...range(d + 3, 3)]), [m, n, ...spatialOut]);
    const raw = b.op('Conv', [xr, gr], {
      group: groups, strides: geo.dilations, dilations: geo.strides, pads: [...geo.begin, ...geo.end], kernel_shape: spatialOut,
    });
    // raw is [Cg, M, K'] with K' ≥ K when the end padding was not fully used; crop and put M first.
    const rawK = spatialIn.map((xi, i) => Math.floor((xi + geo.begin[i] + geo.end[i] - (spatialOut[i] - 1) * geo.strides[i] - 1) / geo.dilations[i]) + 1);
    const cropped = rawK.some((k, i) => k !== kernel[i]) ? b.slice(raw, kernel.map(() => 0), kernel, range(d + 2, 2)) : raw;
    dw = transpose(b, cropped, [1, 0, ...range(d + 2, 2)]);
  }
  if (bias && ctx.needs(2)) db = b.reduce('ReduceSum', g, [0, ...range(d + 2, 2)], false);
  return [dx, dw, db];
};

/** Begin and end pads of a ConvTranspose node, from the attributes or, with output_shape or auto_pad, from the shapes. */
export function transposedPads(node: NodeProto, spatialIn: number[], spatialOut: number[], kernel: number[], strides: number[], dilations: number[], outputPadding: number[]): { begin: number[]; end: number[] } {
  const d = spatialIn.length;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads');
  const total = range(d).map((i) => strides[i] * (spatialIn[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - spatialOut[i]);
  if (pads && autoPad === 'NOTSET' && !attrInts(node, 'output_shape')) return { begin: pads.slice(0, d), end: pads.slice(d) };
  const begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
  return { begin, end: total.map((t, i) => t - begin[i]) };
}

// y = convᵀ(x, W) + b, W [C, M/G, K] ⇒ dx = conv(g, W) (same strides, pads, dilations, groups: the adjoint),
// dW[c, m] = Σ_n conv(g[n, m], x[n, c]) (stride ↔ dilation, as in Conv's dW with x and g trading places), db = Σ g
export const convTranspose: OneOutputRule = (ctx, g) => {
  const b = ctx.b;
  const [x, w, bias] = ctx.node.input;
  const sx = ctx.shape(x), sw = ctx.shape(w), sy = ctx.shape(ctx.node.output[0]);
  const d = sx.length - 2;
  const [n, c] = sx;
  const groups = attrInt(ctx.node, 'group', 1);
  const mg = sw[1], cg = c / groups;
  const kernel = sw.slice(2);
  const spatialIn = sx.slice(2), spatialOut = sy.slice(2);
  const strides = attrInts(ctx.node, 'strides') ?? new Array<number>(d).fill(1);
  const dilations = attrInts(ctx.node, 'dilations') ?? new Array<number>(d).fill(1);
  const outputPadding = attrInts(ctx.node, 'output_padding') ?? new Array<number>(d).fill(0);
  const { begin, end } = transposedPads(ctx.node, spatialIn, spatialOut, kernel, strides, dilations, outputPadding);
  if ([...begin, ...end].some((p) => p < 0)) throw new Error('ConvTranspose whose output_shape needs negative pads has no gradient rule');
  let dx: string | null = null, dw: string | null = null, db: string | null = null;
  if (ctx.needs(0)) {
    dx = b.op('Conv', [g, w], { strides, dilations, pads: [...begin, ...end], kernel_shape: kernel, group: groups });
  }
  if (ctx.needs(1)) {
    // g: [N, M, Y] → [Mg, G·N, Y] (batch becomes channels within each group); x: [N, C, X] → [C, N, X] (the kernel)
    const gr = b.reshape(transpose(b, b.reshape(g, [n, groups, mg, ...spatialOut]), [2, 1, 0, ...range(d + 3, 3)]), [mg, groups * n, ...spatialOut]);
    const xr = b.reshape(transpose(b, b.reshape(x, [n, groups, cg, ...spatialIn]), [1, 2, 0, ...range(d + 3, 3)]), [c, n, ...spatialIn]);
    const raw = b.op('Conv', [gr, xr], { group: groups, strides: dilations, dilations: strides, pads: [...begin, ...end], kernel_shape: spatialIn });
    // raw is [Mg, C, K'] with K' ≥ K (output padding adds trailing positions): crop and put C first.
    const rawK = spatialOut.map((yi, i) => Math.floor((yi + begin[i] + end[i] - (spatialIn[i] - 1) * strides[i] - 1) / dilations[i]) + 1);
    const cropped = rawK.some((k, i) => k !== kernel[i]) ? b.slice(raw, kernel.map(() => 0), kernel, range(d + 2, 2)) : raw;
    dw = transpose(b, cropped, [1, 0, ...range(d + 2, 2)]);
  }
  if (bias && ctx.needs(2)) db = b.reduce('ReduceSum', g, [0, ...range(d + 2, 2)], false);
  return [dx, dw, db];
};
