// Scalar losses on model outputs, with their gradients written analytically (the seeds of the backward pass).
import { ValueInfo } from '../onnx/proto';
import { makeValueInfo } from '../onnx/rewrite';
import { DataType } from '../onnx/proto';
import { GradBuilder } from './builder';
import { range } from './emit';
import { LossSpec } from './types';

export interface EmittedLoss {
  /** The scalar loss tensor. */
  loss: string;
  /** Forward output → the tensor holding dLoss/dOutput. */
  seeds: Map<string, string>;
  /** Inputs the loss reads (labels, targets, weights), to be declared on the gradient graph. */
  inputs: ValueInfo[];
}

export interface TensorShapeInfo {
  dims(name: string): number[];
  dataType(name: string): number;
}

export function emitLoss(b: GradBuilder, spec: LossSpec, info: TensorShapeInfo): EmittedLoss {
  b.scope = 'loss/';
  try {
    switch (spec.kind) {
      case 'cross-entropy': return crossEntropy(b, spec.output, spec.labels, info);
      case 'mse': return meanSquaredError(b, spec.output, spec.targets, info);
      case 'weighted-sum': return weightedSum(b, spec.weights, info);
    }
  } finally {
    b.scope = '';
  }
}

// L = −(1/N)·Σ_n log softmax(z_n)[y_n] ⇒ dz = (softmax(z) − onehot(y))/N, N = number of positions
function crossEntropy(b: GradBuilder, logits: string, labels: string, info: TensorShapeInfo): EmittedLoss {
  const dims = info.dims(logits);
  if (dims.length < 1) throw new Error(`cross-entropy needs logits with a class axis; '${logits}' is a scalar`);
  const classes = dims[dims.length - 1];
  const lead = dims.slice(0, -1);
  const n = lead.reduce((a, d) => a * d, 1);
  const dt = info.dataType(logits);
  const logp = b.op('LogSoftmax', [logits], { axis: dims.length - 1 });
  const hit = b.op('Equal', [b.unsqueeze(labels, [lead.length]), b.constInt64(range(classes), [classes], 'classes')]);
  const onehot = b.cast(hit, dt);
  const inv = b.scalar(1 / n, dt);
  const picked = b.reduce('ReduceSum', b.mul(onehot, logp), null, false);
  const loss = b.neg(b.mul(picked, inv));
  const seed = b.mul(b.sub(b.op('Exp', [logp]), onehot), inv);
  return { loss, seeds: new Map([[logits, seed]]), inputs: [makeValueInfo(labels, DataType.INT64, lead)] };
}

// L = mean((y − t)²) ⇒ dy = 2(y − t)/N
function meanSquaredError(b: GradBuilder, output: string, targets: string, info: TensorShapeInfo): EmittedLoss {
  const dims = info.dims(output);
  const dt = info.dataType(output);
  const n = dims.reduce((a, d) => a * d, 1);
  const diff = b.sub(output, targets);
  const loss = b.reduce('ReduceMean', b.mul(diff, diff), null, false);
  const seed = b.mul(diff, b.scalar(2 / n, dt));
  return { loss, seeds: new Map([[output, seed]]), inputs: [makeValueInfo(targets, dt, dims)] };
}

// L = Σ_o ⟨R_o, y_o⟩ ⇒ dy_o = R_o
function weightedSum(b: GradBuilder, weights: Record<string, string>, info: TensorShapeInfo): EmittedLoss {
  const seeds = new Map<string, string>();
  const inputs: ValueInfo[] = [];
  let loss: string | null = null;
  for (const [output, r] of Object.entries(weights)) {
    const term = b.reduce('ReduceSum', b.mul(r, output), null, false);
    loss = loss === null ? term : b.add(loss, term);
    seeds.set(output, r);
    inputs.push(makeValueInfo(r, info.dataType(output), info.dims(output)));
  }
  if (loss === null) throw new Error('a weighted-sum loss needs at least one output');
  return { loss, seeds, inputs };
}
