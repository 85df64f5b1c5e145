// The ε × nβ calibration grid (devinterp's EpsilonBetaAnalyzer, here with the same-minibatch MALA acceptance): for
// every nβ and step size, a few short chains from w*, and per cell the mean MALA acceptance, λ̂ = nβ·(mean L_B −
// L_n(w*)) over the chains' second halves, R̂ of their loss traces, and whether a chain diverged. The recommended
// step size at an nβ is the largest whose chains stayed finite with acceptance ≥ 0.9 (the `stepSize: auto` rule).
import { splitRhat } from './convergence';
import { DialDivergence } from '../dials/dial';
import { PILOT_ACCEPTANCE } from '../dials/sgld';
import type { SgldSampler } from '../dials/sgldSampler';

export interface CalibrationCell {
  nbeta: number;
  stepSize: number;
  /** Mean MALA acceptance over the chains' steps (NaN when every chain diverged at once). */
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

export interface CalibrationGridSpec {
  sampler: SgldSampler;
  /** L_n(w*), what λ̂ subtracts. */
  initLoss: number;
  divergenceLoss: number;
  nbetas: readonly number[];
  stepSizes: readonly number[];
  localization: number;
  chains: number;
  steps: number;
  seed: number;
  signal?: AbortSignal;
  /** After each cell. */
  onCell?: (cell: CalibrationCell, done: number, total: number) => void;
}

/** Key of the grid's chains after (seed, nβ, ε): apart from sweep chains and pilots. */
const GRID_STREAM = -2;

export async function calibrationGrid(s: CalibrationGridSpec): Promise<CalibrationRow[]> {
  const rows: CalibrationRow[] = [];
  const total = s.nbetas.length * s.stepSizes.length;
  let done = 0;
  for (const nbeta of s.nbetas) {
    const cells: CalibrationCell[] = [];
    for (const stepSize of s.stepSizes) {
      const traces: number[][] = [];
      let accepted = 0, counted = 0, diverged = false;
      for (let chain = 0; chain < s.chains && !diverged; chain++) {
        const losses: number[] = [];
        try {
          for await (const d of s.sampler.chain({
            stepSize, nbeta, localization: s.localization, burnIn: 0, draws: s.steps, thin: 1, malaEvery: 1,
            key: [s.seed, nbeta, stepSize, GRID_STREAM, chain], chain, divergenceLoss: s.divergenceLoss, signal: s.signal,
          })) {
            losses.push(d.loss);
            if (Number.isFinite(d.acceptance)) { accepted += d.acceptance; counted++; }
          }
        } catch (e) {
          if (!(e instanceof DialDivergence)) throw e;
          diverged = true;
        }
        traces.push(losses.slice(Math.floor(losses.length / 2)));
      }
      const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
      const llc = diverged ? null : nbeta * (mean(traces.map(mean)) - s.initLoss);
      const rhat = diverged || s.chains < 2 ? null : splitRhat(traces);
      const cell: CalibrationCell = { nbeta, stepSize, acceptance: counted ? accepted / counted : NaN, llc, rhat: rhat === null || Number.isNaN(rhat) ? null : rhat, diverged };
      cells.push(cell);
      s.onCell?.(cell, ++done, total);
    }
    const ok = cells.filter((c) => !c.diverged && c.acceptance >= PILOT_ACCEPTANCE).map((c) => c.stepSize);
    rows.push({ nbeta, recommended: ok.length ? Math.max(...ok) : null, cells });
  }
  return rows;
}
