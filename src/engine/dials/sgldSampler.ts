// The SGLD sampler of the tempered local posterior q(w) ∝ exp(−nβ·L_n(w) − (γ/2)·|w − w*|²), run as devinterp
// runs it: burn-in, then a draw every `thin` steps; minibatch losses; one session serves every chain and level.
// Each chain's minibatches and noise come from streams keyed by the chain's key alone (e.g. [seed, level, chain]),
// so a chain is reproducible whatever ran before it.
import { buildGradientGraph } from '../autodiff';
import type { GradientGraph, LossSpec } from '../autodiff/types';
import { NdArray, toFloat32, toInt64 } from '../data/ndarray';
import { GraphIndex, valueInfoType } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { createSession, ort } from '../onnx/runtime';
import { NormalSource, openNormalSource } from '../util/normalSource';
import { Rng } from '../util/random';
import type { ChainSettings, SamplerSpec } from './chainSettings';
import { DialDivergence } from './dial';
import { BatchSource, MinibatchStream } from './sgldBatches';
import { buildSgldStepGraph, hasMalaAcceptance, SamplerKind, SGNHT_DIFFUSION, SgldNoiseSource, SgldStepGraph } from './sgldGraph';
import { counterStart, squaresKey } from './sgldNoise';
import { exponentialCoefficients, kineticCoefficients, metricCoefficients, referenceRate } from './sgldProposal';

export type { SgldLossKind } from './chainSettings';

export interface SgldSamplerSpec extends SamplerSpec {
  batchSize: number;
  /** Default `fed` (see DEFAULT_NOISE). */
  noise?: SgldNoiseSource;
  /** The update rule (sgldGraph.ts); default `sgld`. Only sgld's, preconditioned-sgld's and exponential-sgld's
   *  steps are Langevin proposals with a MALA acceptance (`hasMalaAcceptance`). */
  sampler?: SamplerKind;
  /** How minibatches are drawn (sgldBatches.ts): `epochs` (shuffled epochs, devinterp's; the default) or
   *  `independent` (each step a fresh sample, which exponential-sgld's noise balance assumes on a Gaussian posterior,
   *  sgldProposal.ts). On the modular example independent batches put exponential-sgld's ΔL 7–10% above a full-batch
   *  chain's while epochs agreed (docs/method.md, "Exponential SGLD"), so no sampler uses them by default. */
  batches?: 'epochs' | 'independent';
}

export interface SgldChainSettings extends ChainSettings {
  /** Measure the MALA acceptance at every `malaEvery`-th kept draw (1: every draw; 0: never). Each measurement costs
   *  one more forward and backward pass: the proposal is re-evaluated on the same minibatch (see `steps`). Default 1. */
  malaEvery?: number;
  /** exponential-sgld: the Gaussian reference's diagonal precision P, aligned with `parameters`, from which the step's
   *  coefficients at ε follow (sgldProposal.ts); without it the graph runs as preconditioned-sgld with `metric`. */
  precision?: readonly Float32Array[];
  /** preconditioned-sgld: filled, when the chain completes, with Σ over its steps of (∇U)² per weight (the metric
   *  pilot's statistic, sgldMetric.ts). */
  gradientSquares?: Float32Array[];
  /** Called with L_B(w*), the loss of the chain's first minibatch at its start (devinterp's per-chain init loss). */
  onStartLoss?: (loss: number) => void;
}

export interface SgldDraw {
  draw: number;
  step: number;
  /** The weights w at which `loss` was measured, aligned with `parameters`; valid until the next draw is asked for. */
  weights: Float32Array[];
  /** L_B(w) on this step's minibatch. */
  loss: number;
  /** MALA acceptance probability of the step from w, both potentials and both proposal terms on this step's
   *  minibatch (NaN on steps not measured, see `malaEvery`). */
  acceptance: number;
}

/**
 * Ziggurat normals drawn in WebAssembly SIMD cost a fraction of the in-graph Squares/Box–Muller generator's CPU,
 * and drawn inline they cost no more wall time than drawn a step ahead in a worker thread (whose draw competes with
 * the run's threads for the same cores); `npm run bench` compares the sources (bench/README.md).
 */
export const DEFAULT_NOISE: SgldNoiseSource = 'fed';

/** Stream purposes, appended to a chain's key. */
const BATCH_STREAM = 1;
const NOISE_STREAM = 2;
/** sgnht: the initial momentum √ε·N(0, I). */
const MOMENTUM_STREAM = 3;

export class SgldSampler {
  private constructor(
    readonly spec: SgldSamplerSpec,
    readonly graph: SgldStepGraph,
    private readonly session: ort.InferenceSession,
    private readonly sources: BatchSource[],
    readonly n: number,
    readonly batchSize: number,
  ) {}

  static async create(spec: SgldSamplerSpec): Promise<SgldSampler> {
    const n = spec.data.labels.shape[0] ?? 0;
    const batchSize = Math.min(spec.batchSize, n);
    const { gradient, labelsInput } = await samplerGradient(spec, batchSize);
    const graph = buildSgldStepGraph(gradient, spec.parameters, { noise: spec.noise ?? DEFAULT_NOISE, sampler: spec.sampler ?? 'sgld' });
    const sources = batchSources(graph.model, graph.batchInputs, spec.data.inputs, labelsInput, spec.data.labels, n);
    const session = await createSession(graph.model, { threads: spec.threads });
    return new SgldSampler(spec, graph, session, sources, n, batchSize);
  }

  /** Runs one chain and yields its kept draws; throws `DialDivergence` when it diverges. */
  async *chain(s: SgldChainSettings): AsyncGenerator<SgldDraw> {
    // Fed noise: the chain's ziggurat stream (keyed like its minibatches), already scaled by √ε.
    const normals = this.graph.noise === 'fed'
      ? openNormalSource([...s.key, NOISE_STREAM], this.graph.size, Math.sqrt(s.stepSize))
      : undefined;
    try {
      yield* this.steps(s, normals);
    } finally {
      normals?.close();
    }
  }

  private async *steps(s: SgldChainSettings, normals: NormalSource | undefined): AsyncGenerator<SgldDraw> {
    const g = this.graph;
    const { parameters, shapes } = g;
    const independent = this.spec.batches === 'independent';
    const batches = new MinibatchStream(this.sources, this.n, this.batchSize, Rng.stream(...s.key, BATCH_STREAM), independent);
    const noiseRng = Rng.stream(...s.key, NOISE_STREAM);
    const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
    const fixed: Record<string, ort.Tensor> = {
      [g.inputs.stepSize]: scalar(s.stepSize),
      [g.inputs.nbeta]: scalar(s.nbeta),
      [g.inputs.localization]: scalar(s.localization),
    };
    parameters.forEach((_, i) => { fixed[g.inputs.anchor[i]!] = new ort.Tensor('float32', this.spec.anchor[i]!, shapes[i]!); });
    if (g.inputs.metric) {
      if (s.precision && g.sampler !== 'exponential-sgld') throw new Error(`a reference precision is for exponential-sgld; this step graph is ${g.sampler}`);
      const rate = s.precision ? referenceRate(s.precision) : 0;
      parameters.forEach((p, i) => {
        const size = this.spec.anchor[i]!.length;
        const given = s.precision?.[i] ?? s.metric?.[i];
        if (given && given.length !== size) throw new Error(`the ${s.precision ? 'precision' : 'metric'} of '${p}' has ${given.length} values; the weight has ${size}`);
        const c = s.precision ? exponentialCoefficients(s.precision[i]!, s.stepSize, rate) : metricCoefficients(given ?? new Float32Array(size).fill(1));
        fixed[g.inputs.metric![i]!] = new ort.Tensor('float32', c.drift, shapes[i]!);
        fixed[g.inputs.metricSqrt![i]!] = new ort.Tensor('float32', c.noise, shapes[i]!);
        fixed[g.inputs.metricInvSqrt![i]!] = new ort.Tensor('float32', c.inverseNoise, shapes[i]!);
      });
    }
    if (g.inputs.refresh) {
      // kinetic-langevin: per weight f = 2√P (P the precision given, at least γ; else 2√γ), c = exp(−f·√ε).
      if (!(s.localization > 0)) throw new Error(`kinetic-langevin needs a localization γ > 0 (its friction is at least 2√γ); got ${s.localization}`);
      parameters.forEach((p, i) => {
        const size = this.spec.anchor[i]!.length;
        const given = s.precision?.[i];
        if (given && given.length !== size) throw new Error(`the precision of '${p}' has ${given.length} values; the weight has ${size}`);
        const c = kineticCoefficients(given ?? new Float32Array(size), s.stepSize, s.localization);
        fixed[g.inputs.refresh![i]!] = new ort.Tensor('float32', c.refresh, shapes[i]!);
        fixed[g.inputs.refreshNoise![i]!] = new ort.Tensor('float32', c.noise, shapes[i]!);
      });
    }
    if (g.noise === 'counter') fixed[g.inputs.noiseKey!] = new ort.Tensor('uint64', BigUint64Array.of(squaresKey(noiseRng)), []);

    // Three sets of weight tensors in rotation: the step reads w (current) and w_prev (previous) and onnxruntime
    // writes w' straight into the third (no output allocation, no copy out of the runtime). A fourth receives the
    // discarded update of the acceptance pass.
    const sets = [0, 1, 2].map(() => parameters.map((_, i) => new ort.Tensor('float32', Float32Array.from((s.start ?? this.spec.anchor)[i]!), shapes[i]!)));
    const scratch = parameters.map((_, i) => new ort.Tensor('float32', new Float32Array(this.spec.anchor[i]!.length), shapes[i]!));
    let current = sets[0]!;
    let previous = current;
    const fetches: Record<string, ort.Tensor | null> = { [g.outputs.loss]: null, [g.outputs.localizationEnergy]: null };
    if (g.outputs.noiseSquaredNorm) fetches[g.outputs.noiseSquaredNorm] = null;
    if (g.outputs.kineticAfterRefresh) fetches[g.outputs.kineticAfterRefresh] = null;
    // Only the Langevin proposals (SGLD's, with or without a fixed metric) have the MALA acceptance of docs/method.md.
    const malaEvery = hasMalaAcceptance(g.sampler) ? s.malaEvery ?? 1 : 0;
    // The sampler's own state, in two sets that alternate (read one, write the other): rmsprop-sgld's V starts at 0,
    // sgnht's momentum at √ε·N(0, I) (from the chain's stream) and its thermostat at D, kinetic-langevin's momentum at
    // its stationary law N(0, I).
    const momentumRng = Rng.stream(...s.key, MOMENTUM_STREAM);
    const initialState = g.state.shapes.map((shape, j) => {
      const size = shape.reduce((a, d) => a * d, 1);
      if (g.sampler === 'sgnht' && shape.length === 0) return Float32Array.of(SGNHT_DIFFUSION);
      if (g.sampler === 'kinetic-langevin') return g.state.roles[j] === 'momentum' ? momentumRng.fillNormal(new Float32Array(size), 1) : new Float32Array(size);
      return g.sampler === 'sgnht' ? momentumRng.fillNormal(new Float32Array(size), Math.sqrt(s.stepSize)) : new Float32Array(size);
    });
    const stateSets = [0, 1].map((k) => g.state.shapes.map((shape, j) => new ort.Tensor('float32', k === 0 ? initialState[j]! : new Float32Array(initialState[j]!.length), shape)));
    let state = 0;
    // The fed draw's offsets: each parameter's noise is a view of one flat draw.
    const sizes = shapes.map((shape) => shape.reduce((a, d) => a * d, 1));
    const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, n) => a + n, 0));
    // The acceptance pass feeds no noise (its update is thrown away).
    const silence = g.inputs.noise?.map((_, i) => new ort.Tensor('float32', new Float32Array(sizes[i]!), shapes[i]!));
    let noiseSquaredNorm = 0;
    // devinterp's schedule: draw k is step burnIn + k·thin.
    const totalSteps = s.burnIn + (s.draws - 1) * s.thin + 1;
    for (let step = 0; step < totalSteps; step++) {
      if (s.signal?.aborted) throw s.signal.reason ?? new Error('aborted');
      const feeds: Record<string, ort.Tensor> = { ...fixed, ...batches.next() };
      parameters.forEach((p, i) => {
        feeds[p] = current[i]!;
        feeds[g.inputs.previous[i]!] = previous[i]!;
      });
      if (normals) {
        const draw = await normals.next();
        g.inputs.noise!.forEach((name, i) => {
          feeds[name] = new ort.Tensor('float32', draw.values.subarray(offsets[i]!, offsets[i]! + sizes[i]!), shapes[i]!);
        });
        noiseSquaredNorm = draw.squaredNorm;
      } else if (g.noise === 'counter') feeds[g.inputs.noiseCounter!] = new ort.Tensor('int64', BigInt64Array.of(counterStart(step, g.size)), []);

      const next = sets.find((set) => set !== current && set !== previous)!;
      g.outputs.next.forEach((name, i) => { fetches[name] = next[i]!; });
      g.state.inputs.forEach((name, j) => { feeds[name] = stateSets[state]![j]!; });
      g.state.outputs.forEach((name, j) => { fetches[name] = stateSets[1 - state]![j]!; });
      const out = await this.session.run(feeds, fetches);
      state = 1 - state;
      const loss = scalarOf(out[g.outputs.loss]!);
      const localizationEnergy = scalarOf(out[g.outputs.localizationEnergy]!);
      if (!Number.isFinite(loss) || !Number.isFinite(localizationEnergy) || loss > s.divergenceLoss) {
        throw new DialDivergence(divergenceMessage(s, step, loss, localizationEnergy, g.sampler), s.chain, Math.max(0, Math.ceil((step - s.burnIn) / s.thin)));
      }
      if (step === 0) s.onStartLoss?.(loss);
      if (g.outputs.noiseSquaredNorm) noiseSquaredNorm = scalarOf(out[g.outputs.noiseSquaredNorm]!);
      let acceptance = NaN;
      const kept = step >= s.burnIn && (step - s.burnIn) % s.thin === 0;
      if (kept && malaEvery > 0 && ((step - s.burnIn) / s.thin) % malaEvery === 0) {
        // The acceptance of w → w' as a Metropolis–Hastings test of the Langevin proposal q, with the potential
        // U = nβ·L_B + (γ/2)|w − w*|² of this step's minibatch B at both ends (a second pass at w' on the same B):
        //   log α = U(w) − U(w') + log q(w' → w) − log q(w → w'),  q(a → b) ∝ exp(−|b − a + (ε/2)∇U(a)|²/(2ε)),
        // where log q(w → w') = −|ξ|²/2 and the pass at w' returns |w − w' + (ε/2)∇U(w')|². Potentials of two
        // different minibatches would differ by nβ times the batch-to-batch spread of L_B, which caps the estimate
        // far below 1 however small ε is.
        const reverse: Record<string, ort.Tensor> = { ...feeds };
        parameters.forEach((p, i) => {
          reverse[p] = next[i]!;
          reverse[g.inputs.previous[i]!] = current[i]!;
        });
        g.inputs.noise?.forEach((name, i) => { reverse[name] = silence![i]!; });
        const reverseFetches: Record<string, ort.Tensor | null> = { [g.outputs.loss]: null, [g.outputs.localizationEnergy]: null, [g.outputs.malaReverse]: null };
        g.outputs.next.forEach((name, i) => { reverseFetches[name] = scratch[i]!; });
        if (g.outputs.kineticAfterKick) {
          // kinetic-langevin (GHMC): the pass at w' from this step's momentum p' = p₂ − (h/2)∇U(w) kicks it by
          // −(h/2)∇U(w') on the same batch, which ends the Verlet part: log α = −ΔH, ΔH = U(w') + ½|p''|² − U(w) − ½|p₂|².
          g.state.inputs.forEach((name, j) => { reverse[name] = stateSets[state]![j]!; });
          reverseFetches[g.outputs.kineticAfterKick] = null;
        }
        const back = await this.session.run(reverse, reverseFetches);
        const proposedPotential = s.nbeta * scalarOf(back[g.outputs.loss]!) + scalarOf(back[g.outputs.localizationEnergy]!);
        if (g.outputs.kineticAfterKick) {
          const energyError = proposedPotential + scalarOf(back[g.outputs.kineticAfterKick]!) - (s.nbeta * loss + localizationEnergy) - scalarOf(out[g.outputs.kineticAfterRefresh!]!);
          acceptance = Number.isNaN(energyError) ? 0 : Math.min(1, Math.exp(-energyError));
        } else {
          // With a metric M the proposal's covariance is εM: the residuals are measured in M^{-1/2} (the graph's
          // malaReverse is), and the forward one is still |ξ|² since the fed noise is √ε·ξ before √M scales it.
          const logAlpha = s.nbeta * loss + localizationEnergy - proposedPotential
            - scalarOf(back[g.outputs.malaReverse]!) / (2 * s.stepSize) + noiseSquaredNorm / (2 * s.stepSize); // |ξ|² = |√ε·ξ|²/ε
          acceptance = Number.isNaN(logAlpha) ? 0 : Math.min(1, Math.exp(logAlpha));
        }
      }
      if (kept) {
        yield { draw: (step - s.burnIn) / s.thin, step, weights: current.map((t) => t.data as Float32Array), loss, acceptance };
      }
      previous = current;
      current = next;
    }
    // The state set written last holds the sums of (∇U)², one per parameter in order.
    if (s.gradientSquares) {
      stateSets[state]!.filter((_, j) => g.state.roles[j] === 'gradient-squares').forEach((t, i) => s.gradientSquares![i]!.set(t.data as Float32Array));
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The gradient graph of the spec's loss at `batch` examples per run, with the labels fed under a fresh name. */
export async function samplerGradient(spec: SamplerSpec, batch: number): Promise<{ gradient: GradientGraph; labelsInput: string }> {
  const labelsInput = freshName(spec.model, 'labels');
  const lossSpec: LossSpec = spec.loss.kind === 'cross-entropy'
    ? { kind: 'cross-entropy', output: spec.loss.output, labels: labelsInput }
    : { kind: 'mse', output: spec.loss.output, targets: labelsInput };
  const feedShapes: Record<string, number[]> = {};
  for (const [name, a] of Object.entries(spec.data.inputs)) feedShapes[name] = [batch, ...a.shape.slice(1)];
  const gradient = await buildGradientGraph({ model: spec.model, parameters: [...spec.parameters], loss: lossSpec, feedShapes });
  return { gradient, labelsInput };
}

/** The name `base` (or `base_1`, …) that no tensor of the model uses. */
export function freshName(model: ModelProto, base: string): string {
  const taken = new Set(GraphIndex.of(model).tensorNames());
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}

/** The batch inputs with their data converted once to the dtype the graph declares. */
export function batchSources(model: ModelProto, names: readonly string[], inputs: Readonly<Record<string, NdArray>>, labelsInput: string, labels: NdArray, n: number): BatchSource[] {
  const declared = new Map(model.graph.input.map((v) => [v.name, valueInfoType(v).dtype]));
  return names.map((input) => {
    const source = input === labelsInput ? labels : inputs[input];
    if (!source) throw new Error(`no data for the model input '${input}'`);
    if (source.shape[0] !== n) throw new Error(`'${input}' has ${source.shape[0]} examples; the labels have ${n}`);
    const dtype = declared.get(input);
    const array = dtype === 'float32' ? toFloat32(source) : dtype === 'int64' ? toInt64(source, input) : source;
    if (array.dtype !== dtype) throw new Error(`the model input '${input}' is ${dtype}; the data is ${source.dtype}`);
    return { input, array };
  });
}

function scalarOf(t: ort.Tensor): number {
  return Number((t.data as Float32Array)[0]);
}

function divergenceMessage(s: SgldChainSettings, step: number, loss: number, localizationEnergy: number, sampler: SamplerKind): string {
  const where = `${s.level !== undefined ? `at temperature ${s.level}, ` : ''}${s.chain >= 0 ? `chain ${s.chain}` : 'a calibration pilot'}, step ${step}`;
  const kind = (v: number) => (Number.isNaN(v) ? 'NaN' : 'infinite');
  const what = !Number.isFinite(loss) ? `the minibatch loss became ${kind(loss)}`
    : !Number.isFinite(localizationEnergy) ? `the weights became ${kind(localizationEnergy)}`
    : `the minibatch loss reached ${loss.toPrecision(4)} (limit ${s.divergenceLoss.toPrecision(4)})`;
  // With a metric, ε is the stiffest weight's step: a tenth of it shortens every weight's step tenfold alike.
  const name = sampler === 'sgld' ? 'SGLD' : sampler;
  return `${name} diverged (${where}): ${what}. Try stepSize ≤ ${Number((s.stepSize / 10).toPrecision(2))} (ε/10).`;
}
