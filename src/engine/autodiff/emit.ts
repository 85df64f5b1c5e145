// Opset-aware emitters the rules share (attributes that became inputs, static-shape helpers).
import { GraphBuilder } from '../onnx/builder';
import { makeTensor } from '../onnx/tensor';

export function slice(b: GraphBuilder, x: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
  if (b.opset < 10) return b.op('Slice', [x], { starts, ends, axes });
  const inputs = [x, b.constInt64(starts, [starts.length], 'starts'), b.constInt64(ends, [ends.length], 'ends'), b.constInt64(axes, [axes.length], 'axes')];
  if (steps) inputs.push(b.constInt64(steps, [steps.length], 'steps'));
  return b.op('Slice', inputs);
}

/** Split `x` along `axis` into pieces of the given sizes. */
export function split(b: GraphBuilder, x: string, sizes: number[], axis: number): string[] {
  if (b.opset < 13) return b.node('Split', [x], sizes.length, { axis, split: sizes });
  return b.node('Split', [x, b.constInt64(sizes, [sizes.length], 'split')], sizes.length, { axis });
}

/** Zero padding; `pads` = [begin_0, …, begin_n, end_0, …, end_n]. */
export function pad(b: GraphBuilder, x: string, pads: number[]): string {
  if (pads.every((p) => p === 0)) return x;
  if (b.opset < 11) return b.op('Pad', [x], { pads, mode: 'constant' });
  return b.op('Pad', [x, b.constInt64(pads, [pads.length], 'pads')], { mode: 'constant' });
}

export function expand(b: GraphBuilder, x: string, shape: number[]): string {
  return b.op('Expand', [x, b.constInt64(shape, [shape.length], 'shape')]);
}

/** A tensor of zeros of a static shape, made at run time (no stored bytes). */
export function zeros(b: GraphBuilder, shape: number[], dataType: number): string {
  const value = makeTensor('value', [1], [0], dataType);
  return b.op('ConstantOfShape', [b.constInt64(shape, [shape.length], 'shape')], { value });
}

export function transpose(b: GraphBuilder, x: string, perm: number[]): string {
  if (perm.every((p, i) => p === i)) return x;
  return b.op('Transpose', [x], { perm });
}

export function reshapeIfNeeded(b: GraphBuilder, x: string, from: number[], to: number[]): string {
  return sameShape(from, to) ? x : b.reshape(x, to);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalises a possibly negative axis. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function range(n: number, from = 0): number[] {
  return Array.from({ length: n - from }, (_, i) => i + from);
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}
