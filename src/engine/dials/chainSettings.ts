// What every tempered-posterior sampler is built from, and what every chain of one is told, whichever the sampler
// (sgldSampler.ts: SGLD and its variants, a step per minibatch; hmcSampler.ts: full-data HMC, a trajectory per
// iteration). Each sampler's own spec and settings extend these.
import type { NdArray } from '../data/ndarray';
import type { ModelProto } from '../onnx/proto';

export type SgldLossKind = 'cross-entropy' | 'mse';

export interface SamplerSpec {
  /** The model with its trained weights as initializers. */
  model: ModelProto;
  /** The float32 weights to sample (the rest stay fixed). */
  parameters: readonly string[];
  /** The anchor w*, aligned with `parameters`. */
  anchor: readonly Float32Array[];
  loss: { kind: SgldLossKind; output: string };
  /** All n examples: model inputs by name, each [n, …], and labels [n] (cross-entropy) or targets [n, …] (mse). */
  data: { inputs: Readonly<Record<string, NdArray>>; labels: NdArray };
  /** Intra-op threads of the sampler's session (default: onnxruntime's choice). */
  threads?: number;
}

export interface ChainSettings {
  /** ε: the SGLD step, or hmc's leapfrog step (with hmc's `adapt`, the one it starts from). */
  stepSize: number;
  nbeta: number;
  localization: number;
  /** Steps (hmc: iterations) discarded before the first kept draw. */
  burnIn: number;
  draws: number;
  /** Steps (hmc: iterations) between kept draws. */
  thin: number;
  /** Keys of the chain's random streams, e.g. [seed, level, chain]. */
  key: readonly number[];
  /** For messages (−1: a calibration pilot). */
  chain: number;
  level?: number;
  /** A loss above this (or a non-finite one) stops the chain with a `DialDivergence` (hmc: rejects the trajectory). */
  divergenceLoss: number;
  /** The fixed diagonal metric M, aligned with `parameters` (default: all ones): preconditioned-sgld's step
   *  covariance εM, hmc's inverse mass. */
  metric?: readonly Float32Array[];
  /** Where the chain starts (default: the anchor w*), aligned with `parameters`. */
  start?: readonly Float32Array[];
  signal?: AbortSignal;
}
