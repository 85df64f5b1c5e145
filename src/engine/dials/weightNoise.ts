// weight-noise: w = w* + σ·ξ, ξ ~ N(0, I), level t = σ (docs/method.md). Draws are i.i.d.; one chain.
import { Rng } from '../util/random';
import { type Dial, type DialContext, type DialDraw, degradationFor } from './dial';

/** Stream purpose tags keep the dials' random streams apart even with the same (seed, level, chain). */
export const WEIGHT_NOISE_STREAM = 1;

export async function createWeightNoiseDial(ctx: DialContext): Promise<Dial> {
  const { levels, noise: { samples } } = degradationFor(ctx, 'weight-noise');
  if (!(samples >= 2)) throw new Error(`weight-noise needs at least 2 samples per level to estimate a standard error (noise.samples = ${samples})`);
  for (const t of levels) if (!(t >= 0) || !Number.isFinite(t)) throw new Error(`weight-noise levels are σ ≥ 0; got ${t}`);
  return {
    kind: 'weight-noise',
    levels,
    chains: 1,
    drawsPerChain: samples,
    independentDraws: true,
    deterministic: false,
    async *draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      const sigma = levels[levelIndex]!;
      const rng = Rng.stream(ctx.seed, sigma, chain, WEIGHT_NOISE_STREAM);
      // One set of buffers, refilled per draw: the runner is done with a draw before it asks for the next.
      const weights = ctx.initialWeights.map((w) => new Float32Array(w.length));
      for (let d = 0; d < samples; d++) {
        signal?.throwIfAborted();
        for (let p = 0; p < weights.length; p++) rng.fillNormal(weights[p]!, sigma, ctx.initialWeights[p]!);
        yield { weights };
      }
    },
    async dispose() {},
  };
}
