// What a sweep costs, stated before it starts: sampler steps and paired evaluations (each one forward pass of the
// clean network plus K + 1 intervened copies over every example), at the MLP rates of bench/README.md (≈ 500 steps/s,
// ≈ 50 paired evaluations/s per core), spread over the workers that can run at once (one per chain and level).
// A larger model is slower in proportion: the estimate says "at a small MLP's pace". sampler: hmc counts full-data
// gradients instead of its chains' steps: leapfrog steps × iterations. And a cheaper first look.
import type { Hypothesis } from '../protocol/hypothesis';
import { defaultAt, numberDefault } from '../protocol/hypothesisSchema';
import { HMC_BURN_IN_START, HMC_LEAPFROG_GUESS, HMC_THIN_GUESS, hmcThinPilotIterations, hmcWarmUpIterations } from '../protocol/hmcSchedule';
import { burnInAfter, drawsAutoAim, drawsCap, EXPONENTIAL_RUNG_GUESS, exponentialRelaxationGuess, KINETIC_FRICTION_PILOT, kineticRelaxationSteps, relaxationSteps, thinAfter, thinPilotSteps } from '../protocol/sgldSchedule';

export const STEPS_PER_CORE_SECOND = 500;
export const EVALUATIONS_PER_CORE_SECOND = 50;

export interface SweepWork {
  levels: number;
  chains: number;
  /** Kept draws per chain (sgld; `draws: auto` as counted, see `sweepWork`), noise samples per level, 1 for a checkpoint. */
  draws: number;
  /** sgld `draws: auto`: its cap, the most kept draws a chain runs (else `draws`). */
  mostDraws: number;
  /** sgld `draws: auto`: chains stop at a target ESS, so `draws` is a count before the run, not the run's. */
  drawsUntilEss: boolean;
  /** Minibatch sampler steps (sgld's chains and pilots; hmc's metric pilot and step-size ladder). */
  steps: number;
  /** hmc: full-data gradient evaluations (one per leapfrog step: leapfrog steps × iterations); 0 for the others. */
  gradients: number;
  evaluations: number;
  coreSeconds: number;
  /** Chains × levels: how many workers can share the work. */
  units: number;
  /** sgld: steps of one chain (burn-in + draws × thin); 0 for hmc and the other dials. */
  unitSteps: number;
  /** hmc: full-data gradients of one chain ((burn-in + draws × thin) iterations × L̄ leapfrog steps); 0 otherwise. */
  unitGradients: number;
  /** sgld: passes of one level's calibration pilots (every worker that runs a chain of the level runs them: their
   *  streams are keyed by seed and level, not shared between processes). */
  pilotPasses: number;
  /** hmc: full-data gradients of one level's pilots (the warm-up, the burn-in and thin pilots); 0 otherwise. */
  pilotGradients: number;
  /** Whether an `auto` setting is counted by a guess (its real length is measured at run time). */
  guessed: boolean;
}

/**
 * One level's calibration as the sampler ran it (the cost pilot calibrates the grid's middle level: src/worker/
 * costPilot.ts): the burn-in and thin its `auto` pilots chose. The estimate counts them, and the burn-in and thin
 * pilots they make, at every level in place of the modelled ones (the levels' own differ: the range stays wide).
 */
export interface MeasuredCalibration {
  burnIn: number;
  thin: number;
}

interface DegradationLike {
  dial?: Hypothesis['degradation']['dial'];
  levels?: readonly (number | undefined)[];
  checkpoints?: readonly (string | undefined)[];
  grid?: { checkpoints?: readonly (string | undefined)[] };
  sgld?: { chains?: number; draws?: number | string; maxDraws?: number; burnIn?: number | string; thin?: number | string; stepSize?: number | string; localization?: number; sampler?: string; batchSize?: number };
  noise?: { samples?: number };
}

/**
 * `draws: auto` with `thin: auto`, counted before it runs: each chain stops once its ESS reaches its aim (250 per
 * chain at the verdict's default 100, drawsAutoAim), and at one kept draw per autocorrelation time of the loss and the
 * distance (what `thin: auto` measures) the verdict's slowest quantity carried 0.3–0.7 effective samples a draw on the
 * modular sgld example (185–444 draws to ESS 117–169 per chain): about two draws per effective sample. With a fixed
 * thin the draws may be far apart or close, and the cap is all that is known.
 */
export const DRAWS_AUTO_GUESS = 2 * drawsAutoAim({ essPerChain: numberDefault(['verdict', 'essPerChain']), rhat: numberDefault(['verdict', 'rhat']) });

/** A setting as given, else the schema's default (draws and thin default to auto). */
function sgldDefault(s: DegradationLike['sgld'], key: 'draws' | 'thin'): number | string {
  const v = s?.[key] ?? defaultAt(['degradation', 'sgld', key]);
  if (typeof v !== 'number' && typeof v !== 'string') throw new Error(`the hypothesis spec gives degradation.sgld.${key} no default`);
  return v;
}

/** ε as `stepSize: auto` is counted before it runs: the rung the examples' pilots chose at most levels (1e-2/3⁴). */
const AUTO_STEP_SIZE_GUESS = 1e-2 / 3 ** 4;
/** Rungs of 100-step pilots (two passes a step: the step and its MALA check) tried before that one is reached. */
const AUTO_STEP_PILOT_PASSES = 5 * 100 * 2;
/** preconditioned-sgld's metric pilot (src/engine/dials/sgldMetric.ts: windows of 200 and 400 steps), and a
 *  recalibration after each window (about two rungs each): with `stepSize: auto`, and always for hmc and
 *  exponential-sgld. */
const METRIC_PILOT_PASSES = 600;
const METRIC_RECALIBRATION_PASSES = 2 * 2 * 100 * 2;

/**
 * The relaxation time, in steps, of the sampler's slowest direction: what `burnIn: auto` starts from (three of them)
 * and `thin: auto` is counted as before it runs. SGLD's is the localization pull's 2/(εγ); exponential-sgld relaxes
 * every weight at its reference's rate, 3^k/2 steps at rung k of its ladder (counted at a guessed rung:
 * `exponentialRelaxationGuess`); kinetic-langevin damps the pull's direction critically, 2/√(εγ). preconditioned-sgld's
 * is 2/(ε·P_max), P_max the metric pilot's stiffest curvature,
 * unknown before it runs: counted as SGLD's pull, which it is below (the planted example measured 2–4× below). A
 * pilot's measured calibration replaces both guesses (`MeasuredCalibration`).
 */
function relaxationBeforeRun(s: DegradationLike['sgld'], stepSize: number, gamma: number): number {
  if (s?.sampler === 'exponential-sgld') return exponentialRelaxationGuess();
  return s?.sampler === 'kinetic-langevin' ? kineticRelaxationSteps(stepSize, gamma) : relaxationSteps(stepSize, gamma);
}

/**
 * The chains' burn-in and thin, and the pilots' passes per level, with the `auto` settings counted before they run
 * (they are calibrated at run time, so this is an estimate; `measured`, one level's real calibration, replaces the
 * model): the step-size pilots, the burn-in's b₀ = max(100, 3·τ) for every chain plus its 2·b₀ pilot, `thin: auto`
 * as one relaxation time τ per kept draw (it is measured at run time) plus its pilot, and the preconditioned
 * samplers' metric pilot; τ is the sampler's (`relaxationBeforeRun`).
 */
function schedule(s: DegradationLike['sgld'], measured?: MeasuredCalibration): { burnIn: number; thin: number; pilotPasses: number } {
  const stepAuto = typeof s?.stepSize !== 'number';
  const stepSize = typeof s?.stepSize === 'number' ? s.stepSize : AUTO_STEP_SIZE_GUESS;
  const gamma = s?.localization ?? numberDefault(['degradation', 'sgld', 'localization']);
  const relaxation = relaxationBeforeRun(s, stepSize, gamma);
  const burnIn = typeof s?.burnIn === 'number' ? s.burnIn : measured?.burnIn ?? burnInAfter(relaxation);
  const thin = typeof s?.thin === 'number' ? s.thin : s?.thin === 'auto' ? measured?.thin ?? thinAfter(relaxation) : 1;
  const burnInPilot = typeof s?.burnIn === 'number' ? 0 : 2 * burnIn;
  const thinPilot = s?.thin === 'auto' ? burnIn + thinPilotSteps(thin) : 0;
  // exponential-sgld runs SGLD's ladder and the recalibrated metric pilot whatever ε says, then (auto) its own
  // ladder from its top rung down to the guessed one; preconditioned-sgld recalibrates only with stepSize: auto.
  const exponential = s?.sampler === 'exponential-sgld';
  const metricPilot = s?.sampler === 'preconditioned-sgld' || exponential ? METRIC_PILOT_PASSES + (stepAuto || exponential ? METRIC_RECALIBRATION_PASSES : 0) : 0;
  const ladders = (stepAuto || exponential ? AUTO_STEP_PILOT_PASSES : 0) + (exponential && stepAuto ? (EXPONENTIAL_RUNG_GUESS + 1) * 100 * 2 : 0);
  const frictionPilot = s?.sampler === 'kinetic-langevin' ? KINETIC_FRICTION_PILOT : 0;
  return { burnIn, thin, pilotPasses: ladders + burnInPilot + thinPilot + metricPilot + frictionPilot };
}

/**
 * hmc's schedule in iterations before it runs: burn-in (auto: b₀ = 40 for every chain plus its 2·b₀ pilot), thin
 * (auto: HMC_THIN_GUESS plus its pilot, after a burn-in), the two-window warm-up, all at HMC_LEAPFROG_GUESS leapfrog
 * steps per iteration (L̄ = ⌈T/ε⌉, and T is always warmed up); and its minibatch pilots: preconditioned-sgld's metric
 * pilot with its ε recalibrated after each window, and SGLD's ladder only with `stepSize: auto` (a given leapfrog
 * step skips it).
 */
function hmcSchedule(s: DegradationLike['sgld']): { burnIn: number; thin: number; pilotPasses: number; pilotIterations: number } {
  const burnIn = typeof s?.burnIn === 'number' ? s.burnIn : HMC_BURN_IN_START;
  const burnInPilot = typeof s?.burnIn === 'number' ? 0 : 2 * burnIn;
  const thin = typeof s?.thin === 'number' ? s.thin : s?.thin === 'auto' ? HMC_THIN_GUESS : 1;
  const thinPilot = s?.thin === 'auto' ? burnIn + hmcThinPilotIterations(thin) : 0;
  const ladder = typeof s?.stepSize === 'number' ? 0 : AUTO_STEP_PILOT_PASSES;
  return { burnIn, thin, pilotPasses: ladder + METRIC_PILOT_PASSES + METRIC_RECALIBRATION_PASSES, pilotIterations: hmcWarmUpIterations() + burnInPilot + thinPilot };
}

/** The work of a sweep; `measured`: one level's calibration as a pilot ran it (the Langevin samplers only). `count`:
 *  `draws: auto` as expected (DRAWS_AUTO_GUESS with `thin: auto`, else its cap), or at `most` (its cap: an upper
 *  bound). */
export function sweepWork(d: DegradationLike, measured?: MeasuredCalibration, count: 'expected' | 'most' = 'expected'): SweepWork {
  // A two-dial map (degradation.grid) runs every level at every checkpoint: its cells are the levels of its sweep.
  const levels = (d.levels?.length ?? d.checkpoints?.length ?? 0) * (d.grid?.checkpoints?.length ?? 1);
  const sgld = d.dial === 'sgld';
  const chains = sgld ? d.sgld?.chains ?? numberDefault(['degradation', 'sgld', 'chains']) : 1;
  const hmc = sgld && d.sgld?.sampler === 'hmc';
  const settings = sgld ? { ...d.sgld, draws: sgldDefault(d.sgld, 'draws'), thin: sgldDefault(d.sgld, 'thin') } : undefined;
  const mostDraws = settings ? drawsCap(settings) : d.dial === 'checkpoints' ? 1 : d.noise?.samples ?? numberDefault(['degradation', 'noise', 'samples']);
  const drawsUntilEss = settings?.draws === 'auto';
  const draws = drawsUntilEss && count === 'expected' && settings?.thin === 'auto' ? Math.min(mostDraws, DRAWS_AUTO_GUESS) : mostDraws;
  const s = sgld && !hmc ? schedule(settings, measured) : undefined;
  const h = hmc ? hmcSchedule(settings) : undefined;
  const unitSteps = s ? s.burnIn + draws * s.thin : 0;
  const unitGradients = h ? (h.burnIn + draws * h.thin) * HMC_LEAPFROG_GUESS : 0;
  const pilotPasses = (s ?? h)?.pilotPasses ?? 0;
  const pilotGradients = h ? h.pilotIterations * HMC_LEAPFROG_GUESS : 0;
  const steps = levels * (chains * unitSteps + pilotPasses);
  const gradients = levels * (chains * unitGradients + pilotGradients);
  const evaluations = levels * chains * draws;
  // stepSize, burnIn and thin default to auto (src/protocol/hypothesisSchema.ts); hmc's L̄ is always a guess.
  const guessed = hmc || (sgld && (typeof d.sgld?.stepSize !== 'number' || typeof d.sgld?.burnIn !== 'number' || settings?.thin === 'auto' || draws < mostDraws));
  return {
    levels, chains, draws, mostDraws, drawsUntilEss, steps, gradients, evaluations, units: levels * chains,
    // At the bench's rates a full-data gradient counts as a step: a small MLP's batch is its data (a pilot measures it).
    coreSeconds: (steps + gradients) / STEPS_PER_CORE_SECOND + evaluations / EVALUATIONS_PER_CORE_SECOND,
    unitSteps, unitGradients, pilotPasses, pilotGradients, guessed,
  };
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
  const out: Hypothesis = structuredClone(h);
  const d = out.degradation;
  const levels = d.levels;
  if (d.dial !== 'checkpoints') d.levels = levels.length <= 4 ? levels : levels.filter((_, i) => i % 2 === 0 || i === levels.length - 1);
  if (d.dial === 'sgld') {
    d.sgld = { ...d.sgld, chains: Math.min(d.sgld.chains, 2), draws: Math.min(drawsCap(d.sgld), 50), burnIn: typeof d.sgld.burnIn === 'number' ? Math.min(d.sgld.burnIn, 50) : 50 };
  } else if (d.dial !== 'checkpoints') {
    d.noise.samples = Math.max(2, Math.min(d.noise.samples, 4));
  }
  out.circuit = { ...h.circuit, name: `${h.circuit.name} (quick look)` };
  return out;
}

/**
 * Seconds of one worker process per piece of work: measured on this machine by a pilot (src/worker/costPilot.ts: a
 * few draws and steps of the actual model, in a worker) or, before one has run, the bench's small-MLP rates.
 */
export interface WorkRates {
  /** Paid once before the units: the plan's check, the workers' start, loading, the controls and the baseline. */
  fixedSeconds: number;
  /** One kept draw: the paired evaluation (clean + K + 1 intervened copies over every example), with its noise. */
  evaluationSeconds: number;
  /** One sampler step (sgld); a pilot's MALA pass counts as one too. */
  stepSeconds: number;
  /** One full-data gradient (hmc's leapfrog step: a forward and backward pass over all n examples). */
  gradientSeconds: number;
}

/** The bench's rates (a small MLP on one core): what an estimate without a pilot or a previous run assumes. The bench
 *  knows no data size: a full-data gradient counts as a step (the small MLP's batch is its whole data). */
export const BENCH_RATES: Readonly<WorkRates> = { fixedSeconds: 1, evaluationSeconds: 1 / EVALUATIONS_PER_CORE_SECOND, stepSeconds: 1 / STEPS_PER_CORE_SECOND, gradientSeconds: 1 / STEPS_PER_CORE_SECOND };

/**
 * Wall-clock seconds of the work on `workers` processes at `rates`. The units (level, chain) are dealt round-robin
 * (src/worker/parallel.ts), so the busiest worker runs ⌈units/P⌉ of them; a level's calibration pilots run in every
 * worker that runs one of its chains (min(chains, P) of them), shared out over the P workers.
 */
export function wallSecondsAt(w: SweepWork, rates: WorkRates, workers: number): number {
  const parallel = Math.max(1, Math.min(workers, w.units));
  const unitSeconds = w.draws * rates.evaluationSeconds + w.unitSteps * rates.stepSeconds + w.unitGradients * rates.gradientSeconds;
  const pilotSeconds = w.pilotPasses * rates.stepSeconds + w.pilotGradients * rates.gradientSeconds;
  const calibration = (w.levels * Math.min(w.chains, parallel) * pilotSeconds) / parallel;
  return rates.fixedSeconds + Math.ceil(w.units / parallel) * unitSeconds + calibration;
}

/** Where an estimate's rates came from, best first ('scaled': the last run of other settings of the same file). */
export type CostBasis = 'last-run' | 'scaled' | 'pilot' | 'bench';

export interface CostRange {
  /** The central estimate and the range stated around it (seconds of wall time). */
  seconds: number;
  low: number;
  high: number;
  basis: CostBasis;
  /** Whether `auto` sampler settings were counted by a guess (the widest range). */
  guessed: boolean;
}

/**
 * How far the wall time may stray from the estimate, as factors (low, high), by what it rests on:
 * - the last run of the same settings: the same work, on a machine whose load may differ (×0.7…1.5);
 * - a pilot: the per-draw and per-step times are measured, the counts are exact; a shared machine's load, the
 *   first draws' warm-up and the workers' contention for memory remain (×0.6…1.8); the same for the last run of
 *   other settings, scaled by the modelled ratio of the work;
 * - `auto` sampler settings: ε, the burn-in and the thin are chosen at run time; ε one rung of the ladder lower
 *   (÷3) triples the pull's relaxation time and with it the burn-in and the thin, so the counts are good to ×3;
 * - the bench's rates: the model is not measured at all (a larger one is slower in proportion; ×0.5…10).
 */
export function costRange(seconds: number, basis: CostBasis, guessed: boolean): CostRange {
  const [lo, hi] = basis === 'bench' ? [0.5, 10] : guessed ? [1 / 3, 3] : basis === 'last-run' ? [0.7, 1.5] : [0.6, 1.8];
  return { seconds, low: seconds * lo, high: seconds * hi, basis, guessed };
}

/** What the previous run of the same file recorded (its results file): wall time, setup, the units' own seconds. */
export interface LastRun {
  totalSeconds: number;
  setupSeconds: number;
  /** Σ of the levels' seconds: the units' work, summed over the workers that ran it (core-seconds). */
  unitSeconds: number;
  /** The worker processes it ran on (results files record them; older ones do not: then as many as now). */
  workers?: number;
  degradation: DegradationLike;
}

/**
 * The wall time of `now` on `workers` processes from a previous run: what it spent outside its units (its wall
 * time less its units' core-seconds over its workers) plus its units' core-seconds, scaled by the modelled ratio of
 * the two plans' work (1 for the same settings), over this run's workers. The same settings on as many workers
 * give the previous wall time back.
 */
export function fromLastRun(last: LastRun, now: DegradationLike, workers: number, rates: WorkRates = BENCH_RATES): { seconds: number; sameWork: boolean } {
  const before = sweepWork(last.degradation);
  const after = sweepWork(now);
  const parallelNow = Math.max(1, Math.min(workers, after.units));
  const parallelBefore = Math.max(1, Math.min(last.workers ?? workers, before.units));
  const fixed = Math.max(0, last.totalSeconds - last.unitSeconds / parallelBefore);
  const core = (w: SweepWork) => wallSecondsAt(w, { ...rates, fixedSeconds: 0 }, 1);
  const sameWork = JSON.stringify(canonical(last.degradation)) === JSON.stringify(canonical(now));
  const ratio = sameWork ? 1 : core(after) / Math.max(core(before), 1e-12);
  return { seconds: fixed + (last.unitSeconds * ratio) / parallelNow, sameWork };
}

/** The settings that decide the work, in a fixed key order (a results file's JSON may order them otherwise). */
function canonical(d: DegradationLike): unknown {
  const w = sweepWork(d);
  return [d.dial, d.levels, d.checkpoints?.length, w.chains, w.draws, d.sgld?.stepSize ?? null, d.sgld?.burnIn ?? null, d.sgld?.thin ?? null, d.sgld?.localization ?? null, d.sgld?.sampler ?? null];
}

/** "≈ 15–40 s", "≈ 50 s–2 min", "≈ 40 min–2 h": the range in the coarsest unit that keeps it readable. */
export function formatRange(r: Pick<CostRange, 'low' | 'high'>): string {
  const [lo, hi] = [r.low, r.high].map((s) => roundDuration(s));
  const unit = (s: number) => (s < 60 ? 's' : s < 3600 ? 'min' : 'h');
  const value = (s: number) => (s < 60 ? s : s < 3600 ? s / 60 : s / 3600);
  const show = (s: number) => {
    const v = value(s);
    return v >= 10 || s < 60 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
  };
  if (show(lo) === show(hi) && unit(lo) === unit(hi)) return `≈ ${show(lo)} ${unit(lo)}`;
  return unit(lo) === unit(hi) ? `≈ ${show(lo)}–${show(hi)} ${unit(hi)}` : `≈ ${show(lo)} ${unit(lo)}–${show(hi)} ${unit(hi)}`;
}

/** Two significant figures (at least a second): a range is no more precise than that. */
function roundDuration(seconds: number): number {
  const s = Math.max(1, seconds);
  const scale = s < 60 ? 1 : s < 3600 ? 60 : 3600;
  const v = s / scale;
  const digits = v >= 10 || scale === 1 ? 0 : 1;
  return Number(v.toFixed(digits)) * scale;
}
