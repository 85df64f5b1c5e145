// The sweep's progress on stderr: a redrawn bar on a terminal, plain lines (one per level) otherwise.
import { formatLevel } from '../chart/format';
import { formatProgress } from '../protocol/format';
import type { SweepLevel, SweepProgress } from '../protocol/worker';

export interface ProgressStream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressDisplay {
  private drawn = false;

  /**
   * @param terminal where the bar is redrawn in place (a TTY), or null for no bar
   * @param writeLine how whole lines (finished levels, messages) are printed
   * @param levelLines whether finished levels get a line
   */
  constructor(private readonly terminal: ProgressStream | null, private readonly writeLine: (text: string) => void, private readonly levelLines: boolean) {}

  progress(p: SweepProgress): void {
    if (!this.terminal) return;
    const width = Math.max(40, (this.terminal.columns ?? 80) - 1);
    this.terminal.write(`\r\x1b[2K${progressLine(p, width)}`);
    this.drawn = true;
  }

  level(l: SweepLevel): void {
    if (!this.levelLines) return;
    const r = l.result;
    this.message(`level ${l.levelIndex + 1}/${l.levels} (${formatLevel(r.level)}) done in ${r.seconds.toFixed(1)} s${r.error ? `: diverged: ${r.error}` : ''}`);
  }

  /** Removes the bar so that what follows starts on a clean line. */
  clear(): void {
    if (this.drawn) this.terminal?.write('\r\x1b[2K');
    this.drawn = false;
  }

  message(text: string): void {
    this.clear();
    this.writeLine(text);
  }
}

/** `[#####-----]  42%  5/12 units · ETA 1m05s  (4 workers)`, cut to `width`. */
export function progressLine(p: SweepProgress, width: number): string {
  const pct = `${Math.floor(p.fraction * 100)}%`.padStart(4);
  const facts = `${formatProgress(p, 'compact')}${p.workers > 1 ? `  (${p.workers} workers)` : ''}`;
  const barWidth = Math.max(10, Math.min(30, width - facts.length - pct.length - 6));
  const filled = Math.round(p.fraction * barWidth);
  const line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${pct}  ${facts}`;
  return line.length > width ? line.slice(0, width) : line;
}
