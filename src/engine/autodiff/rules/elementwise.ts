// Elementwise ops: arithmetic with broadcasting, activations, casts. x = input 0, y = output 0, g = dL/dy.
import { attrFloat, attrString } from '../../onnx/attributes';
import { unbroadcast } from '../unbroadcast';
import { GradContext, GradRule, OneOutputRule } from '../types';
import { scalarLike, select } from './common';

type Unary = (ctx: GradContext, g: string, x: string, y: string) => string;

/** A rule for a one-input, one-output op from its local derivative. */
const unary = (f: Unary): OneOutputRule => (ctx, g) => [ctx.needs(0) ? f(ctx, g, ctx.node.input[0], ctx.node.output[0]) : null];

/** For binary ops: the gradient of input i, reduced over the axes it was broadcast along. */
function side(ctx: GradContext, i: number, make: () => string): string | null {
  return ctx.needs(i) ? unbroadcast(ctx, make(), ctx.node.input[i]) : null;
}

const c = (ctx: GradContext, v: number) => scalarLike(ctx, v, ctx.node.output[0]);

// y = a + b ⇒ da = g, db = g (each summed over its broadcast axes)
export const add: OneOutputRule = (ctx, g) => [side(ctx, 0, () => g), side(ctx, 1, () => g)];

// y = a − b ⇒ da = g, db = −g
export const sub: OneOutputRule = (ctx, g) => [side(ctx, 0, () => g), side(ctx, 1, () => ctx.b.neg(g))];

// y = a·b ⇒ da = g·b, db = g·a
export const mul: OneOutputRule = (ctx, g) => {
  const [a, b] = ctx.node.input;
  return [side(ctx, 0, () => ctx.b.mul(g, b)), side(ctx, 1, () => ctx.b.mul(g, a))];
};

// y = a/b ⇒ da = g/b, db = −g·y/b
export const div: OneOutputRule = (ctx, g) => {
  const b = ctx.node.input[1];
  const y = ctx.node.output[0];
  return [side(ctx, 0, () => ctx.b.div(g, b)), side(ctx, 1, () => ctx.b.neg(ctx.b.div(ctx.b.mul(g, y), b)))];
};

// y = a^p ⇒ da = g·p·a^(p−1), dp = g·y·ln a
export const pow: OneOutputRule = (ctx, g) => {
  const [a, p] = ctx.node.input;
  const y = ctx.node.output[0];
  const da = side(ctx, 0, () => {
    const known = ctx.constantFloats(p);
    if (known && known.length === 1) {
      const e = known[0];
      if (e === 1) return g;
      if (e === 2) return ctx.b.mul(g, ctx.b.mul(a, c(ctx, 2)));
      return ctx.b.mul(g, ctx.b.mul(c(ctx, e), ctx.b.op('Pow', [a, c(ctx, e - 1)])));
    }
    const pf = ctx.dataType(p) === ctx.dataType(a) ? p : ctx.b.cast(p, ctx.dataType(a));
    return ctx.b.mul(g, ctx.b.mul(pf, ctx.b.op('Pow', [a, ctx.b.sub(pf, c(ctx, 1))])));
  });
  const dp = side(ctx, 1, () => ctx.b.mul(ctx.b.mul(g, y), ctx.b.op('Log', [a])));
  return [da, dp];
};

// y = −x ⇒ dx = −g
export const neg = unary((ctx, g) => ctx.b.neg(g));

// y = √x ⇒ dx = g·0.5/y
export const sqrt = unary((ctx, g, _x, y) => ctx.b.div(ctx.b.mul(g, c(ctx, 0.5)), y));

// y = 1/x ⇒ dx = −g·y²
export const reciprocal = unary((ctx, g, _x, y) => ctx.b.neg(ctx.b.mul(g, ctx.b.mul(y, y))));

// y = eˣ ⇒ dx = g·y
export const exp = unary((ctx, g, _x, y) => ctx.b.mul(g, y));

// y = ln x ⇒ dx = g/x
export const log = unary((ctx, g, x) => ctx.b.div(g, x));

// y = sin x ⇒ dx = g·cos x
export const sin = unary((ctx, g, x) => ctx.b.mul(g, ctx.b.op('Cos', [x])));

// y = cos x ⇒ dx = −g·sin x
export const cos = unary((ctx, g, x) => ctx.b.neg(ctx.b.mul(g, ctx.b.op('Sin', [x]))));

// y = |x| ⇒ dx = g·sign x
export const abs = unary((ctx, g, x) => ctx.b.mul(g, ctx.b.sign(x, ctx.dataType(x))));

// y = max(x, 0) ⇒ dx = g·[x > 0] = g·sign(y)  (two plain elementwise ops; the runtime's Where with a broadcast scalar is slow)
export const relu = unary((ctx, g, _x, y) => ctx.b.mul(g, ctx.b.sign(y, ctx.dataType(y))));

// y = x if x > 0 else αx ⇒ dx = g if x > 0 else αg
export const leakyRelu = unary((ctx, g, x) =>
  select(ctx, ctx.b.op('Greater', [x, c(ctx, 0)]), g, ctx.b.mul(g, c(ctx, attrFloat(ctx.node, 'alpha', 0.01)))));

// y = tanh x ⇒ dx = g·(1 − y²)
export const tanh = unary((ctx, g, _x, y) => ctx.b.mul(g, ctx.b.sub(c(ctx, 1), ctx.b.mul(y, y))));

// y = σ(x) ⇒ dx = g·y·(1 − y) = g·y·σ(−x)  (σ(−x) keeps its precision where y rounds to 1 and 1 − y to nothing)
export const sigmoid = unary((ctx, g, x, y) => ctx.b.mul(g, ctx.b.mul(y, ctx.b.op('Sigmoid', [ctx.b.neg(x)]))));

// y = ln(1 + eˣ) ⇒ dx = g·σ(x)
export const softplus = unary((ctx, g, x) => ctx.b.mul(g, ctx.b.op('Sigmoid', [x])));

// y = erf x ⇒ dx = g·(2/√π)·e^(−x²)
export const erf = unary((ctx, g, x) =>
  ctx.b.mul(g, ctx.b.mul(c(ctx, 2 / Math.sqrt(Math.PI)), ctx.b.op('Exp', [ctx.b.neg(ctx.b.mul(x, x))]))));

// y = x·Φ(x) ⇒ dx = g·(Φ(x) + x·φ(x));  tanh form: y = ½x(1 + t), t = tanh(k(x + 0.044715x³))
export const gelu = unary((ctx, g, x) => {
  const b = ctx.b;
  if (attrString(ctx.node, 'approximate', 'none') === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    const x2 = b.mul(x, x);
    const t = b.op('Tanh', [b.mul(c(ctx, k), b.mul(x, b.add(c(ctx, 1), b.mul(c(ctx, 0.044715), x2))))]);
    const du = b.mul(c(ctx, k), b.add(c(ctx, 1), b.mul(c(ctx, 3 * 0.044715), x2)));
    const half = b.mul(c(ctx, 0.5), b.add(c(ctx, 1), t));
    const rest = b.mul(b.mul(c(ctx, 0.5), x), b.mul(b.sub(c(ctx, 1), b.mul(t, t)), du));
    return b.mul(g, b.add(half, rest));
  }
  const cdf = b.mul(c(ctx, 0.5), b.add(c(ctx, 1), b.op('Erf', [b.mul(x, c(ctx, Math.SQRT1_2))])));
  const pdf = b.mul(c(ctx, 1 / Math.sqrt(2 * Math.PI)), b.op('Exp', [b.mul(c(ctx, -0.5), b.mul(x, x))]));
  return b.mul(g, b.add(cdf, b.mul(x, pdf)));
});

// y = clamp(αx + β, 0, 1) ⇒ dx = g·α·[0 < αx + β < 1]
export const hardSigmoid = unary((ctx, g, x) => {
  const alpha = attrFloat(ctx.node, 'alpha', 0.2), beta = attrFloat(ctx.node, 'beta', 0.5);
  const inside = insideOpen(ctx, x, -beta / alpha, (1 - beta) / alpha);
  return select(ctx, inside, ctx.b.mul(g, c(ctx, alpha)), c(ctx, 0));
});

// y = x·clamp(x/6 + ½, 0, 1) ⇒ dx = g·(0 if x < −3, 1 if x > 3, x/3 + ½ otherwise)
export const hardSwish = unary((ctx, g, x) => {
  const b = ctx.b;
  const slope = select(ctx, b.op('Greater', [x, c(ctx, 3)]), c(ctx, 1), b.add(b.mul(x, c(ctx, 1 / 3)), c(ctx, 0.5)));
  return select(ctx, b.op('Less', [x, c(ctx, -3)]), c(ctx, 0), b.mul(g, slope));
});

/** Boolean mask lo < x < hi, with scalars lo and hi. */
function insideOpen(ctx: GradContext, x: string, lo: number, hi: number): string {
  return ctx.b.op('And', [ctx.b.op('Greater', [x, c(ctx, lo)]), ctx.b.op('Less', [x, c(ctx, hi)])]);
}

// y = min(max(x, lo), hi), m = max(x, lo) ⇒ dx = g·[x ≥ lo]·[m ≤ hi], dlo = Σ g·[x < lo]·[lo ≤ hi],
// dhi = Σ g·[m > hi]  (bounds are attributes before opset 11, optional scalar inputs after; with lo > hi every
// y is hi, as the definition says)
export const clip: OneOutputRule = (ctx, g) => {
  const b = ctx.b, x = ctx.node.input[0];
  const lo = ctx.opset < 11 ? c(ctx, attrFloat(ctx.node, 'min', -3.4028234663852886e38)) : ctx.node.input[1] || null;
  const hi = ctx.opset < 11 ? c(ctx, attrFloat(ctx.node, 'max', 3.4028234663852886e38)) : ctx.node.input[2] || null;
  const both = (p: string | null, q: string | null) => (p && q ? b.op('And', [p, q]) : p ?? q);
  const gWhere = (mask: string | null) => (mask ? select(ctx, mask, g, c(ctx, 0)) : g);
  const aboveLo = lo ? b.op('Not', [b.op('Less', [x, lo])]) : null;
  const overHi = hi ? b.op('Greater', [lo ? b.max2(x, lo) : x, hi]) : null;
  return [
    ctx.needs(0) ? gWhere(both(aboveLo, overHi ? b.op('Not', [overHi]) : null)) : null,
    ctx.needs(1) ? unbroadcast(ctx, gWhere(both(b.op('Less', [x, lo!]), hi ? b.op('Not', [b.op('Greater', [lo!, hi])]) : null)), lo!) : null,
    ctx.needs(2) ? unbroadcast(ctx, gWhere(overHi), hi!) : null,
  ];
};

// y = max(a, b) ⇒ da = g·[a ≥ b], db = g·[a < b]  (and the mirror image for Min); two inputs only
const pick = (cmp: 'GreaterOrEqual' | 'LessOrEqual'): OneOutputRule => (ctx, g) => {
  if (ctx.node.input.length !== 2) throw new Error(`gradient of ${ctx.node.opType} is implemented for two inputs, not ${ctx.node.input.length}`);
  const [a, bIn] = ctx.node.input;
  const first = compare(ctx, cmp, a, bIn);
  const zero = c(ctx, 0);
  return [side(ctx, 0, () => select(ctx, first, g, zero)), side(ctx, 1, () => select(ctx, first, zero, g))];
};

function compare(ctx: GradContext, cmp: 'GreaterOrEqual' | 'LessOrEqual', a: string, b: string): string {
  // GreaterOrEqual and LessOrEqual exist from opset 12; spell them with Not before that.
  if (ctx.opset >= 12) return ctx.b.op(cmp, [a, b]);
  return ctx.b.op('Not', [ctx.b.op(cmp === 'GreaterOrEqual' ? 'Less' : 'Greater', [a, b])]);
}

export const max = pick('GreaterOrEqual');
export const min = pick('LessOrEqual');

// y = Σ xᵢ ⇒ dxᵢ = g
export const sum: OneOutputRule = (ctx, g) => ctx.node.input.map((_, i) => side(ctx, i, () => g));

// y = x ⇒ dx = g  (Identity, and Dropout in inference)
export const identity: OneOutputRule = (ctx, g) => [ctx.needs(0) ? g : null];

// y = cast(x) ⇒ dx = cast(g) back to x's type
export const cast: OneOutputRule = (ctx, g) => {
  if (!ctx.needs(0) || !g) return [null];
  const from = ctx.dataType(ctx.node.input[0]);
  return [from === ctx.dataType(ctx.node.output[0]) ? g : ctx.b.cast(g, from)];
};

// Dropout: in inference it is the identity; training mode (ratio fed, training_mode true) is refused.
export const dropout: GradRule = (ctx, dy) => {
  const training = ctx.node.input[2] ? ctx.constantInts(ctx.node.input[2]) : [0];
  if (!training || training[0] !== 0) {
    throw new Error('Dropout in training mode is random; export the model in eval mode');
  }
  // Its mask output carries no gradient.
  return dy[0] ? identity(ctx, dy[0]) : [null];
};

// y = x if x > 0 else α(eˣ − 1) ⇒ dx = g if x > 0 else g·(y + α)
export const elu = unary((ctx, g, x, y) =>
  select(ctx, ctx.b.op('Greater', [x, c(ctx, 0)]), g, ctx.b.mul(g, ctx.b.add(y, c(ctx, attrFloat(ctx.node, 'alpha', 1))))));

// y = γx if x > 0 else γα(eˣ − 1) ⇒ dx = γg if x > 0 else g·(y + γα)
export const selu = unary((ctx, g, x, y) => {
  const alpha = attrFloat(ctx.node, 'alpha', 1.67326319217681884765625), gamma = attrFloat(ctx.node, 'gamma', 1.05070102214813232421875);
  return select(ctx, ctx.b.op('Greater', [x, c(ctx, 0)]), ctx.b.mul(g, c(ctx, gamma)), ctx.b.mul(g, ctx.b.add(y, c(ctx, gamma * alpha))));
});

// y = x if x ≥ 0 else s·x ⇒ dx = g if x ≥ 0 else g·s, ds = Σ_broadcast g·x·[x < 0]
export const prelu: OneOutputRule = (ctx, g) => {
  const [x, slope] = ctx.node.input;
  const negative = ctx.b.op('Less', [x, c(ctx, 0)]);
  return [
    ctx.needs(0) ? select(ctx, negative, ctx.b.mul(g, slope), g) : null,
    side(ctx, 1, () => select(ctx, negative, ctx.b.mul(g, x), c(ctx, 0))),
  ];
};

// y = (Σ xᵢ)/n ⇒ dxᵢ = g/n
export const mean: OneOutputRule = (ctx, g) => {
  const scaled = () => ctx.b.mul(g, c(ctx, 1 / ctx.node.input.length));
  return ctx.node.input.map((_, i) => side(ctx, i, scaled));
};
