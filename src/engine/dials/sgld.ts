// The `sgld` dial: draws from the tempered local posterior q_t(w) ∝ exp(−nβ·L_n(w) − (γ/2)|w − w*|²) with
// nβ = n/t (or nbeta/t when the hypothesis gives nbeta), sampled by SGLD (docs/method.md). One step session serves
// every level and chain; chain c at level t is reproducible from (seed, t, c) alone.
import { type LevelRecord, watanabeTemperature } from '../../protocol/dials';
import { Dial, DialContext, DialDivergence, DialDraw, degradationFor } from './dial';
import { fullDataLoss } from './sgldLoss';
import { MALA_STEPS } from './sgldMala';
import { estimateMetric, METRIC_PILOT_KEY } from './sgldMetric';
import { hasFedMetric } from './sgldGraph';
import { exponentialRelaxationSteps, referenceRate } from './sgldProposal';
import { SgldSampler } from './sgldSampler';
import { HmcSampler, meanLeapfrog } from './hmcSampler';
import { HMC_BURN_IN_START, HMC_THIN_PILOT, warmUpHmc } from './hmcLevel';
import { essBulk } from '../sweep/convergence';
import { BURN_IN_MIN, BURN_IN_RELAXATIONS, drawsCap, KINETIC_FRICTION_PILOT, kineticRelaxationSteps, relaxationSteps, THIN_PILOT_MAX, THIN_PILOT_MIN, THIN_PILOT_TAUS } from '../../protocol/sgldSchedule';

/** How far above L_n(w*) a minibatch loss may go before the chain counts as diverged, in units of max(L_n(w*), 1). */
export const DIVERGENCE_FACTOR = 100;

/** `stepSize: auto`: the ladder 1e-2, 1e-2/3, … (12 rungs, down to ~6e-8), 100-step pilots, acceptance ≥ 0.9. */
export const STEP_LADDER = Array.from({ length: 12 }, (_, k) => 1e-2 / 3 ** k);
/** exponential-sgld's ladder starts where every weight relaxes within a step (εR/2 = 2, ρ = e⁻², R the reference's
 *  largest precision): beyond it no weight mixes faster. Then ÷ 3 per rung, 12 rungs like SGLD's. */
export function exponentialLadder(rate: number): number[] {
  return Array.from({ length: 12 }, (_, k) => 4 / rate / 3 ** k);
}
export const PILOT_STEPS = 100;
export const PILOT_ACCEPTANCE = 0.9;
/** Key of the pilot chains' streams after (seed, level): apart from every real chain's index. */
const PILOT_STREAM = -1;
/** The burn-in and thin pilots' rung keys (the step-size pilots use the rungs 0…11). */
const BURN_IN_PILOT = -1;
const THIN_PILOT = -2;
/** Key of the hmc warm-up pilot after (seed, level): apart from the other pilots' (−1, −3). */
const HMC_WARMUP_KEY = -4;
/** Key of kinetic-langevin's friction pilot (KINETIC_FRICTION_PILOT steps) after (seed, level): apart from the others'. */
const KINETIC_PILOT_KEY = -5;

/** ...doubled until the pilot's loss trace after it is stationary, at most this many times. */
export const BURN_IN_DOUBLINGS = 4;
/** The two halves of the window after a candidate burn-in agree when their means differ by < this many SEs. */
export const STATIONARY_Z = 2;

/**
 * The burn-in of `burnIn: auto`: from b₀ = `start` steps (three relaxation times of the slowest direction, at least
 * 100: for SGLD the localization pull's 2/(εγ), with a metric the equalized time it aims at), doubled until the
 * pilot's loss trace over [b, 2b) is stationary: the means of its two halves agree within 2 standard errors (batch
 * means, which respect autocorrelation). `losses` is one pilot chain from w* (burn-in 0); it is read up to step 2b
 * only. Returns the last candidate when none passes (the sweep's R̂ then judges the chains).
 */
export async function calibrateBurnIn(losses: AsyncIterable<{ loss: number }>, start: number): Promise<{ burnIn: number; stationary: boolean }> {
  let b = start;
  const last = b * 2 ** BURN_IN_DOUBLINGS;
  const trace: number[] = [];
  for await (const d of losses) {
    trace.push(d.loss);
    if (trace.length < 2 * b) continue;
    if (stationaryHalves(trace.slice(b, 2 * b))) return { burnIn: b, stationary: true };
    if (b >= last) break;
    b *= 2;
  }
  return { burnIn: b, stationary: false };
}

/** Whether the two halves of a series have means within STATIONARY_Z standard errors (10 batch means each). */
export function stationaryHalves(series: readonly number[]): boolean {
  const half = Math.floor(series.length / 2);
  const a = batchMeans(series.slice(0, half)), b = batchMeans(series.slice(half, 2 * half));
  const se = Math.sqrt(a.se ** 2 + b.se ** 2);
  return Math.abs(a.mean - b.mean) <= STATIONARY_Z * se;
}

function batchMeans(series: readonly number[]): { mean: number; se: number } {
  const batches = 10;
  const size = Math.floor(series.length / batches);
  const means = Array.from({ length: batches }, (_, k) => series.slice(k * size, (k + 1) * size).reduce((a, v) => a + v, 0) / size);
  const mean = means.reduce((a, v) => a + v, 0) / batches;
  const variance = means.reduce((a, v) => a + (v - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}

export { THIN_PILOT_MAX, THIN_PILOT_MIN, THIN_PILOT_TAUS };

/**
 * The thin of `thin: auto`: the integrated autocorrelation time τ = N/ESS, in steps, of a pilot chain after its
 * burn-in, for its loss and for its squared distance from w* (the quantity the slow, pull-only directions move;
 * the minibatch loss alone hides them under its batch noise), the larger of the two; ESS is the verdict's bulk ESS
 * (Geyer's initial monotone sequence on the rank-normalized split series). Kept draws one τ apart carry about one
 * effective sample each, whatever the sampler. The pilot is read from THIN_PILOT_MIN steps, doubling until it holds
 * THIN_PILOT_TAUS times τ (a shorter one underestimates τ), at most THIN_PILOT_MAX; `measured` is false when the cap
 * came first (τ is then a lower bound, and the sweep's R̂ judges the chains).
 */
export async function measureThin(trace: AsyncIterable<{ loss: number; distance: number }>, limits: { min: number; max: number } = { min: THIN_PILOT_MIN, max: THIN_PILOT_MAX }): Promise<{ thin: number; tau: number; steps: number; measured: boolean }> {
  const loss: number[] = [], distance: number[] = [];
  let tau = 1;
  for await (const d of trace) {
    loss.push(d.loss);
    distance.push(d.distance ** 2);
    const n = loss.length;
    // Read at the powers of two from THIN_PILOT_MIN (both are powers of two).
    if (n < limits.min || (n & (n - 1)) !== 0) continue;
    tau = Math.max(1, ...[loss, distance].map((series) => {
      const ess = essBulk([series]);
      // A constant series (a frozen chain) has nothing to decorrelate.
      return Number.isFinite(ess) && ess > 0 ? n / ess : 1;
    }));
    if (n >= THIN_PILOT_TAUS * tau) return { thin: Math.ceil(tau), tau, steps: n, measured: true };
    if (n >= limits.max) break;
  }
  return { thin: Math.ceil(tau), tau, steps: loss.length, measured: false };
}

/**
 * The largest ε of the ladder whose pilot chain (from w*) stays finite with mean MALA acceptance ≥ 0.9: devinterp's
 * guidance for a step size that samples the posterior rather than a discretization of it. A diverging pilot counts
 * as too large. Throws DialDivergence when no rung qualifies.
 */
export async function calibrateStepSize(pilot: (stepSize: number, key: number[]) => AsyncIterable<{ acceptance: number }>, level: number, largest = Infinity, ladder: readonly number[] = STEP_LADDER, given?: { sampler: string; stepSize: number }): Promise<number> {
  let best: { stepSize: number; acceptance: number } | undefined;
  for (const [rung, stepSize] of ladder.entries()) {
    // A recalibration (a new metric) starts at plain SGLD's rung: a metric only adds to what the acceptance sees.
    if (stepSize > largest * (1 + 1e-9)) continue;
    let sum = 0, count = 0;
    try {
      for await (const d of pilot(stepSize, [PILOT_STREAM, rung])) {
        if (Number.isFinite(d.acceptance)) { sum += d.acceptance; count++; }
      }
    } catch (e) {
      if (e instanceof DialDivergence) continue;
      throw e;
    }
    const acceptance = count > 0 ? sum / count : NaN;
    if (acceptance >= PILOT_ACCEPTANCE) return stepSize;
    if (!best || acceptance > best.acceptance) best = { stepSize, acceptance };
  }
  const last = ladder[ladder.length - 1]!;
  const seen = best ? `; the best pilot reached ${best.acceptance.toFixed(2)} at ε = ${best.stepSize.toExponential(1)}` : '';
  // With a given step the ladder that failed is the metric pilot's own, which the given step does not set.
  const what = given ? `${given.sampler}'s metric pilot (stepSize ${given.stepSize} given) at t = ${level}` : `stepSize auto at t = ${level}`;
  const fix = given ? 'raise the grid\'s lowest temperature, or use sampler: sgld, which needs no metric pilot' : 'raise the grid\'s lowest temperature, or give a step size';
  throw new DialDivergence(`${what}: no step size down to ${last.toExponential(1)} keeps the MALA acceptance of a ${PILOT_STEPS}-step pilot ≥ ${PILOT_ACCEPTANCE}${seen}. The potential is too sharp at this temperature: ${fix}`, -1, 0);
}

/** What a chain's step is taken about: preconditioned-sgld's metric, exponential-sgld's reference precision, or the
 *  curvature kinetic-langevin's per-weight friction is set from. */
interface Proposal {
  metric?: readonly Float32Array[];
  precision?: readonly Float32Array[];
}

interface Calibrated {
  stepSize: number;
  burnIn: number;
  thin: number;
  /** preconditioned-sgld and hmc: the frozen metric every chain of the level runs with. */
  metric?: Float32Array[];
  /** exponential-sgld: the frozen Gaussian reference's precision every chain of the level runs with; kinetic-langevin:
   *  the curvature its per-weight friction is set from. */
  precision?: Float32Array[];
  /** hmc: the mean trajectory time T (stepSize is then the leapfrog step). */
  trajectory?: number;
  /** What the pilots cost (only when something was calibrated or estimated); hmc: how many passes were full-data
   *  gradients. */
  cost?: { passes: number; seconds: number; gradients?: number };
}

/** ‖w − w*‖ over every sampled weight (float64 sum). */
export function distanceFrom(weights: readonly Float32Array[], anchor: readonly Float32Array[]): number {
  let sum = 0;
  weights.forEach((w, i) => {
    const a = anchor[i]!;
    for (let k = 0; k < w.length; k++) { const d = w[k]! - a[k]!; sum += d * d; }
  });
  return Math.sqrt(sum);
}

/** A pilot's draws with their distance from w*. */
async function* withDistance(draws: AsyncIterable<{ loss: number; weights: Float32Array[] }>, anchor: readonly Float32Array[]): AsyncIterable<{ loss: number; distance: number }> {
  for await (const d of draws) yield { loss: d.loss, distance: distanceFrom(d.weights, anchor) };
}

export async function createSgldDial(ctx: DialContext): Promise<Dial> {
  const { levels, sgld: settings } = degradationFor(ctx, 'sgld');
  for (const t of levels) if (!(t > 0) || !Number.isFinite(t)) throw new Error(`sgld temperatures must be positive and finite; got ${t}`);
  // draws: auto yields up to its cap; the runner stops each chain once its ESS reaches the target.
  const drawsMost = drawsCap(settings);
  if (!(drawsMost >= 1) || !(settings.chains >= 1)) throw new Error('sgld needs at least one chain and one draw');
  const loss = { kind: ctx.loss.kind, output: ctx.loss.output };
  const initLoss = await fullDataLoss(ctx.model, loss, ctx.data);
  const divergenceLoss = initLoss + DIVERGENCE_FACTOR * Math.max(Math.abs(initLoss), 1);
  // hmc: the minibatch preconditioned-SGLD chain estimates the metric (and the ε it starts from); the full-data
  // HMC sampler draws.
  const isHmc = settings.sampler === 'hmc';
  const sampler = await SgldSampler.create({
    model: ctx.model, parameters: ctx.parameters.map((p) => p.name), anchor: ctx.initialWeights,
    loss, data: ctx.data, batchSize: settings.batchSize, threads: ctx.threads, sampler: settings.sampler === 'hmc' ? 'preconditioned-sgld' : settings.sampler ?? 'sgld',
  });
  const hmc = isHmc ? await HmcSampler.create({
    model: ctx.model, parameters: ctx.parameters.map((p) => p.name), anchor: ctx.initialWeights, loss, data: ctx.data, threads: ctx.threads,
  }) : undefined;
  const nbeta = (t: number) => (settings.nbeta ?? ctx.n) / t;
  // preconditioned-sgld, exponential-sgld and hmc estimate a metric; exponential-sgld then runs with its reference.
  const preconditioned = hasFedMetric(sampler.graph.sampler);
  const exponential = sampler.graph.sampler === 'exponential-sgld';
  // ε and burn-in per level: fixed, or calibrated once per level (every chain and every shard finds the same ones:
  // the pilots' streams are keyed by seed and level only).
  const chosen = new Map<number, Promise<Calibrated>>();
  const known = new Map<number, Calibrated>();
  const calibrated = (levelIndex: number, signal?: AbortSignal): Promise<Calibrated> => {
    let p = chosen.get(levelIndex);
    if (!p) {
      const t = levels[levelIndex]!;
      const started = performance.now();
      // Step-graph passes of the pilots: one per step, one more per MALA measurement.
      let passes = 0;
      const pilot = async function* (stepSize: number, key: number[], steps: number, malaEvery: number, proposal: Proposal = {}, burnIn = 0) {
        // The burn-in runs before the first draw: counted up front, since a reader may stop the pilot early.
        passes += burnIn;
        for await (const d of sampler.chain({
          stepSize, nbeta: nbeta(t), localization: settings.localization, burnIn, draws: steps, thin: 1,
          key: [ctx.seed, t, ...key], chain: -1, level: t, divergenceLoss, signal, malaEvery, ...proposal,
        })) {
          passes += malaEvery > 0 ? 2 : 1;
          yield d;
        }
      };
      // hmc after the metric: warm-up (ε, T), then burn-in and thin from HMC pilots at the frozen ε and T, in
      // iterations (one trajectory each). Its cost counts SGLD step passes plus full-data gradient evaluations.
      const calibrateHmc = async (h: HmcSampler, metric: Float32Array[], sgldStep: number, curvature: number): Promise<Calibrated> => {
        const before = h.gradients;
        const given = settings.stepSize;
        const w = await warmUpHmc({
          hmc: h, initialStepSize: Math.sqrt(sgldStep), curvature, metric, nbeta: nbeta(t), localization: settings.localization,
          key: [ctx.seed, t, HMC_WARMUP_KEY], level: t, divergenceLoss, signal, fixedStepSize: given === 'auto' ? undefined : given,
        });
        const hmcPilot = (key: number[], steps: number, burnIn = 0) => h.chain({
          stepSize: w.stepSize, trajectory: w.trajectory, nbeta: nbeta(t), localization: settings.localization, burnIn, draws: steps, thin: 1,
          key: [ctx.seed, t, ...key], chain: -1, level: t, divergenceLoss, signal, metric,
        });
        const burnIn: number = settings.burnIn === 'auto'
          ? (await calibrateBurnIn(hmcPilot([PILOT_STREAM, BURN_IN_PILOT], 2 * HMC_BURN_IN_START * 2 ** BURN_IN_DOUBLINGS), HMC_BURN_IN_START)).burnIn
          : settings.burnIn;
        const thin: number = settings.thin === 'auto'
          ? (await measureThin(withDistance(hmcPilot([PILOT_STREAM, THIN_PILOT], HMC_THIN_PILOT.max, burnIn), ctx.initialWeights), HMC_THIN_PILOT)).thin
          : settings.thin;
        const gradients = h.gradients - before;
        const c: Calibrated = { stepSize: w.stepSize, trajectory: w.trajectory, burnIn, thin, metric, cost: { passes: passes + gradients, seconds: (performance.now() - started) / 1000, gradients } };
        known.set(levelIndex, c);
        return c;
      };
      p = (async () => {
        const given = settings.stepSize;
        const auto = given === 'auto';
        const calibrate = (metric: readonly Float32Array[] | undefined, largest?: number, ladder = STEP_LADDER) => calibrateStepSize((e, key) => pilot(e, key, PILOT_STEPS, 1, { metric }), t, largest, ladder, auto ? undefined : { sampler: hmc ? 'hmc' : sampler.graph.sampler, stepSize: given });
        // hmc: the metric pilot takes minibatch Langevin steps. A given ε is hmc's leapfrog step, and one leapfrog step
        // from a fresh momentum is a Langevin proposal of step ε², with the same stability limit on the stiffest
        // weight (ε²·a < 4): the pilot runs at ε², and SGLD's ladder (which only picks the pilot's ε) is not run.
        // exponential-sgld: a given ε is its own step; its metric pilot still runs at plain SGLD's calibrated ε.
        let stepSize = auto ? await calibrate(undefined) : hmc ? given ** 2 : exponential ? await calibrate(undefined) : given;
        const plain = stepSize;
        // hmc's metric pilot only measures the metric (its chains' ε is the warm-up's, or the given one), so its ε is
        // always recalibrated between windows, from the ε it started at down (a given leapfrog step's ε² first).
        const ladder = hmc && !auto ? Array.from({ length: STEP_LADDER.length }, (_, k) => plain / 3 ** k) : STEP_LADDER;
        // SGLD's slowest direction is the pull's (2/(εγ) steps); a metric equalizes the directions it measured;
        // kinetic-langevin damps the pull's direction critically (2/√(εγ) steps).
        let relaxation = sampler.graph.sampler === 'kinetic-langevin' ? kineticRelaxationSteps(stepSize, settings.localization) : relaxationSteps(stepSize, settings.localization);
        let metric: Float32Array[] | undefined;
        let precision: Float32Array[] | undefined;
        if (preconditioned) {
          const m = await estimateMetric({
            sampler, stepSize, nbeta: nbeta(t), localization: settings.localization, key: [ctx.seed, t, METRIC_PILOT_KEY],
            // Each window's metric is calibrated from plain SGLD's ε down: a metric (M ≥ 1, the stiffest weight at 1)
            // only adds to what the acceptance sees, but a rough first window's metric must not cap the final one's ε.
            // exponential-sgld and hmc always recalibrate: their pilot's ε is not what their chains are given, and a
            // second window at the first window's metric and that ε diverged (exponential-sgld on modular at t = 0.3;
            // test/unit/engine/dials/sgld.test.ts builds such a potential).
            divergenceLoss, level: t, signal,
            recalibrate: auto || exponential || hmc ? (next) => calibrate(next, plain, ladder) : undefined,
          });
          passes += m.passes;
          ({ stepSize, metric } = m);
          relaxation = m.relaxationSteps;
          // The warm-up starts from √ε of plain SGLD's step, as before the recalibration (its dual averaging is its own).
          if (hmc) return calibrateHmc(hmc, metric, plain, 2 / (stepSize * m.relaxationSteps));
          if (exponential) {
            // The chains run the exponential step about the pilot's reference, not the metric (sgldProposal.ts).
            metric = undefined;
            precision = m.reference;
            const rate = referenceRate(precision);
            stepSize = auto ? await calibrateStepSize((e, key) => pilot(e, key, PILOT_STEPS, 1, { precision }), t, Infinity, exponentialLadder(rate)) : given;
            relaxation = exponentialRelaxationSteps(rate, stepSize);
          }
        }
        if (sampler.graph.sampler === 'kinetic-langevin') {
          // The friction's pilot: one chain from w* at the uniform friction 2√γ; each weight's mean (∇U)² is read as
          // its curvature (at equilibrium E[(∂_iU)²] = E[∂²_iU], plus the minibatch noise), its friction 2√P
          // (kineticFriction keeps it at least 2√γ).
          const sums = ctx.initialWeights.map((w) => new Float32Array(w.length));
          for await (const _ of sampler.chain({
            stepSize, nbeta: nbeta(t), localization: settings.localization, burnIn: 0, draws: KINETIC_FRICTION_PILOT, thin: 1,
            key: [ctx.seed, t, KINETIC_PILOT_KEY], chain: -1, level: t, divergenceLoss, signal, malaEvery: 0, gradientSquares: sums,
          })) passes++;
          precision = sums.map((sum) => sum.map((v) => v / KINETIC_FRICTION_PILOT));
        }
        const proposal: Proposal = { metric, precision };
        const start = Math.max(BURN_IN_MIN, Math.ceil(BURN_IN_RELAXATIONS * relaxation));
        const burnIn: number = settings.burnIn === 'auto'
          ? (await calibrateBurnIn(pilot(stepSize, [PILOT_STREAM, BURN_IN_PILOT], 2 * start * 2 ** BURN_IN_DOUBLINGS, 0, proposal), start)).burnIn
          : settings.burnIn;
        const thin: number = settings.thin === 'auto'
          ? (await measureThin(withDistance(pilot(stepSize, [PILOT_STREAM, THIN_PILOT], THIN_PILOT_MAX, 0, proposal, burnIn), ctx.initialWeights))).thin
          : settings.thin;
        const calibratedAny = auto || settings.burnIn === 'auto' || settings.thin === 'auto' || preconditioned;
        const c: Calibrated = { stepSize, burnIn, thin, metric, precision, ...(calibratedAny ? { cost: { passes, seconds: (performance.now() - started) / 1000 } } : {}) };
        known.set(levelIndex, c);
        return c;
      })();
      chosen.set(levelIndex, p);
    }
    return p;
  };
  /** A setting as the level's chains ran with it: given, or (auto) once calibrated. */
  const ranWith = (key: 'stepSize' | 'burnIn' | 'thin', levelIndex: number): number | undefined => {
    const given = settings[key];
    return given === 'auto' ? known.get(levelIndex)?.[key] : given;
  };
  return {
    kind: 'sgld',
    levels,
    chains: settings.chains,
    drawsPerChain: drawsMost,
    drawsUntilEss: settings.draws === 'auto',
    // A Markov chain: draws within a chain are correlated, chains independent.
    independentDraws: false,
    deterministic: false,
    levelRecord(levelIndex) {
      const record: LevelRecord = { nbeta: nbeta(levels[levelIndex]!) };
      for (const key of ['stepSize', 'burnIn', 'thin'] as const) {
        const v = ranWith(key, levelIndex);
        if (v !== undefined) record[key] = v;
      }
      const trajectory = known.get(levelIndex)?.trajectory;
      const stepSize = record.stepSize;
      if (trajectory !== undefined && stepSize !== undefined) Object.assign(record, { trajectory, leapfrog: meanLeapfrog(trajectory, stepSize) });
      const cost = known.get(levelIndex)?.cost;
      if (cost) record.calibration = cost;
      return record;
    },
    watanabeTemperature: (n) => watanabeTemperature(n, settings.nbeta),
    async *draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      const t = levels[levelIndex]!;
      const { stepSize, burnIn, thin, metric, precision, trajectory } = await calibrated(levelIndex, signal);
      if (hmc) {
        for await (const d of hmc.chain({
          stepSize, trajectory: trajectory!, nbeta: nbeta(t), localization: settings.localization, burnIn, draws: drawsMost, thin, metric,
          key: [ctx.seed, t, chain], chain, level: t, divergenceLoss, signal,
        })) yield { weights: d.weights, loss: d.loss, acceptance: d.acceptance, distance: distanceFrom(d.weights, ctx.initialWeights) };
        return;
      }
      const draws = sampler.chain({
        stepSize, nbeta: nbeta(t), localization: settings.localization,
        burnIn, draws: drawsMost, thin, metric, precision,
        key: [ctx.seed, t, chain], chain, level: t, divergenceLoss, signal, malaEvery: Math.max(1, Math.floor(MALA_STEPS / thin)),
      });
      for await (const d of draws) {
        yield { weights: d.weights, loss: d.loss, acceptance: Number.isNaN(d.acceptance) ? undefined : d.acceptance, distance: distanceFrom(d.weights, ctx.initialWeights) };
      }
    },
    dispose: async () => { await sampler.dispose(); await hmc?.dispose(); },
  };
}
