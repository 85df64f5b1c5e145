// Matrix products. Transposes are folded into Gemm's transA/transB wherever a 2-D product allows it.
import { attrFloat, attrInt } from '../../onnx/attributes';
import { GraphBuilder } from '../../onnx/builder';
import { reshapeIfNeeded, transpose, range } from '../emit';
import { sumToShape, unbroadcast } from '../unbroadcast';
import { OneOutputRule } from '../types';
import { scalarLike } from './common';

const numel = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

function gemm(b: GraphBuilder, a: string, c: string, transA: boolean, transB: boolean, alpha = 1, dataType?: number): string {
  return b.gemm(a, c, { transA, transB, alpha, dataType });
}

// Y = α·A'·B' + β·C, A' = transA ? Aᵀ : A ⇒ dA' = α·g·B'ᵀ, dB' = α·A'ᵀ·g, dC = β·Σ_broadcast g
export const gemmRule: OneOutputRule = (ctx, g) => {
  const [a, bIn, cIn] = ctx.node.input;
  const tA = attrInt(ctx.node, 'transA', 0) === 1, tB = attrInt(ctx.node, 'transB', 0) === 1;
  const alpha = attrFloat(ctx.node, 'alpha', 1), beta = attrFloat(ctx.node, 'beta', 1);
  const b = ctx.b;
  let dA: string | null = null, dB: string | null = null, dC: string | null = null;
  // dA = α·g·B'ᵀ, transposed back when A was transposed: Aᵀ-case dA = α·B'·gᵀ
  const dt = ctx.dataType(ctx.node.output[0]);
  if (ctx.needs(0)) dA = tA ? gemm(b, bIn, g, tB, true, alpha, dt) : gemm(b, g, bIn, false, !tB, alpha, dt);
  // dB = α·A'ᵀ·g, transposed back when B was transposed: Bᵀ-case dB = α·gᵀ·A'
  if (ctx.needs(1)) dB = tB ? gemm(b, g, a, true, tA, alpha, dt) : gemm(b, a, g, !tA, false, alpha, dt);
  if (cIn && ctx.needs(2)) {
    const summed = unbroadcast(ctx, g, cIn);
    dC = beta === 1 ? summed : b.mul(summed, scalarLike(ctx, beta, cIn));
  }
  return [dA, dB, dC];
};

// Y = A·B (numpy semantics) ⇒ dA = g·Bᵀ, dB = Aᵀ·g, each summed over broadcast batch dims
export const matmul: OneOutputRule = (ctx, g) => {
  const [a, bIn] = ctx.node.input;
  const sa = ctx.shape(a), sb = ctx.shape(bIn);
  const b = ctx.b;
  // Treat vectors as matrices: [K] → [1, K] on the left, [K] → [K, 1] on the right.
  const ma = sa.length === 1 ? [1, sa[0]] : sa;
  const mb = sb.length === 1 ? [sb[0], 1] : sb;
  const batch = broadcastBatch(ma.slice(0, -2), mb.slice(0, -2));
  const gShape = [...batch, ma[ma.length - 2], mb[mb.length - 1]];
  const gm = reshapeIfNeeded(b, g, ctx.shape(ctx.node.output[0]), gShape);
  let dA: string | null = null, dB: string | null = null;

  if (mb.length === 2) {
    // Weight-like right operand (the linear-layer case): A has every batch dim, so fold them into rows
    // and use one Gemm each way, with the transposes done by transA/transB.
    const k = ma[ma.length - 1];
    const rows = numel(ma) / k;
    const g2 = reshapeIfNeeded(b, gm, gShape, [rows, gShape[gShape.length - 1]]);
    const dt = ctx.dataType(ctx.node.output[0]);
    if (ctx.needs(0)) dA = reshapeIfNeeded(b, gemm(b, g2, reshapeIfNeeded(b, bIn, sb, mb), false, true, 1, dt), [rows, k], sa);
    if (ctx.needs(1)) dB = reshapeIfNeeded(b, gemm(b, reshapeIfNeeded(b, a, sa, [rows, k]), g2, true, false, 1, dt), mb, sb);
    return [dA, dB];
  }
  // General batched case: materialise the transposes of the last two dims.
  const swap = (r: number) => [...range(r - 2), r - 1, r - 2];
  if (ctx.needs(0)) {
    const d = b.op('MatMul', [gm, transpose(b, reshapeIfNeeded(b, bIn, sb, mb), swap(mb.length))]);
    dA = reshapeIfNeeded(b, sumToShape(ctx, d, [...batch, ma[ma.length - 2], ma[ma.length - 1]], ma), ma, sa);
  }
  if (ctx.needs(1)) {
    const d = b.op('MatMul', [transpose(b, reshapeIfNeeded(b, a, sa, ma), swap(ma.length)), gm]);
    dB = reshapeIfNeeded(b, sumToShape(ctx, d, [...batch, mb[mb.length - 2], mb[mb.length - 1]], mb), mb, sb);
  }
  return [dA, dB];
};

function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Subscripts of an Einsum equation: one list of labels per input ('.' stands for the ellipsis) and the output's. */
function parseEinsum(equation: string, inputs: number): { ins: string[]; out: string } {
  const eq = equation.replace(/\s+/g, '').replace(/\.\.\./g, '.');
  const [lhs, rhs] = eq.split('->');
  const ins = lhs.split(',');
  if (ins.length !== inputs) throw new Error(`Einsum equation '${equation}' names ${ins.length} operands for ${inputs} inputs`);
  if (rhs !== undefined) return { ins, out: rhs };
  // Implicit output: the ellipsis, then every label used once, alphabetically.
  const counts = new Map<string, number>();
  for (const ch of ins.join('')) if (ch !== '.') counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const once = [...counts].filter(([, k]) => k === 1).map(([ch]) => ch).sort().join('');
  return { ins, out: (ins.some((s) => s.includes('.')) ? '.' : '') + once };
}

const spell = (subs: string) => subs.replace('.', '...');

// y = einsum(out ← s₁, …, sₙ) ⇒ dxᵢ = einsum(sᵢ ← out, s₁ … sₙ without sᵢ): the gradient routes g back along the same labels
export const einsum: OneOutputRule = (ctx, g) => {
  const eqn = ctx.node.attribute.find((a) => a.name === 'equation');
  const equation = eqn?.s ? new TextDecoder().decode(eqn.s) : '';
  const { ins, out } = parseEinsum(equation, ctx.node.input.length);
  const sizes = new Map<string, number>();
  let ellipsis: number[] | null = null;
  ins.forEach((subs, i) => {
    const shape = ctx.shape(ctx.node.input[i]);
    const e = subs.includes('.') ? shape.length - (subs.length - 1) : 0;
    let k = 0;
    for (const ch of subs) {
      if (ch === '.') {
        const dims = shape.slice(k, k + e);
        if (ellipsis && (ellipsis.length !== dims.length || ellipsis.some((d, j) => d !== dims[j]))) throw new Error(`Einsum '${equation}': broadcasting ellipsis dimensions have no gradient rule`);
        ellipsis = dims;
        k += e;
      } else {
        if (sizes.has(ch) && sizes.get(ch) !== shape[k]) throw new Error(`Einsum '${equation}': label '${ch}' is broadcast, which has no gradient rule`);
        sizes.set(ch, shape[k++]);
      }
    }
  });
  return ctx.node.input.map((x, i) => {
    if (!ctx.needs(i)) return null;
    const subs = ins[i];
    if (new Set(subs).size !== subs.length) throw new Error(`Einsum '${equation}': repeated label in '${subs}' (a diagonal) has no gradient rule`);
    const others = ins.filter((_, j) => j !== i);
    const elsewhere = new Set([...out, ...others.join('')]);
    // Labels summed inside this operand alone come back by broadcasting.
    const reached = [...subs].filter((ch) => elsewhere.has(ch)).join('');
    const operands = [g, ...ctx.node.input.filter((_, j) => j !== i)];
    // The runtime wants an ellipsis in the result when an operand has one: keep it, then sum it away.
    const dropEllipsis = !subs.includes('.') && [out, ...others].some((t) => t.includes('.'));
    const target = dropEllipsis ? `.${reached}` : reached;
    let grad = ctx.b.op('Einsum', operands, { equation: `${[out, ...others].map(spell).join(',')}->${spell(target)}` });
    const e = (ellipsis as number[] | null)?.length ?? 0;
    if (dropEllipsis && e > 0) grad = ctx.b.reduce('ReduceSum', grad, range(e), false);
    if (reached.length !== subs.length) {
      const full = ctx.shape(x);
      const partial: number[] = [];
      let k = 0;
      for (const ch of subs) {
        if (ch === '.') { const n = full.length - (subs.length - 1); partial.push(...full.slice(k, k + n)); k += n; } else { partial.push(reached.includes(ch) ? full[k] : 1); k++; }
      }
      grad = ctx.b.op('Expand', [ctx.b.reshape(grad, partial), ctx.b.constInt64(full, [full.length], 'shape')]);
    }
    return grad;
  });
};
