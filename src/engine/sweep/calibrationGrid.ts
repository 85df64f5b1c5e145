// The ε × nβ calibration grid (devinterp's EpsilonBetaAnalyzer, here with the same-minibatch MALA acceptance): for
// every nβ and step size, a few short chains from w*, and per cell the mean MALA acceptance, λ̂ = nβ·(mean L_B −
// L_n(w*)) over the chains' second halves, R̂ of their loss traces, and whether a chain diverged. The recommended
// step size at an nβ is the largest whose chains stayed finite with acceptance ≥ 0.9 (the `stepSize: auto` rule).
import type { CalibrationCell, CalibrationParams, CalibrationReport, CalibrationRow } from '../../protocol/calibration';
import type { Hypothesis, SgldSettings } from '../../protocol/hypothesis';
import { defaultAt } from '../../protocol/hypothesisSchema';
import { splitRhat } from './convergence';
import { loadSweepInputs } from './inputs';
import { DIVERGENCE_FACTOR, STEP_LADDER } from '../dials/sgld';
import { fullDataLoss } from '../dials/sgldLoss';
import { SgldSampler } from '../dials/sgldSampler';
import { DialDivergence } from '../dials/dial';
import { PILOT_ACCEPTANCE } from '../dials/sgld';
import { DIALS } from '../../protocol/dials';

export type { CalibrationCell, CalibrationRow } from '../../protocol/calibration';

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

/** Eight rungs of the auto ladder, 3.3e-3 … 1.5e-6. */
export const DEFAULT_CALIBRATION_STEP_SIZES = STEP_LADDER.slice(1, 9);

/**
 * The grid at a checked hypothesis's temperatures, with its sgld settings (batch size, localization, nβ), weights
 * (restricted ones too) and data: what the CLI's `calibrate` prints and the editor's "Calibrate Sampler" charts.
 */
export async function calibrateHypothesis(h: Hypothesis, o: Omit<CalibrationParams, 'hypothesis'> & { signal?: AbortSignal } = {}): Promise<CalibrationReport> {
  const d = h.degradation;
  if (DIALS[d.dial].levels !== 'temperatures') throw new Error('calibrate needs temperatures: the checkpoints dial has none; use a hypothesis with dial: sgld');
  // The sampler's settings of an sgld hypothesis; a noise dial's grid is calibrated with the schema's sgld defaults.
  const sgld = d.dial === 'sgld' ? d.sgld : defaultAt(['degradation', 'sgld']) as SgldSettings;
  const inputs = await loadSweepInputs(h);
  const loss = { kind: h.loss.kind, output: h.loss.output };
  const initLoss = await fullDataLoss(inputs.model.proto, loss, inputs.data);
  const sampler = await SgldSampler.create({
    model: inputs.model.proto, parameters: inputs.parameters.map((p) => p.name), anchor: inputs.initialWeights, loss, data: inputs.data, batchSize: sgld.batchSize,
  });
  const levels = [...d.levels];
  const chains = o.chains ?? 2, steps = o.steps ?? 100;
  try {
    const rows = await calibrationGrid({
      sampler, initLoss, divergenceLoss: initLoss + DIVERGENCE_FACTOR * Math.max(Math.abs(initLoss), 1),
      nbetas: levels.map((t) => (sgld.nbeta ?? inputs.n) / t), stepSizes: [...(o.stepSizes ?? DEFAULT_CALIBRATION_STEP_SIZES)].sort((a, b) => b - a),
      localization: sgld.localization, chains, steps, seed: h.degradation.seed, signal: o.signal,
    });
    const perLevel = rows.map((r) => r.recommended);
    const recommended = perLevel.some((r) => r === null) ? null : Math.min(...(perLevel as number[]));
    return { hypothesis: h.file, n: inputs.n, localization: sgld.localization, batchSize: sampler.batchSize, chains, steps, levels, rows, recommended };
  } finally {
    await sampler.dispose();
  }
}
