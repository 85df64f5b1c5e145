// The backward pass: walks the active nodes in reverse topological order, asks each op's rule for the
// gradients of its inputs, and accumulates contributions. Rules never see bookkeeping.
import { nodeReads } from '../onnx/graph';
import { GraphProto, NodeProto, TensorProto } from '../onnx/proto';
import { attrTensor } from '../onnx/attributes';
import { tensorToFloat32, tensorToNumbers, isFloatType } from '../onnx/tensor';
import { Activity, nodeLabel } from './activity';
import { GradBuilder } from './builder';
import { GradientError } from './errors';
import { TensorFacts } from './probe';
import { lookupRule } from './registry';
import { GradContext } from './types';

export interface BackwardPass {
  /** The forward graph; nodes may gain optional outputs that a rule reuses. */
  graph: GraphProto;
  opset: number;
  activity: Activity;
  facts: ReadonlyMap<string, TensorFacts>;
  builder: GradBuilder;
  seeds: ReadonlyMap<string, string>;
  parameters: readonly string[];
}

/** Ops whose results are fixed once the input shapes are: their integer outputs are compile-time constants. */
const SHAPE_OPS = new Set(['Shape', 'Size', 'Constant']);
const RANDOM_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial']);

/** Tensors whose values depend only on constants and shapes (not on data or parameters). */
function staticTensors(graph: GraphProto, order: readonly NodeProto[]): Set<string> {
  const s = new Set<string>(graph.initializer.map((t) => t.name));
  for (const n of order) {
    if (RANDOM_OPS.has(n.opType)) continue;
    if (SHAPE_OPS.has(n.opType) || n.input.every((i) => i === '' || s.has(i))) for (const o of n.output) if (o) s.add(o);
  }
  return s;
}

export function runBackward(p: BackwardPass): Map<string, string | null> {
  const { graph, opset, activity, facts, builder: b } = p;
  const initializers = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name, t]));
  const constants = new Map<string, TensorProto>();
  for (const n of graph.node) {
    const t = n.opType === 'Constant' ? attrTensor(n, 'value') : undefined;
    if (t) constants.set(n.output[0], t);
  }
  const statics = staticTensors(graph, activity.order);
  const stored = (name: string) => initializers.get(name) ?? constants.get(name);

  const contributions = new Map<string, string[]>();
  const gradOf = (name: string): string | null => {
    const list = contributions.get(name);
    if (!list || list.length === 0) return null;
    if (list.length > 1) {
      const total = list.length === 2 ? b.add(list[0], list[1]) : b.op('Sum', list);
      contributions.set(name, [total]);
      return total;
    }
    return list[0];
  };
  const contribute = (name: string, grad: string) => {
    const list = contributions.get(name);
    if (list) list.push(grad); else contributions.set(name, [grad]);
  };
  for (const [output, seed] of p.seeds) contribute(output, seed);

  for (let k = activity.active.length - 1; k >= 0; k--) {
    const node = activity.active[k];
    const label = nodeLabel(node);
    b.scope = `${label}_grad/`;
    const dy = node.output.map((o) => (o && activity.varied.has(o) ? gradOf(o) : null));
    if (dy.every((g) => g === null)) continue;
    const where = `${node.opType} node '${label}' (opset ${opset})`;
    const found = lookupRule(node.opType, node.domain, opset);
    if (found.kind !== 'found' || found.entry.kind !== 'rule') {
      const reason = found.kind === 'missing' ? found.reason : 'declared non-differentiable';
      throw new GradientError(`${where}: ${reason}`, [{ op: node.opType, node: label, reason }]);
    }
    const ctx: GradContext = {
      node, b, opset,
      shape(name) {
        const f = facts.get(name);
        if (!f) throw new Error(`no static shape is known for '${name}'`);
        return [...f.dims];
      },
      dataType(name) {
        const f = facts.get(name);
        if (!f) throw new Error(`no element type is known for '${name}'`);
        return f.dataType;
      },
      needs: (i) => !!node.input[i] && activity.varied.has(node.input[i]),
      constantInts(name) {
        const t = stored(name);
        if (t) return isFloatType(t.dataType) ? undefined : tensorToNumbers(t);
        return statics.has(name) ? facts.get(name)?.values : undefined;
      },
      constantFloats(name) {
        const t = stored(name);
        if (t) return isFloatType(t.dataType) ? Array.from(tensorToFloat32(t)) : tensorToNumbers(t);
        return statics.has(name) ? facts.get(name)?.values : undefined;
      },
      forwardOutput(i) {
        while (node.output.length <= i) node.output.push('');
        if (!node.output[i]) node.output[i] = b.name(`fwd_out${i}`);
        return node.output[i];
      },
    };
    let grads: (string | null)[];
    try {
      grads = found.entry.rule(ctx, dy);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new GradientError(`${where}: ${reason}`, [{ op: node.opType, node: label, reason }]);
    } finally {
      b.scope = '';
    }
    node.input.forEach((name, i) => {
      if (!ctx.needs(i)) return;
      const g = grads[i];
      if (!g) {
        const reason = `the rule gives no gradient for input ${i} ('${name}')`;
        throw new GradientError(`${where}: ${reason}`, [{ op: node.opType, node: label, reason }]);
      }
      contribute(name, g);
    });
  }
  b.scope = 'grad/';
  const result = new Map(p.parameters.map((name) => [name, gradOf(name)]));
  b.scope = '';
  return result;
}

/** Keeps only the nodes that some graph output needs (the forward graph's unused branches included). */
export function pruneNodes(nodes: readonly NodeProto[], outputs: readonly string[]): NodeProto[] {
  const needed = new Set(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!n.output.some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const x of nodeReads(n)) needed.add(x);
  }
  return nodes.filter((_, i) => keep[i]);
}
