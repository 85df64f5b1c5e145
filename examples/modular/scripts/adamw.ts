// One full AdamW step as a single ONNX graph: the gradient graph of the loss, followed by the update, so a
// training step is one onnxruntime run (inputs w, m, v, step; outputs the new w, m, v).
import { buildGradientGraph } from '../../../src/engine/autodiff';
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { GraphIndex } from '../../../src/engine/onnx/graph';
import { ModelProto } from '../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';

export interface AdamWSettings {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export interface TrainStepGraph {
  model: ModelProto;
  lossOutput: string;
  /** Output with the batch's logits (for training accuracy without a second run). */
  logitsOutput: string;
  /** parameter → names of the optimizer-state inputs and of the updated outputs. */
  slots: Record<string, { m: string; v: string; next: string; nextM: string; nextV: string }>;
  stepInput: string;
}

/**
 * Decoupled weight decay (Loshchilov & Hutter), with PyTorch's bias correction:
 * m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², w' = w·(1 − lr·λ) − lr·(m'/(1−β1^t)) / (√(v'/(1−β2^t)) + ε).
 */
export async function buildTrainStep(spec: {
  model: ModelProto; parameters: string[]; logits: string; labels: string; feedShapes: Record<string, number[]>; adamw: AdamWSettings;
}): Promise<TrainStepGraph> {
  const grad = await buildGradientGraph({
    model: spec.model,
    parameters: spec.parameters,
    loss: { kind: 'cross-entropy', output: spec.logits, labels: spec.labels },
    feedShapes: spec.feedShapes,
    keepOutputs: [spec.logits],
  });
  const g = grad.model.graph;
  const b = new GraphBuilder(17, 'adamw/', GraphIndex.of(grad.model).tensorNames());
  const { lr, weightDecay, beta1, beta2, eps } = spec.adamw;
  const stepInput = b.name('step');
  const correction = (beta: number) => b.sub(b.scalarFloat(1), b.op('Pow', [b.scalarFloat(beta), stepInput]));
  const bc1 = correction(beta1);
  const bc2 = correction(beta2);
  const shapeOf = new Map(g.input.map((v) => [v.name, (v.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue))]));

  const inputs = [...g.input, makeValueInfo(stepInput, 'float32', [])];
  const outputs = g.output.filter((o) => o.name === grad.lossOutput || o.name === spec.logits);
  const slots: TrainStepGraph['slots'] = {};
  for (const p of spec.parameters) {
    const dims = shapeOf.get(p);
    if (!dims) throw new Error(`parameter '${p}' is not an input of the gradient graph`);
    const gp = grad.gradOutputs[p]!;
    const m = b.name(`${p}.m`);
    const v = b.name(`${p}.v`);
    inputs.push(makeValueInfo(m, 'float32', dims), makeValueInfo(v, 'float32', dims));
    const nextM = b.add(b.mul(b.scalarFloat(beta1), m), b.mul(b.scalarFloat(1 - beta1), gp));
    const nextV = b.add(b.mul(b.scalarFloat(beta2), v), b.mul(b.scalarFloat(1 - beta2), b.mul(gp, gp)));
    const denom = b.add(b.op('Sqrt', [b.div(nextV, bc2)]), b.scalarFloat(eps));
    const update = b.mul(b.scalarFloat(lr), b.div(b.div(nextM, bc1), denom));
    const decayed = b.mul(p, b.scalarFloat(1 - lr * weightDecay));
    const next = b.op('Sub', [decayed, update], {}, b.name(`${p}.next`));
    const mOut = b.op('Identity', [nextM], {}, b.name(`${p}.m.next`));
    const vOut = b.op('Identity', [nextV], {}, b.name(`${p}.v.next`));
    outputs.push(makeValueInfo(next, 'float32', dims), makeValueInfo(mOut, 'float32', dims), makeValueInfo(vOut, 'float32', dims));
    slots[p] = { m, v, next, nextM: mOut, nextV: vOut };
  }
  const model: ModelProto = {
    ...grad.model,
    graph: { ...g, node: [...g.node, ...b.nodes], initializer: [...g.initializer, ...b.initializers], input: inputs, output: outputs },
  };
  return { model, lossOutput: grad.lossOutput, logitsOutput: spec.logits, slots, stepInput };
}
