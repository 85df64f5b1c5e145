// The resolved, validated form of a hypothesis file (`*.circuit.yaml` / `*.circuit.json`).
// The parser produces this after schema and semantic checks; paths here are absolute.

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
  /** Unit indices along `axis`, ranges expanded, sorted, unique. */
  units: number[];
  /** Optional token positions (axis 1 of a [batch, seq, ...] tensor); all positions when absent. */
  positions?: number[];
}

export interface TemperatureGrid {
  /** Levels in increasing order (log-spaced for `{from, to, count}`, or an explicit list). */
  levels: number[];
  scale: 'log' | 'linear';
}

export interface SgldSettings {
  stepSize: number;
  localization: number;
  chains: number;
  draws: number;
  burnIn: number;
  thin: number;
  batchSize: number;
  /** When set, nβ at every level is this value divided by the level (temperature = 1/β); see DESIGN.md §1. */
  nbeta?: number;
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
  /** For `checkpoints`: absolute paths in order; level i is checkpoint i (or `steps[i]`). */
  checkpoints?: string[];
  steps?: number[];
  seed: number;
}

export interface Hypothesis {
  /** Absolute path of the hypothesis file. */
  file: string;
  model: string;
  data: {
    inputs: Record<string, string>;
    labels: string;
    target:
      | { mask: string }
      | { indices: string }
      | { labels: number[] };
  };
  loss: { output: string; kind: LossKind };
  metric: TargetMetric;
  /** For `logit-diff`: the logit index compared against the label's (or the runner-up when absent). */
  circuit: { name: string; components: CircuitComponent[] };
  intervention: { kind: InterventionKind; scope: InterventionScope };
  degradation: Degradation;
  verdict: { collateralTolerance: number; persistence: number; noiseFloor: number };
  /** Examples used for mean ablation / resampling; default: all. */
  reference?: 'all' | 'target' | 'control';
}
