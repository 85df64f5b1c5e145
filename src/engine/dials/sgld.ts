// The `sgld` dial: draws from the tempered local posterior q_t(w) ∝ exp(−nβ·L_n(w) − (γ/2)|w − w*|²) with
// nβ = n/t (or nbeta/t when the hypothesis gives nbeta), sampled by SGLD (docs/method.md). One step session serves
// every level and chain; chain c at level t is reproducible from (seed, t, c) alone.
import type { Dial, DialContext, DialDraw } from './dial';
import { fullDataLoss } from './sgldLoss';
import { SgldSampler } from './sgldSampler';

/** How far above L_n(w*) a minibatch loss may go before the chain counts as diverged, in units of max(L_n(w*), 1). */
export const DIVERGENCE_FACTOR = 100;

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
  return {
    kind: 'sgld',
    levels,
    chains: settings.chains,
    drawsPerChain: settings.draws,
    // A Markov chain: draws within a chain are correlated, chains independent.
    independentDraws: false,
    deterministic: false,
    nbeta,
    async *draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      const t = levels[levelIndex]!;
      const draws = sampler.chain({
        stepSize: settings.stepSize, nbeta: nbeta(t), localization: settings.localization,
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
