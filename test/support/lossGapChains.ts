// What the samplers' known-answer tests compare: from `chains` chains of one sampler (chain c keyed [seed, c]), the
// posterior mean of L_n − L_n(w*) (each draw's loss less its chain's start loss: with the full batch both are L_n),
// its standard error from the bulk ESS, that ESS, and the chains' mean acceptance.
import type { SgldChainSettings, SgldSampler } from '../../src/engine/dials/sgldSampler';
import { essBulk } from '../../src/engine/sweep/convergence';

export async function lossGapOfChains(
  sampler: SgldSampler, chains: number, seed: number, settings: Omit<SgldChainSettings, 'key' | 'chain' | 'onStartLoss'>,
): Promise<{ mean: number; se: number; ess: number; acceptance: number }> {
  const traces: number[][] = [];
  const acceptances: number[] = [];
  for (let c = 0; c < chains; c++) {
    let start = NaN;
    const trace: number[] = [];
    for await (const d of sampler.chain({ ...settings, key: [seed, c], chain: c, onStartLoss: (l) => { start = l; } })) {
      trace.push(d.loss - start);
      if (Number.isFinite(d.acceptance)) acceptances.push(d.acceptance);
    }
    traces.push(trace);
  }
  const all = traces.flat();
  const mean = all.reduce((x, v) => x + v, 0) / all.length;
  const sd = Math.sqrt(all.reduce((x, v) => x + (v - mean) ** 2, 0) / (all.length - 1));
  const ess = essBulk(traces);
  return { mean, se: sd / Math.sqrt(ess), ess, acceptance: acceptances.reduce((x, v) => x + v, 0) / acceptances.length };
}
