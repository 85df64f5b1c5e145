// The resolved, validated form of a hypothesis file (`*.circuit.yaml` / `*.circuit.json`): plain data that crosses
// every wire (worker requests, results documents), so it lives on the ground floor. src/hypothesis/ parses files
// into it after schema and semantic checks; paths here are absolute.
import { DIALS } from './dials';

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

export interface TemperatureGrid {
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
   *  reads reaches the verdict's essPerChain, at most `maxDraws` (src/engine/sweep/drawsAuto.ts). */
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
   *  RMSprop-preconditioned SGLD, or SGNHT (Nosé–Hoover thermostat). */
  sampler?: 'sgld' | 'preconditioned-sgld' | 'rmsprop-sgld' | 'sgnht' | 'hmc';
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

export interface Degradation {
  dial: DialKind;
  temperatures: TemperatureGrid;
  sgld: SgldSettings;
  noise: NoiseSettings;
  /** Weight-restricted tempering: only these weights are sampled (sgld) or perturbed (weight-noise); the rest stay at w*. */
  parameters?: ParameterSelection;
  /** For `checkpoints`: absolute paths in order; level i is checkpoint i (or `steps[i]`). */
  checkpoints?: string[];
  steps?: number[];
  /** Two dials at once (docs/method.md, "Two dials at once"): every checkpoint (a row) crossed with every level of
   *  `dial` (a column), the dial applied around that checkpoint's weights. Absent: one dial. */
  grid?: CheckpointRows;
  seed: number;
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

/** Chains per level of the grid: the settings' `chains` for dials that run Markov chains (DIALS, ./dials.ts); the
 *  others draw one chain of samples. */
export function chainsPerLevel(h: Hypothesis): number {
  return DIALS[h.degradation.dial].draws === 'chains' ? h.degradation.sgld.chains : 1;
}
