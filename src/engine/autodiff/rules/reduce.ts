// Reductions: the gradient is broadcast back over the reduced axes.
import { expand, reshapeIfNeeded } from '../emit';
import { GradContext, GradRule } from '../types';
import { keepDims, reduceAxes, scalarLike } from './common';

/** g reshaped to the keepdims shape, then expanded to x's shape. */
function spread(ctx: GradContext, g: string, axes: number[]): string {
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  const kept = reshapeIfNeeded(ctx.b, g, ctx.shape(ctx.node.output[0]), keepDims(sx, axes));
  return expand(ctx.b, kept, sx);
}

// y = Σ_axes x ⇒ dx = broadcast(g)
export const reduceSum: GradRule = (ctx, [g]) => {
  if (!ctx.needs(0)) return [null];
  const axes = reduceAxes(ctx, ctx.shape(ctx.node.input[0]).length);
  return [axes === null ? g : spread(ctx, g!, axes)];
};

// y = mean_axes x ⇒ dx = broadcast(g)/n
export const reduceMean: GradRule = (ctx, [g]) => {
  if (!ctx.needs(0)) return [null];
  const x = ctx.node.input[0];
  const sx = ctx.shape(x);
  const axes = reduceAxes(ctx, sx.length);
  if (axes === null) return [g];
  const n = axes.reduce((a, i) => a * sx[i], 1);
  return [spread(ctx, ctx.b.mul(g!, scalarLike(ctx, 1 / n, x)), axes)];
};
