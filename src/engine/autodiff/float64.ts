// The float64 copy of a model that gradcheck's finite differences run on: every float32 tensor, input, output and
// type in the graph (its If/Loop/Scan bodies included) becomes float64, so a difference of two losses carries
// rounding of order 2⁻⁵³ instead of 2⁻²⁴, and a disagreement with the gradient graph is a rule error, not noise.
// onnxruntime's CPU provider has no float64 kernel for some ops (Conv, Resize, HardSigmoid, …): those are spelled
// in float64 ops that have one (float64Lowerings.ts); an op with neither runs in float32 between two Casts, and the
// copy names it.
import { AttributeType, DataType, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/proto';
import { attr, attrTensor } from '../onnx/attributes';
import { defaultOpset } from '../onnx/graph';
import { isFloatType, makeTensor, tensorToFloat32, tensorToNumbers } from '../onnx/tensor';
import { GraphBuilder } from '../onnx/builder';
import { createSession, ort } from '../onnx/runtime';
import { ModelError } from '../onnx/errors';
import { LoweringContext, LOWERINGS } from './float64Lowerings';
import { TensorFacts } from './probe';

export interface Float64Copy {
  model: ModelProto;
  /** Op types spelled in other float64 ops (onnxruntime has no float64 kernel for them). */
  lowered: string[];
  /** Op types that run in float32 inside the copy (no float64 kernel, no spelling): the copy is float32 there. */
  float32Ops: string[];
}

/** Inputs that the op's schema types as float32 whatever the data type (Resize and Upsample scales). */
function float32Slots(n: NodeProto, opset: number): number[] {
  if (n.opType === 'Resize') return opset < 11 ? [1] : [2];
  if (n.opType === 'Upsample') return [1];
  return [];
}

/** Attributes that name an output element type, and their default when absent. */
const DTYPE_ATTRS: Readonly<Record<string, { name: string; fallback?: number }>> = {
  Cast: { name: 'to' }, RandomNormal: { name: 'dtype', fallback: DataType.FLOAT }, RandomUniform: { name: 'dtype', fallback: DataType.FLOAT },
  RandomNormalLike: { name: 'dtype' }, RandomUniformLike: { name: 'dtype' }, EyeLike: { name: 'dtype' }, Bernoulli: { name: 'dtype' },
  Multinomial: { name: 'dtype' },
};

const toDouble = (t: TensorProto): TensorProto => (t.dataType === DataType.FLOAT ? makeTensor(t.name, t.dims.map(Number), Float64Array.from(tensorToFloat32(t)), DataType.DOUBLE) : t);

function convertValueInfo(v: ValueInfo): ValueInfo {
  const tt = v.type?.tensorType;
  if (!tt || tt.elemType !== DataType.FLOAT) return v;
  return { ...v, type: { ...v.type, tensorType: { ...tt, elemType: DataType.DOUBLE } } };
}

interface Context {
  opset: number;
  facts: ReadonlyMap<string, TensorFacts>;
  stored: ReadonlyMap<string, TensorProto>;
  /** Ops to run in float32 (found without a float64 kernel when a session was made). */
  forceFloat32: ReadonlySet<string>;
  lowered: Set<string>;
  float32Ops: Set<string>;
  taken: Set<string>;
  graphs: number;
}

function convertGraph(g: GraphProto, ctx: Context, main: boolean): GraphProto {
  // Each graph's new names get their own prefix: names are unique across a model and its subgraphs.
  const b = new GraphBuilder(ctx.opset, `f64_${ctx.graphs++}/`, ctx.taken);
  const lc: LoweringContext = {
    b, opset: ctx.opset,
    shape(name) {
      const f = main ? ctx.facts.get(name) : undefined;
      if (!f) throw new Error(`no static shape for '${name}'`);
      return [...f.dims];
    },
    constantValues(name) {
      const t = ctx.stored.get(name);
      if (t) return isFloatType(t.dataType) ? Array.from(tensorToFloat32(t)) : tensorToNumbers(t);
      return main ? ctx.facts.get(name)?.values : undefined;
    },
  };
  /** Whether a tensor of the original graph is float32 (`guess` where neither the probe nor a stored value says). */
  const isFloat32 = (name: string, guess: boolean): boolean => {
    const t = (main ? ctx.facts.get(name)?.dataType : undefined) ?? ctx.stored.get(name)?.dataType;
    return t === undefined ? guess : t === DataType.FLOAT;
  };
  const nodes: NodeProto[] = [];
  for (const original of g.node) {
    const n = convertNode(original, ctx);
    const lowering = n.domain ? undefined : LOWERINGS[n.opType];
    if (lowering && !ctx.forceFloat32.has(n.opType)) {
      try {
        lowering(n, lc);
        nodes.push(...b.nodes.splice(0));
        ctx.lowered.add(n.opType);
        continue;
      } catch {
        // A form the lowering does not spell (or no static shape): the node runs in float32 below.
        b.nodes.splice(0);
      }
    }
    const slots = float32Slots(n, ctx.opset);
    if (slots.length) {
      n.input = n.input.map((x, i) => (slots.includes(i) && x ? b.cast(x, DataType.FLOAT) : x));
      nodes.push(...b.nodes.splice(0));
    }
    if (lowering || ctx.forceFloat32.has(n.opType)) {
      const inputs = n.input.map((x, i) => (x && isFloat32(x, n.opType !== 'Resize' || i !== 3) ? b.cast(x, DataType.FLOAT) : x));
      const outputs = n.output.map((o) => (o && isFloat32(o, true) ? b.name(`${o}_f32`) : o));
      nodes.push(...b.nodes.splice(0), { ...n, input: inputs, output: outputs });
      n.output.forEach((o, i) => { if (o && outputs[i] !== o) b.op('Cast', [outputs[i]], { to: DataType.DOUBLE }, o); });
      nodes.push(...b.nodes.splice(0));
      ctx.float32Ops.add(n.opType);
      continue;
    }
    nodes.push(n);
  }
  return {
    ...g,
    node: nodes,
    initializer: [...g.initializer.map(toDouble), ...b.initializers],
    input: g.input.map(convertValueInfo),
    output: g.output.map(convertValueInfo),
    valueInfo: g.valueInfo.map(convertValueInfo),
  };
}

function convertNode(n: NodeProto, ctx: Context): NodeProto {
  const attribute = n.attribute.map((a) => {
    if (a.g) return { ...a, g: convertGraph(a.g, ctx, false) };
    if (a.graphs?.length) return { ...a, graphs: a.graphs.map((s) => convertGraph(s, ctx, false)) };
    if (a.t && (n.opType === 'Constant' || n.opType === 'ConstantOfShape')) return { ...a, t: toDouble(a.t) };
    return a;
  });
  const out: NodeProto = { ...n, input: [...n.input], output: [...n.output], attribute };
  if (n.opType === 'Constant') {
    // value_float(s) make float32: restate them as a float64 tensor.
    const vf = attr(n, 'value_float'), vfs = attr(n, 'value_floats');
    if (vf) out.attribute = [{ name: 'value', type: AttributeType.TENSOR, t: makeTensor('value', [], Float64Array.of(vf.f ?? 0), DataType.DOUBLE) }];
    if (vfs) out.attribute = [{ name: 'value', type: AttributeType.TENSOR, t: makeTensor('value', [(vfs.floats ?? []).length], Float64Array.from(vfs.floats ?? []), DataType.DOUBLE) }];
  }
  if (n.opType === 'ConstantOfShape' && !attr(n, 'value')) {
    out.attribute = [...attribute, { name: 'value', type: AttributeType.TENSOR, t: makeTensor('value', [1], Float64Array.of(0), DataType.DOUBLE) }];
  }
  const dt = DTYPE_ATTRS[n.opType];
  if (dt && !n.domain) {
    const a = attr(n, dt.name);
    if (a && Number(a.i) === DataType.FLOAT) out.attribute = out.attribute.map((x) => (x.name === dt.name ? { ...x, i: DataType.DOUBLE } : x));
    else if (!a && dt.fallback === DataType.FLOAT) out.attribute = [...out.attribute, { name: dt.name, type: AttributeType.INT, i: DataType.DOUBLE }];
  }
  return out;
}

/**
 * The float64 copy of `model` (left untouched). `facts` are the probe's static shapes and small integer values of
 * the float32 model at the check's input shapes (float64Lowerings.ts needs them); ops in `forceFloat32` run in float32.
 */
export function float64Copy(model: ModelProto, facts: ReadonlyMap<string, TensorFacts> = new Map(), forceFloat32: ReadonlySet<string> = new Set()): Float64Copy {
  const taken = new Set<string>();
  const stored = new Map<string, TensorProto>();
  const collect = (g: GraphProto) => {
    for (const v of [...g.input, ...g.output, ...g.valueInfo]) taken.add(v.name);
    for (const t of g.initializer) { taken.add(t.name); stored.set(t.name, t); }
    for (const n of g.node) {
      taken.add(n.name);
      for (const o of n.output) taken.add(o);
      const value = n.opType === 'Constant' ? attrTensor(n, 'value') : undefined;
      if (value) stored.set(n.output[0], value);
      for (const a of n.attribute) for (const s of [a.g, ...(a.graphs ?? [])]) if (s) collect(s);
    }
  };
  collect(model.graph);
  const ctx: Context = { opset: defaultOpset(model), facts, stored, forceFloat32, lowered: new Set(), float32Ops: new Set(), taken, graphs: 0 };
  const graph = convertGraph(model.graph, ctx, true);
  return { model: { ...model, graph }, lowered: [...ctx.lowered].sort(), float32Ops: [...ctx.float32Ops].sort() };
}

/**
 * A session on the float64 copy. Where onnxruntime finds no float64 kernel for an op the copy does not spell, that
 * op is run in float32 and the copy made again (the op is then named in `float32Ops`).
 */
export async function float64Session(model: ModelProto, facts: ReadonlyMap<string, TensorFacts>): Promise<{ session: ort.InferenceSession; copy: Float64Copy }> {
  const forced = new Set<string>();
  for (;;) {
    const copy = float64Copy(model, facts, forced);
    try {
      // Unoptimized: the reference is the graph as written (fusions would bring back float32-only kernels).
      return { session: await createSession(copy.model, { optimization: 'disabled' }), copy };
    } catch (e) {
      const missing = e instanceof ModelError ? /Could not find an implementation for (\w+)\(/.exec(e.message)?.[1] : undefined;
      if (!missing || forced.has(missing)) throw e;
      forced.add(missing);
    }
  }
}
