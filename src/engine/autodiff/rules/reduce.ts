// Reductions: the gradient is broadcast back over the reduced axes.
import { expand, reshapeIfNeeded } from '../emit';
import { GradContext, OneOutputRule } from '../types';
import { keepDims, reduceAxes, scalarLike } from './common';

/** g reshaped to the keepdims shape, then expanded to x's shape. */
function spread(ctx: GradContext, g: string, axes: number[]): string {
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  const kept = reshapeIfNeeded(ctx.b, g, ctx.shape(ctx.node.output[0]), keepDims(sx, axes));
  return expand(ctx.b, kept, sx, ctx.dataType(x));
}

// y = Σ_axes x ⇒ dx = broadcast(g)
export const reduceSum: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const axes = reduceAxes(ctx, ctx.shape(ctx.node.input[0]).length);
  return [axes === null ? g : spread(ctx, g, axes)];
};

// y = mean_axes x ⇒ dx = broadcast(g)/n
export const reduceMean: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  const axes = reduceAxes(ctx, sx.length);
  if (axes === null) return [g];
  const n = axes.reduce((a, i) => a * sx[i], 1);
  return [spread(ctx, ctx.b.mul(g, scalarLike(ctx, 1 / n, x)), axes)];
};

/** g and y (the forward output) reshaped to the keepdims shape, so they broadcast against x. */
function kept(ctx: GradContext, t: string, axes: number[]): string {
  return reshapeIfNeeded(ctx.b, t, ctx.shape(ctx.node.output[0]), keepDims(ctx.shape(ctx.node.input[0]), axes));
}

/** A rule for Reduce* ops whose local derivative ∂y/∂x is a function of x and the kept y. */
const reduceWith = (local: (ctx: GradContext, x: string, yk: string, axes: number[]) => string): OneOutputRule => (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const x = ctx.node.input[0];
  const axes = reduceAxes(ctx, ctx.shape(x).length);
  if (axes === null) return [g];
  return [ctx.b.mul(kept(ctx, g, axes), local(ctx, x, kept(ctx, ctx.node.output[0], axes), axes))];
};

// y = max_axes x ⇒ dx = g·[x = y]/#ties  (ties share the gradient, as in PyTorch's amax)
const argExtreme = (ctx: GradContext, x: string, yk: string, axes: number[]): string => {
  const hit = ctx.b.cast(ctx.b.equalFloat(x, yk), ctx.dataType(x));
  return ctx.b.div(hit, ctx.b.reduce('ReduceSum', hit, axes, true));
};
export const reduceMax = reduceWith(argExtreme);
export const reduceMin = reduceWith(argExtreme);

// y = √Σx² ⇒ dx = g·x/y
export const reduceL2 = reduceWith((ctx, x, yk) => ctx.b.div(x, yk));

// y = Σx² ⇒ dx = 2g·x
export const reduceSumSquare = reduceWith((ctx, x) => ctx.b.mul(x, scalarLike(ctx, 2, x)));

// y = log Σeˣ ⇒ dx = g·e^(x − y)
export const reduceLogSumExp = reduceWith((ctx, x, yk) => ctx.b.op('Exp', [ctx.b.sub(x, yk)]));
