// Graph rewrites that later stages build on. Each returns a new ModelProto and leaves its argument untouched.
import { GraphBuilder } from './builder';
import { builderFor, GraphIndex, nodeReads, TensorType } from './graph';
import { ModelProto, NodeProto, ValueInfo } from './proto';
import { dataTypeOf, DTypeName } from './tensor';

/** A structural copy: nodes, lists and value infos are new; tensor bytes are shared (they are never mutated). */
export function cloneModel(m: ModelProto): ModelProto {
  const g = m.graph;
  return {
    ...m,
    // Decoded messages keep default fields (domain '') on their prototype, which a spread drops: copy them explicitly.
    opsetImport: m.opsetImport.map((o) => ({ ...o, domain: o.domain ?? '', version: Number(o.version) })),
    metadataProps: [...m.metadataProps],
    graph: {
      ...g,
      node: g.node.map((n) => ({ ...n, input: [...n.input], output: [...n.output], attribute: [...n.attribute] })),
      initializer: [...g.initializer],
      input: [...g.input],
      output: [...g.output],
      valueInfo: [...g.valueInfo],
    },
  };
}

export function makeValueInfo(name: string, dtype: DTypeName | number, shape: (number | string | null)[] | null): ValueInfo {
  const elemType = typeof dtype === 'number' ? dtype : dataTypeOf(dtype);
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: shape === null ? undefined : { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/**
 * Turns the named initializers (and float `Constant` nodes) into graph inputs, so weights can be fed
 * per run without re-creating sessions.
 */
export function parametersToInputs(model: ModelProto, names: readonly string[]): ModelProto {
  const m = cloneModel(model);
  const g = m.graph;
  const wanted = new Set(names);
  const index = new GraphIndex(model.graph);
  const params = new Map(index.parameters().map((p) => [p.name, p]));
  for (const name of names) {
    const p = params.get(name);
    if (!p) throw new Error(`'${name}' is not a float parameter of the model`);
  }
  g.initializer = g.initializer.filter((t) => !wanted.has(t.name));
  g.node = g.node.filter((n) => !(n.opType === 'Constant' && wanted.has(n.output[0])));
  g.input = g.input.filter((v) => !wanted.has(v.name));
  for (const name of names) {
    const p = params.get(name)!;
    g.input.push(makeValueInfo(name, p.dtype, p.shape));
  }
  return m;
}

/** Adds intermediate tensors to the graph outputs (types from value_info where known). */
export function exposeTensors(model: ModelProto, names: readonly string[], types: ReadonlyMap<string, TensorType> = new Map()): ModelProto {
  const m = cloneModel(model);
  const index = new GraphIndex(model.graph);
  const existing = new Set(m.graph.output.map((o) => o.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    if (!index.producer.has(name) && !index.initializers.has(name) && !index.graphInputs.includes(name)) {
      throw new Error(`the model has no tensor named '${name}'`);
    }
    const t = types.get(name) ?? index.types.get(name);
    // Without a known type the runtime infers it: an output needs only its name.
    m.graph.output.push(t && t.dtype !== 'undefined' ? makeValueInfo(name, t.dtype, null) : { name });
    existing.add(name);
  }
  return m;
}

/**
 * The model cut down to the named tensors as its only outputs (intermediate tensors allowed): nodes and initializers
 * that none of them needs are dropped, and so are graph inputs that no kept node reads.
 */
export function restrictOutputs(model: ModelProto, names: readonly string[]): ModelProto {
  const m = exposeTensors(model, names);
  const g = m.graph;
  g.output = names.map((n) => g.output.find((o) => o.name === n)!);
  const needed = new Set(names);
  const keep = new Array<boolean>(g.node.length).fill(false);
  for (let i = g.node.length - 1; i >= 0; i--) {
    if (!g.node[i].output.some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const x of nodeReads(g.node[i])) needed.add(x);
  }
  g.node = g.node.filter((_, i) => keep[i]);
  g.initializer = g.initializer.filter((t) => needed.has(t.name));
  g.input = g.input.filter((v) => needed.has(v.name));
  return m;
}

/**
 * Inserts nodes after `tensor`: `build(b, tensor)` emits nodes reading `tensor` and returns the name of the
 * replacement; every former consumer (and graph output) of `tensor` then reads the replacement instead.
 */
export function insertAfter(model: ModelProto, tensor: string, build: (b: GraphBuilder, input: string) => string, prefix = ''): ModelProto {
  const m = cloneModel(model);
  const index = new GraphIndex(m.graph);
  if (!index.producer.has(tensor) && !index.graphInputs.includes(tensor) && !index.initializers.has(tensor)) {
    throw new Error(`the model has no tensor named '${tensor}'`);
  }
  const b = builderFor(m, prefix);
  const replacement = build(b, tensor);
  const inserted = new Set<NodeProto>(b.nodes);
  for (const n of m.graph.node) {
    if (inserted.has(n)) continue;
    n.input = n.input.map((i) => (i === tensor ? replacement : i));
  }
  // Keep the graph topologically sorted: new nodes go right after the producer (or first, for inputs).
  const producer = index.producer.get(tensor);
  const at = producer ? m.graph.node.indexOf(producer) + 1 : 0;
  m.graph.node.splice(at, 0, ...b.nodes);
  m.graph.initializer.push(...b.initializers);
  const out = m.graph.output.findIndex((o) => o.name === tensor);
  if (out >= 0) {
    // A graph output keeps its name: rename the replacement's producer output instead.
    const last = b.nodes.find((n) => n.output.includes(replacement));
    if (last) {
      last.output = last.output.map((o) => (o === replacement ? `${tensor}` : o));
      const renamedFrom = tensor;
      const inner = b.name(`${renamedFrom}_pre`);
      if (producer) producer.output = producer.output.map((o) => (o === tensor ? inner : o));
      for (const n of b.nodes) n.input = n.input.map((i) => (i === tensor ? inner : i));
      for (const n of m.graph.node) if (!inserted.has(n)) n.input = n.input.map((i) => (i === replacement ? tensor : i));
    }
  }
  return m;
}
