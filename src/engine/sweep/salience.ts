// Single-unit salience for `controls: { match: salience }`: each unit's ablation effect on L_n(w*), measured with
// the same paired model as the sweep (every unit of a component's tensor and axis, at the component's positions),
// so that matched controls can be drawn with the circuit's distribution of salience.
import type { CircuitComponent } from '../../protocol/hypothesis';
import type { DialDraw } from '../dials/dial';
import { unitsAlong, UnitSet } from './controls';
import type { DrawMetrics } from './metrics';

/** Single-unit copies per graph: bounds the paired model's size. */
const UNITS_PER_GRAPH = 64;

export interface SalienceEvaluator {
  evaluate(draw: DialDraw): Promise<DrawMetrics>;
  releaseOwn(): Promise<void>;
}

/**
 * Per component, the effect of ablating each unit alone on L_n at the baseline draw:
 * (n_T·E_T^u + n_C·E_C^u)/n with the target metric set to the loss.
 */
export async function unitSalience(
  components: readonly CircuitComponent[],
  dims: (tensor: string) => readonly number[],
  build: (sets: readonly UnitSet[]) => Promise<SalienceEvaluator>,
  baseline: DialDraw,
  targetFraction: number,
): Promise<number[][]> {
  const out: number[][] = [];
  for (const c of components) {
    const n = unitsAlong(c, dims(c.tensor));
    const effect: number[] = [];
    for (let start = 0; start < n; start += UNITS_PER_GRAPH) {
      const sets: UnitSet[] = [];
      for (let u = start; u < Math.min(n, start + UNITS_PER_GRAPH); u++) sets.push([{ ...c, units: [u] }]);
      const evaluator = await build(sets);
      try {
        const m = await evaluator.evaluate(baseline);
        m.controlTargetEffect.forEach((t, k) => effect.push(targetFraction * t + (1 - targetFraction) * m.controlCollateralEffect[k]!));
      } finally {
        await evaluator.releaseOwn();
      }
    }
    out.push(effect);
  }
  return out;
}
