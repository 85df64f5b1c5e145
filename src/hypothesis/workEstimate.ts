// What a sweep costs, stated before it starts: sampler steps and paired evaluations (each one forward pass of the
// clean network plus K + 1 intervened copies over every example), at the MLP rates of bench/README.md (≈ 500 steps/s,
// ≈ 50 paired evaluations/s per core), spread over the workers that can run at once (one per chain and level).
// A larger model is slower in proportion: the estimate says "at a small MLP's pace". And a cheaper first look.
import type { Hypothesis } from '../protocol/hypothesis';
import { numberDefault } from '../protocol/hypothesisSchema';
import { autoThin, burnInStart, drawsCap, thinPilotSteps } from '../protocol/sgldSchedule';

export const STEPS_PER_CORE_SECOND = 500;
export const EVALUATIONS_PER_CORE_SECOND = 50;

export interface SweepWork {
  levels: number;
  chains: number;
  /** Kept draws per chain (sgld; `draws: auto` counts its cap, an upper bound), noise samples per level, 1 for a checkpoint. */
  draws: number;
  steps: number;
  evaluations: number;
  coreSeconds: number;
  /** Chains × levels: how many workers can share the work. */
  units: number;
}

interface DegradationLike {
  dial?: Hypothesis['degradation']['dial'];
  temperatures?: { levels?: readonly (number | undefined)[] };
  checkpoints?: readonly (string | undefined)[];
  sgld?: { chains?: number; draws?: number | string; maxDraws?: number; burnIn?: number | string; thin?: number | string; stepSize?: number | string; localization?: number; sampler?: string };
  noise?: { samples?: number };
}

/** ε as `stepSize: auto` is counted before it runs: the rung the examples' pilots chose at most levels (1e-2/3⁴). */
const AUTO_STEP_SIZE_GUESS = 1e-2 / 3 ** 4;
/** Rungs of 100-step pilots (two passes a step: the step and its MALA check) tried before that one is reached. */
const AUTO_STEP_PILOT_PASSES = 5 * 100 * 2;
/** preconditioned-sgld's metric pilot (src/engine/dials/sgldMetric.ts: windows of 200 and 400 steps), and with
 *  `stepSize: auto` a recalibration after each window (about two rungs each). */
const METRIC_PILOT_PASSES = 600;
const METRIC_RECALIBRATION_PASSES = 2 * 2 * 100 * 2;

/**
 * The chains' burn-in and thin, and the pilots' passes per level, with the `auto` settings counted before they run (they are calibrated at run time, so this is an
 * estimate): the step-size pilots, the burn-in's b₀ = max(100, 3·2/(εγ)) for every chain plus its 2·b₀ pilot,
 * `thin: auto` as one relaxation time 2/(εγ) per kept draw (it is measured at run time) plus its pilot, and the
 * preconditioned sampler's metric pilot. The metric's speed-up is not counted: the estimate is SGLD's.
 */
function schedule(s: DegradationLike['sgld']): { burnIn: number; thin: number; pilotPasses: number } {
  const stepAuto = typeof s?.stepSize !== 'number';
  const stepSize = typeof s?.stepSize === 'number' ? s.stepSize : AUTO_STEP_SIZE_GUESS;
  const gamma = s?.localization ?? numberDefault(['degradation', 'sgld', 'localization']);
  const burnIn = typeof s?.burnIn === 'number' ? s.burnIn : burnInStart(stepSize, gamma);
  const burnInPilot = typeof s?.burnIn === 'number' ? 0 : 2 * burnIn;
  const thin = typeof s?.thin === 'number' ? s.thin : s?.thin === 'auto' ? autoThin(stepSize, gamma) : 1;
  const thinPilot = s?.thin === 'auto' ? burnIn + thinPilotSteps(thin) : 0;
  const metricPilot = s?.sampler === 'preconditioned-sgld' ? METRIC_PILOT_PASSES + (stepAuto ? METRIC_RECALIBRATION_PASSES : 0) : 0;
  return { burnIn, thin, pilotPasses: (stepAuto ? AUTO_STEP_PILOT_PASSES : 0) + burnInPilot + thinPilot + metricPilot };
}

export function sweepWork(d: DegradationLike): SweepWork {
  const levels = d.temperatures?.levels?.length ?? d.checkpoints?.length ?? 0;
  const sgld = d.dial === 'sgld';
  const chains = sgld ? d.sgld?.chains ?? numberDefault(['degradation', 'sgld', 'chains']) : 1;
  const draws = sgld ? drawsCap(d.sgld, numberDefault(['degradation', 'sgld', 'draws'])) : d.dial === 'checkpoints' ? 1 : d.noise?.samples ?? numberDefault(['degradation', 'noise', 'samples']);
  const s = schedule(d.sgld);
  const steps = sgld ? levels * (chains * (s.burnIn + draws * s.thin) + s.pilotPasses) : 0;
  const evaluations = levels * chains * draws;
  return { levels, chains, draws, steps, evaluations, coreSeconds: steps / STEPS_PER_CORE_SECOND + evaluations / EVALUATIONS_PER_CORE_SECOND, units: levels * chains };
}

/** Wall-clock seconds on `workers` processes (each level's chains and the levels are shared out). */
export function wallSeconds(w: SweepWork, workers: number): number {
  const parallel = Math.max(1, Math.min(workers, w.units));
  return w.coreSeconds / parallel;
}

/**
 * A first look at a quarter or less of the work: every other level (the grid's ends kept, at least 4), and for sgld
 * at most 2 chains of 50 draws after 50 burn-in steps (also in place of `burnIn: auto`, whose pilots alone can cost
 * more than that); for noise dials at most 4 samples. The null (controls) stays:
 * the verdict's tests stay what they are, with wider intervals.
 */
export function cheaperPreset(h: Hypothesis): Hypothesis {
  const d = h.degradation;
  const levels = d.temperatures.levels;
  const thinned = levels.length <= 4 ? levels : levels.filter((_, i) => i % 2 === 0 || i === levels.length - 1);
  const out: Hypothesis = structuredClone(h);
  if (d.dial !== 'checkpoints') out.degradation.temperatures = { ...d.temperatures, levels: thinned };
  if (d.dial === 'sgld') {
    out.degradation.sgld = { ...d.sgld, chains: Math.min(d.sgld.chains, 2), draws: Math.min(drawsCap(d.sgld), 50), burnIn: typeof d.sgld.burnIn === 'number' ? Math.min(d.sgld.burnIn, 50) : 50 };
  } else if (d.dial !== 'checkpoints') {
    out.degradation.noise = { ...d.noise, samples: Math.max(2, Math.min(d.noise.samples, 4)) };
  }
  out.circuit = { ...h.circuit, name: `${h.circuit.name} (quick look)` };
  return out;
}
