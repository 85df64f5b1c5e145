// The `sgld` dial: draws from the tempered local posterior q_t(w) ∝ exp(−nβ·L_n(w) − (γ/2)|w − w*|²) with
// nβ = n/t (or nbeta/t when the hypothesis gives nbeta), sampled by SGLD (docs/method.md). One step session serves
// every level and chain; chain c at level t is reproducible from (seed, t, c) alone.
import { Dial, DialContext, DialDivergence, DialDraw } from './dial';
import { fullDataLoss } from './sgldLoss';
import { SgldSampler } from './sgldSampler';

/** How far above L_n(w*) a minibatch loss may go before the chain counts as diverged, in units of max(L_n(w*), 1). */
export const DIVERGENCE_FACTOR = 100;

/** `stepSize: auto`: the ladder 1e-2, 1e-2/3, … (12 rungs, down to ~6e-8), 100-step pilots, acceptance ≥ 0.9. */
export const STEP_LADDER = Array.from({ length: 12 }, (_, k) => 1e-2 / 3 ** k);
export const PILOT_STEPS = 100;
export const PILOT_ACCEPTANCE = 0.9;
/** Key of the pilot chains' streams after (seed, level): apart from every real chain's index. */
const PILOT_STREAM = -1;

/**
 * The largest ε of the ladder whose pilot chain (from w*) stays finite with mean MALA acceptance ≥ 0.9: devinterp's
 * guidance for a step size that samples the posterior rather than a discretization of it. A diverging pilot counts
 * as too large. Throws DialDivergence when no rung qualifies.
 */
export async function calibrateStepSize(pilot: (stepSize: number, key: number[]) => AsyncIterable<{ acceptance: number }>, level: number): Promise<number> {
  let best: { stepSize: number; acceptance: number } | undefined;
  for (const [rung, stepSize] of STEP_LADDER.entries()) {
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
  const last = STEP_LADDER[STEP_LADDER.length - 1]!;
  // With minibatches the acceptance estimate compares losses on different batches: gradient noise caps it below 1
  // however small the step (measured on the planted network: ≈ 0.52 with 64 of 128 examples at t = 0.1, ≈ 1 with all).
  const seen = best ? `; the best pilot reached ${best.acceptance.toFixed(2)} at ε = ${best.stepSize.toExponential(1)}` : '';
  throw new DialDivergence(`stepSize auto at t = ${level}: no step size down to ${last.toExponential(1)} keeps the MALA acceptance of a ${PILOT_STEPS}-step pilot ≥ ${PILOT_ACCEPTANCE}${seen}. A plateau below ${PILOT_ACCEPTANCE} is minibatch gradient noise: raise sgld.batchSize (towards n), or give a step size`, -1, 0);
}

export async function createSgldDial(ctx: DialContext): Promise<Dial> {
  const settings = ctx.degradation.sgld;
  const { levels } = ctx.degradation.temperatures;
  for (const t of levels) if (!(t > 0) || !Number.isFinite(t)) throw new Error(`sgld temperatures must be positive and finite; got ${t}`);
  if (!(settings.draws >= 1) || !(settings.chains >= 1)) throw new Error('sgld needs at least one chain and one draw');
  const loss = { kind: ctx.loss.kind, output: ctx.loss.output };
  const initLoss = await fullDataLoss(ctx.model, loss, ctx.data);
  const divergenceLoss = initLoss + DIVERGENCE_FACTOR * Math.max(Math.abs(initLoss), 1);
  const sampler = await SgldSampler.create({
    model: ctx.model, parameters: ctx.parameters.map((p) => p.name), anchor: ctx.initialWeights,
    loss, data: ctx.data, batchSize: settings.batchSize, threads: ctx.threads,
  });
  const nbeta = (t: number) => (settings.nbeta ?? ctx.n) / t;
  // ε per level: fixed, or calibrated once per level (every chain and every shard finds the same one: the pilots'
  // streams are keyed by seed and level only).
  const chosen = new Map<number, Promise<number>>();
  const known = new Map<number, number>();
  const stepSizeAt = (levelIndex: number, signal?: AbortSignal): Promise<number> => {
    const fixed = settings.stepSize;
    if (fixed !== 'auto') return Promise.resolve(fixed);
    let p = chosen.get(levelIndex);
    if (!p) {
      const t = levels[levelIndex]!;
      p = calibrateStepSize((stepSize, key) => sampler.chain({
        stepSize, nbeta: nbeta(t), localization: settings.localization, burnIn: 0, draws: PILOT_STEPS, thin: 1,
        key: [ctx.seed, t, ...key], chain: -1, level: t, divergenceLoss, signal,
      }), t).then((e) => {
        known.set(levelIndex, e);
        return e;
      });
      chosen.set(levelIndex, p);
    }
    return p;
  };
  return {
    kind: 'sgld',
    levels,
    chains: settings.chains,
    drawsPerChain: settings.draws,
    // A Markov chain: draws within a chain are correlated, chains independent.
    independentDraws: false,
    deterministic: false,
    nbeta,
    stepSize: (levelIndex) => (settings.stepSize === 'auto' ? known.get(levelIndex) : settings.stepSize),
    async *draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      const t = levels[levelIndex]!;
      const stepSize = await stepSizeAt(levelIndex, signal);
      const draws = sampler.chain({
        stepSize, nbeta: nbeta(t), localization: settings.localization,
        burnIn: settings.burnIn, draws: settings.draws, thin: settings.thin,
        key: [ctx.seed, t, chain], chain, level: t, divergenceLoss, signal,
      });
      for await (const d of draws) {
        yield { weights: d.weights, loss: d.loss, acceptance: Number.isNaN(d.acceptance) ? undefined : d.acceptance };
      }
    },
    dispose: () => sampler.dispose(),
  };
}
