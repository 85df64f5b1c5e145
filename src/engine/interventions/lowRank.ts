/**
 * Low-rank copies: a copy that replaces s of a tensor's H last-axis units, where every reader of the tensor is a
 * matrix product y·W, computes its product as the clean one minus a rank-s correction,
 *
 *   y'·W = y·W − ((y − r)⊙m)·W = y·W − (y − r)[…, S] · W[S, :],
 *
 * instead of materializing y' and multiplying it in full: the clean graph computes y·W anyway, so a copy costs
 * rows·s·out multiply-adds instead of rows·H·out, and none of the masking's elementwise passes over rows·H. On the
 * modular example (44 of 256 units, 39 controls) that is most of a draw's evaluation. The identity is exact; only
 * float rounding differs from the direct form.
 *
 * It applies to a tensor of one copy when:
 * - the copy's value of the tensor before the intervention is the clean one (nothing upstream of it is replaced);
 * - it is a [rows, H] matrix, and its mask replaces units S of it, 1 ≤ s < H;
 * - it is not a paired output, and every node that reads it is a MatMul with it as A and a 2-D B, or a Gemm with it
 *   as A (transA = 0), whose other inputs the copy does not change.
 */
import type { CircuitComponent, InterventionKind, InterventionScope } from '../../protocol/hypothesis';
import { attrFloat, attrInt } from '../onnx/attributes';
import type { GraphBuilder } from '../onnx/builder';
import type { GraphIndex } from '../onnx/graph';
import type { NodeProto } from '../onnx/proto';
import { componentMask } from './mask';

export interface LowRankTensor {
  /** The replaced units along the unit axis, ascending. */
  units: number[];
}

export interface LowRankQuery {
  index: GraphIndex;
  /** Tensors the copy intervenes on. */
  own: ReadonlySet<string>;
  /** Everything the copy's values differ in (its own tensors and what they reach). */
  reached: ReadonlySet<string>;
  set: readonly CircuitComponent[];
  scope: InterventionScope;
  dims: (tensor: string) => number[];
  /** The paired outputs (a copy must materialize these). */
  outputs: readonly string[];
}

/** The copy's own tensors whose readers can take the rank-s correction, with their replaced units. */
export function lowRankTensors(q: LowRankQuery): Map<string, LowRankTensor> {
  const found = new Map<string, LowRankTensor>();
  for (const t of q.own) {
    if (q.outputs.includes(t)) continue;
    const producer = q.index.producer.get(t);
    if (producer && producer.input.some((i) => q.reached.has(i))) continue;
    const readers = q.index.consumersOf(t);
    if (readers.length === 0 || !readers.every((n) => readsAsProduct(n, t, q))) continue;
    const d = q.dims(t);
    if (d.length !== 2) continue;
    // A [rows, H] tensor's mask is [1, H]: the replaced units are its ones.
    const mask = componentMask(t, d, q.set, q.scope);
    const units = [...mask.keys()].filter((j) => mask[j] === 1);
    if (units.length > 0 && units.length < d[1]!) found.set(t, { units });
  }
  return found;
}

function readsAsProduct(n: NodeProto, t: string, q: LowRankQuery): boolean {
  if (n.input[0] !== t || n.input.slice(1).some((i) => i === t || q.reached.has(i))) return false;
  if (n.opType === 'Gemm') return attrInt(n, 'transA', 0) === 0;
  if (n.opType !== 'MatMul') return false;
  const w = n.input[1]!;
  const rank = q.index.initializers.get(w)?.dims.length ?? q.index.types.get(w)?.shape?.length;
  return rank === 2;
}

/**
 * The corrections of every copy of one paired model. Gathering S along the last axis is slow in onnxruntime (an
 * element at a time), so the difference y − r of each tensor is formed and transposed once, shared by every copy,
 * and a copy gathers whole rows of it: (y − r)ᵀ[S, :] is s contiguous rows, which Gemm with transA = 1 multiplies
 * back into [rows, out].
 */
export class LowRankCorrections {
  private readonly differences = new Map<string, string>();

  constructor(
    private readonly b: GraphBuilder,
    private readonly kind: InterventionKind,
    /** mean: the fed reference mean of a tensor, shape [1, H]; resample: the tensor on the source rows, [rows, H]. */
    private readonly replacement: (tensor: string) => string,
  ) {}

  /** (y − r)ᵀ[S, :] of one copy's tensor: the only part of y' − y that is not zero, [s, rows]. */
  difference(t: string, low: LowRankTensor): ReplacedDifference {
    const units = this.b.constInt64(low.units, [low.units.length], 'units');
    return { difference: this.b.op('Gather', [this.transposedDifference(t), units], { axis: 0 }), units };
  }

  /** The rank-s correction of a reader `n` of y: its copy's output is the clean one minus this. */
  correction(n: NodeProto, { difference, units }: ReplacedDifference): string {
    // MatMul y·W: rows S of W. Gemm α·y·B' + β·C: only α·y·B' changes, through the rows (transB: columns) S of B.
    const gemm = n.opType === 'Gemm';
    const transB = gemm && attrInt(n, 'transB', 0) === 1;
    const rows = this.b.op('Gather', [n.input[1]!, units], { axis: transB ? 1 : 0 });
    return this.b.gemm(difference, rows, { transA: true, transB, alpha: gemm ? attrFloat(n, 'alpha', 1) : 1 });
  }

  /** (y − r)ᵀ, [H, rows], once per tensor: zero ablation takes r = 0. */
  private transposedDifference(t: string): string {
    if (!this.differences.has(t)) {
      const difference = this.kind === 'zero' ? t : this.b.op('Sub', [t, this.replacement(t)]);
      this.differences.set(t, this.b.op('Transpose', [difference], { perm: [1, 0] }));
    }
    return this.differences.get(t)!;
  }
}

export interface ReplacedDifference {
  /** (y − r)ᵀ[S, :], [s, rows]. */
  difference: string;
  /** The int64 constant S. */
  units: string;
}
