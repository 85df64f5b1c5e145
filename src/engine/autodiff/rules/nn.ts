// Normalisations and softmaxes. Forward statistics are reused (LayerNormalization's Mean and InvStdDev outputs)
// rather than recomputed.
import { attrFloat, attrInt } from '../../onnx/attributes';
import { normAxis, range, zeros } from '../emit';
import { unbroadcast } from '../unbroadcast';
import { GradContext, GradRule, OneOutputRule } from '../types';
import { scalarLike } from './common';

/** Axes a Softmax/LogSoftmax normalises over: one axis from opset 13, every axis from `axis` on before it. */
function softmaxAxes(ctx: GradContext): number[] {
  const rank = ctx.shape(ctx.node.input[0]).length;
  const axis = normAxis(attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1), rank);
  return ctx.opset >= 13 ? [axis] : range(rank, axis);
}

// y = softmax(x) ⇒ dx = y·(g − Σ_axis g·y)
export const softmax: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const b = ctx.b, y = ctx.node.output[0];
  const gy = b.mul(g, y);
  return [b.sub(gy, b.mul(y, b.reduce('ReduceSum', gy, softmaxAxes(ctx), true)))];
};

// y = log softmax(x) ⇒ dx = g − eʸ·Σ_axis g
export const logSoftmax: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const b = ctx.b, y = ctx.node.output[0];
  return [b.sub(g, b.mul(b.op('Exp', [y]), b.reduce('ReduceSum', g, softmaxAxes(ctx), true)))];
};

// y = x̂·γ + β, x̂ = (x − μ)·r over the trailing N elements ⇒ dx = r·(gγ − mean(gγ) − x̂·mean(gγ·x̂)), dγ = Σ g·x̂,
// dβ = Σ g; the Mean and InvStdDev outputs add dμ/N and −dr·r²·x̂/N to dx (r = (v + ε)^−½, v = mean((x − μ)²))
export const layerNormalization: GradRule = (ctx, dy) => {
  const [g, dMean, dInvStd] = dy;
  if (!g && !dMean && !dInvStd) return [null, null, null];
  const b = ctx.b;
  const [x, scale, bias] = ctx.node.input;
  const sx = ctx.shape(x);
  const axes = range(sx.length, normAxis(attrInt(ctx.node, 'axis', -1), sx.length));
  if (ctx.dataType(x) !== 1 && attrInt(ctx.node, 'stash_type', 1) === 1) {
    throw new Error('LayerNormalization gradients are implemented for float32 inputs');
  }
  const mean = ctx.forwardOutput(1), invStd = ctx.forwardOutput(2);
  const xhat = b.mul(b.sub(x, mean), invStd);
  let dx: string | null = null;
  if (ctx.needs(0)) {
    if (g) {
      const gs = b.mul(g, scale);
      const m1 = b.reduce('ReduceMean', gs, axes, true);
      const m2 = b.reduce('ReduceMean', b.mul(gs, xhat), axes, true);
      dx = b.mul(invStd, b.sub(b.sub(gs, m1), b.mul(xhat, m2)));
    }
    const perElement = 1 / axes.reduce((a, i) => a * sx[i], 1);
    const fromMean = dMean ? b.mul(dMean, scalarLike(ctx, perElement, x)) : null;
    const fromInvStd = dInvStd ? b.mul(b.mul(dInvStd, b.mul(invStd, invStd)), b.mul(xhat, scalarLike(ctx, -perElement, x))) : null;
    for (const term of [fromMean, fromInvStd]) if (term) dx = b.add(dx ?? zeros(b, sx, ctx.dataType(x)), term);
  }
  // γ and β reach only Y: with no gradient on Y theirs is zero.
  const dScale = !ctx.needs(1) ? null : g ? unbroadcast(ctx, b.mul(g, xhat), scale, sx) : zeros(b, ctx.shape(scale), ctx.dataType(scale));
  const dBias = !bias || !ctx.needs(2) ? null : g ? unbroadcast(ctx, g, bias, sx) : zeros(b, ctx.shape(bias), ctx.dataType(bias));
  return [dx, dScale, dBias];
};

// Inference form, per channel c (axis 1): y = (x − m)·γ·r + β, r = 1/√(v + ε) ⇒
// dx = g·γ·r, dγ = Σ g·x̂, dβ = Σ g, dm = −γ·r·Σ g, dv = −½·γ·r²·Σ g·x̂  (x̂ = (x − m)·r)
export const batchNormalization: GradRule = (ctx, dy) => {
  const g = dy[0];
  const training = ctx.opset >= 14 ? attrInt(ctx.node, 'training_mode', 0) === 1 : ctx.node.output.filter((o) => o).length > 1;
  if (training || dy.slice(1).some((d) => d)) throw new Error('BatchNormalization in training mode (batch statistics) is not implemented; export in eval mode');
  if (!g) return [null, null, null, null, null];
  const b = ctx.b;
  const [x, scale, , mean, variance] = ctx.node.input;
  const sx = ctx.shape(x);
  const channelShape = sx.map((d, i) => (i === 1 ? d : 1)).slice(1); // [C, 1, …] broadcasts against [N, C, …]
  const perChannel = (t: string) => (channelShape.length > 1 ? b.reshape(t, channelShape) : t);
  const reduceAxes = range(sx.length).filter((i) => i !== 1);
  const sumOverChannel = (t: string) => b.reduce('ReduceSum', t, reduceAxes, false);
  const r = b.op('Reciprocal', [b.op('Sqrt', [b.add(variance, scalarLike(ctx, attrFloat(ctx.node, 'epsilon', 1e-5), variance))])]);
  const gammaR = b.mul(scale, r);
  const dx = ctx.needs(0) ? b.mul(g, perChannel(gammaR)) : null;
  const needsXhat = ctx.needs(1) || ctx.needs(4);
  const sgx = needsXhat ? sumOverChannel(b.mul(g, b.mul(b.sub(x, perChannel(mean)), perChannel(r)))) : null;
  const sg = ctx.needs(2) || ctx.needs(3) ? sumOverChannel(g) : null;
  return [
    dx,
    ctx.needs(1) ? sgx : null,
    ctx.needs(2) ? sg : null,
    ctx.needs(3) ? b.neg(b.mul(sg!, gammaR)) : null,
    ctx.needs(4) ? b.mul(sgx!, b.mul(b.mul(gammaR, r), scalarLike(ctx, -0.5, variance))) : null,
  ];
};


// Per (n, c) over the spatial axes: y = x̂·γ_c + β_c, x̂ = (x − μ)·r ⇒ dx = r·(gγ − mean(gγ) − x̂·mean(gγ·x̂)),
// dγ = Σ_{n,spatial} g·x̂, dβ = Σ_{n,spatial} g. The statistics are not outputs of the op, so they are recomputed.
export const instanceNormalization: OneOutputRule = (ctx, g) => {
  const b = ctx.b;
  const [x, scale] = ctx.node.input;
  const sx = ctx.shape(x);
  const spatial = range(sx.length, 2);
  const channel = (t: string) => b.reshape(t, [sx[1], ...spatial.map(() => 1)]);
  const mu = b.reduce('ReduceMean', x, spatial, true);
  const centered = b.sub(x, mu);
  const eps = scalarLike(ctx, attrFloat(ctx.node, 'epsilon', 1e-5), x);
  const r = b.op('Reciprocal', [b.op('Sqrt', [b.add(b.reduce('ReduceMean', b.mul(centered, centered), spatial, true), eps)])]);
  const xhat = b.mul(centered, r);
  let dx: string | null = null;
  if (ctx.needs(0)) {
    const gs = b.mul(g, channel(scale));
    const m1 = b.reduce('ReduceMean', gs, spatial, true);
    const m2 = b.reduce('ReduceMean', b.mul(gs, xhat), spatial, true);
    dx = b.mul(r, b.sub(b.sub(gs, m1), b.mul(xhat, m2)));
  }
  const perChannel = [0, ...spatial];
  return [
    dx,
    ctx.needs(1) ? b.reduce('ReduceSum', b.mul(g, xhat), perChannel, false) : null,
    ctx.needs(2) ? b.reduce('ReduceSum', g, perChannel, false) : null,
  ];
};

// Per (n, group) over the group's channels and the spatial axes: y = x̂·γ + β, x̂ = (x − μ)·r ⇒
// dx = r·(gγ − mean(gγ) − x̂·mean(gγ·x̂)), dγ = Σ g·x̂, dβ = Σ g over everything γ is shared across. γ and β are per
// group in opset 18 and per channel from opset 21; the statistics are recomputed in a [N, G, C/G, S] view.
export const groupNormalization: OneOutputRule = (ctx, g) => {
  const b = ctx.b;
  const [x, scale, bias] = ctx.node.input;
  const sx = ctx.shape(x);
  const groups = attrInt(ctx.node, 'num_groups', 0);
  const [n, c] = sx;
  const spatial = sx.slice(2).reduce((a, d) => a * d, 1);
  const view = [n, groups, c / groups, spatial];
  const perChannel = ctx.shape(scale)[0] === c;
  const paramView = perChannel ? [1, groups, c / groups, 1] : [1, groups, 1, 1];
  const xv = b.reshape(x, view), gv = b.reshape(g, view);
  const axes = [2, 3];
  const mu = b.reduce('ReduceMean', xv, axes, true);
  const centered = b.sub(xv, mu);
  const eps = scalarLike(ctx, attrFloat(ctx.node, 'epsilon', 1e-5), x);
  const r = b.op('Reciprocal', [b.op('Sqrt', [b.add(b.reduce('ReduceMean', b.mul(centered, centered), axes, true), eps)])]);
  const xhat = b.mul(centered, r);
  let dx: string | null = null;
  if (ctx.needs(0)) {
    const gs = b.mul(gv, b.reshape(scale, paramView));
    const m1 = b.reduce('ReduceMean', gs, axes, true);
    const m2 = b.reduce('ReduceMean', b.mul(gs, xhat), axes, true);
    dx = b.reshape(b.mul(r, b.sub(b.sub(gs, m1), b.mul(xhat, m2))), sx);
  }
  const shared = perChannel ? [0, 3] : [0, 2, 3];
  const sumTo = (t: string, like: string) => b.reshape(b.reduce('ReduceSum', t, shared, false), ctx.shape(like));
  return [
    dx,
    ctx.needs(1) ? sumTo(b.mul(gv, xhat), scale) : null,
    ctx.needs(2) ? sumTo(gv, bias) : null,
  ];
};
