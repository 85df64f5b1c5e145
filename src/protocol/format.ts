// How a level is written wherever one appears: the verdict's summary (a results file's text), the chart, the tables
// and the editor. Three significant digits: grids are log-spaced, so more digits say nothing about the verdict.

/** 0.0168, 31.6, 1000, 1e-7. */
export function formatLevel(t: number): string {
  return Number(t.toPrecision(3)).toString();
}

/**
 * A duration for people: `words` (the editor: "45 s", "3 min 20 s", "1 h 5 min", "?" when unknown) or `compact`
 * (the terminal's progress line: "42s", "1m05s", "2h03m"). Under an hour to the second, above it to the minute.
 */
export function formatDuration(seconds: number, style: 'words' | 'compact' = 'words'): string {
  if (!Number.isFinite(seconds) || seconds < 0) return style === 'words' ? '?' : '0s';
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return style === 'words' ? `${s} s` : `${s}s`;
  if (s < 3600) {
    const [m, r] = [Math.floor(s / 60), s % 60];
    return style === 'words' ? `${m} min${r ? ` ${r} s` : ''}` : `${m}m${pad(r)}s`;
  }
  // words rounds to the nearest minute; compact truncates, as a countdown does.
  const minutes = style === 'words' ? Math.round(s / 60) : Math.floor(s / 60);
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  return style === 'words' ? `${h} h${m ? ` ${m} min` : ''}` : `${h}h${pad(m)}m`;
}

/** What `formatProgress` needs (a SweepProgress of ./worker.ts). */
export interface ProgressFacts {
  unitsDone: number;
  units: number;
  fraction: number;
  etaSeconds: number | null;
}

/**
 * A run's progress in the same words everywhere (toast, status bar, chart header, runs view, CLI):
 * "3 of 12 work units done · about 2 min left"; `compact` for the terminal: "3/12 units · ETA 2m00s".
 */
export function formatProgress(p: ProgressFacts, style: 'words' | 'compact' = 'words'): string {
  if (style === 'compact') return `${p.unitsDone}/${p.units} units · ETA ${p.etaSeconds === null ? '…' : formatDuration(p.etaSeconds, 'compact')}`;
  const eta = p.etaSeconds === null ? 'estimating time left…' : `about ${formatDuration(p.etaSeconds)} left`;
  return `${p.unitsDone} of ${p.units} work unit${p.units === 1 ? '' : 's'} done · ${eta}`;
}
