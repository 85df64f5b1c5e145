// One SGLD step as one ONNX graph (docs/method.md, docs/architecture.md): forward, backward, noise and update, so a step is one
// `session.run` and weights go in and come out as tensors.
//
//   w' = w − (ε/2)·[nβ·∇L_B(w) + γ·(w − w*)] + √ε·ξ,  ξ ~ N(0, I)          (devinterp's SGLD)
//
// or, with `sampler`, devinterp's other two update rules (state tensors go in and come out beside the weights):
//
//   rmsprop-sgld  V' = αV + (1 − α)·(∇L_B)²,  P = 1/(√V' + λ);  w' = w − (ε/2)·P·[nβ·∇L_B + γ(w − w*)] + √P·√ε·ξ
//                 (α = 0.99, λ = 0.1: devinterp's RMSprop preconditioner, Li et al. 2016)
//   sgnht         p' = p − ε·[nβ·∇L_B + γ(w − w*)] − ζ·p + √(2D)·√ε·ξ;  w' = w + p';  ζ' = ζ + mean(p'²) − ε
//                 (D = 0.01: devinterp's SGNHT, the Nosé–Hoover thermostat of Ding et al. 2014, with our pull)
//   preconditioned-sgld   w' = w − (ε/2)·M·[nβ·∇L_B + γ(w − w*)] + √M·√ε·ξ,  S' = S + [nβ·∇L_B + γ(w − w*)]²
//                 (M a fixed diagonal metric, fed: a Langevin proposal with covariance εM, so MALA applies; S sums the
//                 potential's squared gradient, from which sgldMetric.ts estimates M during a pilot and then freezes it)
//   exponential-sgld      the same graph, fed other per-weight coefficients (sgldProposal.ts): the exponential integrator
//                 of a Gaussian reference N(w*, P⁻¹) with the pilot's diagonal curvature P, ρ = exp(−εP/2):
//                 w' = w − ((1 − ρ)/P)·∇U + √((1 − ρ²)/P)·ξ, exact (acceptance 1 at any ε) where U is that Gaussian,
//                 so ε is held down only by what the Gaussian misses, not by the stiffest weight
//   kinetic-langevin      underdamped Langevin with momentum p (unit mass), split as OBABO with the two half-refreshes
//                 of consecutive steps merged, h = √ε, per weight a friction f and c = exp(−f·h) (fed, fixed):
//                     p₁ = p − (h/2)·∇U(w);  p₂ = c·p₁ + √(1 − c²)·ξ;  p' = p₂ − (h/2)·∇U(w);  w' = w + h·p'
//                 (the first kick ends the previous step's Verlet half, the second starts this one's, both with this
//                 step's gradient); S' = S + (∇U)² as preconditioned-sgld's, for the friction's pilot. With c = 0 it is
//                 SGLD at ε; with c > 0 momentum carries on, and at f = 2√γ a direction held only by the pull relaxes in
//                 ≈ 2/(h√γ) steps instead of 2/(εγ). Its acceptance is GHMC's: the energy error of the Verlet part
//                 from (w, p₂) to (w', p₂ − h∇U(w)/2 − h∇U(w')/2), on one minibatch
//
// Beside w' the graph returns what the diagnostics need, all scalars:
//   loss                 L_B(w) on the fed batch
//   localizationEnergy   (γ/2)·|w − w*|²     so that U(w) = nβ·L_B(w) + (γ/2)·|w − w*|² is the potential
//   noiseSquaredNorm     ε·|ξ|² = |√ε·ξ|²    so log q(w → w') = −|ξ|²/2 (+ const); only for in-graph noise:
//                        fed noise brings its own from the generator, which saves the graph a pass over it
//   malaReverse          |w_prev − w + (ε/2)·∇U(w)|², the reverse-proposal residual of the step w_prev → w
//                        (preconditioned-sgld: |M^{-1/2}·(w_prev − w + (ε/2)·M·∇U(w))|², the same in the metric)
//   kineticAfterKick     kinetic-langevin: ½|p₁|², the kinetic energy at the end of the previous step's Verlet part
//   kineticAfterRefresh  kinetic-langevin: ½|p₂|², the kinetic energy at the start of this step's
import type { GradientGraph } from '../autodiff/types';
import { builderFor, valueInfoType } from '../onnx/graph';
import { DataType, ModelProto } from '../onnx/proto';
import { cloneModel, makeValueInfo } from '../onnx/rewrite';
import { emitCounterNormals } from './sgldNoise';

/** Where ξ comes from: generated in the graph from (key, counter) inputs, or fed as a flat float32 input;
 *  `none` (ξ = 0, gradient descent on U) exists to measure what the noise costs. */
export type SgldNoiseSource = 'counter' | 'fed' | 'none';

/** The update rule (see the header). */
export type SamplerKind = 'sgld' | 'preconditioned-sgld' | 'exponential-sgld' | 'kinetic-langevin' | 'rmsprop-sgld' | 'sgnht';
export const SAMPLER_KINDS: readonly SamplerKind[] = ['sgld', 'preconditioned-sgld', 'exponential-sgld', 'kinetic-langevin', 'rmsprop-sgld', 'sgnht'];

/** Whether the sampler's step has an acceptance the chain can measure: a Langevin proposal's (fixed covariance: MALA)
 *  or kinetic-langevin's Verlet part (GHMC). */
export function hasMalaAcceptance(sampler: SamplerKind): boolean {
  return sampler === 'sgld' || hasFedMetric(sampler) || sampler === 'kinetic-langevin';
}

/** kinetic-langevin's friction f = 2√P per weight, P its curvature (at least γ: the pull's direction, frequency √γ,
 *  critically damped); without a measured curvature, 2√γ for every weight. */
export function kineticFriction(localization: number, curvature = localization): number {
  return 2 * Math.sqrt(Math.max(curvature, localization));
}

/** Whether the step reads fixed per-weight coefficients (metric inputs) and sums (∇U)² for the metric pilot. */
export function hasFedMetric(sampler: SamplerKind): boolean {
  return sampler === 'preconditioned-sgld' || sampler === 'exponential-sgld';
}

/** devinterp's defaults: RMSprop's decay and stability constant, SGNHT's diffusion factor. */
export const RMSPROP_ALPHA = 0.99;
export const RMSPROP_EPS = 0.1;
export const SGNHT_DIFFUSION = 0.01;

export interface SgldGraphOptions {
  /** Default `counter`. */
  noise?: SgldNoiseSource;
  /** Default `sgld`. */
  sampler?: SamplerKind;
}

/** What a state tensor of the step graph holds (SgldStepGraph.state). */
export type StateRole = 'momentum' | 'gradient-squares' | 'other';

export interface SgldStepGraph {
  model: ModelProto;
  noise: SgldNoiseSource;
  sampler: SamplerKind;
  /** The sampler's state beyond w, carried from step to step: per-parameter tensors shaped like the parameters
   *  (rmsprop-sgld: V; sgnht: the momentum p; the fed-metric samplers and kinetic-langevin: the sums S of (∇U)²) and
   *  scalars (sgnht: the thermostat ζ). Input i becomes output i; `roles` says which are momenta and which sums. */
  state: { inputs: readonly string[]; outputs: readonly string[]; shapes: readonly number[][]; roles: readonly StateRole[] };
  /** Parameters in the order of every per-parameter list below. */
  parameters: readonly string[];
  shapes: readonly number[][];
  /** Total number of weights D. */
  size: number;
  /** The inputs that carry the minibatch: the model's data inputs and the loss's labels/targets. */
  batchInputs: readonly string[];
  inputs: {
    /** Current weights w: the parameter names themselves. */
    weights: readonly string[];
    /** The anchor w* of the localization term. */
    anchor: readonly string[];
    /** The weights of the previous step (for the MALA reverse residual; feed w itself on a chain's first step). */
    previous: readonly string[];
    /** float32 scalars. */
    stepSize: string;
    nbeta: string;
    localization: string;
    /** `fed`: √ε·ξ, ξ ~ N(0, I), one input per parameter, shaped like it (a flat draw's consecutive pieces
     *  fed as views: no copy, no split in the graph). */
    noise?: readonly string[];
    /** `counter`: the chain's key (uint64 scalar) and the step's first counter (int64 scalar), see sgldNoise.ts. */
    noiseKey?: string;
    noiseCounter?: string;
    /** preconditioned-sgld: the diagonal metric M, √M and 1/√M, per parameter, shaped like it (fed, fixed). */
    metric?: readonly string[];
    metricSqrt?: readonly string[];
    metricInvSqrt?: readonly string[];
    /** kinetic-langevin: c = exp(−f·h) and √(1 − c²)/h per weight, per parameter, shaped like it (fed, fixed). */
    refresh?: readonly string[];
    refreshNoise?: readonly string[];
  };
  outputs: {
    next: readonly string[];
    loss: string;
    localizationEnergy: string;
    /** `counter` only (see the header). */
    noiseSquaredNorm?: string;
    malaReverse: string;
    /** kinetic-langevin only (see the header). */
    kineticAfterKick?: string;
    kineticAfterRefresh?: string;
  };
}

/** Appends the update to a gradient graph whose parameters are `parameters` (all float32), in stages: the parameters'
 *  shapes, the step's inputs, the noise, the sampler's update per parameter, the diagnostics, and the new graph. */
export function buildSgldStepGraph(gradient: GradientGraph, parameters: readonly string[], options: SgldGraphOptions = {}): SgldStepGraph {
  const noise = options.noise ?? 'counter';
  const sampler = options.sampler ?? 'sgld';
  const model = cloneModel(gradient.model);
  // Node names must be unique too (onnxruntime checks): builderFor takes them as well.
  const b = builderFor(model, '');
  const shapes = parameterShapes(gradient, model, parameters);
  const sizes = shapes.map((s) => s.reduce((a, d) => a * d, 1));
  const size = sizes.reduce((a, s) => a + s, 0);
  const inputs = new StepInputs(b);
  const scalars = stepScalars(inputs);
  const anchor = inputs.perParameter('sgld/anchor', parameters, shapes);
  const previous = inputs.perParameter('sgld/previous', parameters, shapes);
  const noiseTerms = stepNoise(b, inputs, noise, parameters, shapes, sizes, size, scalars.stepSize);
  const step = update(b, inputs, sampler, gradient, parameters, shapes, size, scalars, anchor, previous, noiseTerms.scaled);
  const diagnostics = stepDiagnostics(b, scalars.localization, step.distanceTerms, step.reverseTerms);
  appendStep(model, b, inputs, gradient, [
    ...step.next.map((n, i) => makeValueInfo(n, 'float32', shapes[i]!)),
    ...step.state.outputs.map((n, i) => makeValueInfo(n, 'float32', step.state.shapes[i]!)),
    ...[diagnostics.localizationEnergy, ...(noiseTerms.squaredNorm ? [noiseTerms.squaredNorm] : []), diagnostics.malaReverse, ...(step.kinetic ? [step.kinetic.afterKick, step.kinetic.afterRefresh] : [])].map((n) => makeValueInfo(n, 'float32', [])),
  ]);
  const parameterSet = new Set(parameters);
  const batchInputs = gradient.model.graph.input.map((v) => v.name).filter((n) => !parameterSet.has(n));
  return {
    model, noise, sampler, state: step.state, parameters: [...parameters], shapes, size, batchInputs,
    inputs: {
      weights: [...parameters], anchor, previous, stepSize: scalars.stepSize, nbeta: scalars.nbeta, localization: scalars.localization,
      noise: noiseTerms.inputs, noiseKey: noiseTerms.key, noiseCounter: noiseTerms.counter, metric: step.metric, metricSqrt: step.metricSqrt, metricInvSqrt: step.metricInvSqrt,
      refresh: step.refresh, refreshNoise: step.refreshNoise,
    },
    outputs: {
      next: step.next, loss: gradient.lossOutput, localizationEnergy: diagnostics.localizationEnergy, noiseSquaredNorm: noiseTerms.squaredNorm, malaReverse: diagnostics.malaReverse,
      ...(step.kinetic ? { kineticAfterKick: step.kinetic.afterKick, kineticAfterRefresh: step.kinetic.afterRefresh } : {}),
    },
  };
}

type Builder = ReturnType<typeof builderFor>;

/** Each parameter's static float32 shape, as the gradient graph declares it. */
function parameterShapes(gradient: GradientGraph, model: ModelProto, parameters: readonly string[]): number[][] {
  const declared = new Map(model.graph.input.map((v) => [v.name, valueInfoType(v)]));
  return parameters.map((p) => {
    if (!(p in gradient.gradOutputs)) throw new Error(`the gradient graph has no gradient for '${p}'`);
    const t = declared.get(p);
    if (!t || t.dtype !== 'float32') throw new Error(`SGLD samples float32 weights; '${p}' is ${t?.dtype ?? 'not an input of the gradient graph'}`);
    if (!t.shape || t.shape.some((d) => typeof d !== 'number')) throw new Error(`parameter '${p}' has no static shape`);
    return t.shape as number[];
  });
}

/** The inputs the step adds to the gradient graph, in the order they are declared. */
class StepInputs {
  readonly declared: ReturnType<typeof makeValueInfo>[] = [];
  constructor(private readonly b: Builder) {}

  add(hint: string, shape: number[], dtype: Parameters<typeof makeValueInfo>[1] = 'float32'): string {
    const name = this.b.name(hint);
    this.declared.push(makeValueInfo(name, dtype, shape));
    return name;
  }

  /** One input per parameter, shaped like it: `${hint}/${parameter}`. */
  perParameter(hint: string, parameters: readonly string[], shapes: readonly number[][]): string[] {
    return parameters.map((p, i) => this.add(`${hint}/${p}`, shapes[i]!));
  }
}

interface StepScalars {
  stepSize: string;
  nbeta: string;
  localization: string;
}

/** ε, nβ and γ: float32 scalar inputs. */
function stepScalars(inputs: StepInputs): StepScalars {
  return { stepSize: inputs.add('sgld/step_size', []), nbeta: inputs.add('sgld/nbeta', []), localization: inputs.add('sgld/localization', []) };
}

interface StepNoise {
  /** √ε·ξ per parameter (empty without noise). */
  scaled: string[];
  inputs?: string[];
  key?: string;
  counter?: string;
  squaredNorm?: string;
}

/** The noise, already scaled by √ε (one pass fewer): the generator folds ε into its radius, fed noise is scaled by
 *  the generator that draws it. */
function stepNoise(b: Builder, inputs: StepInputs, noise: SgldNoiseSource, parameters: readonly string[], shapes: readonly number[][], sizes: number[], size: number, stepSize: string): StepNoise {
  if (noise === 'fed') {
    const fed = inputs.perParameter('sgld/noise', parameters, shapes);
    return { scaled: fed, inputs: fed };
  }
  if (noise !== 'counter') return { scaled: [] };
  const key = inputs.add('sgld/noise_key', [], DataType.UINT64);
  const counter = inputs.add('sgld/noise_counter', [], DataType.INT64);
  const flatNoise = emitCounterNormals(b, size, key, stepSize, counter);
  const squaredNorm = b.op('ReduceSumSquare', [flatNoise], { keepdims: 0 }, b.name('sgld/noise_squared_norm'));
  const pieces = parameters.length === 1 ? [flatNoise] : b.split(flatNoise, sizes, 0);
  return { scaled: pieces.map((piece, i) => (shapes[i]!.length === 1 ? piece : b.reshape(piece, shapes[i]!))), key, counter, squaredNorm };
}

/** What the update of every parameter leaves: the next weights, the sampler's state, and the diagnostics' terms. */
interface StepUpdate {
  next: string[];
  state: { inputs: string[]; outputs: string[]; shapes: number[][]; roles: StateRole[] };
  distanceTerms: string[];
  reverseTerms: string[];
  metric?: string[];
  metricSqrt?: string[];
  metricInvSqrt?: string[];
  /** kinetic-langevin: ½|p₁|² and ½|p₂|² (see the header). */
  kinetic?: { afterKick: string; afterRefresh: string };
  refresh?: string[];
  refreshNoise?: string[];
}

/** One parameter's terms, as every update rule reads them. */
interface ParameterTerms {
  i: number;
  w: string;
  grad: string;
  /** w − w*. */
  offset: string;
  /** The name the next weights take. */
  nextName: string;
  /** √ε·ξ of this parameter (undefined without noise). */
  noise: string | undefined;
}

/**
 * w' = w − k·∇L_B − c·(w − w*) + √ε·ξ with k = ε·nβ/2, c = ε·γ/2, or the sampler's rule (see the header); the
 * deterministic part d = w' − √ε·ξ also gives the MALA residual: w_prev − w + (ε/2)∇U(w) = w_prev − d.
 */
function update(
  b: Builder, inputs: StepInputs, sampler: SamplerKind, gradient: GradientGraph, parameters: readonly string[], shapes: readonly number[][], size: number,
  scalars: StepScalars, anchor: readonly string[], previous: readonly string[], scaledNoise: readonly string[],
): StepUpdate {
  const { stepSize, nbeta, localization } = scalars;
  const halfStep = b.mul(stepSize, b.scalarFloat(0.5, 'sgld/half'));
  const gradientScale = b.mul(halfStep, nbeta);
  const pullScale = b.mul(halfStep, localization);
  const out: StepUpdate = { next: [], state: { inputs: [], outputs: [], shapes: [], roles: [] }, distanceTerms: [], reverseTerms: [] };
  const stateInput = (hint: string, shape: number[], role: StateRole = 'other') => {
    const name = inputs.add(hint, shape);
    out.state.inputs.push(name);
    out.state.shapes.push(shape);
    out.state.roles.push(role);
    return name;
  };
  const withNoise = (drift: string, noise: string | undefined, name: string) => (noise === undefined ? b.op('Identity', [drift], {}, name) : b.op('Add', [drift, noise], {}, name));
  // sgnht: the thermostat ζ, and the kinetic terms of its update.
  const thermostat = sampler === 'sgnht' ? stateInput('sgnht/thermostat', []) : undefined;
  const kinetic: string[] = [];
  // kinetic-langevin: h = √ε; per weight the refresh c and the scale √(1 − c²)/h of the fed √ε·ξ (fed, fixed); the
  // per-parameter ½|p₁|² and ½|p₂|² terms.
  const langevin = sampler === 'kinetic-langevin' ? (() => {
    const h = b.op('Sqrt', [stepSize]);
    out.refresh = inputs.perParameter('kinetic/refresh', parameters, shapes);
    out.refreshNoise = inputs.perParameter('kinetic/refresh_noise', parameters, shapes);
    return { h, halfH: b.mul(h, b.scalarFloat(0.5, 'kinetic/half')), afterKick: [] as string[], afterRefresh: [] as string[] };
  })() : undefined;
  if (hasFedMetric(sampler)) {
    out.metric = inputs.perParameter('metric/m', parameters, shapes);
    out.metricSqrt = inputs.perParameter('metric/sqrt_m', parameters, shapes);
    out.metricInvSqrt = inputs.perParameter('metric/inv_sqrt_m', parameters, shapes);
  }
  // ∇U = nβ·∇L_B + γ(w − w*).
  const potentialGradientOf = (grad: string, offset: string) => b.add(b.mul(grad, nbeta), b.mul(offset, localization));
  // S' = S + (∇U)², the state the metric and friction pilots read: S's input is declared now, S' returned.
  const gradientSquares = (prefix: string, i: number, w: string, potentialGradient: string) => {
    const squares = stateInput(`${prefix}/gradient_squares/${w}`, shapes[i]!, 'gradient-squares');
    return b.op('Add', [squares, b.mul(potentialGradient, potentialGradient)], {}, b.name(`${prefix}/gradient_squares_next/${w}`));
  };
  const fedMetric = ({ i, w, grad, offset, nextName, noise }: ParameterTerms) => {
    // The drift is w − (ε/2)·M·∇U.
    const potentialGradient = potentialGradientOf(grad, offset);
    const drift = b.sub(w, b.mul(out.metric![i]!, b.mul(potentialGradient, halfStep)));
    out.next.push(withNoise(drift, noise === undefined ? undefined : b.mul(out.metricSqrt![i]!, noise), nextName));
    out.reverseTerms.push(b.op('ReduceSumSquare', [b.mul(b.sub(previous[i]!, drift), out.metricInvSqrt![i]!)], { keepdims: 0 }));
    out.state.outputs.push(gradientSquares('metric', i, w, potentialGradient));
  };
  const rules: Record<SamplerKind, (p: ParameterTerms) => void> = {
    sgld: ({ i, w, grad, offset, nextName, noise }) => {
      const drift = b.sub(b.sub(w, b.mul(grad, gradientScale)), b.mul(offset, pullScale));
      out.next.push(withNoise(drift, noise, nextName));
      out.reverseTerms.push(b.op('ReduceSumSquare', [b.sub(previous[i]!, drift)], { keepdims: 0 }));
    },
    // The fed coefficients say which: M, √M, 1/√M (preconditioned-sgld), or the exponential integrator's
    // (sgldProposal.ts), whose noise scale is not the square root of its drift scale.
    'preconditioned-sgld': fedMetric,
    'exponential-sgld': fedMetric,
    'rmsprop-sgld': ({ i, w, grad, offset, nextName, noise }) => {
      const v = stateInput(`rmsprop/v/${w}`, shapes[i]!);
      const v2 = b.op('Add', [b.mul(v, b.scalarFloat(RMSPROP_ALPHA, 'rmsprop/alpha')), b.mul(b.mul(grad, grad), b.scalarFloat(1 - RMSPROP_ALPHA, 'rmsprop/one_minus_alpha'))], {}, b.name(`rmsprop/v_next/${w}`));
      out.state.outputs.push(v2);
      const precondition = b.div(b.scalarFloat(1, 'rmsprop/one'), b.add(b.op('Sqrt', [v2]), b.scalarFloat(RMSPROP_EPS, 'rmsprop/eps')));
      const force = b.add(b.mul(grad, gradientScale), b.mul(offset, pullScale));
      const drift = b.sub(w, b.mul(precondition, force));
      out.next.push(withNoise(drift, noise === undefined ? undefined : b.mul(b.op('Sqrt', [precondition]), noise), nextName));
    },
    'kinetic-langevin': ({ i, w, grad, offset, nextName, noise }) => {
      const { h, halfH } = langevin!;
      const p = stateInput(`kinetic/momentum/${w}`, shapes[i]!, 'momentum');
      const potentialGradient = potentialGradientOf(grad, offset);
      const kick = b.mul(potentialGradient, halfH);
      const p1 = b.sub(p, kick);
      let p2 = b.mul(p1, out.refresh![i]!);
      if (noise !== undefined) p2 = b.add(p2, b.mul(noise, out.refreshNoise![i]!));
      const squaresNext = gradientSquares('kinetic', i, w, potentialGradient);
      const momentum = b.op('Sub', [p2, kick], {}, b.name(`kinetic/momentum_next/${w}`));
      out.state.outputs.push(momentum, squaresNext);
      langevin!.afterKick.push(b.op('ReduceSumSquare', [p1], { keepdims: 0 }));
      langevin!.afterRefresh.push(b.op('ReduceSumSquare', [p2], { keepdims: 0 }));
      out.next.push(b.op('Add', [w, b.mul(momentum, h)], {}, nextName));
    },
    sgnht: ({ i, w, grad, offset, nextName, noise }) => {
      const p = stateInput(`sgnht/momentum/${w}`, shapes[i]!);
      // ε·[nβ·∇L + γ(w − w*)] = 2·(k·∇L + c·(w − w*)).
      const force = b.mul(b.add(b.mul(grad, gradientScale), b.mul(offset, pullScale)), b.scalarFloat(2, 'sgnht/two'));
      let p2 = b.sub(b.sub(p, force), b.mul(thermostat!, p));
      if (noise !== undefined) p2 = b.add(p2, b.mul(noise, b.scalarFloat(Math.sqrt(2 * SGNHT_DIFFUSION), 'sgnht/diffusion')));
      const momentum = b.op('Identity', [p2], {}, b.name(`sgnht/momentum_next/${w}`));
      out.state.outputs.push(momentum);
      kinetic.push(b.op('ReduceSumSquare', [momentum], { keepdims: 0 }));
      out.next.push(b.op('Add', [w, momentum], {}, nextName));
    },
  };
  parameters.forEach((w, i) => {
    const offset = b.sub(w, anchor[i]!);
    const grad = gradient.gradOutputs[w]!;
    rules[sampler]({ i, w, grad, offset, nextName: b.name(`sgld/next/${w}`), noise: scaledNoise[i] });
    out.distanceTerms.push(b.op('ReduceSumSquare', [offset], { keepdims: 0 }));
  });
  if (langevin) {
    const half = b.scalarFloat(0.5, 'kinetic/half_energy');
    const energy = (terms: string[], name: string) => b.op('Mul', [terms.length === 1 ? terms[0]! : b.op('Sum', terms), half], {}, b.name(name));
    out.kinetic = { afterKick: energy(langevin.afterKick, 'kinetic/energy_after_kick'), afterRefresh: energy(langevin.afterRefresh, 'kinetic/energy_after_refresh') };
  }
  if (thermostat) {
    // ζ' = ζ + |p'|²/D_total − ε; its output goes last, after the momenta (state order: ζ first in, ζ last out
    // would misalign, so the scalar is moved to the front of the outputs below).
    const meanKinetic = b.mul(kinetic.length === 1 ? kinetic[0]! : b.op('Sum', kinetic), b.scalarFloat(1 / size, 'sgnht/inverse_size'));
    out.state.outputs.unshift(b.op('Sub', [b.add(thermostat, meanKinetic), stepSize], {}, b.name('sgnht/thermostat_next')));
  }
  return out;
}

/** (γ/2)·|w − w*|² and the MALA reverse residual (the Langevin proposals' only; the others report 0: their
 *  acceptance is not measured). */
function stepDiagnostics(b: Builder, localization: string, distanceTerms: string[], reverseTerms: string[]): { localizationEnergy: string; malaReverse: string } {
  if (reverseTerms.length === 0) reverseTerms.push(b.scalarFloat(0, 'sgld/no_reverse'));
  const total = (terms: string[], name: string) => b.op(terms.length === 1 ? 'Identity' : 'Sum', terms, {}, b.name(name));
  const halfLocalization = b.mul(localization, b.scalarFloat(0.5, 'sgld/half_gamma'));
  const localizationEnergy = b.op('Mul', [total(distanceTerms, 'sgld/squared_distance'), halfLocalization], {}, b.name('sgld/localization_energy'));
  return { localizationEnergy, malaReverse: total(reverseTerms, 'sgld/mala_reverse') };
}

/** The built nodes, initializers and inputs into the graph; its outputs: the loss and kept tensors, then `outputs`
 *  (gradients are intermediate now). */
function appendStep(model: ModelProto, b: Builder, inputs: StepInputs, gradient: GradientGraph, outputs: ReturnType<typeof makeValueInfo>[]): void {
  const g = model.graph;
  g.node.push(...b.nodes);
  g.initializer.push(...b.initializers);
  g.input.push(...inputs.declared);
  const gradientNames = new Set(Object.values(gradient.gradOutputs));
  g.output = [...g.output.filter((o) => !gradientNames.has(o.name)), ...outputs];
}
