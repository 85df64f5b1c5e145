// The resolved, validated form of a hypothesis file (`*.circuit.yaml` / `*.circuit.json`): plain data that crosses
// every wire (worker requests, results documents), so it lives on the ground floor. src/hypothesis/ parses files
// into it after schema and semantic checks; paths here are absolute.
import { isObject } from './guards';

export type LossKind = 'cross-entropy' | 'mse';
export type InterventionKind = 'zero' | 'mean' | 'resample';
export type InterventionScope = 'circuit' | 'complement';
export type DialKind = 'sgld' | 'weight-noise' | 'activation-noise' | 'checkpoints';
/** What the target effect measures: target-set loss (default), logit difference, or accuracy. */
export type TargetMetric = 'loss' | 'logit-diff' | 'accuracy';

export interface CircuitComponent {
  tensor: string;
  /** Axis of the units (negative counts from the end). Default -1. */
  axis: number;
  /** Unit indices along `axis`, ranges expanded, sorted, unique. With `groupSize` g, unit u is the group of g
   *  contiguous entries [u·g, (u+1)·g) of the axis (a head of a merged […, H·Dh] axis): every unit index upstream of
   *  the mask (controls, salience, checks) is a group index; only `componentMask` expands it to entries. */
  units: number[];
  /** Entries of `axis` per unit (default 1); the axis length must be a multiple of it. */
  groupSize?: number;
  /** Optional token positions (axis 1 of a [batch, seq, ...] tensor); all positions when absent. */
  positions?: number[];
}

/** One tensor of a scan (hypothesis `scan`): every unit (group) along `axis` is swept as its own one-unit circuit. */
export interface ScanComponent {
  tensor: string;
  axis: number;
  groupSize?: number;
  /** The units scanned (group indices with `groupSize`); all units of the axis when absent. */
  units?: number[];
  positions?: number[];
  /** The row's name on the map (default: the tensor). */
  label?: string;
}

/** A grid as the file writes it, `temperatures: {from, to, count}` or a list, once expanded: the dial's levels. */
export interface LevelGrid {
  /** Levels in increasing order (log-spaced for `{from, to, count}`, or an explicit list). */
  levels: number[];
  scale: 'log' | 'linear';
}

/** `draws: auto` draws at most this many kept draws per chain unless `maxDraws` says otherwise. */
export const DEFAULT_MAX_DRAWS = 1000;

export interface SgldSettings {
  /** ε, or 'auto': calibrated per level from pilot chains (the chosen ε is in each level's results). */
  stepSize: number | 'auto';
  localization: number;
  chains: number;
  /** Kept draws per chain, or 'auto': each chain draws until its own bulk ESS of the quantities the convergence test
   *  reads reaches its aim (1.25 × the verdict's essPerChain, at least where its R̂ threshold is reliable:
   *  drawsAutoAim), at most `maxDraws` (src/engine/sweep/drawsAuto.ts). */
  draws: number | 'auto';
  /** The cap of `draws: auto` (kept draws per chain; default DEFAULT_MAX_DRAWS). */
  maxDraws?: number;
  /** Steps discarded per chain, or 'auto': per level, a few localization relaxation times 2/(εγ), doubled until the
   *  pilot's loss trace is stationary (the chosen burn-in is in each level's results). */
  burnIn: number | 'auto';
  /** Steps between kept draws, or 'auto': per level, the integrated autocorrelation time measured on a pilot chain
   *  (its loss and its squared distance from w*), so that each kept draw carries about one effective sample (the
   *  chosen thin is in each level's results). */
  thin: number | 'auto';
  batchSize: number;
  /** When set, nβ at every level is this value divided by the level (temperature = 1/β); see docs/method.md. */
  nbeta?: number;
  /** The update rule: devinterp's SGLD (default), SGLD with a diagonal metric estimated by a pilot and then frozen,
   *  its exponential integrator about that pilot's Gaussian reference, RMSprop-preconditioned SGLD, SGNHT (Nosé–Hoover
   *  thermostat), or full-data HMC. */
  sampler?: 'sgld' | 'preconditioned-sgld' | 'exponential-sgld' | 'kinetic-langevin' | 'rmsprop-sgld' | 'sgnht' | 'hmc';
}

/** Globs on weight names (see src/engine/dials/parameterSelection.ts): the weights a weight dial samples. */
export interface ParameterSelection {
  include?: string[];
  exclude?: string[];
}

export interface NoiseSettings {
  /** Samples (independent noise draws) per level. */
  samples: number;
  /** For activation-noise: the tensors noise is added to. */
  tensors?: string[];
}

/** What every dial's degradation holds: its levels (temperatures t for sgld, σ for the noise dials, checkpoint positions
 *  or steps for checkpoints, as the file's `temperatures` or `checkpoints` write them), the seed, and the rows of a
 *  two-dial grid. */
interface DegradationBase extends LevelGrid {
  /** Two dials at once (docs/method.md, "Two dials at once"): every checkpoint (a row) crossed with every level of
   *  `dial` (a column), the dial applied around that checkpoint's weights. Absent: one dial (always, for checkpoints). */
  grid?: CheckpointRows;
  seed: number;
}

export interface SgldDegradation extends DegradationBase {
  dial: 'sgld';
  sgld: SgldSettings;
  /** Weight-restricted tempering: only these weights are sampled; the rest stay at w*. */
  parameters?: ParameterSelection;
}

export interface WeightNoiseDegradation extends DegradationBase {
  dial: 'weight-noise';
  noise: { samples: number };
  /** Only these weights are perturbed; the rest stay at w*. */
  parameters?: ParameterSelection;
}

export interface ActivationNoiseDegradation extends DegradationBase {
  dial: 'activation-noise';
  noise: { samples: number; tensors: string[] };
}

export interface CheckpointsDegradation extends DegradationBase {
  dial: 'checkpoints';
  /** Absolute paths in training order; level i is checkpoint i (its position, or `steps[i]` as the file gives them). */
  checkpoints: string[];
}

/** The resolved degradation, tagged by its dial: each variant holds only that dial's settings (narrow on `dial`). */
export type Degradation = SgldDegradation | WeightNoiseDegradation | ActivationNoiseDegradation | CheckpointsDegradation;

/** The degradation of dial `K`. */
export type DegradationOf<K extends DialKind> = Extract<Degradation, { dial: K }>;

/**
 * Every dial's settings side by side, as a hypothesis file may write them (the resolver's draft), and as results
 * versions 1–3 stored them (with `temperatures: {levels, scale}` for the levels): `tagDegradation` keeps the chosen dial's.
 */
export interface UntaggedDegradation extends LevelGrid {
  dial: DialKind;
  sgld: SgldSettings;
  noise: NoiseSettings;
  parameters?: ParameterSelection;
  checkpoints?: string[];
  grid?: CheckpointRows;
  seed: number;
}

/** The tagged form of `d`: the levels, the seed, the grid rows and the settings of `d.dial` only. */
export function tagDegradation(d: UntaggedDegradation): Degradation {
  const levels = { levels: d.levels, scale: d.scale };
  const tail = { ...(d.grid ? { grid: d.grid } : {}), seed: d.seed };
  const parameters = d.parameters ? { parameters: d.parameters } : {};
  switch (d.dial) {
    case 'sgld': return { dial: d.dial, ...levels, sgld: d.sgld, ...parameters, ...tail };
    case 'weight-noise': return { dial: d.dial, ...levels, noise: { samples: d.noise.samples }, ...parameters, ...tail };
    case 'activation-noise': return { dial: d.dial, ...levels, noise: { samples: d.noise.samples, tensors: d.noise.tensors ?? [] }, ...tail };
    case 'checkpoints': return { dial: d.dial, ...levels, checkpoints: d.checkpoints ?? [], seed: d.seed };
  }
}

/** `d` as dial `kind`'s degradation; throws when it is another dial's (a caller that knows which dial it holds). */
export function degradationAs<K extends DialKind>(d: Degradation, kind: K): DegradationOf<K> {
  if (d.dial !== kind) throw new Error(`expected the ${kind} dial's settings, not the ${d.dial} dial's`);
  return d as DegradationOf<K>;
}

/** A results file of version 1–3 stored the untagged degradation, its levels under `temperatures`. */
export interface DegradationV3 extends Omit<UntaggedDegradation, 'levels' | 'scale'> {
  temperatures: LevelGrid;
  steps?: number[];
}

/** The tagged form of a version 1–3 results file's degradation (readers convert on read). */
export function degradationFromV3(d: DegradationV3): Degradation {
  const { temperatures, steps: _steps, ...rest } = d;
  return tagDegradation({ ...rest, levels: temperatures.levels, scale: temperatures.scale });
}

/** A resolved hypothesis as results versions 1–3 (scan version 1) stored it, with its degradation tagged in place
 *  (the keys keep their order); returned as it is when its degradation has no `temperatures` grid to convert. */
export function hypothesisFromV3(h: Hypothesis): Hypothesis {
  const d = (h as { degradation?: unknown }).degradation as Partial<DegradationV3> | undefined;
  if (!isObject(d) || !isObject(d.temperatures) || !Array.isArray(d.temperatures.levels) || typeof d.dial !== 'string' || !isObject(d.sgld) || !isObject(d.noise)) return h;
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, k === 'degradation' ? degradationFromV3(d as DegradationV3) : v])) as unknown as Hypothesis;
}

/** The rows of a two-dial grid: earlier checkpoints of the model (absolute paths, training order) and their steps
 *  (positions 0, 1, … when the file gives none). */
export interface CheckpointRows {
  checkpoints: string[];
  steps: number[];
}

export type ControlMatch = 'size' | 'salience';

export interface ControlSettings {
  /** K: control sets drawn when there are more than `enumerate` distinct ones. */
  count: number;
  /** Use every distinct control set (an exact null) when there are at most this many (default 256). */
  enumerate?: number;
  match: ControlMatch;
}

/** The collateral statistic the clean verdict uses (docs/method.md, "Collateral"); all three are reported. */
export type CollateralStatistic = 'noise' | 'null' | 'ratio';

/** Thresholds of the verdict tests (docs/method.md). */
export interface VerdictSettings {
  /** Which collateral statistic decides "negligible" (all three are computed and reported). */
  collateral: CollateralStatistic;
  /** τ_C: the margin of the ratio statistic, |E_C/E_T| < τ_C. */
  collateralTolerance: number;
  /** b: the behaviour is present while the degraded network keeps at least this fraction of the trained network's
   *  advantage over the best constant predictor on the target set. */
  behaviour: number;
  /** ρ */
  persistence: number;
  /** δ */
  noiseFloor: number;
  /** α */
  alpha: number;
  /** τ_T, for scope: complement */
  sufficiencyTolerance: number;
  /** Largest split-R̂ of a converged level. */
  rhat: number;
  /** Smallest bulk ESS per chain of a converged level. */
  essPerChain: number;
  /** The loss L_n a better model reaches on the same data: the level whose ΔL(t) equals L_n(w*) − referenceLoss is
   *  the characteristic temperature (docs/method.md, "The characteristic temperature"). */
  referenceLoss?: number;
}

export interface Hypothesis {
  /** Absolute path of the hypothesis file. */
  file: string;
  model: string;
  data: {
    inputs: Record<string, string>;
    labels: string;
    /** Labels equal to this are scored nowhere (PyTorch's ignore_index; default -100 when absent): see docs/pytorch.md. */
    ignoreIndex?: number;
    target:
      | { mask: string }
      | { indices: string }
      | { labels: number[] };
  };
  loss: { output: string; kind: LossKind };
  metric: TargetMetric;
  circuit: { name: string; components: CircuitComponent[] };
  /** A scan file (docs/method.md, "The entanglement map"): the units to scan. Its `circuit` is then the scan's
   *  components with the units listed (or none), for the checks against the model only; no sweep runs it. */
  scan?: { name: string; components: ScanComponent[] };
  intervention: { kind: InterventionKind; scope: InterventionScope };
  degradation: Degradation;
  /** Matched random controls (the null); count 0 = none. */
  controls: ControlSettings;
  verdict: VerdictSettings;
  /** Examples used for mean ablation / resampling; default: all. */
  reference?: 'all' | 'target' | 'control';
  /** Evaluate on a seeded subset of the data (large datasets); default: every row. */
  evaluation?: EvaluationSettings;
}

export interface EvaluationSettings {
  /** Rows every draw is evaluated on, drawn once from the seed with the target share of the data kept. */
  rows: number;
}

/** Chains per level of the grid: the settings' `chains` of the dial that runs Markov chains (sgld; DIALS, ./dials.ts,
 *  `draws: 'chains'`); the others draw one chain of samples. */
export function chainsPerLevel(h: Pick<Hypothesis, 'degradation'>): number {
  return h.degradation.dial === 'sgld' ? h.degradation.sgld.chains : 1;
}
