// The chart panel's figures: the shared chart (src/chart/figure.ts) of the payload the host sends, with the
// metrics the user switched off hidden, and the levels the Sampler tab's dashboard draws.
import { buildFigure, type Figure } from '../src/chart/figure';
import { metricTraces } from '../src/chart/marks';
import type { DashboardLevel } from '../src/chart/samplerDashboard';
import type { ChartTheme } from '../src/chart/theme';
import type { ChartDoc, ChartMetric, ChartViewOptions } from '../src/protocol/webview';

/** Trace ids behind each metric toggle (each mark names its toggle: src/chart/marks.ts). */
export const METRIC_TRACES: Record<ChartMetric, readonly string[]> = metricTraces();

/**
 * The figure for the panel: the shared chart, with the metrics the user switched off hidden. `withTitle: false`
 * drops Plotly's title and the calibration warning under it (the panel shows both as HTML above the chart);
 * exported images keep them.
 */
export function panelFigure(d: ChartDoc, options: ChartViewOptions, theme: ChartTheme, withTitle: boolean, size?: { width: number; height: number }): Figure {
  const fig = buildFigure(d, { xAxis: options.xAxis, theme, withTitle, ...(size ? { size } : {}) });
  const hidden = new Set<string>();
  for (const [metric, uids] of Object.entries(METRIC_TRACES) as [ChartMetric, readonly string[]][]) {
    if (!options.metrics.includes(metric)) for (const uid of uids) hidden.add(uid);
  }
  const data = fig.data.map((t) => {
    const uid = (t as { uid?: string }).uid;
    return uid !== undefined && hidden.has(uid) ? { ...t, visible: false as const } : t;
  });
  // The figure already places the legend at the bottom of the whole figure (the same layout as the CLI's page).
  // Without a title (the panel states the verdict above the chart) the figure leaves out the title and the
  // calibration warning, and keeps the marker labels clear of the mode bar.
  return { data, layout: fig.layout };
}

/** Names of the shapes (clean window, markers) the figure draws, for the page's data attributes. */
export function shapeNames(fig: Figure): string[] {
  return (fig.layout.shapes ?? []).map((s) => s.name).filter((n): n is string => typeof n === 'string');
}

/** The Sampler tab's levels: the chart's levels with their chains' traces put back (null: the run has no chains). */
export function samplerLevels(d: ChartDoc): DashboardLevel[] | null {
  if (!d.chains || !d.chains.some((l) => l.chains.some((c) => c.loss.length > 0))) return null;
  const byLevel = new Map(d.chains.map((l) => [l.level, l.chains]));
  return d.levels.map((l) => ({ ...l, chains: byLevel.get(l.level) ?? [] }));
}
