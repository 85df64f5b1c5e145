/**
 * The paired model: ONE graph that computes the clean network, the network intervened on the circuit, and the
 * network intervened on each matched random control set, side by side.
 *
 * The part of the forward graph downstream of the circuit tensors is duplicated once per unit set; each copy
 * (`ablated/…` for the circuit, `control/<k>/…` for control k) shares every graph input (data, labels, weights fed
 * as inputs, activation noise), every initializer and everything upstream with the clean graph, and after each
 * circuit tensor it computes y' = y·(1−m) + r·m with its own mask m. One `session.run` therefore gives clean,
 * ablated and control outputs for the same weights, the same batch and the same noise: the differences E_T^j,
 * E_C^j are paired by construction. A runtime "ablate" switch would need K + 2 runs per draw and could not share
 * the activation-noise sample between them.
 *
 * Replacements r: `zero` (r = 0), `mean` (r fed as `intervention/mean/<tensor>`, shape [1, …]: the mean over the
 * reference examples at the current weights, see `referenceModel`), `resample` (r = the clean copy's value of
 * the same tensor on another example of the batch: Gather along the batch axis with the fed int64 indices
 * `intervention/source` [batch]; the clean copy computes it anyway, so no extra forward pass is needed).
 */
import type { CircuitComponent, InterventionKind, InterventionScope } from '../../protocol/hypothesis';
import { builderFor, GraphIndex } from '../onnx/graph';
import { ModelProto, NodeProto, ValueInfo } from '../onnx/proto';
import { cloneModel, makeValueInfo } from '../onnx/rewrite';
import { LowRankCorrections, lowRankTensors, ReplacedDifference } from './lowRank';
import { componentMask } from './mask';

export interface InterventionSpec {
  components: readonly CircuitComponent[];
  kind: InterventionKind;
  scope: InterventionScope;
  /** Matched random unit sets, each intervened on in a copy of its own (`control/<k>/…`, k = 1…K). */
  controls?: readonly (readonly CircuitComponent[])[];
}

export const ABLATED_PREFIX = 'ablated/';
export const CLEAN_PREFIX = 'clean/';
export const controlPrefix = (k: number): string => `control/${k}/`;
export const SOURCE_INPUT = 'intervention/source';
export const meanInputName = (tensor: string): string => `intervention/mean/${tensor}`;

export interface PairedModel {
  model: ModelProto;
  /** Original output name → its clean, ablated and control outputs (`clean/<out>`, `ablated/<out>`, `control/<k>/<out>`). */
  outputs: Record<string, { clean: string; ablated: string; controls: string[] }>;
  /** The distinct circuit tensors, with the dims the masks were built for. */
  tensors: { name: string; dims: number[] }[];
  /** mean: per tensor, the input to feed with its reference mean, shape [1, ...dims.slice(1)]. */
  meanInputs: { tensor: string; input: string; dims: number[] }[];
  /** resample: int64 [batch] input, row i takes its replacement from row source[i] of the same batch. */
  sourceInput?: string;
}

export interface PairedOptions {
  /** Matrix products of a few replaced units as the clean product minus a rank-s correction (lowRank.ts); default on. */
  lowRank?: boolean;
}

/**
 * @param base the model with weights as inputs (and any dial rewrites already applied)
 * @param dims static dims of each circuit tensor at the evaluation batch size (from `probeShapes`)
 * @param outputs which original outputs to pair (default: all graph outputs)
 *
 * Only the part of the graph downstream of the circuit tensors is copied: everything before them is the same in
 * every copy, so the clean pass computes it once for the circuit and all K controls.
 */
export function buildPairedModel(base: ModelProto, spec: InterventionSpec, dims: (tensor: string) => number[], outputs?: readonly string[], options: PairedOptions = {}): PairedModel {
  if (spec.components.length === 0) throw new Error('the circuit has no components');
  const index = GraphIndex.of(base);
  for (const n of base.graph.node) {
    if (n.attribute.some((a) => a.g || (a.graphs && a.graphs.length > 0))) {
      throw new Error(`node '${n.name || n.opType}' (${n.opType}) has a subgraph; models with control flow cannot be paired yet`);
    }
  }
  const outNames = outputs ? [...outputs] : index.graphOutputs;
  // Every tensor some copy intervenes on: a control set may reach one the circuit does not (a scan's units).
  const tensorNames = [...new Set([spec.components, ...(spec.controls ?? [])].flatMap((set) => set.map((c) => c.tensor)))];
  for (const t of tensorNames) {
    if (!index.producer.has(t) && !index.graphInputs.includes(t)) throw new Error(`the model has no tensor named '${t}'`);
    const type = index.types.get(t);
    if (type && type.dtype !== 'undefined' && type.dtype !== 'float32') throw new Error(`'${t}' is ${type.dtype}; interventions need a float32 tensor`);
  }

  // The region every copy recomputes: nodes that read a circuit tensor, directly or through other such nodes.
  const downstream: NodeProto[] = [];
  const affected = new Set<string>(tensorNames);
  for (const n of base.graph.node) {
    if (!n.input.some((i) => affected.has(i))) continue;
    downstream.push(n);
    for (const o of n.output) if (o !== '') affected.add(o);
  }

  const m = cloneModel(base);
  const g = m.graph;
  const b = builderFor(m, 'intervention/');
  const result: PairedModel = { model: m, outputs: {}, tensors: [], meanInputs: [] };
  const extraInputs: ValueInfo[] = [];
  if (spec.kind === 'resample') {
    result.sourceInput = SOURCE_INPUT;
    extraInputs.push(makeValueInfo(SOURCE_INPUT, 'int64', ['batch']));
  }
  const means = new Map<string, string>();
  for (const t of tensorNames) {
    const d = dims(t);
    result.tensors.push({ name: t, dims: [...d] });
    if (spec.kind === 'mean') {
      const input = meanInputName(t);
      result.meanInputs.push({ tensor: t, input, dims: [1, ...d.slice(1)] });
      extraInputs.push(makeValueInfo(input, 'float32', [1, ...d.slice(1)]));
      means.set(t, input);
    }
  }
  // resample: the clean copy's value on another example of the batch, gathered once for every copy that needs it.
  const resampled = new Map<string, string>();
  const replacement = (t: string): string => {
    if (spec.kind === 'mean') return means.get(t)!;
    if (!resampled.has(t)) resampled.set(t, b.op('Gather', [t, SOURCE_INPUT], { axis: 0 }));
    return resampled.get(t)!;
  };

  const corrections = new LowRankCorrections(b, spec.kind, replacement);
  // A corrected tensor passes its correction on to its one reader when that is an Add of something no copy changes.
  const carriesAlong = (x: string): boolean => {
    const readers = index.consumersOf(x);
    return !outNames.includes(x) && !tensorNames.includes(x) && readers.length === 1 && readers[0]!.opType === 'Add' && readers[0]!.input.filter((i) => i === x).length === 1;
  };
  // y' = y·(1−m) + r·m after each circuit tensor of a copy.
  const intervene = (t: string, y: string, set: readonly CircuitComponent[], out: string): void => {
    const d = dims(t);
    const inner = [1, ...d.slice(1)];
    const mask = componentMask(t, d, set, spec.scope);
    const keep = b.constFloat(mask.map((v) => 1 - v), inner, 'keep');
    if (spec.kind === 'zero') {
      b.op('Mul', [y, keep], {}, out);
      return;
    }
    b.op('Add', [b.mul(y, keep), b.mul(replacement(t), b.constFloat(mask, inner, 'replaced'))], {}, out);
  };
  const copies: { prefix: string; set: readonly CircuitComponent[] }[] = [
    { prefix: ABLATED_PREFIX, set: spec.components },
    ...(spec.controls ?? []).map((set, k) => ({ prefix: controlPrefix(k + 1), set })),
  ];
  // Circuit tensors upstream of every other one read the clean value.
  const firstTensors = tensorNames.filter((t) => !downstream.some((n) => n.output.includes(t)));
  // A copy recomputes only what its own tensors reach: a set that names some of the tensors (a scan's one-unit
  // copies) shares the clean value of everything upstream of them. scope: complement replaces in every tensor.
  const reachedBy = new Map<string, Set<string>>();
  for (const { prefix, set } of copies) {
    const own = spec.scope === 'complement' ? new Set(tensorNames) : new Set(set.map((c) => c.tensor));
    const reached = new Set<string>(own);
    for (const n of downstream) if (n.input.some((i) => reached.has(i))) for (const o of n.output) if (o !== '') reached.add(o);
    reachedBy.set(prefix, reached);
    const renamed = (x: string): string => (x !== '' && reached.has(x) ? prefix + x : x);
    // Tensors whose readers take the clean product minus a rank-s correction: y' itself is never built.
    const lowRank = options.lowRank === false ? new Map() : lowRankTensors({ index, own, reached, set, scope: spec.scope, dims, outputs: outNames });
    const differences = new Map<string, ReplacedDifference>();
    const difference = (t: string): ReplacedDifference => {
      if (!differences.has(t)) differences.set(t, corrections.difference(t, lowRank.get(t)!));
      return differences.get(t)!;
    };
    const replaces = (t: string): boolean => own.has(t) && !lowRank.has(t);
    // Tensors whose copy value is the clean one minus a correction not yet subtracted: a bias Add after the product
    // takes the correction along (clean + b − c), so the copy needs no Add of its own.
    const carried = new Map<string, string>();
    const outName = (o: string): string => (own.has(o) ? `${prefix}${o}/before-intervention` : prefix + o);
    const settle = (x: string): void => {
      b.op('Sub', [x, carried.get(x)!], {}, outName(x));
      carried.delete(x);
      if (own.has(x)) intervene(x, outName(x), set, prefix + x);
    };
    const carry = (x: string, correction: string): void => {
      carried.set(x, correction);
      if (!carriesAlong(x)) settle(x);
    };
    for (const t of firstTensors) if (replaces(t)) intervene(t, t, set, prefix + t);
    for (const n of downstream) {
      if (!n.input.some((i) => reached.has(i))) {
        // Its inputs are the clean ones: intervene on its clean output instead of computing it again.
        for (const o of n.output) if (replaces(o)) intervene(o, o, set, prefix + o);
        continue;
      }
      if (lowRank.has(n.input[0]!)) {
        carry(n.output[0]!, corrections.correction(n, difference(n.input[0]!)));
        continue;
      }
      const along = n.input.find((i) => carried.has(i));
      if (along !== undefined && n.opType === 'Add' && n.input.every((i) => i === along || !reached.has(i))) {
        const correction = carried.get(along)!;
        carried.delete(along);
        carry(n.output[0]!, correction);
        continue;
      }
      for (const i of n.input) if (carried.has(i)) settle(i);
      const outs = n.output.map((o) => (o === '' ? '' : outName(o)));
      b.nodes.push({ ...n, name: n.name ? prefix + n.name : '', input: n.input.map(renamed), output: outs, attribute: [...n.attribute] });
      n.output.forEach((o, k) => { if (own.has(o)) intervene(o, outs[k]!, set, prefix + o); });
    }
    for (const x of [...carried.keys()]) settle(x);
  }

  // Outputs: `clean/<out>`, `ablated/<out>` and `control/<k>/<out>` for each paired output.
  const newOutputs: ValueInfo[] = [];
  for (const o of outNames) {
    const clean = CLEAN_PREFIX + o;
    b.op('Identity', [o], {}, clean);
    const type = index.types.get(o);
    const dtype = type && type.dtype !== 'undefined' ? type.dtype : 'float32';
    // An output the circuit does not reach is its own ablated value.
    const of = (prefix: string): string => (reachedBy.get(prefix)!.has(o) ? prefix + o : b.op('Identity', [o], {}, prefix + o));
    const ablated = of(ABLATED_PREFIX);
    const controls = copies.slice(1).map((c) => of(c.prefix));
    newOutputs.push(makeValueInfo(clean, dtype, null), makeValueInfo(ablated, dtype, null), ...controls.map((c) => makeValueInfo(c, dtype, null)));
    result.outputs[o] = { clean, ablated, controls };
  }
  g.node.push(...b.nodes);
  g.initializer.push(...b.initializers);
  g.output = newOutputs;
  g.input = [...g.input, ...extraInputs];
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
