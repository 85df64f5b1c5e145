// Small helpers every rule family uses.
import { attrInt, attrInts } from '../../onnx/attributes';
import { GradBuilder } from '../builder';
import { normAxis, range } from '../emit';
import { GradContext } from '../types';

/** A scalar of the same element type as the forward tensor `like`. */
export function scalarLike(ctx: GradContext, value: number, like: string): string {
  const dt = ctx.dataType(like);
  return ctx.b instanceof GradBuilder ? ctx.b.scalar(value, dt) : ctx.b.scalarOfType(value, dt);
}

/** Shape with the given axes set to 1 (the keepdims shape of a reduction). */
export function keepDims(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Reduction axes of a Reduce* node (attribute in older opsets, second input in newer), sorted and
 *  non-negative; null when the node reduces nothing (`noop_with_empty_axes`). */
export function reduceAxes(ctx: GradContext, rank: number): number[] | null {
  let axes = attrInts(ctx.node, 'axes');
  const axesInput = ctx.node.input[1];
  if (axesInput) {
    axes = ctx.constantInts(axesInput);
    if (!axes) throw new Error(`reduction axes '${axesInput}' are computed from data, not from shapes`);
  }
  if (!axes || axes.length === 0) return attrInt(ctx.node, 'noop_with_empty_axes', 0) ? null : range(rank);
  return axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
}

/** where(cond, a, b) for any opset: Where from opset 9, a·m + b·(1 − m) with m = cast(cond) before. */
export function select(ctx: GradContext, cond: string, a: string, b: string): string {
  if (ctx.opset >= 9) return ctx.b.op('Where', [cond, a, b]);
  const like = ctx.node.output[0];
  const m = ctx.b.cast(cond, ctx.dataType(like));
  return ctx.b.add(ctx.b.mul(a, m), ctx.b.mul(b, ctx.b.sub(scalarLike(ctx, 1, like), m)));
}
