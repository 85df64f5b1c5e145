// The local learning coefficient, estimated as devinterp does: λ̂ = nβ·(E_q[L_B] − L_n(w*)), where the expectation
// runs over the SGLD draws of every chain (minibatch losses at the drawn weights) and q is the localized tempered
// posterior around w*. Per chain λ̂_c uses that chain's mean loss; the estimate is their mean and its standard
// error the spread of the chain means (chains are independent, so this respects autocorrelation within chains).
//
// Loss scale. devinterp feeds the plain mean loss (for MSE: mean squared error, no ½ and no 1/σ²) into
// exp(−nβ·L_n). For a regular model near w*, nβ·(L_n(w) − L_n(w*)) is a quadratic form and, under q, has mean
// d/2 whatever the loss is multiplied by (equipartition: q ∝ exp(−quadratic) ⇒ E[quadratic] = d/2). So λ̂ ≈ d/2
// holds with MSE as is; the scale only changes which nβ (and step size) gives a well-localized chain.
import { degradableParameters, parameterValues } from './parameters';
import type { NdArray } from '../data/ndarray';
import type { ModelProto } from '../onnx/proto';
import type { SgldSettings } from '../../protocol/hypothesis';
import { fullDataLoss } from './sgldLoss';
import { MALA_STEPS } from './sgldMala';
import { estimateMetric, METRIC_PILOT_KEY } from './sgldMetric';
import { SgldLossKind, SgldSampler } from './sgldSampler';
import { HmcSampler } from './hmcSampler';
import { warmUpHmc } from './hmcLevel';
import { hasFedMetric, type SamplerKind, type SgldNoiseSource } from './sgldGraph';

export interface LlcOptions {
  /** The model at w* (weights as initializers). */
  model: ModelProto;
  /** Weights to sample; default every degradable float parameter. */
  parameters?: readonly string[];
  loss: { kind: SgldLossKind; output: string };
  data: { inputs: Readonly<Record<string, NdArray>>; labels: NdArray };
  /** nβ; default n / log n (Watanabe's β* = 1 / log n). */
  nbeta?: number;
  /** L(w*) that λ̂ subtracts: on all n examples (`full`, default), or devinterp's mean over chains of one minibatch
   *  loss each (`batches`: each chain's first minibatch, at w*). */
  initLoss?: InitLoss;
  stepSize: number;
  localization: number;
  chains: number;
  draws: number;
  burnIn: number;
  thin?: number;
  batchSize: number;
  seed: number;
  noise?: SgldNoiseSource;
  /** The update rule; default sgld. hmc: full-data Metropolis-adjusted HMC with preconditioned-sgld's metric (the
   *  metric pilot at `stepSize`, then a warm-up tunes the leapfrog step and trajectory); burnIn, draws and thin
   *  then count trajectories. */
  sampler?: SamplerKind | 'hmc';
  threads?: number;
  /** A minibatch loss above this stops the estimate as diverged; default 100·max(L_n(w*), 1) + L_n(w*). */
  divergenceLoss?: number;
  signal?: AbortSignal;
  /** Called after every kept draw. */
  onDraw?: (chain: number, draw: number) => void;
}

export type InitLoss = 'full' | 'batches';

export interface Estimate {
  mean: number;
  /** Standard error; null when it cannot be estimated (one chain with too few draws). */
  se: number | null;
}

/** λ̂ with the spread of its per-chain values: `sd` is their sample standard deviation (n − 1), devinterp's llc/std. */
export interface LlcEstimate extends Estimate {
  sd: number | null;
  chains: number[];
}

/** The estimate, with the sampler settings that produced it (the hypothesis file's `sgld` block, resolved). */
export interface LlcResult extends Required<Omit<SgldSettings, 'nbeta' | 'sampler' | 'draws' | 'maxDraws'>> {
  draws: number;
  llc: LlcEstimate;
  /** L(w*) as subtracted: on all n examples, or the mean of the chains' first minibatch losses (`initLossKind`). */
  initLoss: number;
  initLossKind: InitLoss;
  nbeta: number;
  n: number;
  /** Number of sampled weights (of the restricted set, with `parameters`). */
  d: number;
  /** The sampled weight tensors (all degradable ones unless restricted). */
  parameters: string[];
  sampler: SamplerKind | 'hmc';
  seed: number;
  /** hmc: the leapfrog step and mean trajectory time the warm-up chose. */
  hmc?: { stepSize: number; trajectory: number };
  /** MALA acceptance-probability estimate: mean over the draws of each chain, and over all chains. */
  acceptance: Estimate & { chains: number[] };
  /** Minibatch losses L_B at every kept draw, per chain. */
  lossTrace: number[][];
  seconds: number;
  stepsPerSecond: number;
}

export async function estimateLlc(o: LlcOptions): Promise<LlcResult> {
  const started = performance.now();
  const n = o.data.labels.shape[0] ?? 0;
  const thin = o.thin ?? 1;
  const parameters = o.parameters ? [...o.parameters] : degradableParameters(o.model).map((p) => p.name);
  const infos = degradableParameters(o.model).filter((p) => parameters.includes(p.name));
  const anchor = parameterValues(o.model, parameters.map((name) => infos.find((p) => p.name === name) ?? missing(name)));
  const nbeta = o.nbeta ?? n / Math.log(n);
  const fullLoss = await fullDataLoss(o.model, o.loss, o.data);
  const divergenceLoss = o.divergenceLoss ?? fullLoss + 100 * Math.max(Math.abs(fullLoss), 1);
  const startLosses: number[] = [];

  const sampler = await SgldSampler.create({
    model: o.model, parameters, anchor, loss: o.loss, data: o.data, batchSize: o.batchSize, noise: o.noise, threads: o.threads,
    sampler: o.sampler === 'hmc' ? 'preconditioned-sgld' : o.sampler,
  });
  const hmc = o.sampler === 'hmc' ? await HmcSampler.create({ model: o.model, parameters, anchor, loss: o.loss, data: o.data, threads: o.threads }) : undefined;
  let hmcSettings: { stepSize: number; trajectory: number } | undefined;
  const lossTrace: number[][] = [];
  const acceptance: number[] = [];
  try {
    // preconditioned-sgld: the metric from a pilot at the given ε, frozen for every chain; exponential-sgld: that
    // pilot's Gaussian reference, about which its chains step at the same ε.
    const estimated = hasFedMetric(sampler.graph.sampler)
      ? await estimateMetric({ sampler, stepSize: o.stepSize, nbeta, localization: o.localization, key: [o.seed, nbeta, METRIC_PILOT_KEY], divergenceLoss, signal: o.signal })
      : undefined;
    const exponential = sampler.graph.sampler === 'exponential-sgld';
    const metric = exponential ? undefined : estimated?.metric;
    const precision = exponential ? estimated?.reference : undefined;
    if (hmc && estimated) {
      const w = await warmUpHmc({
        hmc, initialStepSize: Math.sqrt(o.stepSize), curvature: 2 / (o.stepSize * estimated.relaxationSteps), metric: estimated.metric,
        nbeta, localization: o.localization, key: [o.seed, nbeta, -4], divergenceLoss, signal: o.signal,
      });
      hmcSettings = { stepSize: w.stepSize, trajectory: w.trajectory };
    }
    for (let chain = 0; chain < o.chains; chain++) {
      if (hmc && hmcSettings) {
        const losses: number[] = [];
        let accepted = 0;
        // HMC evaluates the full data: its "first minibatch at w*" is all of it.
        startLosses.push(fullLoss);
        for await (const d of hmc.chain({
          ...hmcSettings, nbeta, localization: o.localization, burnIn: o.burnIn, draws: o.draws, thin, metric,
          key: [o.seed, nbeta, chain], chain, divergenceLoss, signal: o.signal,
        })) {
          losses.push(d.loss);
          accepted += d.acceptance;
          o.onDraw?.(chain, d.draw);
        }
        lossTrace.push(losses);
        acceptance.push(accepted / losses.length);
        continue;
      }
      const losses: number[] = [];
      let accepted = 0, counted = 0;
      const draws = sampler.chain({
        stepSize: o.stepSize, nbeta, localization: o.localization, burnIn: o.burnIn, draws: o.draws, thin,
        key: [o.seed, nbeta, chain], chain, divergenceLoss, signal: o.signal, onStartLoss: (l) => startLosses.push(l), metric, precision,
        malaEvery: Math.max(1, Math.floor(MALA_STEPS / thin)),
      });
      for await (const d of draws) {
        losses.push(d.loss);
        if (Number.isFinite(d.acceptance)) { accepted += d.acceptance; counted++; }
        o.onDraw?.(chain, d.draw);
      }
      lossTrace.push(losses);
      acceptance.push(counted ? accepted / counted : NaN);
    }
  } finally {
    await sampler.dispose();
    await hmc?.dispose();
  }
  const initLossKind = o.initLoss ?? 'full';
  const initLoss = initLossKind === 'full' ? fullLoss : startLosses.reduce((a, v) => a + v, 0) / startLosses.length;
  const seconds = (performance.now() - started) / 1000;
  const steps = o.chains * (o.burnIn + (o.draws - 1) * thin + 1);
  return {
    llc: llcFromLosses(lossTrace, initLoss, nbeta), initLoss, initLossKind, nbeta, n, d: sampler.graph.size, parameters, sampler: o.sampler ?? sampler.graph.sampler, ...(hmcSettings ? { hmc: hmcSettings } : {}),
    stepSize: o.stepSize, localization: o.localization, chains: o.chains, draws: o.draws, burnIn: o.burnIn, thin,
    batchSize: sampler.batchSize, seed: o.seed,
    acceptance: { ...chainMeans(acceptance), chains: acceptance }, lossTrace, seconds, stepsPerSecond: steps / seconds,
  };
}

/** λ̂ per chain = nβ·(mean loss of the chain − L_n(w*)); mean over chains with the standard error of that mean. */
export function llcFromLosses(lossTrace: readonly (readonly number[])[], initLoss: number, nbeta: number): LlcEstimate {
  const perChain = lossTrace.map((losses) => nbeta * (mean(losses) - initLoss));
  if (perChain.length === 1) {
    // One chain: batch means over its draws stand in for independent chains.
    const se = batchMeansSe(lossTrace[0]!);
    return { mean: perChain[0]!, se: se === null ? null : nbeta * se, sd: null, chains: perChain };
  }
  const e = chainMeans(perChain);
  return { ...e, sd: e.se === null ? null : e.se * Math.sqrt(perChain.length), chains: perChain };
}

function chainMeans(values: readonly number[]): Estimate {
  const m = mean(values);
  if (values.length < 2) return { mean: m, se: null };
  const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1);
  return { mean: m, se: Math.sqrt(variance / values.length) };
}

/** Standard error of the mean of an autocorrelated series from 20 consecutive batch means (null below 40 draws). */
function batchMeansSe(series: readonly number[]): number | null {
  const batches = 20;
  const size = Math.floor(series.length / batches);
  if (size < 2) return null;
  const means = Array.from({ length: batches }, (_, b) => mean(series.slice(b * size, (b + 1) * size)));
  return chainMeans(means).se;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, v) => a + v, 0) / values.length;
}

function missing(name: string): never {
  throw new Error(`'${name}' is not a float parameter of the model`);
}
