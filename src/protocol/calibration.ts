// The sampler calibration grid's request and report: plain data, sent to the worker and back (src/protocol/worker.ts),
// printed by the CLI's `calibrate` and used by the editor's "Calibrate Sampler". The grid itself is
// src/engine/sweep/calibrationGrid.ts.

export interface CalibrationParams {
  /** Absolute path of the hypothesis file (its temperatures, sgld settings, weights and data). */
  hypothesis: string;
  /** Step sizes to try (default: eight rungs of the auto ladder, 3.3e-3 … 1.5e-6). */
  stepSizes?: number[];
  chains?: number;
  steps?: number;
}

export interface CalibrationCell {
  nbeta: number;
  stepSize: number;
  /** Mean MALA acceptance over the chains' steps (NaN, null in JSON, when every chain diverged at once). */
  acceptance: number;
  /** λ̂ over the second half of each chain (null when a chain diverged). */
  llc: number | null;
  /** Split-R̂ of the chains' loss traces, second halves (null when it cannot be computed). */
  rhat: number | null;
  diverged: boolean;
}

export interface CalibrationRow {
  nbeta: number;
  /** The largest step size with acceptance ≥ 0.9 and no divergence; null when none qualifies. */
  recommended: number | null;
  cells: CalibrationCell[];
}

export interface CalibrationReport {
  hypothesis: string;
  n: number;
  localization: number;
  batchSize: number;
  chains: number;
  steps: number;
  /** The hypothesis's temperatures, one per row. */
  levels: number[];
  rows: CalibrationRow[];
  /** The smallest per-level recommendation (one ε for every level); null when some level has none. */
  recommended: number | null;
}
