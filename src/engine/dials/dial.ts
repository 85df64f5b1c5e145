// The contract between the sweep runner and every degradation dial (docs/method.md, "Dials").
// Implemented by weight-noise, activation-noise and checkpoints (this folder) and by the SGLD sampler
// (`sgld.ts`, TLBP posterior q_t): the runner knows nothing about how a dial produces its samples.
import { type LevelRecord, watanabeTemperature } from '../../protocol/dials';
import { type Degradation, degradationAs, type DegradationOf, type DialKind, type Hypothesis } from '../../protocol/hypothesis';
import type { NdArray } from '../data/ndarray';
import type { ParameterInfo } from '../onnx/graph';
import type { ModelProto } from '../onnx/proto';
import type { Feeds } from '../onnx/runtime';

/** What the runner prepares once and hands to a dial. */
export interface DialContext {
  /** The hypothesis's degradation, its dial's variant (levels, seed and that dial's settings: `degradationFor`). */
  degradation: Degradation;
  /** The loss the sampler tempers (sgld). */
  loss: Hypothesis['loss'];
  /** The model as loaded (weights still initializers; dials that build their own graphs start here). */
  model: ModelProto;
  /**
   * The weights a sample covers, in the order of every `DialDraw.weights` array. These are the model's float
   * parameters minus running statistics (see `degradableParameters`); the evaluation model takes exactly these as inputs.
   */
  parameters: readonly ParameterInfo[];
  /** Trained weights w*, aligned with `parameters`. Never mutate. */
  initialWeights: readonly Float32Array[];
  /** All n examples of D (what L_n averages over): model inputs by name, each [n, …], and the labels [n, …]. */
  data: { inputs: Readonly<Record<string, NdArray>>; labels: NdArray };
  /** n = |D|. */
  n: number;
  seed: number;
  /** onnxruntime intra-op threads for the dial's own sessions (the sweep's `threads`); default: onnxruntime's choice. */
  threads?: number;
}

/** Shapes of the evaluation batch a draw's extra feeds are made for. */
export interface EvalBatch {
  /** Index of the batch among the fixed evaluation batches (stable across draws and levels). */
  index: number;
  /** Static dims of a tensor of the evaluation model at this batch (as probed). */
  dims(tensor: string): number[];
}

/** One sample q_t: the weights to evaluate at, and optional per-draw extras. */
export interface DialDraw {
  /**
   * Weights aligned with `DialContext.parameters`; absent = w* (activation noise). The runner has finished
   * with them when it asks for the next draw, so a dial may reuse the same buffers.
   */
  weights?: readonly Float32Array[];
  /**
   * Extra inputs of the evaluation model for one batch (activation noise). Called once per evaluation batch;
   * the same feeds serve the clean and the ablated copy, so both see the same noise.
   */
  feeds?(batch: EvalBatch): Feeds;
  /** sgld: the minibatch loss L_B of this draw (the chain's loss trace in the results). */
  loss?: number;
  /** sgld: MALA acceptance-probability estimate of the step that produced this draw, in [0, 1]. */
  acceptance?: number;
  /** sgld: ‖w − w*‖, the draw's distance from the trained weights (the sampler dashboard). */
  distance?: number;
}

export interface Dial {
  readonly kind: DialKind;
  /** The grid t_1 < … < t_k (temperature for sgld, σ for noise dials, position/step for checkpoints). */
  readonly levels: readonly number[];
  readonly chains: number;
  /** Kept draws per chain per level (after burn-in and thinning); with `drawsUntilEss`, the most a chain draws. */
  readonly drawsPerChain: number;
  /** sgld `draws: auto`: the runner stops each chain once its own ESS reaches the verdict's essPerChain
   *  (src/engine/sweep/drawsAuto.ts); `draws` then yields up to `drawsPerChain` draws. */
  readonly drawsUntilEss?: boolean;
  /** Draws within a chain are independent by construction (noise dials): standard errors need no batching. */
  readonly independentDraws: boolean;
  /** One deterministic draw per level (checkpoints): the estimates are exact, se = 0. */
  readonly deterministic: boolean;
  /**
   * What the dial records about a level once its chains ran (sgld: nβ, so λ̂(t) = nβ·(E_q[L_n] − L_n(w*)) is
   * reported, and the step size, burn-in and thin the chains ran with and what calibrating them cost). The runner
   * passes it on to the level's results unread. Default: nothing.
   */
  levelRecord?(levelIndex: number): LevelRecord;
  /** The Watanabe temperature of the results (tempered dials with a fixed nβ move it). Default: log n. */
  watanabeTemperature?(n: number): number;
  /** The draw that stands for t = 0, the trained network (activation noise: zero noise). Default: `{}` = w*. */
  baseline?(): DialDraw;
  /** Rewrites the (weights-as-inputs) model before the runner builds its paired clean/ablated model
   *  (activation noise inserts `y + noise` with a fed noise input). Default: unchanged. */
  rewriteModel?(model: ModelProto): ModelProto;
  /**
   * The kept draws of one chain at one level, reproducible from (seed, level, chain) alone. Must stop promptly
   * when `signal` aborts (throw its reason or return). Throws `DialDivergence` when the chain diverges: the runner
   * then stops that level and reports the message.
   */
  draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw>;
  /** Releases sessions and buffers. */
  dispose(): Promise<void>;
}

export type DialFactory = (ctx: DialContext) => Promise<Dial>;

/** The Watanabe temperature results carry: the dial's (tempered dials with a fixed nβ move it), or log n. */
export function dialWatanabeTemperature(dial: Dial, n: number): number {
  return dial.watanabeTemperature?.(n) ?? watanabeTemperature(n);
}

/** The context's degradation as dial `kind`'s: the runner hands a factory its own dial's settings. */
export function degradationFor<K extends DialKind>(ctx: DialContext, kind: K): DegradationOf<K> {
  return degradationAs(ctx.degradation, kind);
}

/** A chain left the region the dial can sample (NaN/Inf, exploding loss). `message` says what to change. */
export class DialDivergence extends Error {
  constructor(message: string, readonly chain: number, readonly draw: number) {
    super(message);
    this.name = 'DialDivergence';
  }
}
