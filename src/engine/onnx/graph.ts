// Read-only queries over a graph: producers, consumers, initializers, declared types, opset.
import { GraphBuilder } from './builder';
import { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfo } from './proto';
import { DTypeName, dtypeName } from './tensor';
import { classifyStoredTensors, StoredTensor } from './weights';

/** A dimension is a number when static, a string (the symbolic name) or null when unknown. */
export type Dim = number | string | null;

export interface TensorType {
  dtype: DTypeName;
  shape: Dim[] | null;
}

export interface ParameterInfo {
  name: string;
  dtype: DTypeName;
  shape: number[];
  size: number;
  /** Where the weight lives: a graph initializer, or the value of a `Constant` node. */
  source: 'initializer' | 'constant';
  /** A trained weight, or a BatchNormalization running statistic (see onnx/weights.ts). */
  role: 'weight' | 'statistic';
}

/** Names a subgraph reads from the enclosing scope (every name it uses but does not define itself). */
function outerNames(g: GraphProto): string[] {
  const defined = new Set<string>([...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name)]);
  const out: string[] = [];
  for (const n of g.node) {
    for (const i of n.input) if (i && !defined.has(i)) out.push(i);
    for (const a of n.attribute) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) out.push(...outerNames(sub).filter((x) => !defined.has(x)));
    for (const o of n.output) defined.add(o);
  }
  return out;
}

/** Every tensor a node reads: its inputs, and what its subgraphs (If, Loop, Scan bodies) read from outside them. */
export function nodeReads(n: NodeProto): string[] {
  const own = n.input.filter((i) => i);
  const sub = n.attribute.flatMap((a) => [a.g, ...(a.graphs ?? [])]).filter((g): g is GraphProto => !!g).flatMap(outerNames);
  return sub.length ? [...new Set([...own, ...sub])] : own;
}

export function valueInfoType(v: ValueInfo): TensorType {
  const tt = v.type?.tensorType;
  if (!tt) return { dtype: 'undefined', shape: null };
  const shape = tt.shape ? tt.shape.dim.map((d): Dim => (d.dimValue !== undefined && d.dimValue !== null && (d.dimParam ?? '') === '' ? Number(d.dimValue) : d.dimParam ? d.dimParam : null)) : null;
  return { dtype: dtypeName(tt.elemType), shape };
}

/** Default-domain opset of a model (the version of `ai.onnx`). */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? Number(entry.version) : 0;
}

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly types = new Map<string, TensorType>();
  readonly graphInputs: string[];
  readonly graphOutputs: string[];

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    for (const n of graph.node) {
      for (const o of n.output) if (o) this.producer.set(o, n);
      for (const i of nodeReads(n)) {
        const list = this.consumers.get(i);
        if (list) { if (!list.includes(n)) list.push(n); } else this.consumers.set(i, [n]);
      }
    }
    for (const v of [...graph.input, ...graph.valueInfo, ...graph.output]) this.types.set(v.name, valueInfoType(v));
    for (const t of graph.initializer) this.types.set(t.name, { dtype: dtypeName(t.dataType), shape: t.dims.map(Number) });
    // Old IR versions list initializers among the inputs too: those are weights, not user inputs.
    this.graphInputs = graph.input.map((v) => v.name).filter((n) => !this.initializers.has(n));
    this.graphOutputs = graph.output.map((v) => v.name);
  }

  static of(model: ModelProto): GraphIndex {
    return new GraphIndex(model.graph);
  }

  consumersOf(name: string): NodeProto[] {
    return this.consumers.get(name) ?? [];
  }

  /** Every tensor name that appears in the graph (inputs, initializers, node outputs). */
  tensorNames(): string[] {
    const names = new Set<string>([...this.graphInputs, ...this.initializers.keys()]);
    for (const n of this.graph.node) for (const o of n.output) if (o) names.add(o);
    return [...names];
  }

  private stored?: StoredTensor[];

  /** Every initializer and Constant value with its role under the one weights rule (onnx/weights.ts). */
  storedTensors(): StoredTensor[] {
    this.stored ??= classifyStoredTensors(this.graph, this.consumers);
    return this.stored;
  }

  /** The differentiable stored tensors: weights and running statistics (`role` says which). */
  parameters(): ParameterInfo[] {
    return this.storedTensors().filter((t): t is StoredTensor & ParameterInfo => t.role === 'weight' || t.role === 'statistic')
      .map(({ name, dtype, shape, size, source, role }) => ({ name, dtype, shape, size, source, role }));
  }

  /** The trained weights: what the dials sample and the LLC's d counts. */
  weights(): ParameterInfo[] {
    return this.parameters().filter((p) => p.role === 'weight');
  }

  opHistogram(): Record<string, number> {
    const ops: Record<string, number> = {};
    const visit = (g: GraphProto) => {
      for (const n of g.node) {
        const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
        ops[key] = (ops[key] ?? 0) + 1;
        for (const a of n.attribute) {
          if (a.g) visit(a.g);
          for (const sub of a.graphs ?? []) visit(sub);
        }
      }
    };
    visit(this.graph);
    return Object.fromEntries(Object.entries(ops).sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** A builder of nodes to add to `model`: its default opset, and every tensor and node name already in it taken. */
export function builderFor(model: ModelProto, prefix: string): GraphBuilder {
  return new GraphBuilder(defaultOpset(model), prefix, [...GraphIndex.of(model).tensorNames(), ...model.graph.node.map((n) => n.name)]);
}
