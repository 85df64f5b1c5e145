// Work units and shard documents: a sweep cut into (level, chain) units that run anywhere — several worker
// processes, the array tasks of a cluster job, or a resumed run after a crash — and are put back together into
// the results document a one-process run writes, number for number (src/engine/sweep/units.ts). The journal a
// running sweep keeps beside its results file holds the same header and unit lines (docs/cluster.md).
import { isObject } from './guards';
import type { Hypothesis } from './hypothesis';
import type { LevelRecord } from './dials';
import type { Baseline, ChainTrace, ResultsDocument } from './results';

/** Bump on any breaking change of ShardDocument or of the journal's lines. Version 2: the header's document is a
 *  results version 4 document (its hypothesis's degradation tagged by its dial). */
export const SHARD_VERSION = 2;
export const SHARD_KIND = 'circuit-thermometer/shard';
export const JOURNAL_KIND = 'circuit-thermometer/journal';

/** One chain of one level of the grid: the smallest piece of a sweep that runs on its own. */
export interface WorkUnit {
  /** 0-based index into the hypothesis's whole grid. */
  levelIndex: number;
  /** 0-based chain (always 0 for dials with one chain). */
  chain: number;
}

/**
 * The quantities every draw records besides its loss, in trace order: one number per draw (`draw`) or one per
 * control set (`control`); `kept` ones stay in results files, the others only in shards and journals (the statistics
 * need them; src/engine/sweep/level.ts). The runner fills, the checks verify and the levels strip them from this list.
 */
export const DRAW_QUANTITIES = [
  { key: 'targetEffect', per: 'draw', kept: true },
  { key: 'collateralEffect', per: 'draw', kept: true },
  { key: 'lossGap', per: 'draw', kept: false },
  { key: 'controlLossGap', per: 'draw', kept: false },
  { key: 'targetLossGap', per: 'draw', kept: false },
  { key: 'controlTargetEffect', per: 'control', kept: false },
  { key: 'controlCollateralEffect', per: 'control', kept: false },
] as const;

export type DrawQuantity = (typeof DRAW_QUANTITIES)[number]['key'];
/** The quantities with one number per draw. */
export type ScalarDrawQuantity = Extract<(typeof DRAW_QUANTITIES)[number], { per: 'draw' }>['key'];

/** A chain's trace with the per-draw series a level's statistics are computed from. */
export type ChainSeries = ChainTrace & {
  lossGap: number[];
  controlLossGap: number[];
  targetLossGap: number[];
  controlTargetEffect: number[][];
  controlCollateralEffect: number[][];
  /** Per draw, the row standard errors [E_T, E_C, X_T, X_C] (version 3; absent in older shards). */
  rowSe?: number[][];
};

/** A finished unit: its chain's series and what the level needs to know about how it ran (its dial's LevelRecord:
 *  sgld's nβ, step size, burn-in, thin and calibration cost, the same for every chain of a level). */
export interface UnitResult extends WorkUnit, LevelRecord {
  /** The level's value t. */
  level: number;
  trace: ChainSeries;
  /** Set when the chain diverged (trace.diverged): one process stops the level's later chains there. */
  error?: string;
  seconds: number;
}

/**
 * What every unit of one plan shares: the results document less its levels, verdict and timings, plus how the
 * draws are to be summarised. Shards of one plan have equal headers up to `createdAt`, `model.path`,
 * `hypothesis.file` and `setupSeconds` (the same inputs seen from another machine).
 */
export interface SweepHeader {
  /** Fingerprint of what the numbers depend on: engine version, hypothesis and model contents, grid and chains. */
  plan: string;
  /** Units of the whole plan: levels × chains. */
  levels: number;
  chains: number;
  document: Omit<ResultsDocument, 'levels' | 'verdict' | 'timings' | 'status'>;
  /** Draws within a chain are independent (noise dials) or exact (checkpoints); both false for Markov chains. */
  draws: { independent: boolean; deterministic: boolean };
  setupSeconds: number;
}

/** What a run's inputs are (the worker computes it from the files): a journal or shard must match it exactly. */
export interface PlanBinding {
  plan: string;
  engineVersion: string;
  hypothesisSha256: string;
  modelSha256: string;
  seed: number;
  levels: number;
  chains: number;
}

/** The output of `sweep --shard i/n`: the units it ran, unjudged (`merge` judges the whole grid). */
export interface ShardDocument {
  kind: typeof SHARD_KIND;
  version: typeof SHARD_VERSION;
  /** Which shard of how many (0-based, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX count). */
  shard: { index: number; count: number };
  header: SweepHeader;
  units: UnitResult[];
  createdAt: string;
  seconds: number;
}

/** First line of a journal (JSON lines): the header; every later line is one `JournalUnit`. */
export interface JournalHeader {
  kind: typeof JOURNAL_KIND;
  version: typeof SHARD_VERSION;
  header: SweepHeader;
}

export interface JournalUnit {
  unit: UnitResult;
}

export function isShardDocument(x: unknown): x is ShardDocument {
  return isObject(x) && x.kind === SHARD_KIND && typeof x.version === 'number' && isObject(x.shard) && isObject(x.header) && Array.isArray(x.units);
}

export function isSweepHeader(x: unknown): x is SweepHeader {
  return isObject(x) && typeof x.plan === 'string' && Number.isInteger(x.levels) && Number.isInteger(x.chains) && isObject(x.document) && isObject(x.draws);
}

export function isUnitResult(x: unknown): x is UnitResult {
  return isObject(x) && Number.isInteger(x.levelIndex) && Number.isInteger(x.chain) && typeof x.level === 'number' && isObject(x.trace)
    && Array.isArray((x.trace as Record<string, unknown>).lossGap);
}

/** The baseline and hypothesis a header carries (for callers that judge live levels). */
export function headerHypothesis(h: SweepHeader): Hypothesis {
  return h.document.hypothesis.resolved;
}

export function headerBaseline(h: SweepHeader): Baseline {
  return h.document.baseline;
}
