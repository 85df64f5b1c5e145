// Ops that move elements without changing them: the gradient moves them back.
import { attrInts } from '../../onnx/attributes';
import { inversePermutation, range } from '../emit';
import { unbroadcast } from '../unbroadcast';
import { OneOutputRule } from '../types';

// y = reshape(x) ⇒ dx = reshape(g, shape(x))  (Reshape, Flatten, Squeeze, Unsqueeze)
export const reshapeBack: OneOutputRule = (ctx, g) => [ctx.needs(0) ? ctx.b.reshape(g, ctx.shape(ctx.node.input[0])) : null];

// y = transpose(x, p) ⇒ dx = transpose(g, p⁻¹)
export const transposeRule: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0)) return [null];
  const rank = ctx.shape(ctx.node.input[0]).length;
  const perm = attrInts(ctx.node, 'perm') ?? range(rank).reverse();
  return [ctx.b.op('Transpose', [g], { perm: inversePermutation(perm) })];
};

// y = expand(x, s) ⇒ dx = Σ_broadcast g
export const expandRule: OneOutputRule = (ctx, g) => [ctx.needs(0) ? unbroadcast(ctx, g, ctx.node.input[0]) : null];
