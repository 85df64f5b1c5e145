// Activity analysis: which tensors depend on the parameters (varied) and which the loss depends on (useful).
// Only nodes with an output that is both are differentiated; everything else is left alone.
import { attrInt } from '../onnx/attributes';
import { nodeReads } from '../onnx/graph';
import { GraphProto, NodeProto } from '../onnx/proto';
import { isFloatType } from '../onnx/tensor';
import { MissingGradient } from './errors';
import { lookupRule } from './registry';
import { staticConditionInputs } from './staticIf';

export interface Activity {
  /** Forward nodes in topological order. */
  order: NodeProto[];
  varied: Set<string>;
  useful: Set<string>;
  /** Nodes to differentiate, in forward order. */
  active: NodeProto[];
  /** Active nodes with no usable rule. */
  missing: MissingGradient[];
}

/** Element type of a tensor if known (ONNX DataType), else undefined. */
export type TypeOf = (name: string) => number | undefined;

export function nodeLabel(n: NodeProto): string {
  return n.name || `<unnamed ${n.opType} → ${n.output[0] ?? ''}>`;
}

export function topologicalOrder(graph: GraphProto): NodeProto[] {
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const state = new Uint8Array(graph.node.length); // 0 new, 1 visiting, 2 done
  const order: NodeProto[] = [];
  const reads = graph.node.map(nodeReads);
  const visit = (start: number) => {
    const stack: [number, number][] = [[start, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, k] = top;
      const n = graph.node[i];
      if (k === 0) state[i] = 1;
      if (k < reads[i].length) {
        top[1]++;
        const p = producer.get(reads[i][k]);
        if (p !== undefined && state[p] === 0) stack.push([p, 0]);
        else if (p !== undefined && state[p] === 1) throw new Error(`the graph has a cycle through node '${nodeLabel(graph.node[p])}'`);
        continue;
      }
      state[i] = 2;
      order.push(n);
      stack.pop();
    }
  };
  graph.node.forEach((_, i) => { if (state[i] === 0) visit(i); });
  return order;
}

/** Whether `name`, an output of `n`, can carry a gradient: float-typed (by probe, declaration or Cast target). */
function carriesGradient(n: NodeProto, name: string, typeOf: TypeOf): boolean {
  const t = typeOf(name);
  if (t !== undefined && t !== 0) return isFloatType(t);
  if (n.opType === 'Cast') return isFloatType(attrInt(n, 'to', 1));
  return true;
}

export function analyzeActivity(graph: GraphProto, opset: number, parameters: readonly string[], lossTensors: readonly string[], typeOf: TypeOf): Activity {
  const order = topologicalOrder(graph);
  const varied = new Set<string>(parameters);
  const blocked = (n: NodeProto) => {
    const found = lookupRule(n.opType, n.domain, opset);
    return found.kind === 'found' && found.entry.kind === 'nonDifferentiable';
  };
  for (const n of order) {
    if (blocked(n) || !nodeReads(n).some((i) => varied.has(i))) continue;
    for (const o of n.output) if (o && carriesGradient(n, o, typeOf)) varied.add(o);
  }
  const useful = new Set<string>(lossTensors);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if (blocked(n) || !n.output.some((o) => useful.has(o) && varied.has(o))) continue;
    for (const i of nodeReads(n)) useful.add(i);
  }
  const active = order.filter((n) => n.output.some((o) => useful.has(o) && varied.has(o)));
  const missing: MissingGradient[] = [];
  for (const n of active) {
    // A static If is inlined when the gradient is built: what counts is what its branches hold.
    if (n.opType === 'If' && !n.domain && staticConditionInputs(graph, n.input[0]) !== null) {
      missing.push(...branchMissing(n, opset));
      continue;
    }
    const found = lookupRule(n.opType, n.domain, opset);
    if (found.kind === 'found') continue;
    const through = nodeReads(n).find((i) => varied.has(i)) ?? '';
    const why = n.opType === 'If' && !n.domain ? `: its condition '${n.input[0]}' depends on float data or the parameters, so no branch can be inlined` : '';
    missing.push({ op: n.domain ? `${n.domain}.${n.opType}` : n.opType, node: nodeLabel(n), reason: `${found.reason}${why} (opset ${opset}; input '${through}' depends on the parameters)` });
  }
  return { order, varied, useful, active, missing };
}

/** Ops without a rule inside the branches of a static If (nested Ifs looked into; ops declared non-differentiable
 *  pass). The branch taken is known only at build time, so both are looked at. */
function branchMissing(n: NodeProto, opset: number): MissingGradient[] {
  const out: MissingGradient[] = [];
  for (const a of n.attribute) {
    if (!a.g) continue;
    for (const m of a.g.node) {
      if (m.opType === 'If' && !m.domain) { out.push(...branchMissing(m, opset)); continue; }
      const found = lookupRule(m.opType, m.domain, opset);
      if (found.kind === 'found') continue;
      out.push({ op: m.domain ? `${m.domain}.${m.opType}` : m.opType, node: nodeLabel(m), reason: `${found.reason} (opset ${opset}; in the ${a.name} of If '${nodeLabel(n)}', whose condition is static)` });
    }
  }
  return out;
}
