// What a sweep will cost on this machine, before it runs (issue 28 item 3, issue 25 item 4): the work model of
// hypothesis/workEstimate.ts at rates measured by a short pilot of the actual model in a worker process (a few
// kept draws of one level, and for sgld a few hundred steps; for hmc also full-data gradients), or, when the same
// file ran before with the same settings, that run's own seconds. Stated as a range (workEstimate.ts, `costRange`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Hypothesis } from '../protocol/hypothesis';
import type { UnitResult } from '../protocol/shard';
import { readResultsFile } from '../engine/sweep/readResults';
import {
  BENCH_RATES, type CostRange, costRange, formatRange, fromLastRun, type LastRun, type MeasuredCalibration, type SweepWork, sweepWork, wallSecondsAt, type WorkRates,
} from '../hypothesis/workEstimate';
import { WorkerClient, type WorkerClientOptions } from './client';

/** ε the sgld pilot steps at when the hypothesis says `stepSize: auto` (the rung the examples' pilots chose most). */
const PILOT_STEP_SIZE = 1e-2 / 3 ** 4;
/** Kept draws of the pilot: the first one (sessions warming up) is not timed, the others are. */
const PILOT_DRAWS = 4;
/** The sgld pilot's thinned chain aims at about this many seconds of steps per kept draw (20…2000 steps). */
const STEP_PILOT_SECONDS = 1;

export interface PilotRates extends WorkRates {
  /** Wall seconds the pilot itself took. */
  pilotSeconds: number;
  /** preconditioned-sgld and exponential-sgld with `burnIn` or `thin` auto: the middle level's calibration as the
   *  sampler ran it (`calibrationHypothesis`); absent when it did not run or diverged. */
  calibration?: MeasuredCalibration;
}

export interface PilotOptions extends WorkerClientOptions {
  /** onnxruntime threads of the pilot's sessions: those of one worker of the run (cores ÷ workers). */
  threads?: number;
  signal?: AbortSignal;
}

/** What one pilot unit showed: its seconds, the seconds per draw after the first, and the plan's numbers. */
interface PilotRun {
  unit: UnitResult;
  setup: number;
  /** Seconds per kept draw after the first (from the worker's progress clock), or null when too few reports came. */
  pace: number | null;
  n: number;
  controls: number;
}

/**
 * Seconds per draw after the first, from a unit's progress reports (worker clock, `fraction` = draws done ÷ draws):
 * the first report comes after the first draw, which carries the sessions' warm-up and the sampler's burn-in.
 */
export function drawPace(reports: readonly { elapsedSeconds: number; fraction: number }[], draws: number): number | null {
  if (reports.length < 2) return null;
  const [a, b] = [reports[0]!, reports[reports.length - 1]!];
  const done = (b.fraction - a.fraction) * draws;
  return done >= 0.5 ? (b.elapsedSeconds - a.elapsedSeconds) / done : null;
}

/**
 * The per-draw and per-step seconds of `h` on this machine: one level (the grid's middle) of a cut-down copy of the
 * hypothesis runs in a worker of its own, PILOT_DRAWS kept draws, timed after the first. sgld (at the given ε, or the
 * usual auto rung): that chain at thin 1 gives a step and an evaluation per draw; a second chain at thin T gives T
 * steps and an evaluation per draw; their difference is T − 1 steps. hmc's leapfrog step is a full-data gradient:
 * a third chain steps on all n examples at once (one forward and backward over the whole data, as the leapfrog's
 * gradient, and an update linear in the weights, as its kick and drift), and its draws less an evaluation are its
 * steps; when the batch already holds every example, that is the step. The fixed cost is the worker's start, the
 * setup it reports (load, controls, baseline) and the first draw's warm-up. The hypothesis's check is not in it: the
 * command that starts the sweep has resolved the hypothesis before (src/worker/resolve.ts, the editor's check).
 */
export async function pilotRates(h: Hypothesis, options: PilotOptions = {}): Promise<PilotRates> {
  const started = performance.now();
  const client = new WorkerClient(options);
  try {
    const spawnStart = performance.now();
    await client.start();
    const spawn = (performance.now() - spawnStart) / 1000;
    const run = async (pilot: Hypothesis): Promise<PilotRun> => {
      let unit: UnitResult | undefined;
      let setup = 0, n = 1, controls = 0;
      const reports: { elapsedSeconds: number; fraction: number }[] = [];
      await client.runShard({ hypothesis: pilot, units: [{ levelIndex: 0, chain: 0 }], ...(options.threads ? { threads: options.threads } : {}) }, {
        onHeader: ({ header }) => {
          setup = header.setupSeconds;
          n = header.document.data.n;
          controls = header.document.controls?.count ?? 0;
        },
        onProgress: (p) => { if (p.unitsDone === 0 && p.fraction > 0) reports.push({ elapsedSeconds: p.elapsedSeconds, fraction: p.fraction }); },
        onUnit: ({ unit: u }) => { unit = u; },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!unit) throw new Error('the cost pilot returned no work unit');
      const draws = Math.max(1, unit.trace.lossGap.length);
      return { unit, setup, pace: unit.trace.diverged ? null : drawPace(reports, draws), n, controls };
    };
    const first = await run(pilotHypothesis(h, 1));
    const perDraw = first.pace ?? first.unit.seconds / Math.max(1, first.unit.trace.lossGap.length);
    let evaluationSeconds = perDraw;
    let stepSeconds = 0;
    let gradientSeconds = 0;
    if (h.degradation.dial === 'sgld') {
      // A step runs one minibatch forward and backward (≈ 3 forward passes); an evaluation runs all n examples through
      // the clean network and K + 1 intervened copies: their ratio sizes the thin that makes the steps show.
      const guess = (perDraw * 3 * h.degradation.sgld.batchSize) / (first.n * (first.controls + 2));
      const thin = Math.round(Math.min(2000, Math.max(20, STEP_PILOT_SECONDS / Math.max(guess, 1e-7))));
      const second = await run(pilotHypothesis(h, thin));
      const thinned = second.pace ?? second.unit.seconds / Math.max(1, second.unit.trace.lossGap.length);
      stepSeconds = Math.max(0, thinned - perDraw) / (thin - 1);
      evaluationSeconds = Math.max(0, perDraw - stepSeconds);
      // Other samplers take no full-data gradient: modelled as n/B steps, for another plan at these rates.
      const batch = Math.min(h.degradation.sgld.batchSize, first.n);
      gradientSeconds = (stepSeconds * first.n) / batch;
      if (h.degradation.sgld.sampler === 'hmc' && batch < first.n) {
        const full = Math.round(Math.min(2000, Math.max(20, STEP_PILOT_SECONDS / Math.max(gradientSeconds, 1e-7))));
        const third = await run(pilotHypothesis(h, full, first.n));
        const perFullDraw = third.pace ?? third.unit.seconds / Math.max(1, third.unit.trace.lossGap.length);
        gradientSeconds = Math.max(0, perFullDraw - evaluationSeconds) / full;
      }
    }
    // The samplers whose slowest direction is their own metric pilot's, not the pull's: their relaxation (and so the
    // burn-in and thin `auto` chooses, and the pilots' length) is measured by calibrating one level as the sweep will.
    // A level that fails to calibrate leaves the model's counts (the sweep reports the failure itself).
    const calibrating = calibrationHypothesis(h);
    const calibration = calibrating ? await run(calibrating).then((r) => measuredCalibration(r.unit), (e: unknown) => {
      if (options.signal?.aborted) throw e;
      return undefined;
    }) : undefined;
    // Each worker's first draw also warms its sessions up: once per worker, in parallel, like the setup.
    const warmUp = first.pace === null ? 0 : Math.max(0, first.unit.seconds - first.pace * Math.max(1, first.unit.trace.lossGap.length));
    const fixedSeconds = spawn + first.setup + warmUp;
    return { fixedSeconds, evaluationSeconds, stepSeconds, gradientSeconds, pilotSeconds: (performance.now() - started) / 1000, ...(calibration ? { calibration } : {}) };
  } finally {
    await client.dispose();
  }
}

/**
 * The cut-down copy the pilot runs: the grid's middle level alone (checkpoints: the first checkpoint; a map: that
 * level at its first checkpoint), PILOT_DRAWS
 * draws; sgld: one chain from w* (no burn-in) at a fixed ε and the given thin, with the plain SGLD update (a
 * preconditioned chain's step adds an elementwise product; its metric pilot is counted by the work model), on
 * minibatches of `batchSize` when given (hmc's full-data pilot: n). hmc runs that SGLD chain too, at ε² of a given
 * leapfrog step (the Langevin step one leapfrog step makes).
 */
export function pilotHypothesis(h: Hypothesis, thin: number, batchSize?: number): Hypothesis {
  const out: Hypothesis = structuredClone(h);
  const d = out.degradation;
  d.levels = [d.levels[d.dial === 'checkpoints' ? 0 : Math.floor(d.levels.length / 2)]!];
  if (d.dial === 'checkpoints') {
    d.checkpoints = [d.checkpoints[0]!];
  } else if (d.dial === 'sgld') {
    const hmc = d.sgld.sampler === 'hmc';
    const stepSize = typeof d.sgld.stepSize === 'number' ? (hmc ? d.sgld.stepSize ** 2 : d.sgld.stepSize) : PILOT_STEP_SIZE;
    const sampler = d.sgld.sampler === 'preconditioned-sgld' || d.sgld.sampler === 'exponential-sgld' || hmc ? 'sgld' : d.sgld.sampler;
    d.sgld = { ...d.sgld, chains: 1, draws: PILOT_DRAWS, burnIn: 0, thin, stepSize, sampler, ...(batchSize !== undefined ? { batchSize } : {}) };
  } else {
    d.noise.samples = PILOT_DRAWS;
  }
  // A map's pilot is one cell: its middle column at the first checkpoint.
  if (d.grid) d.grid = { checkpoints: [d.grid.checkpoints[0]!], steps: [d.grid.steps[0]!] };
  return out;
}

/**
 * preconditioned-sgld's and exponential-sgld's `burnIn: auto` and `thin: auto` follow the relaxation time their
 * metric pilot finds (2/(ε·P_max), and 2/(ε·R) for exponential-sgld: on the planted example 2–4× and 4–12× shorter
 * than SGLD's pull, which the model counts before a pilot): the grid's middle level, the sampler and every setting as given, one chain of one
 * kept draw, calibrates as the sweep's levels will (null for other samplers, and when neither is auto: then the
 * model's counts are exact but for its ladders').
 */
export function calibrationHypothesis(h: Hypothesis): Hypothesis | null {
  const d = h.degradation;
  if (d.dial !== 'sgld' || (d.sgld.sampler !== 'preconditioned-sgld' && d.sgld.sampler !== 'exponential-sgld')) return null;
  if (d.sgld.burnIn !== 'auto' && d.sgld.thin !== 'auto') return null;
  const out: Hypothesis = structuredClone(h);
  const o = out.degradation as typeof d;
  o.levels = [d.levels[Math.floor(d.levels.length / 2)]!];
  o.sgld = { ...o.sgld, chains: 1, draws: 1 };
  if (o.grid) o.grid = { checkpoints: [o.grid.checkpoints[0]!], steps: [o.grid.steps[0]!] };
  return out;
}

/** What a calibrated unit recorded: its level's burn-in and thin (undefined when it diverged). */
function measuredCalibration(unit: UnitResult): MeasuredCalibration | undefined {
  if (unit.trace.diverged || unit.burnIn === undefined || unit.thin === undefined) return undefined;
  return { burnIn: unit.burnIn, thin: unit.thin };
}

/** The previous run of the file, from its results file (null when there is none, or it cannot be read). */
export function lastRunOf(resultsPath: string, h: Hypothesis): LastRun | null {
  if (!fs.existsSync(resultsPath)) return null;
  try {
    const doc = readResultsFile(resultsPath);
    const resolved = doc.hypothesis.resolved as Partial<Hypothesis> | undefined;
    if (!resolved?.degradation || !doc.timings || !(doc.timings.totalSeconds > 0)) return null;
    // Another model (a path moved or renamed) is another cost: only the same model's run counts.
    if (!sameFile(doc.model.path, h.model, resultsPath)) return null;
    return {
      totalSeconds: doc.timings.totalSeconds,
      setupSeconds: doc.timings.setupSeconds,
      unitSeconds: doc.levels.reduce((s, l) => s + (l.seconds ?? 0), 0),
      ...(doc.timings.workers !== undefined ? { workers: doc.timings.workers } : {}),
      degradation: resolved.degradation,
    };
  } catch {
    return null;
  }
}

/** Whether a results file's model path (relative to the results file since v3) names the same file as `absolute`. */
function sameFile(recorded: string, absolute: string, resultsPath: string): boolean {
  return path.resolve(path.dirname(resultsPath), recorded) === path.resolve(absolute);
}

export interface CostEstimate {
  range: CostRange;
  work: SweepWork;
  workers: number;
  /** "≈ 15–40 s on 2 workers (pilot)". */
  text: string;
  /** The rates behind it (a pilot's or the bench's). */
  rates: WorkRates;
  /** The previous run's wall time, when the estimate rests on it. */
  lastSeconds?: number;
  /** The previous run itself (another plan of the same file scales from it). */
  last?: LastRun;
  /** The pilot's measured calibration of one level, when the work counts it. */
  calibration?: MeasuredCalibration;
}

export interface EstimateOptions extends PilotOptions {
  /** Worker processes the run will use (0 or absent: one per core, at most one per work unit). */
  workers?: number;
  /** Where the run writes its results: the previous run there counts when it had the same settings. */
  resultsPath?: string;
  /** Run a pilot (default true); false states the bench-rate estimate. */
  pilot?: boolean;
}

/** The workers a run of `h` uses: the setting, or one per core; at most one per work unit. */
export function workersFor(work: SweepWork, setting = 0, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(setting > 0 ? setting : cores, Math.max(1, work.units)));
}

/** The estimate: from the previous run with the same settings, else from a pilot, else at the bench's rates. */
export async function estimateCost(h: Hypothesis, options: EstimateOptions = {}): Promise<CostEstimate> {
  const work = sweepWork(h.degradation);
  const workers = workersFor(work, options.workers);
  const last = options.resultsPath ? lastRunOf(options.resultsPath, h) : null;
  if (last) {
    const scaled = fromLastRun(last, h.degradation, workers);
    if (scaled.sameWork) return { ...describe(costRange(scaled.seconds, 'last-run', false), work, workers, BENCH_RATES, last.totalSeconds), last };
  }
  if (options.pilot === false) return describe(costRange(wallSecondsAt(work, BENCH_RATES, workers), 'bench', work.guessed), work, workers, BENCH_RATES);
  const threads = options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / workers));
  const { calibration, ...rates } = await pilotRates(h, { ...options, threads });
  const measured = sweepWork(h.degradation, calibration);
  return { ...describe(costRange(wallSecondsAt(measured, rates, workers), 'pilot', measured.guessed), measured, workers, rates), ...(calibration ? { calibration } : {}) };
}

/** The estimate in the words every surface uses: "≈ 15–40 s on 2 workers (pilot; auto settings counted by a guess)". */
export function costText(range: CostRange, workers: number, lastSeconds?: number): string {
  const why = range.basis === 'last-run'
    ? `from the last run${lastSeconds !== undefined ? `, ${formatRange({ low: lastSeconds, high: lastSeconds }).slice(2)}` : ''}`
    : range.basis === 'scaled' ? 'scaled from the last run' : range.basis === 'pilot' ? 'measured by a pilot' : 'at a small MLP\'s pace, not measured';
  const guess = range.guessed && range.basis !== 'last-run' ? '; auto sampler settings are chosen at run time' : '';
  return `${formatRange(range)} on ${workers} worker${workers === 1 ? '' : 's'} (${why}${guess})`;
}

function describe(range: CostRange, work: SweepWork, workers: number, rates: WorkRates, lastSeconds?: number): CostEstimate {
  return { range, work, workers, rates, text: costText(range, workers, lastSeconds), ...(lastSeconds !== undefined ? { lastSeconds } : {}) };
}

/**
 * Another plan at an estimate's evidence (the quick look beside the full sweep), with no second pilot: the pilot's
 * rates, or the last run scaled by the modelled ratio of the two plans' work (a range as wide as a pilot's: the
 * ratio is modelled, not measured).
 */
export function estimateAt(h: Hypothesis, like: CostEstimate, workerSetting = 0): CostEstimate {
  const work = sweepWork(h.degradation, like.calibration);
  const workers = workersFor(work, workerSetting);
  if (like.last) {
    const scaled = fromLastRun(like.last, h.degradation, workers);
    return describe(costRange(scaled.seconds, scaled.sameWork ? 'last-run' : 'scaled', !scaled.sameWork && work.guessed), work, workers, like.rates);
  }
  return describe(costRange(wallSecondsAt(work, like.rates, workers), like.range.basis, work.guessed), work, workers, like.rates);
}
