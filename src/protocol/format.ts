// How a level is written wherever one appears: the verdict's summary (a results file's text), the chart, the tables
// and the editor. Three significant digits: grids are log-spaced, so more digits say nothing about the verdict.

/** 0.0168, 31.6, 1000, 1e-7. */
export function formatLevel(t: number): string {
  return Number(t.toPrecision(3)).toString();
}
