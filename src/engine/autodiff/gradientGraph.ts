// Gradient graphs of a scalar loss with respect to chosen parameters, and the static check whether one can be built.
import { defaultOpset, GraphIndex, nodeReads, valueInfoType } from '../onnx/graph';
import { ModelProto, ValueInfo } from '../onnx/proto';
import { makeValueInfo, parametersToInputs } from '../onnx/rewrite';
import { Feeds } from '../onnx/runtime';
import { placeholderTensor } from '../onnx/shapes';
import { analyzeActivity } from './activity';
import { GradBuilder } from './builder';
import { pruneNodes, runBackward } from './driver';
import { zeros } from './emit';
import { describeMissing, GradientError, MissingGradient } from './errors';
import { emitLoss } from './losses';
import { probeTensors, TensorFacts } from './probe';
import { GradientGraph, GradientGraphSpec } from './types';
import { inlineStaticIfs } from './staticIf';
import { unrollRecurrentNodes } from './recurrent';

export interface GradientSupport {
  supported: boolean;
  missing: MissingGradient[];
}

/**
 * Static check (no run): can the gradient of `lossOutputs` with respect to `parameters` be built?
 * Lists every op on the path from a parameter to the loss that has no rule.
 */
export function analyzeGradientSupport(model: ModelProto, parameters: readonly string[], lossOutput: string | readonly string[]): GradientSupport {
  const index = GraphIndex.of(model);
  const typeOf = (name: string) => {
    const t = index.types.get(name);
    if (!t || t.dtype === 'undefined') return undefined;
    return index.initializers.get(name)?.dataType ?? model.graph.input.concat(model.graph.valueInfo, model.graph.output)
      .find((v) => v.name === name)?.type?.tensorType?.elemType;
  };
  const outputs = typeof lossOutput === 'string' ? [lossOutput] : [...lossOutput];
  const { missing } = analyzeActivity(model.graph, defaultOpset(model), parameters, outputs, typeOf);
  return { supported: missing.length === 0, missing };
}

/** Zero-filled feeds at the spec's shapes (declared static shapes where the spec gives none). */
function probeFeeds(model: ModelProto, feedShapes: Record<string, number[]>): Feeds {
  const index = GraphIndex.of(model);
  const feeds: Feeds = {};
  for (const v of model.graph.input) {
    if (!index.graphInputs.includes(v.name)) continue;
    const t = valueInfoType(v);
    let dims = feedShapes[v.name];
    if (!dims) {
      if (!t.shape || t.shape.some((d) => typeof d !== 'number')) {
        throw new GradientError(`input '${v.name}' has shape [${(t.shape ?? []).map((d) => d ?? '?').join(', ')}]; give its static shape in feedShapes`);
      }
      dims = t.shape as number[];
    }
    feeds[v.name] = placeholderTensor(t.dtype, dims);
  }
  return feeds;
}

export async function buildGradientGraph(spec: GradientGraphSpec): Promise<GradientGraph> {
  const { parameters } = spec;
  const feeds = spec.probeFeeds ?? probeFeeds(spec.model, spec.feedShapes);
  // An If decided by constants, shapes and integer inputs is replaced by the branch it takes at these feeds.
  // A condition on an integer input counts only when the caller gave that input's real value (probeFeeds).
  const { model: flat, inlined } = await inlineStaticIfs(spec.model, feeds, { integerInputs: spec.probeFeeds !== undefined });
  // LSTM and GRU are differentiated through their unrolled equations.
  const model = await unrollRecurrentNodes(flat, feeds);
  const opset = defaultOpset(model);
  const known = new Set(GraphIndex.of(model).parameters().map((p) => p.name));
  for (const p of parameters) if (!known.has(p)) throw new GradientError(`'${p}' is not a float parameter of the model`);
  if (new Set(parameters).size !== parameters.length) throw new GradientError('the parameter list names a tensor twice');

  const facts = await probeTensors(model, feeds);
  const forward = parametersToInputs(model, parameters);
  const g = forward.graph;
  const forwardIndex = GraphIndex.of(forward);
  const b = new GradBuilder(opset, '', [...forwardIndex.tensorNames(), ...g.node.map((n) => n.name)]);
  const fact = (name: string): TensorFacts => {
    const f = facts.get(name);
    if (!f) throw new GradientError(`the model has no tensor named '${name}'`);
    return f;
  };

  const emitted = emitLoss(b, spec.loss, { dims: (n) => [...fact(n).dims], dataType: (n) => fact(n).dataType });
  for (const v of emitted.inputs) {
    if (forwardIndex.producer.has(v.name) || forwardIndex.initializers.has(v.name) || forwardIndex.graphInputs.includes(v.name)) {
      throw new GradientError(`the loss input '${v.name}' collides with a tensor of the model; choose another name`);
    }
  }
  const activity = analyzeActivity(g, opset, parameters, [...emitted.seeds.keys()], (n) => facts.get(n)?.dataType);
  if (activity.missing.length > 0) throw new GradientError(describeMissing(activity.missing), activity.missing);

  const grads = runBackward({ graph: g, opset, activity, facts, builder: b, seeds: emitted.seeds, parameters });

  const outputs: ValueInfo[] = [];
  const taken = new Set<string>([...forwardIndex.graphInputs, ...emitted.inputs.map((v) => v.name)]);
  const lossOutput = nameOutput(b, emitted.loss, 'loss', taken);
  outputs.push(makeValueInfo(lossOutput, fact(emitted.seeds.keys().next().value as string).dataType, []));
  const gradOutputs: Record<string, string> = {};
  for (const p of parameters) {
    const f = fact(p);
    const grad = grads.get(p) ?? zeros(b, f.dims, f.dataType);
    gradOutputs[p] = nameOutput(b, grad, `${p}_grad`, taken);
    outputs.push(makeValueInfo(gradOutputs[p], f.dataType, f.dims));
  }
  for (const name of spec.keepOutputs ?? []) {
    const f = fact(name);
    if (taken.has(name)) throw new GradientError(`'${name}' cannot be kept as an output twice`);
    taken.add(name);
    outputs.push(makeValueInfo(name, f.dataType, f.dims));
  }

  const nodes = pruneNodes([...activity.order, ...b.nodes], outputs.map((o) => o.name));
  const used = new Set(nodes.flatMap(nodeReads));
  const graph = {
    ...g,
    name: `${g.name || 'model'}_gradient`,
    node: nodes,
    initializer: [...g.initializer, ...b.initializers].filter((t) => used.has(t.name) || taken.has(t.name)),
    input: [...g.input.filter((v) => !forwardIndex.initializers.has(v.name)), ...emitted.inputs],
    output: outputs,
  };
  return { model: { ...forward, graph }, lossOutput, gradOutputs, inlined };
}

/**
 * Gives `tensor` the output name `wanted` (made unique): renames its producer's output when only the output
 * reads it, else copies it with Identity (a tensor can be one output only, and a graph input cannot be one).
 */
function nameOutput(b: GradBuilder, tensor: string, wanted: string, taken: Set<string>): string {
  const producer = b.nodes.find((n) => n.output.includes(tensor));
  const consumed = b.nodes.some((n) => n.input.includes(tensor));
  let name: string;
  if (producer && !consumed && !taken.has(tensor)) {
    name = b.name(wanted);
    producer.output = producer.output.map((o) => (o === tensor ? name : o));
  } else {
    name = b.op('Identity', [tensor], {}, b.name(wanted));
  }
  taken.add(name);
  return name;
}

