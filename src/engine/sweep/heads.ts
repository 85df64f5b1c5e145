/**
 * Per-example loss and target-metric heads appended to the paired model, so one run returns [batch] vectors
 * (clean, ablated and each control's loss and metric) instead of logits tensors. Every head averages over the non-batch axes (positions), so an
 * example's loss is the mean over its positions and L_n = mean over examples (docs/method.md). With per-position targets
 * (`perToken`) the heads return one value per token instead, and the means are taken over the selected tokens.
 *
 * The metric head is oriented so that larger = more damage: `loss` is the loss itself, `logit-diff` is
 * −(logit[label] − logit[contrast or runner-up]), `accuracy` is the error rate 1 − [argmax = label].
 */
import type { LossKind, TargetMetric } from '../../protocol/hypothesis';
import { builderFor } from '../onnx/graph';
import { DataType, ModelProto } from '../onnx/proto';
import { cloneModel, makeValueInfo } from '../onnx/rewrite';

export const LABELS_INPUT = 'sweep/labels';

/** How labels are fed: class indices (int64, output dims minus the class axis), or one float per output element. */
export type LabelForm = 'index' | 'soft' | 'value';

export interface HeadSpec {
  loss: LossKind;
  metric: TargetMetric;
  labels: LabelForm;
  /** logit-diff: compare the label's logit with this class instead of the runner-up. */
  contrast?: number;
  /** Per-position targets: one value per token ([batch, tokens]) instead of the mean over an example's positions. */
  perToken?: boolean;
}

export interface HeadOutputs {
  cleanLoss: string;
  ablatedLoss: string;
  /** Absent when the metric is the loss. */
  cleanMetric?: string;
  ablatedMetric?: string;
  /** Per control set k = 1…K: its loss and (absent when the metric is the loss) metric vectors. */
  controlLoss: string[];
  controlMetric?: string[];
}

/** Adds the heads for `clean`/`ablated` outputs and makes the four per-example vectors the only graph outputs. */
export function appendHeads(model: ModelProto, pair: { clean: string; ablated: string; controls?: readonly string[] }, spec: HeadSpec): { model: ModelProto; outputs: HeadOutputs } {
  if (spec.loss === 'mse' && spec.metric !== 'loss') throw new Error(`metric '${spec.metric}' needs class logits; with an mse loss use metric: loss`);
  if (spec.loss === 'mse' && spec.labels !== 'value') throw new Error('an mse loss needs labels with one value per output element');
  if (spec.loss === 'cross-entropy' && spec.labels === 'value') throw new Error('cross-entropy needs class-index or probability labels');
  const m = cloneModel(model);
  const b = builderFor(m, 'heads/');
  const mean = (t: string, name: string): string => (spec.perToken
    ? b.op('Identity', [b.reshape(t, [0, -1])], {}, name)
    : b.op('Identity', [b.reduce('ReduceMean', b.reshape(t, [0, -1]), [1], false)], {}, name));

  // Class indices with a trailing axis of 1, shared by both copies.
  let index: string | undefined;
  if (spec.loss === 'cross-entropy') index = spec.labels === 'index' ? b.unsqueeze(LABELS_INPUT, [-1]) : b.op('ArgMax', [LABELS_INPUT], { axis: -1, keepdims: 1 });

  const head = (logits: string, side: string): { loss: string; metric?: string } => {
    let loss: string;
    if (spec.loss === 'mse') {
      const d = b.sub(logits, LABELS_INPUT);
      loss = mean(b.mul(d, d), `sweep/${side}/loss`);
    } else {
      const logp = b.op('LogSoftmax', [logits], { axis: -1 });
      const nll = spec.labels === 'index'
        ? b.neg(b.pickLast(logp, index!))
        : b.neg(b.reduce('ReduceSum', b.mul(LABELS_INPUT, logp), [-1], false));
      loss = mean(nll, `sweep/${side}/loss`);
    }
    if (spec.metric === 'loss') return { loss };
    if (spec.metric === 'accuracy') {
      const hit = b.cast(b.op('Equal', [b.op('ArgMax', [logits], { axis: -1, keepdims: 1 }), index!]), DataType.FLOAT);
      return { loss, metric: mean(b.sub(b.scalarFloat(1, 'one'), hit), `sweep/${side}/metric`) };
    }
    const own = b.pickLast(logits, index!);
    let other: string;
    if (spec.contrast !== undefined) {
      other = b.op('Gather', [logits, b.constInt64([spec.contrast])], { axis: -1 });
    } else {
      const [values, indices] = b.topK(logits, 2, -1);
      const first = b.constInt64([0]);
      const second = b.constInt64([1]);
      const topIsLabel = b.op('Equal', [b.op('Gather', [indices!, first], { axis: -1 }), index!]);
      other = b.op('Where', [topIsLabel, b.op('Gather', [values!, second], { axis: -1 }), b.op('Gather', [values!, first], { axis: -1 })]);
    }
    return { loss, metric: mean(b.sub(other, own), `sweep/${side}/metric`) };
  };

  const clean = head(pair.clean, 'clean');
  const ablated = head(pair.ablated, 'ablated');
  const controls = (pair.controls ?? []).map((c, k) => head(c, `control/${k + 1}`));
  m.graph.node.push(...b.nodes);
  m.graph.initializer.push(...b.initializers);
  const labelType = spec.labels === 'index' ? 'int64' : 'float32';
  m.graph.input = [...m.graph.input, makeValueInfo(LABELS_INPUT, labelType, null)];
  const outputs: HeadOutputs = { cleanLoss: clean.loss, ablatedLoss: ablated.loss, controlLoss: controls.map((c) => c.loss) };
  if (clean.metric && ablated.metric) {
    outputs.cleanMetric = clean.metric;
    outputs.ablatedMetric = ablated.metric;
    outputs.controlMetric = controls.map((c) => c.metric!);
  }
  const names = [clean.loss, ablated.loss, clean.metric, ablated.metric, ...controls.flatMap((c) => [c.loss, c.metric])].filter((x): x is string => x !== undefined);
  m.graph.output = names.map((name) => makeValueInfo(name, 'float32', spec.perToken ? ['batch', 'tokens'] : ['batch']));
  return { model: m, outputs };
}
