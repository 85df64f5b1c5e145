// Reduces a gradient of a broadcast result back to the shape of the operand that was broadcast.
import { GradContext } from './types';

/** Static broadcast reduction: sum over leading and stretched axes, then reshape to `like`'s shape.
 *  `gradShape` defaults to the shape of the node's first output (the shape every binary op's result has). */
export function unbroadcast(ctx: GradContext, grad: string, like: string, gradShape: number[] = ctx.shape(ctx.node.output[0])): string {
  const target = ctx.shape(like);
  return sumToShape(ctx, grad, gradShape, target);
}

export function sumToShape(ctx: GradContext, grad: string, from: readonly number[], target: readonly number[]): string {
  const lead = from.length - target.length;
  if (lead < 0) throw new Error(`unbroadcast: gradient of rank ${from.length} is smaller than its operand's rank ${target.length}`);
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (target[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return grad; // same shape
  const summed = ctx.b.reduce('ReduceSum', grad, axes, true);
  return ctx.b.reshape(summed, [...target]);
}
