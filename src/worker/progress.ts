// Progress in work units ((level, chain) pairs): the worker's throttled notifications, the client's sum over its
// workers, and the pace behind "about 2 min left". One count for the toast, the status bar, the chart and the CLI.
import type { SweepProgress } from '../protocol/worker';

/** What the runner reports after each draw (src/engine/sweep/run.ts SweepProgressEvent). */
export interface UnitPosition {
  unitsDone: number;
  units: number;
  /** 0-based draw within the unit under way, of `draws`. */
  draw: number;
  draws: number;
}

/** Units done, counting the unit under way by its draws. */
export function unitsDoneOf(p: UnitPosition): number {
  const partial = p.draws > 0 ? Math.min(p.draw + 1, p.draws) / p.draws : 0;
  return Math.min(p.units, p.unitsDone + partial);
}

/**
 * Time left from the pace since the first report (start-up and session creation excluded). It stays null until
 * the pace has settled — a few percent of the work and two seconds behind it — so the first estimate is not
 * the first draws' (slow, warming) pace extrapolated to the whole sweep.
 */
export class Pace {
  private first: { t: number; fraction: number } | null = null;

  constructor(private readonly minFraction = 0.03, private readonly minSeconds = 2) {}

  eta(t: number, fraction: number): number | null {
    if (this.first === null) {
      this.first = { t, fraction };
      return null;
    }
    const done = fraction - this.first.fraction;
    const seconds = (t - this.first.t) / 1000;
    if (done < this.minFraction || seconds < this.minSeconds) return null;
    return ((1 - fraction) * seconds) / done;
  }
}

/**
 * Sums the progress of a run's workers (and the units a journal already holds) into one report whose counts and
 * fraction never go back, whichever worker reports and even when a killed worker's unit under way is retried.
 */
export class ProgressTotal {
  private readonly partial = new Map<number, number>();
  private received = 0;
  private shownFraction = 0;
  private shownUnits = 0;
  private readonly pace = new Pace();

  constructor(
    private readonly runId: string,
    private readonly units: number,
    private readonly alreadyDone: number,
    private readonly workers: number,
    private readonly startedAt: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A finished unit arrived (from any worker). */
  unitDone(): void {
    this.received++;
  }

  /** Worker `w`'s latest report of its own share: the draws of its unit under way count. */
  report(w: number, p: Pick<SweepProgress, 'unitsDone' | 'fraction' | 'units'>): SweepProgress {
    this.partial.set(w, Math.max(0, p.fraction * p.units - p.unitsDone));
    return this.current();
  }

  /** Worker `w` stopped (finished or died): its unit under way no longer counts. */
  forget(w: number): void {
    this.partial.delete(w);
  }

  current(): SweepProgress {
    const t = this.now();
    const done = this.alreadyDone + this.received;
    let under = 0;
    for (const v of this.partial.values()) under += v;
    this.shownUnits = Math.max(this.shownUnits, Math.min(this.units, done));
    this.shownFraction = Math.max(this.shownFraction, Math.min(1, this.units > 0 ? (done + under) / this.units : 1));
    return {
      runId: this.runId,
      unitsDone: this.shownUnits,
      units: this.units,
      fraction: this.shownFraction,
      elapsedSeconds: (t - this.startedAt) / 1000,
      etaSeconds: this.pace.eta(t, this.shownFraction),
      workers: this.workers,
    };
  }
}

/** The worker's notifications: at most one per interval, except when a unit finishes. */
export class ProgressMeter {
  private lastSentAt = -Infinity;
  private lastUnits = -1;
  private readonly pace = new Pace();

  constructor(
    private readonly runId: string,
    private readonly startedAt: number,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The notification to send for this position, or null when it is too soon after the last one. */
  update(p: UnitPosition): SweepProgress | null {
    const t = this.now();
    const fraction = p.units > 0 ? unitsDoneOf(p) / p.units : 1;
    const eta = this.pace.eta(t, fraction);
    if (p.unitsDone === this.lastUnits && t - this.lastSentAt < this.intervalMs) return null;
    this.lastSentAt = t;
    this.lastUnits = p.unitsDone;
    return { runId: this.runId, unitsDone: p.unitsDone, units: p.units, fraction, elapsedSeconds: (t - this.startedAt) / 1000, etaSeconds: eta, workers: 1 };
  }
}
