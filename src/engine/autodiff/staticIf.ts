// Static If: an If whose condition is computable from constants and shapes (and from integer inputs the gradient
// graph is built for, such as a sample rate) always takes the same branch at the shapes and values gradients are
// built for, so that branch is inlined in its place before differentiating. An If whose condition depends on float
// data or on the parameters stays, and is refused where it lies on the gradient path.
import { GraphIndex, nodeReads } from '../onnx/graph';
import { GraphProto, ModelProto, NodeProto } from '../onnx/proto';
import { cloneModel } from '../onnx/rewrite';
import { Feeds } from '../onnx/runtime';
import { isFloatType } from '../onnx/tensor';
import { probeTensors } from './probe';

export interface InlinedIf {
  node: string;
  branch: 'then_branch' | 'else_branch';
  /** Integer graph inputs the condition reads, with the values it was decided at (e.g. `sr = 16000`). */
  pinned: string[];
}

const RANDOM_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial']);

/**
 * The integer graph inputs a condition reads, or null when it depends on float data, on the parameters or on
 * randomness. Shape and Size end the walk: their values depend only on shapes.
 */
export function staticConditionInputs(graph: GraphProto, condition: string): string[] | null {
  const index = new GraphIndex(graph);
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const stack = [condition];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const p = index.producer.get(name);
    if (p) {
      if (RANDOM_OPS.has(p.opType)) return null;
      if (p.opType === 'Shape' || p.opType === 'Size' || p.opType === 'Constant') continue;
      stack.push(...nodeReads(p));
      continue;
    }
    const init = index.initializers.get(name);
    if (init) {
      // A stored float tensor is a weight (or could be one): a condition on it depends on the parameters.
      if (isFloatType(init.dataType)) return null;
      continue;
    }
    if (index.graphInputs.includes(name)) {
      const t = index.types.get(name);
      if (!t || t.dtype === 'undefined' || t.dtype.startsWith('float') || t.dtype === 'bfloat16') return null;
      inputs.add(name);
      continue;
    }
    return null;
  }
  return [...inputs].sort();
}

/** Renames tensors in a graph and in the subgraphs that read them from outside. */
function renameIn(g: GraphProto, rename: ReadonlyMap<string, string>): void {
  for (const n of g.node) {
    n.input = n.input.map((x) => rename.get(x) ?? x);
    n.output = n.output.map((x) => rename.get(x) ?? x);
    for (const a of n.attribute) for (const s of [a.g, ...(a.graphs ?? [])]) if (s) renameIn(s, rename);
  }
  for (const v of [...g.output, ...g.valueInfo]) if (rename.has(v.name)) v.name = rename.get(v.name)!;
}

/** Copies a branch graph deeply enough to rename in it. */
function copyGraph(g: GraphProto): GraphProto {
  return {
    ...g,
    node: g.node.map((n) => ({ ...n, input: [...n.input], output: [...n.output], attribute: n.attribute.map((a) => ({ ...a, g: a.g ? copyGraph(a.g) : a.g, graphs: a.graphs?.map(copyGraph) })) })),
    initializer: [...g.initializer],
    output: g.output.map((v) => ({ ...v })),
    valueInfo: g.valueInfo.map((v) => ({ ...v })),
    input: [...g.input],
  };
}

/** Replaces the If node `n` of `g` by the nodes of `branch`, its outputs copied onto the If's outputs. */
function inline(g: GraphProto, n: NodeProto, source: GraphProto): void {
  const branch = copyGraph(source);
  const taken = new Set(GraphIndex.of({ graph: g } as ModelProto).tensorNames());
  const rename = new Map<string, string>();
  for (const name of [...branch.initializer.map((t) => t.name), ...branch.node.flatMap((x) => x.output)]) {
    if (!name || !taken.has(name)) continue;
    let k = 1;
    while (taken.has(`${name}__inlined${k}`)) k++;
    rename.set(name, `${name}__inlined${k}`);
    taken.add(`${name}__inlined${k}`);
  }
  if (rename.size) {
    renameIn(branch, rename);
    branch.initializer = branch.initializer.map((t) => (rename.has(t.name) ? { ...t, name: rename.get(t.name)! } : t));
  }
  const label = n.name || n.output[0];
  const copies: NodeProto[] = branch.output.map((o, i) => ({ opType: 'Identity', domain: '', input: [o.name], output: [n.output[i]], name: `${label}/${o.name}_inlined`, attribute: [] }))
    .filter((x) => x.output[0]);
  g.node.splice(g.node.indexOf(n), 1, ...branch.node, ...copies);
  g.initializer.push(...branch.initializer);
  g.valueInfo.push(...branch.valueInfo);
}

/**
 * Inlines every If of the main graph whose condition is static, at the values `feeds` give (nested Ifs that
 * become main-graph nodes are inlined in turn); with `integerInputs` false only conditions on constants and shapes
 * count. Returns the model unchanged (the same object) when there is none.
 */
export async function inlineStaticIfs(model: ModelProto, feeds: Feeds, options: { integerInputs: boolean } = { integerInputs: true }): Promise<{ model: ModelProto; inlined: InlinedIf[] }> {
  let current = model;
  const inlined: InlinedIf[] = [];
  for (;;) {
    // Without real values for the integer inputs (placeholder feeds), a condition that reads one is left alone.
    const candidates = current.graph.node
      .filter((n) => n.opType === 'If' && !n.domain)
      .map((n) => ({ n, inputs: staticConditionInputs(current.graph, n.input[0]) }))
      .filter((c): c is { n: NodeProto; inputs: string[] } => c.inputs !== null && (options.integerInputs || c.inputs.length === 0));
    if (candidates.length === 0) return { model: current, inlined };
    const facts = await probeTensors(current, feeds);
    const next = current === model ? cloneModel(model) : current;
    const targets = candidates.map(({ n }) => next.graph.node[current.graph.node.indexOf(n)]);
    for (const [k, { n, inputs }] of candidates.entries()) {
      const value = facts.get(n.input[0])?.values;
      if (!value || value.length !== 1) throw new Error(`the condition '${n.input[0]}' of If node '${n.name}' has no single value at the given inputs`);
      const branch = value[0] ? 'then_branch' : 'else_branch';
      const graph = n.attribute.find((a) => a.name === branch)?.g;
      if (!graph) throw new Error(`If node '${n.name}' has no ${branch}`);
      inline(next.graph, targets[k], graph);
      const pinned = inputs.map((i) => `${i} = ${feeds[i] ? Array.from(feeds[i].data as ArrayLike<number | bigint>, String).join(', ') : '?'}`);
      inlined.push({ node: n.name, branch, pinned });
    }
    current = next;
  }
}
