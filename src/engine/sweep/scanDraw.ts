/**
 * One draw of a scan (docs/method.md, "The entanglement map"): the paired graph holds one intervened copy per
 * scanned unit, and this sums its per-row head outputs into every unit's E_T and E_C, with the row standard errors
 * of each unit's effects and of its excess over the other units of its component (the unit's null), as
 * PairedAccumulator does for a circuit and its controls.
 *
 * Per row, with e_j the effect of copy j and S_c the sum over component c's copies, unit j's excess is
 * x_j = e_j − (S_c − e_j)/(m_c − 1) = a·e_j − b·S_c (a = m_c/(m_c − 1), b = 1/(m_c − 1)), so
 * Σx² = a²Σe² − 2ab·Σe·S + b²ΣS²: three running sums per unit and one per component give every unit's spread.
 */
import { IGNORED_TOKEN } from '../data/tokens';
import type { BatchSink } from './evaluation';
import { type BatchRows, emptyRowsMessage } from './metrics';

export interface ScanDrawMetrics {
  loss: number;
  targetLoss: number;
  controlLoss: number;
  targetMetric: number;
  /** Per copy (unit), E_T and E_C. */
  targetEffect: Float64Array;
  collateralEffect: Float64Array;
  /** Per copy, the row standard errors [E_T, E_C, X_T, X_C] (X: the excess over its component's other units). */
  rowSe: Float64Array[];
}

class Side {
  rows = 0;
  readonly sum: Float64Array;
  readonly squares: Float64Array;
  readonly cross: Float64Array;
  readonly componentSquares: Float64Array;
  readonly componentSums: Float64Array;
  readonly rowSum: Float64Array;
  readonly e: Float64Array;

  constructor(copies: number, components: number) {
    this.sum = new Float64Array(copies);
    this.squares = new Float64Array(copies);
    this.cross = new Float64Array(copies);
    this.e = new Float64Array(copies);
    this.componentSquares = new Float64Array(components);
    this.componentSums = new Float64Array(components);
    this.rowSum = new Float64Array(components);
  }

  /** One row's effects, e[j] already written. */
  add(componentOf: Int32Array): void {
    this.rows++;
    const { e, rowSum } = this;
    rowSum.fill(0);
    for (let j = 0; j < e.length; j++) rowSum[componentOf[j]!] += e[j]!;
    for (let c = 0; c < rowSum.length; c++) {
      this.componentSums[c] += rowSum[c]!;
      this.componentSquares[c] += rowSum[c]! * rowSum[c]!;
    }
    for (let j = 0; j < e.length; j++) {
      const v = e[j]!;
      this.sum[j] += v;
      this.squares[j] += v * v;
      this.cross[j] += v * rowSum[componentOf[j]!]!;
    }
  }

  mean(j: number): number {
    return this.sum[j]! / this.rows;
  }

  se(j: number): number {
    return sd(this.sum[j]!, this.squares[j]!, this.rows) / Math.sqrt(this.rows);
  }

  excessSe(j: number, c: number, m: number): number {
    if (m < 2) return 0;
    const a = m / (m - 1);
    const b = 1 / (m - 1);
    const sum = a * this.sum[j]! - b * this.componentSums[c]!;
    const squares = a * a * this.squares[j]! - 2 * a * b * this.cross[j]! + b * b * this.componentSquares[c]!;
    return sd(sum, squares, this.rows) / Math.sqrt(this.rows);
  }
}

/** √(Σ(x − x̄)² / (m − 1)) from Σx and Σx². */
function sd(sum: number, squares: number, m: number): number {
  return m > 1 ? Math.sqrt(Math.max(0, squares - (sum * sum) / m) / (m - 1)) : 0;
}

/** Sums a scan's batches; copy 0 is the evaluator's "circuit" copy, copies 1… its "controls": here all are units. */
export class ScanAccumulator implements BatchSink<ScanDrawMetrics> {
  private all = 0;
  private sumLoss = 0;
  private sumTargetLoss = 0;
  private sumControlLoss = 0;
  private sumTargetMetric = 0;
  private readonly target: Side;
  private readonly control: Side;
  private readonly sizes: Int32Array;

  /** @param componentOf the component (map row) of every copy, in copy order */
  constructor(private readonly componentOf: Int32Array, components: number) {
    this.target = new Side(componentOf.length, components);
    this.control = new Side(componentOf.length, components);
    this.sizes = new Int32Array(components);
    for (const c of componentOf) this.sizes[c]++;
  }

  add(rows: BatchRows, kind: ArrayLike<number>, valid: number): void {
    const cm = rows.cleanMetric ?? rows.cleanLoss;
    const am = rows.ablatedMetric ?? rows.ablatedLoss;
    const controlMetric = rows.controlMetric ?? rows.controlLoss ?? [];
    const controlLoss = rows.controlLoss ?? [];
    const copies = this.componentOf.length;
    for (let i = 0; i < valid; i++) {
      if (kind[i] === IGNORED_TOKEN) continue;
      const clean = rows.cleanLoss[i]!;
      this.sumLoss += clean;
      this.all++;
      if (kind[i]) {
        this.sumTargetLoss += clean;
        const base = cm[i]!;
        this.sumTargetMetric += base;
        const e = this.target.e;
        e[0] = am[i]! - base;
        for (let j = 1; j < copies; j++) e[j] = controlMetric[j - 1]![i]! - base;
        this.target.add(this.componentOf);
      } else {
        this.sumControlLoss += clean;
        const e = this.control.e;
        e[0] = rows.ablatedLoss[i]! - clean;
        for (let j = 1; j < copies; j++) e[j] = controlLoss[j - 1]![i]! - clean;
        this.control.add(this.componentOf);
      }
    }
  }

  result(): ScanDrawMetrics {
    const t = this.target;
    const c = this.control;
    if (t.rows === 0 || c.rows === 0) throw new Error(emptyRowsMessage(t.rows, c.rows));
    const copies = this.componentOf.length;
    return {
      loss: this.sumLoss / this.all,
      targetLoss: this.sumTargetLoss / t.rows,
      controlLoss: this.sumControlLoss / c.rows,
      targetMetric: this.sumTargetMetric / t.rows,
      targetEffect: Float64Array.from({ length: copies }, (_, j) => t.mean(j)),
      collateralEffect: Float64Array.from({ length: copies }, (_, j) => c.mean(j)),
      rowSe: Array.from({ length: copies }, (_, j) => {
        const k = this.componentOf[j]!;
        const m = this.sizes[k]!;
        return Float64Array.of(t.se(j), c.se(j), t.excessSe(j, k, m), c.excessSe(j, k, m));
      }),
    };
  }
}
