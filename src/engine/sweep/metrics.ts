/**
 * The paired quantities of one draw (docs/method.md), from the per-example head outputs of the paired model,
 * all on the same weights and the same evaluation rows:
 *   L_n = mean clean loss over all rows, L_T / L_C = the same over target / control rows,
 *   M_T = mean clean metric over target rows (oriented: larger = more damage),
 *   E_T = M_T(I(f_w)) − M_T(f_w) over target rows, E_C = L_C(I(f_w)) − L_C(f_w) over control rows,
 *   and E_T^k, E_C^k the same for each matched random control set k = 1…K.
 */

import type { ChainSeries, DrawQuantity } from '../../protocol/shard';
import { IGNORED_TOKEN } from '../data/tokens';

export interface DrawMetrics {
  /** L_n(w): clean loss over all evaluation rows. */
  loss: number;
  /** L_T(w) and L_C(w). */
  targetLoss: number;
  controlLoss: number;
  /** M_T(f_w), oriented. */
  targetMetric: number;
  /** E_T = M_T(I(f_w)) − M_T(f_w). */
  targetEffect: number;
  /** E_C = L_C(I(f_w)) − L_C(f_w). */
  collateralEffect: number;
  /** E_T^k and E_C^k of the control sets k = 1…K (index k − 1). */
  controlTargetEffect: number[];
  controlCollateralEffect: number[];
  /** Sample standard deviations over rows of the per-row target and collateral effects (how much a mean over a
   *  subset of rows would move with another subset). */
  rowSd: { targetEffect: number; collateralEffect: number };
  /** Row sampling error of this draw's means: the sd over rows of each per-row value over √rows, for the circuit's
   *  effects and for its per-row excess over the controls' mean (E − mean_k E^k, paired on the row). */
  rowSe: RowSe;
}

/** Row standard errors of one draw: [E_T, E_C, X_T, X_C] (the excesses are 0 without controls). */
export type RowSe = [number, number, number, number];

/** Each of a chain's per-draw quantities (DRAW_QUANTITIES, src/protocol/shard.ts) from a draw and the baseline. */
export const DRAW_VALUE: { readonly [K in DrawQuantity]: (m: DrawMetrics, base: DrawMetrics) => ChainSeries[K][number] } = {
  targetEffect: (m) => m.targetEffect,
  collateralEffect: (m) => m.collateralEffect,
  lossGap: (m, base) => m.loss - base.loss,
  controlLossGap: (m, base) => m.controlLoss - base.controlLoss,
  targetLossGap: (m, base) => m.targetLoss - base.targetLoss,
  controlTargetEffect: (m) => m.controlTargetEffect,
  controlCollateralEffect: (m) => m.controlCollateralEffect,
};

export function isFiniteDraw(m: DrawMetrics): boolean {
  const scalars = [m.loss, m.targetLoss, m.controlLoss, m.targetMetric, m.targetEffect, m.collateralEffect];
  return scalars.every(Number.isFinite) && m.controlTargetEffect.every(Number.isFinite) && m.controlCollateralEffect.every(Number.isFinite);
}

/** Per-example outputs of one batch: clean/ablated loss and (optional) clean/ablated metric, [batch] each. */
export interface BatchRows {
  cleanLoss: ArrayLike<number>;
  ablatedLoss: ArrayLike<number>;
  cleanMetric?: ArrayLike<number>;
  ablatedMetric?: ArrayLike<number>;
  /** Per control set: ablated loss and (optional) metric, [batch] each. */
  controlLoss?: readonly ArrayLike<number>[];
  controlMetric?: readonly ArrayLike<number>[];
}

/** Sums over evaluation batches; rows beyond `valid` (padding of a fixed-size last batch) are ignored. */
export class PairedAccumulator {
  private all = 0;
  private target = 0;
  private control = 0;
  private sumLoss = 0;
  private sumTargetLoss = 0;
  private sumControlLoss = 0;
  private sumTargetMetric = 0;
  private sumTargetEffect = 0;
  private sumCollateral = 0;
  private squaresTargetEffect = 0;
  private squaresCollateral = 0;
  private sumTargetExcess = 0;
  private squaresTargetExcess = 0;
  private sumCollateralExcess = 0;
  private squaresCollateralExcess = 0;
  private sumControlTarget: Float64Array;
  private sumControlCollateral: Float64Array;

  constructor(readonly controls = 0) {
    this.sumControlTarget = new Float64Array(controls);
    this.sumControlCollateral = new Float64Array(controls);
  }

  /** @param isTarget 1 for a target row, 0 for a control row, IGNORED_TOKEN for a token scored nowhere, aligned with the batch rows (or tokens) */
  add(rows: BatchRows, isTarget: ArrayLike<number>, valid = isTarget.length): void {
    const cm = rows.cleanMetric ?? rows.cleanLoss;
    const am = rows.ablatedMetric ?? rows.ablatedLoss;
    const controlMetric = rows.controlMetric ?? rows.controlLoss;
    for (let i = 0; i < valid; i++) {
      if (isTarget[i] === IGNORED_TOKEN) continue;
      const clean = rows.cleanLoss[i]!;
      this.sumLoss += clean;
      this.all++;
      if (isTarget[i]) {
        this.target++;
        this.sumTargetLoss += clean;
        this.sumTargetMetric += cm[i]!;
        const effect = am[i]! - cm[i]!;
        this.sumTargetEffect += effect;
        this.squaresTargetEffect += effect * effect;
        let others = 0;
        for (let k = 0; k < this.controls; k++) {
          const e = controlMetric![k]![i]! - cm[i]!;
          this.sumControlTarget[k] += e;
          others += e;
        }
        const excess = this.controls > 0 ? effect - others / this.controls : 0;
        this.sumTargetExcess += excess;
        this.squaresTargetExcess += excess * excess;
      } else {
        this.control++;
        this.sumControlLoss += clean;
        const collateral = rows.ablatedLoss[i]! - clean;
        this.sumCollateral += collateral;
        this.squaresCollateral += collateral * collateral;
        let others = 0;
        for (let k = 0; k < this.controls; k++) {
          const e = rows.controlLoss![k]![i]! - clean;
          this.sumControlCollateral[k] += e;
          others += e;
        }
        const excess = this.controls > 0 ? collateral - others / this.controls : 0;
        this.sumCollateralExcess += excess;
        this.squaresCollateralExcess += excess * excess;
      }
    }
  }

  result(): DrawMetrics {
    if (this.target === 0 || this.control === 0) throw new Error(emptyRowsMessage(this.target, this.control));
    return {
      loss: this.sumLoss / this.all,
      targetLoss: this.sumTargetLoss / this.target,
      controlLoss: this.sumControlLoss / this.control,
      targetMetric: this.sumTargetMetric / this.target,
      targetEffect: this.sumTargetEffect / this.target,
      collateralEffect: this.sumCollateral / this.control,
      controlTargetEffect: Array.from(this.sumControlTarget, (v) => v / this.target),
      controlCollateralEffect: Array.from(this.sumControlCollateral, (v) => v / this.control),
      rowSd: { targetEffect: sampleSd(this.sumTargetEffect, this.squaresTargetEffect, this.target), collateralEffect: sampleSd(this.sumCollateral, this.squaresCollateral, this.control) },
      rowSe: [
        sampleSd(this.sumTargetEffect, this.squaresTargetEffect, this.target) / Math.sqrt(this.target),
        sampleSd(this.sumCollateral, this.squaresCollateral, this.control) / Math.sqrt(this.control),
        sampleSd(this.sumTargetExcess, this.squaresTargetExcess, this.target) / Math.sqrt(this.target),
        sampleSd(this.sumCollateralExcess, this.squaresCollateralExcess, this.control) / Math.sqrt(this.control),
      ],
    };
  }
}

/** √(Σ(x − x̄)² / (m − 1)) from Σx and Σx² (0 for a single row). */
function sampleSd(sum: number, squares: number, m: number): number {
  return m > 1 ? Math.sqrt(Math.max(0, squares - (sum * sum) / m) / (m - 1)) : 0;
}

/** A draw with no target or no control example to average over, and what decides the two sets. */
export function emptyRowsMessage(target: number, control: number): string {
  return `the evaluation rows hold ${target} target and ${control} control examples; both sets must be non-empty: data.target selects the target `
    + 'examples and every other one is the control task (labels equal to data.ignoreIndex count in neither), so make it select some and leave some out'
    + ' (with evaluation.rows, evaluate more rows)';
}
