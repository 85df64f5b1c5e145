/**
 * The paired model: ONE graph that computes the clean network and the intervened network side by side.
 *
 * The forward graph is duplicated; the copy (`ablated/…`) shares every graph input (data, labels, weights fed
 * as inputs, activation noise) and every initializer with the original, and after each circuit tensor of the
 * copy it computes y' = y·(1−m) + r·m. One `session.run` therefore gives clean and ablated outputs for the
 * same weights, the same batch and the same noise: the differences E_T, E_C are paired by construction, and
 * one run per draw (not two) halves the per-run overhead and the weight transfer. A runtime "ablate" switch
 * would need two runs per draw and could not share the activation-noise sample between them.
 *
 * Replacements r: `zero` (r = 0), `mean` (r fed as `intervention/mean/<tensor>`, shape [1, …]: the mean over the
 * reference examples at the current weights, see `referenceModel`), `resample` (r = the clean copy's value of
 * the same tensor on another example of the batch: Gather along the batch axis with the fed int64 indices
 * `intervention/source` [batch]; the clean copy computes it anyway, so no extra forward pass is needed).
 */
import type { CircuitComponent, InterventionKind, InterventionScope } from '../../hypothesis/types';
import { GraphBuilder } from '../onnx/builder';
import { defaultOpset, GraphIndex } from '../onnx/graph';
import { ModelProto, NodeProto, ValueInfo } from '../onnx/proto';
import { cloneModel, insertAfter, makeValueInfo } from '../onnx/rewrite';
import { componentMask } from './mask';

export interface InterventionSpec {
  components: readonly CircuitComponent[];
  kind: InterventionKind;
  scope: InterventionScope;
}

export const ABLATED_PREFIX = 'ablated/';
export const CLEAN_PREFIX = 'clean/';
export const SOURCE_INPUT = 'intervention/source';
export const meanInputName = (tensor: string): string => `intervention/mean/${tensor}`;

export interface PairedModel {
  model: ModelProto;
  /** Original output name → its clean and ablated outputs (`clean/<out>`, `ablated/<out>`). */
  outputs: Record<string, { clean: string; ablated: string }>;
  /** The distinct circuit tensors, with the dims the masks were built for. */
  tensors: { name: string; dims: number[] }[];
  /** mean: per tensor, the input to feed with its reference mean, shape [1, ...dims.slice(1)]. */
  meanInputs: { tensor: string; input: string; dims: number[] }[];
  /** resample: int64 [batch] input, row i takes its replacement from row source[i] of the same batch. */
  sourceInput?: string;
}

/**
 * @param base the model with weights as inputs (and any dial rewrites already applied)
 * @param dims static dims of each circuit tensor at the evaluation batch size (from `probeShapes`)
 * @param outputs which original outputs to pair (default: all graph outputs)
 */
export function buildPairedModel(base: ModelProto, spec: InterventionSpec, dims: (tensor: string) => number[], outputs?: readonly string[]): PairedModel {
  if (spec.components.length === 0) throw new Error('the circuit has no components');
  const index = GraphIndex.of(base);
  for (const n of base.graph.node) {
    if (n.attribute.some((a) => a.g || (a.graphs && a.graphs.length > 0))) {
      throw new Error(`node '${n.name || n.opType}' (${n.opType}) has a subgraph; models with control flow cannot be paired yet`);
    }
  }
  const outNames = outputs ? [...outputs] : index.graphOutputs;
  const tensorNames = [...new Set(spec.components.map((c) => c.tensor))];
  for (const t of tensorNames) {
    if (!index.producer.has(t) && !index.graphInputs.includes(t)) throw new Error(`the model has no tensor named '${t}'`);
    const type = index.types.get(t);
    if (type && type.dtype !== 'undefined' && type.dtype !== 'float32') throw new Error(`'${t}' is ${type.dtype}; interventions need a float32 tensor`);
  }

  const m = cloneModel(base);
  const g = m.graph;
  const produced = new Set(g.node.flatMap((n) => n.output).filter((o) => o !== ''));
  const copyName = (name: string): string => (produced.has(name) ? ABLATED_PREFIX + name : name);

  // The copy: node outputs renamed, graph inputs and initializers shared.
  const copy: NodeProto[] = base.graph.node.map((n) => ({
    ...n,
    name: n.name ? ABLATED_PREFIX + n.name : '',
    input: n.input.map((i) => (i === '' ? '' : copyName(i))),
    output: n.output.map((o) => (o === '' ? '' : ABLATED_PREFIX + o)),
    attribute: [...n.attribute],
  }));
  // A circuit tensor that is a graph input gets its own name in the copy, so the rewrite touches only the copy.
  for (const t of tensorNames) {
    if (produced.has(t)) continue;
    for (const n of copy) n.input = n.input.map((i) => (i === t ? ABLATED_PREFIX + t : i));
    copy.unshift({ opType: 'Identity', input: [t], output: [ABLATED_PREFIX + t], name: `${ABLATED_PREFIX}${t}/Identity`, domain: '', attribute: [] });
  }
  g.node.push(...copy);

  const result: PairedModel = { model: m, outputs: {}, tensors: [], meanInputs: [] };
  const extraInputs: ValueInfo[] = [];
  if (spec.kind === 'resample') {
    result.sourceInput = SOURCE_INPUT;
    extraInputs.push(makeValueInfo(SOURCE_INPUT, 'int64', ['batch']));
  }

  let model = m;
  for (const t of tensorNames) {
    const d = dims(t);
    const mask = componentMask(t, d, spec.components, spec.scope);
    const inner = [1, ...d.slice(1)];
    result.tensors.push({ name: t, dims: [...d] });
    let meanInput: string | undefined;
    if (spec.kind === 'mean') {
      meanInput = meanInputName(t);
      result.meanInputs.push({ tensor: t, input: meanInput, dims: inner });
      extraInputs.push(makeValueInfo(meanInput, 'float32', inner));
    }
    model = insertAfter(model, ABLATED_PREFIX + t, (b: GraphBuilder, y: string) => {
      const keep = b.constFloat(mask.map((v) => 1 - v), inner, 'keep');
      const kept = b.mul(y, keep);
      if (spec.kind === 'zero') return kept;
      const replaced = b.constFloat(mask, inner, 'replaced');
      const r = spec.kind === 'mean' ? meanInput! : b.op('Gather', [t, SOURCE_INPUT], { axis: 0 });
      return b.add(kept, b.mul(r, replaced));
    }, `intervention/${t}/`);
  }

  // Outputs: `clean/<out>` and `ablated/<out>` for each paired output.
  const b = new GraphBuilder(defaultOpset(model), 'paired/', [...GraphIndex.of(model).tensorNames(), ...model.graph.node.map((n) => n.name)]);
  const newOutputs: ValueInfo[] = [];
  for (const o of outNames) {
    const clean = CLEAN_PREFIX + o;
    const ablated = ABLATED_PREFIX + o;
    b.op('Identity', [o], {}, clean);
    const type = index.types.get(o);
    const dtype = type && type.dtype !== 'undefined' ? type.dtype : 'float32';
    newOutputs.push(makeValueInfo(clean, dtype, null), makeValueInfo(ablated, dtype, null));
    result.outputs[o] = { clean, ablated };
  }
  model.graph.node.push(...b.nodes);
  model.graph.initializer.push(...b.initializers);
  model.graph.output = newOutputs;
  model.graph.input = [...model.graph.input, ...extraInputs];
  result.model = model;
  return result;
}

/**
 * The reference model for mean ablation: the base model with the circuit tensors as its only outputs, and
 * only the nodes they need. Run it on the reference examples at the current weights and average over the batch.
 */
export function referenceModel(base: ModelProto, tensors: readonly string[]): ModelProto {
  const m = cloneModel(base);
  const index = GraphIndex.of(m);
  const needed = new Set<string>();
  const keep = new Set<NodeProto>();
  const stack = [...tensors];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (needed.has(t)) continue;
    needed.add(t);
    const p = index.producer.get(t);
    if (p && !keep.has(p)) {
      keep.add(p);
      for (const i of p.input) if (i) stack.push(i);
    }
  }
  m.graph.node = m.graph.node.filter((n) => keep.has(n));
  m.graph.initializer = m.graph.initializer.filter((t) => needed.has(t.name));
  m.graph.input = m.graph.input.filter((v) => needed.has(v.name));
  m.graph.output = tensors.map((t) => {
    const type = index.types.get(t);
    return type && type.dtype !== 'undefined' ? makeValueInfo(t, type.dtype, null) : { name: t };
  });
  return m;
}
