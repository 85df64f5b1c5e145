// The loss of the best constant predictor on the target (or control) rows (docs/method.md, "Behaviour present"): the reference a
// degraded network is compared with to decide whether it still does the target task at all. It is computed on the
// rows every draw evaluates, with the loss head's own averaging (per example, mean over positions or elements).
import type { LossKind } from '../../protocol/hypothesis';
import { NdArray, toFloat64 } from '../data/ndarray';
import type { LabelForm } from './heads';

/**
 * cross-entropy, class indices: the entropy of the target labels' pooled class frequencies (the constant
 * prediction q = those frequencies minimises mean −log q(y)); probability labels: the entropy of the mean label
 * distribution (same argument); mse: the mean squared deviation of each label element from its mean over rows.
 * Null when there are no target rows.
 */
export function constantTargetLoss(loss: LossKind, form: LabelForm, labels: NdArray, rows: readonly number[]): number | null {
  if (rows.length === 0) return null;
  const values = toFloat64(labels).data as Float64Array;
  const perRow = labels.shape.slice(1).reduce((a, d) => a * d, 1);
  if (loss === 'mse') {
    const mean = new Float64Array(perRow);
    for (const r of rows) for (let j = 0; j < perRow; j++) mean[j] += values[r * perRow + j]! / rows.length;
    let s = 0;
    for (const r of rows) for (let j = 0; j < perRow; j++) s += (values[r * perRow + j]! - mean[j]!) ** 2;
    return s / (rows.length * perRow);
  }
  const counts = new Map<number, number>();
  let total = 0;
  if (form === 'index') {
    for (const r of rows) {
      for (let j = 0; j < perRow; j++) {
        const y = values[r * perRow + j]!;
        if (y < 0) continue;
        counts.set(y, (counts.get(y) ?? 0) + 1);
        total++;
      }
    }
  } else {
    const classes = labels.shape[labels.shape.length - 1] ?? 1;
    for (const r of rows) {
      for (let j = 0; j < perRow; j++) {
        const c = j % classes;
        counts.set(c, (counts.get(c) ?? 0) + values[r * perRow + j]!);
        if (c === 0) total++;
      }
    }
  }
  if (!(total > 0)) return null;
  let h = 0;
  for (const n of counts.values()) {
    const p = n / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
