// What every floor may know about a dial, as data: its level's symbol and axis, how its draws are summarised,
// whether weights can be restricted, where its levels come from and what it records per level. The engine, the
// CLI, the worker, the chart and the webviews read this table instead of testing dial names; a new dial is one
// entry here (the compiler asks for it), one file in src/engine/dials/ and its schema entry.
import type { DialKind } from './hypothesis';

/** What a dial's sampler reports about one level besides the draws (results' LevelResult fields of the same names). */
export interface LevelRecord {
  /** nβ at this level (tempered dials): λ̂ = nβ·ΔL is reported. */
  nbeta?: number;
  /** The step size ε the level's chains ran with (calibrated per level with `stepSize: auto`). */
  stepSize?: number;
  /** Burn-in steps per chain (calibrated per level with `burnIn: auto`). */
  burnIn?: number;
  /** Steps between kept draws (measured per level with `thin: auto`). */
  thin?: number;
  /** hmc: the mean trajectory time T the level's chains ran with (frozen after the warm-up). */
  trajectory?: number;
  /** hmc: the mean leapfrog steps per iteration of the level's chains at their frozen ε and T (L̄ = ⌈T/ε⌉, less
   *  where the cap on a trajectory's length cuts the jitter); each step is one full-data gradient. */
  leapfrog?: number;
  /** What calibrating the level cost: step-graph passes of its pilots and their seconds; with hmc, `passes` also
   *  counts its pilots' full-data gradients, and `gradients` says how many of them there were. */
  calibration?: { passes: number; seconds: number; gradients?: number };
}

/** The keys of a LevelRecord, in the order results documents write them. */
export const LEVEL_RECORD_KEYS = ['nbeta', 'stepSize', 'burnIn', 'thin', 'trajectory', 'leapfrog', 'calibration'] as const satisfies readonly (keyof LevelRecord)[];

export interface DialInfo {
  /** A level's symbol in tables and chart labels. */
  symbol: string;
  /** The x axis of a chart over the dial's levels. */
  axis: string;
  /**
   * How a level's draws are summarised: `chains` — Markov chains (the settings' `chains` per level, autocorrelated
   * draws: batch means, R̂ and ESS); `independent` — one chain of independent draws (plain standard errors);
   * `exact` — one deterministic draw per level (se = 0).
   */
  draws: 'chains' | 'independent' | 'exact';
  /** `parameters: {include, exclude}` restricts the weights it degrades. */
  restrictable: boolean;
  /** Where its levels are written: a `temperatures` grid, or the `checkpoints` list. */
  levels: 'temperatures' | 'checkpoints';
  /** Tempered posterior: the levels are temperatures, nβ and the Watanabe temperature apply. */
  tempered: boolean;
  /** The per-level record its sampler reports (LevelRecord keys); empty for dials that record nothing. */
  records: readonly (keyof LevelRecord)[];
  /** What to change when every level diverged. */
  divergenceHint?: string;
}

export const DIALS: Readonly<Record<DialKind, DialInfo>> = {
  sgld: {
    symbol: 't', axis: 'temperature t = 1/β', draws: 'chains', restrictable: true, levels: 'temperatures', tempered: true,
    records: LEVEL_RECORD_KEYS,
    divergenceHint: 'lower degradation.sgld.stepSize (by 10×), or raise the grid\'s lowest temperature',
  },
  'weight-noise': { symbol: 'σ', axis: 'weight noise σ', draws: 'independent', restrictable: true, levels: 'temperatures', tempered: false, records: [] },
  'activation-noise': { symbol: 'σ', axis: 'activation noise σ', draws: 'independent', restrictable: false, levels: 'temperatures', tempered: false, records: [] },
  checkpoints: { symbol: 'checkpoint', axis: 'checkpoint', draws: 'exact', restrictable: false, levels: 'checkpoints', tempered: false, records: [] },
};

/** Every dial, in the table's order. */
export const DIAL_KINDS = Object.keys(DIALS) as DialKind[];

/**
 * The Watanabe temperature t_W = log n (β* = 1/log n); with nβ fixed, the level where nβ/t = n/log n, i.e.
 * nβ·log n / n. Results carry it for every dial; only tempered dials chart it.
 */
export function watanabeTemperature(n: number, nbeta?: number): number {
  return nbeta !== undefined ? (nbeta * Math.log(n)) / n : Math.log(n);
}
