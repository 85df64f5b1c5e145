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
//
// Beside w' the graph returns what the diagnostics need, all scalars:
//   loss                 L_B(w) on the fed batch
//   localizationEnergy   (γ/2)·|w − w*|²     so that U(w) = nβ·L_B(w) + (γ/2)·|w − w*|² is the potential
//   noiseSquaredNorm     ε·|ξ|² = |√ε·ξ|²    so log q(w → w') = −|ξ|²/2 (+ const); only for in-graph noise:
//                        fed noise brings its own from the generator, which saves the graph a pass over it
//   malaReverse          |w_prev − w + (ε/2)·∇U(w)|², the reverse-proposal residual of the step w_prev → w
//                        (preconditioned-sgld: |M^{-1/2}·(w_prev − w + (ε/2)·M·∇U(w))|², the same in the metric)
import type { GradientGraph } from '../autodiff/types';
import { builderFor, valueInfoType } from '../onnx/graph';
import { DataType, ModelProto } from '../onnx/proto';
import { cloneModel, makeValueInfo } from '../onnx/rewrite';
import { emitCounterNormals } from './sgldNoise';

/** Where ξ comes from: generated in the graph from (key, counter) inputs, or fed as a flat float32 input;
 *  `none` (ξ = 0, gradient descent on U) exists to measure what the noise costs. */
export type SgldNoiseSource = 'counter' | 'fed' | 'none';

/** The update rule (see the header). */
export type SamplerKind = 'sgld' | 'preconditioned-sgld' | 'rmsprop-sgld' | 'sgnht';
export const SAMPLER_KINDS: readonly SamplerKind[] = ['sgld', 'preconditioned-sgld', 'rmsprop-sgld', 'sgnht'];

/** Whether the sampler's step is a Langevin proposal (fixed covariance), so its MALA acceptance is defined. */
export function hasMalaAcceptance(sampler: SamplerKind): boolean {
  return sampler === 'sgld' || sampler === 'preconditioned-sgld';
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

export interface SgldStepGraph {
  model: ModelProto;
  noise: SgldNoiseSource;
  sampler: SamplerKind;
  /** The sampler's state beyond w, carried from step to step: per-parameter tensors shaped like the parameters
   *  (rmsprop-sgld: V; sgnht: the momentum p) and scalars (sgnht: the thermostat ζ). Input i becomes output i. */
  state: { inputs: readonly string[]; outputs: readonly string[]; shapes: readonly number[][] };
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
  };
  outputs: {
    next: readonly string[];
    loss: string;
    localizationEnergy: string;
    /** `counter` only (see the header). */
    noiseSquaredNorm?: string;
    malaReverse: string;
  };
}

/** Appends the update to a gradient graph whose parameters are `parameters` (all float32). */
export function buildSgldStepGraph(gradient: GradientGraph, parameters: readonly string[], options: SgldGraphOptions = {}): SgldStepGraph {
  const noise = options.noise ?? 'counter';
  const model = cloneModel(gradient.model);
  const g = model.graph;
  // Node names must be unique too (onnxruntime checks): builderFor takes them as well.
  const b = builderFor(model, '');
  const declared = new Map(g.input.map((v) => [v.name, valueInfoType(v)]));

  const shapes = parameters.map((p) => {
    if (!(p in gradient.gradOutputs)) throw new Error(`the gradient graph has no gradient for '${p}'`);
    const t = declared.get(p);
    if (!t || t.dtype !== 'float32') throw new Error(`SGLD samples float32 weights; '${p}' is ${t?.dtype ?? 'not an input of the gradient graph'}`);
    if (!t.shape || t.shape.some((d) => typeof d !== 'number')) throw new Error(`parameter '${p}' has no static shape`);
    return t.shape as number[];
  });
  const sizes = shapes.map((s) => s.reduce((a, d) => a * d, 1));
  const size = sizes.reduce((a, s) => a + s, 0);

  const newInputs = [];
  const scalarInput = (hint: string) => {
    const name = b.name(hint);
    newInputs.push(makeValueInfo(name, 'float32', []));
    return name;
  };
  const stepSize = scalarInput('sgld/step_size');
  const nbeta = scalarInput('sgld/nbeta');
  const localization = scalarInput('sgld/localization');
  const anchor = parameters.map((p, i) => {
    const name = b.name(`sgld/anchor/${p}`);
    newInputs.push(makeValueInfo(name, 'float32', shapes[i]!));
    return name;
  });
  const previous = parameters.map((p, i) => {
    const name = b.name(`sgld/previous/${p}`);
    newInputs.push(makeValueInfo(name, 'float32', shapes[i]!));
    return name;
  });

  // The noise enters already scaled by √ε (one pass fewer): the generator folds ε into its radius, fed noise
  // is scaled by the generator that draws it.
  let scaledNoise: string[] = [];
  let noiseInputs: string[] | undefined, noiseKey: string | undefined, noiseCounter: string | undefined;
  let noiseSquaredNorm: string | undefined;
  if (noise === 'fed') {
    noiseInputs = parameters.map((p, i) => {
      const name = b.name(`sgld/noise/${p}`);
      newInputs.push(makeValueInfo(name, 'float32', shapes[i]!));
      return name;
    });
    scaledNoise = noiseInputs;
  } else if (noise === 'counter') {
    noiseKey = b.name('sgld/noise_key');
    noiseCounter = b.name('sgld/noise_counter');
    newInputs.push(makeValueInfo(noiseKey, DataType.UINT64, []), makeValueInfo(noiseCounter, DataType.INT64, []));
    const flatNoise = emitCounterNormals(b, size, noiseKey, stepSize, noiseCounter);
    noiseSquaredNorm = b.op('ReduceSumSquare', [flatNoise], { keepdims: 0 }, b.name('sgld/noise_squared_norm'));
    const pieces = parameters.length === 1 ? [flatNoise] : b.split(flatNoise, sizes, 0);
    scaledNoise = pieces.map((piece, i) => (shapes[i]!.length === 1 ? piece : b.reshape(piece, shapes[i]!)));
  }

  // w' = w − k·∇L_B − c·(w − w*) + √ε·ξ with k = ε·nβ/2, c = ε·γ/2; the deterministic part d = w' − √ε·ξ also
  // gives the MALA residual: w_prev − w + (ε/2)∇U(w) = w_prev − d.
  const sampler = options.sampler ?? 'sgld';
  const halfStep = b.mul(stepSize, b.scalarFloat(0.5, 'sgld/half'));
  const gradientScale = b.mul(halfStep, nbeta);
  const pullScale = b.mul(halfStep, localization);
  const next: string[] = [];
  const distanceTerms: string[] = [];
  const reverseTerms: string[] = [];
  const stateInputs: string[] = [];
  const stateOutputs: string[] = [];
  const stateShapes: number[][] = [];
  const stateInput = (hint: string, shape: number[]) => {
    const name = b.name(hint);
    newInputs.push(makeValueInfo(name, 'float32', shape));
    stateInputs.push(name);
    stateShapes.push(shape);
    return name;
  };
  const addNoise = (x: string, i: number, name: string) => (scaledNoise[i] === undefined ? b.op('Identity', [x], {}, name) : b.op('Add', [x, scaledNoise[i]], {}, name));
  // sgnht: the thermostat ζ, and the kinetic terms of its update.
  const thermostat = sampler === 'sgnht' ? stateInput('sgnht/thermostat', []) : undefined;
  const kinetic: string[] = [];
  const metricInput = (hint: string) => (sampler === 'preconditioned-sgld' ? parameters.map((p, i) => {
    const name = b.name(`${hint}/${p}`);
    newInputs.push(makeValueInfo(name, 'float32', shapes[i]!));
    return name;
  }) : undefined);
  const metric = metricInput('metric/m'), metricSqrt = metricInput('metric/sqrt_m'), metricInvSqrt = metricInput('metric/inv_sqrt_m');
  parameters.forEach((w, i) => {
    const offset = b.sub(w, anchor[i]!);
    const grad = gradient.gradOutputs[w]!;
    const nextName = b.name(`sgld/next/${w}`);
    if (sampler === 'sgld') {
      const drift = b.sub(b.sub(w, b.mul(grad, gradientScale)), b.mul(offset, pullScale));
      next.push(addNoise(drift, i, nextName));
      reverseTerms.push(b.op('ReduceSumSquare', [b.sub(previous[i]!, drift)], { keepdims: 0 }));
    } else if (sampler === 'preconditioned-sgld') {
      // ∇U = nβ·∇L_B + γ(w − w*); the drift is w − (ε/2)·M·∇U; S' = S + (∇U)² for the metric pilot.
      const potentialGradient = b.add(b.mul(grad, nbeta), b.mul(offset, localization));
      const drift = b.sub(w, b.mul(metric![i]!, b.mul(potentialGradient, halfStep)));
      next.push(scaledNoise[i] === undefined ? b.op('Identity', [drift], {}, nextName) : b.op('Add', [drift, b.mul(metricSqrt![i]!, scaledNoise[i]!)], {}, nextName));
      reverseTerms.push(b.op('ReduceSumSquare', [b.mul(b.sub(previous[i]!, drift), metricInvSqrt![i]!)], { keepdims: 0 }));
      const squares = stateInput(`metric/gradient_squares/${w}`, shapes[i]!);
      stateOutputs.push(b.op('Add', [squares, b.mul(potentialGradient, potentialGradient)], {}, b.name(`metric/gradient_squares_next/${w}`)));
    } else if (sampler === 'rmsprop-sgld') {
      const v = stateInput(`rmsprop/v/${w}`, shapes[i]!);
      const v2 = b.op('Add', [b.mul(v, b.scalarFloat(RMSPROP_ALPHA, 'rmsprop/alpha')), b.mul(b.mul(grad, grad), b.scalarFloat(1 - RMSPROP_ALPHA, 'rmsprop/one_minus_alpha'))], {}, b.name(`rmsprop/v_next/${w}`));
      stateOutputs.push(v2);
      const precondition = b.div(b.scalarFloat(1, 'rmsprop/one'), b.add(b.op('Sqrt', [v2]), b.scalarFloat(RMSPROP_EPS, 'rmsprop/eps')));
      const force = b.add(b.mul(grad, gradientScale), b.mul(offset, pullScale));
      const drift = b.sub(w, b.mul(precondition, force));
      next.push(scaledNoise[i] === undefined ? b.op('Identity', [drift], {}, nextName) : b.op('Add', [drift, b.mul(b.op('Sqrt', [precondition]), scaledNoise[i]!)], {}, nextName));
    } else {
      const p = stateInput(`sgnht/momentum/${w}`, shapes[i]!);
      // ε·[nβ·∇L + γ(w − w*)] = 2·(k·∇L + c·(w − w*)).
      const force = b.mul(b.add(b.mul(grad, gradientScale), b.mul(offset, pullScale)), b.scalarFloat(2, 'sgnht/two'));
      let p2 = b.sub(b.sub(p, force), b.mul(thermostat!, p));
      if (scaledNoise[i] !== undefined) p2 = b.add(p2, b.mul(scaledNoise[i]!, b.scalarFloat(Math.sqrt(2 * SGNHT_DIFFUSION), 'sgnht/diffusion')));
      const momentum = b.op('Identity', [p2], {}, b.name(`sgnht/momentum_next/${w}`));
      stateOutputs.push(momentum);
      kinetic.push(b.op('ReduceSumSquare', [momentum], { keepdims: 0 }));
      next.push(b.op('Add', [w, momentum], {}, nextName));
    }
    distanceTerms.push(b.op('ReduceSumSquare', [offset], { keepdims: 0 }));
  });
  if (thermostat) {
    // ζ' = ζ + |p'|²/D_total − ε; its output goes last, after the momenta (state order: ζ first in, ζ last out
    // would misalign, so the scalar is moved to the front of the outputs below).
    const meanKinetic = b.mul(kinetic.length === 1 ? kinetic[0]! : b.op('Sum', kinetic), b.scalarFloat(1 / size, 'sgnht/inverse_size'));
    stateOutputs.unshift(b.op('Sub', [b.add(thermostat, meanKinetic), stepSize], {}, b.name('sgnht/thermostat_next')));
  }
  // MALA's reverse residual exists for the Langevin proposals only; the others report 0 (their acceptance is not measured).
  if (reverseTerms.length === 0) reverseTerms.push(b.scalarFloat(0, 'sgld/no_reverse'));
  const total = (terms: string[], name: string) => b.op(terms.length === 1 ? 'Identity' : 'Sum', terms, {}, b.name(name));
  const halfLocalization = b.mul(localization, b.scalarFloat(0.5, 'sgld/half_gamma'));
  const localizationEnergy = b.op('Mul', [total(distanceTerms, 'sgld/squared_distance'), halfLocalization], {}, b.name('sgld/localization_energy'));
  const malaReverse = total(reverseTerms, 'sgld/mala_reverse');

  g.node.push(...b.nodes);
  g.initializer.push(...b.initializers);
  g.input.push(...newInputs);
  // Gradients are intermediate now: only the loss, the kept tensors and the step's results leave the graph.
  const gradientNames = new Set(Object.values(gradient.gradOutputs));
  g.output = [
    ...g.output.filter((o) => !gradientNames.has(o.name)),
    ...next.map((n, i) => makeValueInfo(n, 'float32', shapes[i]!)),
    ...stateOutputs.map((n, i) => makeValueInfo(n, 'float32', stateShapes[i]!)),
    ...[localizationEnergy, ...(noiseSquaredNorm ? [noiseSquaredNorm] : []), malaReverse].map((n) => makeValueInfo(n, 'float32', [])),
  ];

  const parameterSet = new Set(parameters);
  const batchInputs = gradient.model.graph.input.map((v) => v.name).filter((n) => !parameterSet.has(n));
  return {
    model, noise, sampler, state: { inputs: stateInputs, outputs: stateOutputs, shapes: stateShapes }, parameters: [...parameters], shapes, size, batchInputs,
    inputs: { weights: [...parameters], anchor, previous, stepSize, nbeta, localization, noise: noiseInputs, noiseKey, noiseCounter, metric, metricSqrt, metricInvSqrt },
    outputs: { next, loss: gradient.lossOutput, localizationEnergy, noiseSquaredNorm, malaReverse },
  };
}
