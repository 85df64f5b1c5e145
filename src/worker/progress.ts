// Turns the runner's per-draw progress callbacks into throttled `sweep/progress` notifications with an ETA.
import type { SweepProgress } from '../protocol/worker';

/** What the meter needs to know about a position in the sweep. */
export interface SweepPosition {
  levelIndex: number;
  levels: number;
  level: number;
  chain: number;
  chains: number;
  draw: number;
  draws: number;
}

export class ProgressMeter {
  private firstAt: number | null = null;
  private firstFraction = 0;
  private lastSentAt = -Infinity;
  private lastLevelIndex = -1;

  constructor(
    private readonly runId: string,
    private readonly startedAt: number,
    /** At most one notification per interval, except when a new level starts. */
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The notification to send for this position, or null when it is too soon after the last one. */
  update(p: SweepPosition): SweepProgress | null {
    const t = this.now();
    const fraction = fractionDone(p);
    if (this.firstAt === null) {
      this.firstAt = t;
      this.firstFraction = fraction;
    }
    const newLevel = p.levelIndex !== this.lastLevelIndex;
    if (!newLevel && t - this.lastSentAt < this.intervalMs) return null;
    this.lastSentAt = t;
    this.lastLevelIndex = p.levelIndex;
    return {
      runId: this.runId,
      levelIndex: p.levelIndex,
      level: p.level,
      levels: p.levels,
      chain: p.chain,
      chains: p.chains,
      draw: p.draw,
      draws: p.draws,
      fraction,
      elapsedSeconds: (t - this.startedAt) / 1000,
      etaSeconds: this.eta(t, fraction),
    };
  }

  /** Pace measured from the first progress event (setup time excluded), once a little of the sweep is done. */
  private eta(t: number, fraction: number): number | null {
    if (this.firstAt === null) return null;
    const doneSince = fraction - this.firstFraction;
    const seconds = (t - this.firstAt) / 1000;
    if (doneSince <= 0.005 || seconds < 0.5) return null;
    return ((1 - fraction) * seconds) / doneSince;
  }
}

/** Fraction of all (level, chain, draw) steps done, levels weighing equally. */
export function fractionDone(p: SweepPosition): number {
  const perLevel = p.chains * p.draws > 0 ? (p.chain * p.draws + Math.min(p.draw + 1, p.draws)) / (p.chains * p.draws) : 0;
  return Math.min(1, Math.max(0, (p.levelIndex + perLevel) / Math.max(1, p.levels)));
}
