// LSTM and GRU unrolled over time into the ops of their equations (MatMul, Sigmoid, Tanh, Mul, Add, Slice, Concat),
// at the static sequence length the gradient graph is built for. The driver differentiates the unrolled nodes with
// their own rules (backpropagation through time falls out of the chain rule); the float64 copy uses the same
// unrolling, since onnxruntime has no float64 LSTM or GRU kernel. Gates follow the ONNX spec: LSTM i, o, f, c
// (with peepholes P = [Pi, Po, Pf]), GRU z, r, h (linear_before_reset either way); forward, reverse and
// bidirectional; sequence_lens masks the steps past each sequence's end (state held, output zero).
import { attrFloat, attrInt, attrString } from '../onnx/attributes';
import { GraphBuilder } from '../onnx/builder';
import { DataType, NodeProto } from '../onnx/proto';
import { range } from './emit';
import { builderFor } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { cloneModel } from '../onnx/rewrite';
import { Feeds } from '../onnx/runtime';
import { GradientError } from './errors';
import { probeTensors } from './probe';
import { defaultOpset } from '../onnx/graph';

export const RECURRENT_OPS: ReadonlySet<string> = new Set(['LSTM', 'GRU']);

function activation(b: GraphBuilder, name: string, x: string): string {
  switch (name.toLowerCase()) {
    case 'sigmoid': return b.op('Sigmoid', [x]);
    case 'tanh': return b.op('Tanh', [x]);
    case 'relu': return b.op('Relu', [x]);
    default: throw new Error(`activation ${name} is not unrolled (Sigmoid, Tanh and Relu are)`);
  }
}

/**
 * Writes the outputs of the LSTM or GRU node `n` with unrolled ops into `b`. `shape` gives static dims; `dataType`
 * is the element type of the node's float tensors.
 */
export function unrollRecurrent(n: NodeProto, b: GraphBuilder, shape: (name: string) => number[], dataType: number): void {
  const lstm = n.opType === 'LSTM';
  const gates = lstm ? 4 : 3;
  const [x, w, r, bias, seqLens, initialH, initialC, peep] = n.input;
  if (attrInt(n, 'layout', 0) !== 0) throw new Error('batch-first layout (layout = 1) is not unrolled');
  if (lstm && attrInt(n, 'input_forget', 0) !== 0) throw new Error('input_forget is not unrolled');
  const [seq, batch] = shape(x);
  const hidden = shape(r)[2];
  const direction = attrString(n, 'direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const defaults = lstm ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'];
  const names = n.attribute.find((a) => a.name === 'activations')?.strings?.map((s) => new TextDecoder().decode(s))
    ?? (dirs === 2 ? [...defaults, ...defaults] : defaults);
  const per = lstm ? 3 : 2;
  const clip = attrFloat(n, 'clip');
  const scalar = (v: number) => b.scalarOfType(v, dataType, 'rnn_c');
  // clip(t, −c, c): Min/Max broadcast from opset 8; −c + relu(t + c) − relu(t − c) before.
  const clipped = (t: string) => (clip === undefined ? t : b.opset >= 8 ? b.op('Min', [b.op('Max', [t, scalar(-clip)]), scalar(clip)])
    : b.sub(b.add(scalar(-clip), b.op('Relu', [b.add(t, scalar(clip))])), b.op('Relu', [b.sub(t, scalar(clip))])));
  const pick = (t: string, i: number, axis = 0) => b.op('Gather', [t, b.constInt64([i], [], 'index')], { axis });
  // Steps compared in the float type: Less takes integers only from opset 9.
  const lens = seqLens ? b.cast(seqLens, dataType) : '';
  const masks = seqLens ? range(seq).map((t) => b.unsqueeze(b.cast(b.op('Less', [scalar(t), lens]), dataType), [1])) : undefined;
  /** m·new + (1 − m)·old where steps run past a sequence's end. */
  const hold = (t: number, next: string, old: string) => (masks ? b.add(b.mul(masks[t], next), b.mul(b.sub(scalar(1), masks[t]), old)) : next);

  const ys: string[] = [], hs: string[] = [], cs: string[] = [];
  for (let d = 0; d < dirs; d++) {
    const act = names.slice(d * per, d * per + per);
    const [f, g, h] = [act[0], act[1], act[2]];
    const wd = pick(w, d), rdT = b.op('Transpose', [pick(r, d)]);
    // Input projections of every step at once: X·Wᵀ + Wb + Rb → [seq, batch, gates·H]
    let xp = b.op('MatMul', [x, b.op('Transpose', [wd])]);
    const biases = bias ? b.split(pick(bias, d), [gates * hidden, gates * hidden], 0) : undefined;
    // LSTM: both biases add to every gate. GRU: Wb adds to x; Rb's z and r parts add to the recurrent z and r terms,
    // its candidate part stays inside r ⊙ (…) with linear_before_reset, so both are kept apart.
    if (biases) xp = b.add(xp, lstm ? b.add(biases[0], biases[1]) : biases[0]);
    const [rbzr, rbh] = !lstm && biases ? b.split(biases[1], [2 * hidden, hidden], 0) : [undefined, undefined];
    let hPrev = initialH ? pick(initialH, d) : b.zeros([batch, hidden], dataType);
    let cPrev = lstm ? (initialC ? pick(initialC, d) : b.zeros([batch, hidden], dataType)) : '';
    const peeps = lstm && peep ? b.split(pick(peep, d), [hidden, hidden, hidden], 0) : undefined;
    const rSplit = lstm ? undefined : b.split(rdT, [2 * hidden, hidden], 1);
    const steps = direction === 'reverse' || d === 1 ? range(seq).reverse() : range(seq);
    const outs = new Array<string>(seq);
    for (const t of steps) {
      const xt = pick(xp, t);
      let hNew: string, cNew = '';
      if (lstm) {
        const [gi, go, gf, gc] = b.split(b.add(xt, b.op('MatMul', [hPrev, rdT])), [hidden, hidden, hidden, hidden], 1);
        const withPeep = (gate: string, k: number, c: string) => (peeps ? b.add(gate, b.mul(peeps[k], c)) : gate);
        const i = activation(b, f, clipped(withPeep(gi, 0, cPrev)));
        const fg = activation(b, f, clipped(withPeep(gf, 2, cPrev)));
        const cand = activation(b, g, clipped(gc));
        cNew = b.add(b.mul(fg, cPrev), b.mul(i, cand));
        const o = activation(b, f, clipped(withPeep(go, 1, cNew)));
        hNew = b.mul(o, activation(b, h, cNew));
      } else {
        const [xz, xr, xh] = b.split(xt, [hidden, hidden, hidden], 1);
        const hzr = rbzr ? b.add(b.op('MatMul', [hPrev, rSplit![0]]), rbzr) : b.op('MatMul', [hPrev, rSplit![0]]);
        const [hz, hr] = b.split(hzr, [hidden, hidden], 1);
        const z = activation(b, f, clipped(b.add(xz, hz)));
        const rg = activation(b, f, clipped(b.add(xr, hr)));
        let recurrent: string;
        if (attrInt(n, 'linear_before_reset', 0) !== 0) {
          const lin = b.op('MatMul', [hPrev, rSplit![1]]);
          recurrent = b.mul(rg, rbh ? b.add(lin, rbh) : lin);
        } else {
          const lin = b.op('MatMul', [b.mul(rg, hPrev), rSplit![1]]);
          recurrent = rbh ? b.add(lin, rbh) : lin;
        }
        const cand = activation(b, g, clipped(b.add(xh, recurrent)));
        // H = (1 − z)·h̃ + z·H₋₁
        hNew = b.add(b.mul(b.sub(scalar(1), z), cand), b.mul(z, hPrev));
      }
      outs[t] = masks ? b.mul(masks[t], hNew) : hNew;
      hPrev = hold(t, hNew, hPrev);
      if (lstm) cPrev = hold(t, cNew, cPrev);
    }
    ys.push(b.op('Concat', outs.map((o) => b.unsqueeze(o, [0])), { axis: 0 }));
    hs.push(b.unsqueeze(hPrev, [0]));
    if (lstm) cs.push(b.unsqueeze(cPrev, [0]));
  }
  const write = (i: number, t: string) => { if (n.output[i]) b.op('Identity', [t], {}, n.output[i]); };
  write(0, b.op('Concat', ys.map((y) => b.unsqueeze(y, [1])), { axis: 1 }));
  write(1, dirs === 1 ? hs[0] : b.op('Concat', hs, { axis: 0 }));
  if (lstm) write(2, dirs === 1 ? cs[0] : b.op('Concat', cs, { axis: 0 }));
}

/** The model with every main-graph LSTM and GRU unrolled (shapes measured at `feeds`); the same object if none. */
export async function unrollRecurrentNodes(model: ModelProto, feeds: Feeds): Promise<ModelProto> {
  if (!model.graph.node.some((n) => !n.domain && RECURRENT_OPS.has(n.opType))) return model;
  const facts = await probeTensors(model, feeds);
  const m = cloneModel(model);
  const b = builderFor(m, 'rnn/');
  const nodes: NodeProto[] = [];
  for (const n of m.graph.node) {
    if (n.domain || !RECURRENT_OPS.has(n.opType)) { nodes.push(n); continue; }
    const shape = (name: string) => {
      const f = facts.get(name);
      if (!f) throw new Error(`no static shape for '${name}'`);
      return [...f.dims];
    };
    try {
      unrollRecurrent(n, b, shape, facts.get(n.input[0])?.dataType ?? DataType.FLOAT);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new GradientError(`${n.opType} node '${n.name}' (opset ${defaultOpset(model)}): ${reason}`, [{ op: n.opType, node: n.name, reason }]);
    }
    nodes.push(...b.nodes.splice(0));
  }
  m.graph.node = nodes;
  m.graph.initializer.push(...b.initializers);
  return m;
}
