// `draws: auto` (sgld): each chain draws until its own bulk ESS of every quantity the convergence test reads reaches
// its aim (drawsAutoAim: above the verdict's ESS per chain, and high enough for R̂ to judge), or until the cap. The
// rule is per chain, so that it holds for one process, local workers, shards and Slurm alike: a (level, chain) unit
// decides alone when it is done. Every level's R̂ and pooled ESS are judged as with a fixed number of draws (chains
// are cut to the shortest); a chain that stopped at the cap short of its aim marks its level "inconclusive at the
// cap" with the ESS it reached.
import type { VerdictSettings } from '../../protocol/hypothesis';
import type { ChainSeries } from '../../protocol/shard';
import { drawsAutoAim } from '../../protocol/sgldSchedule';
import { constantUpToRounding, essBulk } from './convergence';

/** The ESS is read once the chain holds `target` draws (fewer cannot reach it, bar antithetic chains), then each time
 *  it has grown by this factor: at most 10% more draws than needed, at O(n·lag) per reading. */
export const DRAWS_AUTO_GROWTH = 1.1;

/** The chain length at which the ESS is next read, after `n` draws (the first reading at `target`, at least 4). */
export function nextReading(n: number, target: number): number {
  const first = Math.max(4, Math.ceil(target));
  return n < first ? first : Math.max(n + 1, Math.ceil(n * DRAWS_AUTO_GROWTH - 1e-9));
}

/** The series the convergence test reads (src/engine/sweep/level.ts): L_n's gap, E_T, E_C and the null's per-draw
 *  means (when there are controls). */
export function convergenceSeries(c: Pick<ChainSeries, 'lossGap' | 'targetEffect' | 'collateralEffect' | 'controlTargetEffect' | 'controlCollateralEffect'>): number[][] {
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out = [c.lossGap, c.targetEffect, c.collateralEffect];
  if ((c.controlTargetEffect[0]?.length ?? 0) > 0) out.push(c.controlTargetEffect.map(mean), c.controlCollateralEffect.map(mean));
  return out;
}

/**
 * One chain's bulk ESS (Vehtari et al. 2021, on its two halves): the smallest over `series`, skipping a series
 * constant up to rounding (nothing to mix, as the level's diagnostics skip it); NaN when a series cannot be judged (too short, not
 * finite), which never counts as reached.
 */
export function chainEss(series: readonly (readonly number[])[]): number {
  let least = Infinity;
  for (const s of series) {
    if (constantUpToRounding([s])) continue;
    const e = essBulk([s]);
    if (!Number.isFinite(e)) return NaN;
    least = Math.min(least, e);
  }
  return least;
}

export interface DrawsAutoState {
  /** The ESS per chain the chain draws until (drawsAutoAim of the verdict's). */
  aim: number;
  /** The most kept draws. */
  cap: number;
  /** The ESS at the last reading (NaN before the first). */
  ess: number;
  /** The chain length at which to read next. */
  next: number;
}

export function drawsAutoStart(verdict: Pick<VerdictSettings, 'essPerChain' | 'rhat'>, cap: number): DrawsAutoState {
  const aim = drawsAutoAim(verdict);
  return { aim, cap, ess: NaN, next: nextReading(0, aim) };
}

/** After the chain's `n`-th draw: whether it is done (target reached, or the cap drawn). Updates `s.ess` when it
 *  reads the ESS (at the readings and at the cap). */
export function drawsAutoDone(s: DrawsAutoState, n: number, series: () => readonly (readonly number[])[]): boolean {
  if (n < s.next && n < s.cap) return false;
  s.ess = chainEss(series());
  s.next = nextReading(n, s.aim);
  return reachedAim(s) || n >= s.cap;
}

/** Whether the chain's last reading reached its aim (false before the first, or on an unreadable ESS). */
export function reachedAim(s: DrawsAutoState): boolean {
  return s.ess >= s.aim;
}
