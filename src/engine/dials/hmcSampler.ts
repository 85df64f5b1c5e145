// The `hmc` sampler (docs/method.md, "HMC"): Metropolis-adjusted Hamiltonian Monte Carlo of the same tempered local
// posterior q(w) ∝ exp(−U(w)), U = nβ·L_n(w) + (γ/2)|w − w*|², on the FULL data (the potential is exact, so the
// accept/reject makes every ε exact: no discretization bias), with a frozen diagonal metric M (sgldMetric.ts) as
// the inverse mass. One iteration: r ~ N(0, I) (momentum p = r/√M), L leapfrog steps of size ε in the scaled form
//   r ← r − (ε/2)·√M∘∇U(w);  [w ← w + ε·√M∘r;  r ← r − ε·√M∘∇U(w)] × L, the last half-kick ε/2,
// then accept w' with probability min(1, exp(H − H')), H = U + |r|²/2. L is jittered, uniform on {1, …, 2L̄ − 1}
// with L̄ = ⌈T/ε⌉ for a mean trajectory time T, so no period of the dynamics resonates with a fixed length.
// A trajectory whose loss leaves the finite range or passes the divergence limit, or whose energy error exceeds
// DIVERGENT_ENERGY, is a divergent transition: rejected (it is exact to reject), and a run of them stops the chain.
import { valueInfoType } from '../onnx/graph';
import { createSession, ort } from '../onnx/runtime';
import { Rng } from '../util/random';
import type { ChainSettings, SamplerSpec } from './chainSettings';
import { DialDivergence } from './dial';
import type { DualAveraging } from './hmcAdapt';
import { MinibatchStream } from './sgldBatches';
import { batchSources, samplerGradient } from './sgldSampler';

/** Stan's threshold: a trajectory whose H grew by more than this left the region the integrator resolves. */
export const DIVERGENT_ENERGY = 1000;
/** Consecutive divergent trajectories after warm-up that stop a chain with a DialDivergence. */
export const DIVERGENT_RUN = 20;
/** The most leapfrog steps one trajectory takes (2L̄ − 1 is capped here). */
export const MAX_LEAPFROG = 1024;

/** The longest jittered trajectory at time T and step ε: 2L̄ − 1 leapfrog steps, L̄ = ⌈T/ε⌉, at most MAX_LEAPFROG. */
export function longestTrajectory(trajectory: number, stepSize: number): number {
  return Math.min(MAX_LEAPFROG, 2 * Math.max(1, Math.ceil(trajectory / stepSize)) - 1);
}

/** The mean leapfrog steps of an iteration at time T and step ε (the length is uniform on 1…longest): L̄, less
 *  where the cap cuts the jitter. Each costs one full-data gradient. */
export function meanLeapfrog(trajectory: number, stepSize: number): number {
  return (1 + longestTrajectory(trajectory, stepSize)) / 2;
}

/** Every potential is evaluated on all of `data`'s n examples. */
export type HmcSamplerSpec = SamplerSpec;

export interface HmcChainSettings extends ChainSettings {
  /** Mean trajectory time T: L̄ = ⌈T/ε⌉ leapfrog steps. */
  trajectory: number;
  /** Dual averaging of ε over the burn-in iterations (the warm-up that tunes ε); the kept draws then run at its
   *  averaged ε̄. */
  adapt?: DualAveraging;
  /** Filled with Σ over iterations of (∇U)² per weight at each iteration's start (the full-data gradient). */
  gradientSquares?: Float64Array[];
}

export interface HmcDraw {
  draw: number;
  /** The iteration (one trajectory each). */
  step: number;
  /** Valid until the next draw is asked for. */
  weights: Float32Array[];
  /** L_n(w) on all n examples. */
  loss: number;
  /** min(1, exp(H − H')) of the proposal that led here (0 for a divergent one). */
  acceptance: number;
}

interface Potential {
  loss: number;
  /** U(w) = nβ·L_n(w) + (γ/2)|w − w*|². */
  energy: number;
  /** ∇U per parameter. */
  gradient: Float64Array[];
}

const MOMENTUM_STREAM = 4;
const ACCEPT_STREAM = 5;
const LENGTH_STREAM = 6;

export class HmcSampler {
  /** Full-data gradient evaluations so far (each costs a forward and a backward pass over all n examples). */
  gradients = 0;

  private constructor(
    readonly spec: HmcSamplerSpec,
    private readonly session: ort.InferenceSession,
    private readonly dataFeeds: Record<string, ort.Tensor>,
    private readonly lossOutput: string,
    private readonly gradientOutputs: readonly string[],
    readonly shapes: readonly number[][],
    readonly n: number,
  ) {}

  static async create(spec: HmcSamplerSpec): Promise<HmcSampler> {
    const n = spec.data.labels.shape[0] ?? 0;
    if (!(n >= 1)) throw new Error('hmc needs at least one example');
    const { gradient, labelsInput } = await samplerGradient(spec, n);
    const parameterSet = new Set(spec.parameters);
    const batchInputs = gradient.model.graph.input.map((v) => v.name).filter((name) => !parameterSet.has(name));
    const sources = batchSources(gradient.model, batchInputs, spec.data.inputs, labelsInput, spec.data.labels, n);
    // The whole data set is one fixed batch, fed as the same tensors at every evaluation.
    const dataFeeds = new MinibatchStream(sources, n, n, Rng.stream(0)).next();
    const session = await createSession(gradient.model, { threads: spec.threads });
    const declared = new Map(gradient.model.graph.input.map((v) => [v.name, valueInfoType(v)]));
    const shapes = spec.parameters.map((p) => {
      const t = declared.get(p);
      if (!t || t.dtype !== 'float32' || !t.shape || t.shape.some((d) => typeof d !== 'number')) throw new Error(`hmc samples float32 weights of static shape; '${p}' is not one`);
      return t.shape as number[];
    });
    return new HmcSampler(spec, session, dataFeeds, gradient.lossOutput, spec.parameters.map((p) => gradient.gradOutputs[p]!), shapes, n);
  }

  /** L_n, U and ∇U at w. */
  private async potential(w: readonly Float32Array[], nbeta: number, localization: number): Promise<Potential> {
    const feeds: Record<string, ort.Tensor> = { ...this.dataFeeds };
    this.spec.parameters.forEach((p, i) => { feeds[p] = new ort.Tensor('float32', w[i]!, this.shapes[i]!); });
    const out = await this.session.run(feeds, [this.lossOutput, ...this.gradientOutputs]);
    this.gradients++;
    const loss = Number((out[this.lossOutput]!.data as Float32Array)[0]);
    let squared = 0;
    const gradient = w.map((wi, i) => {
      const g = out[this.gradientOutputs[i]!]!.data as Float32Array;
      const a = this.spec.anchor[i]!;
      const u = new Float64Array(wi.length);
      for (let k = 0; k < wi.length; k++) {
        const d = wi[k]! - a[k]!;
        squared += d * d;
        u[k] = nbeta * g[k]! + localization * d;
      }
      return u;
    });
    return { loss, energy: nbeta * loss + 0.5 * localization * squared, gradient };
  }

  /** Runs one chain and yields its kept draws; throws `DialDivergence` when it diverges. */
  async *chain(s: HmcChainSettings): AsyncGenerator<HmcDraw> {
    const anchor = this.spec.anchor;
    const sqrtMetric = anchor.map((a, i) => {
      const m = s.metric?.[i];
      if (m && m.length !== a.length) throw new Error(`the metric of '${this.spec.parameters[i]}' has ${m.length} values; the weight has ${a.length}`);
      return Float64Array.from(m ?? new Float32Array(a.length).fill(1), Math.sqrt);
    });
    const momentumRng = Rng.stream(...s.key, MOMENTUM_STREAM);
    const acceptRng = Rng.stream(...s.key, ACCEPT_STREAM);
    const lengthRng = Rng.stream(...s.key, LENGTH_STREAM);
    let w = (s.start ?? anchor).map((a) => Float32Array.from(a));
    let here = await this.potential(w, s.nbeta, s.localization);
    if (!Number.isFinite(here.energy) || here.loss > s.divergenceLoss) {
      throw new DialDivergence(`hmc (${where(s, 0)}): the loss at the start is ${here.loss.toPrecision(4)} (limit ${s.divergenceLoss.toPrecision(4)})`, s.chain, 0);
    }
    const r = anchor.map((a) => new Float64Array(a.length));
    let stepSize = s.adapt ? s.adapt.stepSize : s.stepSize;
    let divergentRun = 0;
    const total = s.burnIn + (s.draws - 1) * s.thin + 1;
    for (let step = 0; step < total; step++) {
      if (s.signal?.aborted) throw s.signal.reason ?? new Error('aborted');
      const adapting = s.adapt !== undefined && step < s.burnIn;
      if (s.adapt && step === s.burnIn) stepSize = s.adapt.final;
      if (s.gradientSquares) here.gradient.forEach((g, i) => { const acc = s.gradientSquares![i]!; for (let k = 0; k < g.length; k++) acc[k] += g[k]! * g[k]!; });
      let kinetic = 0;
      for (const ri of r) for (let k = 0; k < ri.length; k++) { const x = momentumRng.normal(); ri[k] = x; kinetic += x * x; }
      const h0 = here.energy + 0.5 * kinetic;
      const length = 1 + lengthRng.int(longestTrajectory(s.trajectory, stepSize));
      // Leapfrog from (w, r): a half kick, then drift + kick, the last kick a half one.
      const q = w.map((wi) => Float32Array.from(wi));
      kick(r, sqrtMetric, here.gradient, stepSize / 2);
      let there: Potential | undefined;
      let divergent = false;
      for (let l = 1; l <= length; l++) {
        q.forEach((qi, i) => { const ri = r[i]!, si = sqrtMetric[i]!; for (let k = 0; k < qi.length; k++) qi[k] = qi[k]! + stepSize * si[k]! * ri[k]!; });
        there = await this.potential(q, s.nbeta, s.localization);
        if (!Number.isFinite(there.energy) || !(there.loss <= s.divergenceLoss)) { divergent = true; break; }
        kick(r, sqrtMetric, there.gradient, l === length ? stepSize / 2 : stepSize);
      }
      let acceptance = 0;
      if (!divergent && there) {
        let k1 = 0;
        for (const ri of r) for (let k = 0; k < ri.length; k++) k1 += ri[k]! * ri[k]!;
        const logAlpha = h0 - (there.energy + 0.5 * k1);
        if (-logAlpha > DIVERGENT_ENERGY || Number.isNaN(logAlpha)) divergent = true;
        else acceptance = Math.min(1, Math.exp(logAlpha));
      }
      // One uniform per iteration whatever happens, so the streams stay aligned.
      const u = acceptRng.uniform();
      if (!divergent && u < acceptance) { w = q; here = there!; }
      if (adapting) stepSize = s.adapt!.update(acceptance);
      divergentRun = divergent && !adapting ? divergentRun + 1 : 0;
      if (divergentRun >= DIVERGENT_RUN) {
        throw new DialDivergence(`hmc diverged (${where(s, step)}): ${DIVERGENT_RUN} trajectories in a row left the finite range or the loss limit ${s.divergenceLoss.toPrecision(4)}, at leapfrog step ε = ${stepSize.toPrecision(3)}. Try stepSize ≤ ${Number((stepSize / 10).toPrecision(2))} (ε/10), or stepSize: auto`, s.chain, Math.max(0, Math.ceil((step - s.burnIn) / s.thin)));
      }
      if (step >= s.burnIn && (step - s.burnIn) % s.thin === 0) {
        yield { draw: (step - s.burnIn) / s.thin, step, weights: w, loss: here.loss, acceptance };
      }
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** r ← r − h·√M∘g. */
function kick(r: Float64Array[], sqrtMetric: readonly Float64Array[], gradient: readonly Float64Array[], h: number): void {
  r.forEach((ri, i) => { const si = sqrtMetric[i]!, g = gradient[i]!; for (let k = 0; k < ri.length; k++) ri[k] = ri[k]! - h * si[k]! * g[k]!; });
}

function where(s: HmcChainSettings, step: number): string {
  return `${s.level !== undefined ? `at temperature ${s.level}, ` : ''}${s.chain >= 0 ? `chain ${s.chain}` : 'a calibration pilot'}, iteration ${step}`;
}
