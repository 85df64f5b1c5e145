// Static-shape emitters the rules share (the opset-dependent ops are GraphBuilder's: slice, split, pad, reduce, …).
import { GraphBuilder } from '../onnx/builder';

export function expand(b: GraphBuilder, x: string, shape: number[], dataType?: number): string {
  return b.expand(x, shape, dataType);
}

/** A tensor of zeros of a static shape, made at run time (no stored bytes). */
export function zeros(b: GraphBuilder, shape: number[], dataType: number): string {
  return b.zeros(shape, dataType);
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
