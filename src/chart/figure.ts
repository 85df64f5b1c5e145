// The entanglement chart as a Plotly figure: one pure function from a results document to `{ data, layout }`,
// shared by the CLI's HTML page and the extension's webview. SVG `scatter` traces only (no WebGL, no eval).
//
// Three stacked panels sharing the x axis, each y axis ranged to its own data (the collateral effect is often ~50×
// smaller than the target effect, and its tolerance lines decide t_ent, so it gets a panel of its own):
//   top (y):     target effect E_T with its 95% band; the null (the matched random sets of the circuit's size: the
//                band a new random set falls in, and its mean m_T dotted); the excess X_T = E_T − m_T drawn on the
//                same scale as m_T + bound (X_T − q·se_X, triangles) against the persistence line m_T + ρ·X_T(0),
//                so a triangle above the line is a level where the excess persists (above the null's mean: specific);
//   middle (y4): collateral effect E_C with its band and the two-sided tolerance ±τ_C·max(ΔL_C, δ);
//   bottom (y2): degraded loss gap ΔL, with the LLC on a right axis (y3, sgld).
// Levels whose chains did not converge keep their points, hollow. Shaded clean window and vertical markers at
// t_ent, t_surv and the Watanabe temperature across all panels. A version-1 document (no null) is drawn as it was
// judged then (ρ·E_T(0), one-sided collateral), with a "no null" note.
import type { Data, Layout, Shape } from 'plotly.js-dist';
import { escapeHtml } from '../protocol/escape';
import type { CharacteristicTemperature, Estimate, LevelResult, Verdict } from '../protocol/results';
import type { ChartDoc, ChartXAxis } from '../protocol/webview';
import {
  calibrationText, describeConvergence, formatEstimate, formatFailed, formatLevel, formatNumber, formatSe, isVersion1, judgedV2,
  NO_NULL_V1, NO_NULL_V2, samplerLine, unconverged, verdictExtras,
} from './format';
import { type ChartTheme, withAlpha } from './theme';

export type { ChartXAxis };


export interface ChartOptions {
  xAxis: ChartXAxis;
  theme: ChartTheme;
  /** The figure's size in CSS pixels, when known (the webview): axis titles, ticks and the legend fit it. */
  size?: { width: number; height: number };
  /** False where the page states the verdict above the figure (the webview): no title, and the top margin only
   *  keeps the marker labels clear of Plotly's mode bar. Default true. */
  withTitle?: boolean;
}

/** Top margin without a title: Plotly's mode bar (~27 px at the top right) above the marker labels (~16 px). */
export const MODE_BAR_CLEARANCE = 56;

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

/** Two-sided 95% normal quantile, for an estimate that records no ci95 (a version-1 file): its band is mean ± Z95·se. */
export const Z95 = 1.96;

/** Stable trace ids (`uid`) and shape names, so tests and the webview can find a piece of the figure. */
export const TRACE = {
  targetUpper: 'target-upper',
  targetLower: 'target-lower',
  target: 'target',
  nullUpper: 'null-upper',
  nullLower: 'null-lower',
  null: 'null',
  excessBound: 'excess-bound',
  unconverged: 'not-converged',
  collateralUpper: 'collateral-upper',
  collateralLower: 'collateral-lower',
  collateral: 'collateral',
  persistence: 'persistence-threshold',
  sufficiencyUpper: 'sufficiency-upper',
  sufficiencyLower: 'sufficiency-lower',
  tolerance: 'collateral-tolerance',
  toleranceLower: 'collateral-tolerance-lower',
  lossGapUpper: 'loss-gap-upper',
  lossGapLower: 'loss-gap-lower',
  lossGap: 'loss-gap',
  llcUpper: 'llc-upper',
  llcLower: 'llc-lower',
  llc: 'llc',
  diverged: 'diverged',
  characteristic: 'characteristic',
} as const;

export const SHAPE = {
  cleanWindow: 'clean-window',
  tEnt: 'marker-t-ent',
  tSurv: 'marker-t-surv',
  watanabe: 'marker-watanabe',
  /** The characteristic temperature t_c (verdict.referenceLoss): ΔL(t_c) = L_n(w*) − referenceLoss. */
  characteristic: 'marker-characteristic',
  /** Version 3: a run of levels where the degraded network no longer does the target task (they hold no test). */
  noBehaviour: 'no-behaviour',
} as const;

/** Names of the layout annotations. */
export const ANNOTATION = {
  /** "no null (results version 1)" (or: fewer than two matched random sets). */
  noNull: 'no-null',
  /** The calibration's warning, in the warning colour, under the title. */
  calibrationWarning: 'calibration-warning',
  /** ΔL ≤ 0 levels that a log ΔL axis cannot place. */
  notOnLogAxis: 'not-on-log-axis',
} as const;

/** The name of the null's legend entry. */
export const NULL_NAME = 'matched random sets (null)';

/** Where each level sits on the chosen x axis: the level itself, or its degraded loss gap ΔL(t). */
export function levelX(level: LevelResult, xAxis: ChartXAxis): number {
  return xAxis === 'temperature' ? level.level : level.lossGap.mean;
}

/** Whether the document asks sufficiency (scope: complement): its tests are then the sufficient window's. */
function asksSufficiency(doc: ChartDoc, levels: readonly LevelResult[]): boolean {
  return doc.verdict?.question === 'sufficiency' || levels.some((l) => l.bounds?.sufficiencyThreshold !== undefined || l.tests?.sufficient !== undefined);
}

export function buildFigure(doc: ChartDoc, options: ChartOptions): Figure {
  const { theme, xAxis } = options;
  const finished = doc.levels.filter((l) => !l.error);
  // The axis type follows the grid (log grid → log axis, for ΔL too), so it stays the same while a sweep fills in;
  // without a known grid, the levels drawn decide.
  const logX = doc.levelScale ? doc.levelScale === 'log' : finished.length > 0 && finished.every((l) => levelX(l, xAxis) > 0);
  // A log ΔL axis has no place for a level whose loss gap is ≤ 0 (noise at the lowest levels): it is left out and
  // named in a note, not moved.
  const offAxis = logX && xAxis === 'lossGap' ? finished.filter((l) => !(l.lossGap.mean > 0)) : [];
  const levels = offAxis.length > 0 ? finished.filter((l) => !offAxis.includes(l)) : finished;
  const failed = doc.levels.filter((l) => l.error);
  const xs = levels.map((l) => levelX(l, xAxis));
  const xName = xAxis === 'temperature' ? levelName(doc.dial) : 'degraded loss gap ΔL';
  const symbol = levelSymbol(doc.dial);
  const v1 = isVersion1(doc);
  const sufficiency = asksSufficiency(doc, levels);
  const hoverHead = levels.map((l) => `${symbol} = ${formatLevel(l.level)} · ΔL = ${formatEstimate(l.lossGap)}${unconverged(l) ? ' · <b>not converged</b>' : ''}`);
  // Every hover ends with the level's tests: convergence and what failed.
  const testLines = levels.map((l) => [describeConvergence(l), ...optional(samplerLine(l)), `failed: ${formatFailed(l)}`]);
  const symbols = levels.map((l): PointSymbol => (unconverged(l) ? 'circle-open' : 'circle'));
  const targetLines = levels.map((l, i) => [...nullLines(l, v1, doc), ...testLines[i]!]);
  const collateralLines = levels.map((l, i) => [collateralLine(l), ...testLines[i]!]);

  const withNull = levels.filter((l) => l.null);
  const nullXs = withNull.map((l) => levelX(l, xAxis));
  const withExcess = levels.filter((l) => l.null && l.excess);
  const twoSided = !v1;

  const data: Data[] = [
    ...band(TRACE.targetUpper, TRACE.targetLower, TRACE.target, 'target effect E_T', xs, levels.map((l) => l.targetEffect), hoverHead, theme.target, 'y', { symbols, lines: targetLines }),
  ];
  if (withNull.length > 0) data.push(...nullBand(withNull, nullXs, levels, hoverHead, theme));
  if (withExcess.length > 0) data.push(excessBoundTrace(withExcess, xAxis, levels, hoverHead, targetLines, sufficiency, theme));
  data.push(
    ...band(TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral, 'collateral effect E_C', xs, levels.map((l) => l.collateralEffect), hoverHead, theme.collateral, 'y4', { symbols, lines: collateralLines }),
  );
  if (sufficiency) {
    const thr = levels.map((l) => l.bounds?.sufficiencyThreshold ?? NaN);
    const name = 'sufficiency ±τ_T·max(ΔL_T, δ)';
    data.push(
      thresholdLine(TRACE.sufficiencyUpper, name, xs, thr, theme.target, 'y', { group: TRACE.sufficiencyUpper }),
      thresholdLine(TRACE.sufficiencyLower, name, xs, thr.map((y) => -y), theme.target, 'y', { group: TRACE.sufficiencyUpper, showlegend: false }),
    );
  } else {
    data.push(thresholdLine(TRACE.persistence, persistenceName(doc, levels), xs, levels.map((l) => persistenceThreshold(doc, l)), theme.target, 'y', {}));
  }
  const tolerance = levels.map((l) => collateralTolerance(doc, l));
  data.push(thresholdLine(TRACE.tolerance, `collateral tolerance ${twoSided ? '±' : ''}τ_C·max(ΔL_C, δ)`, xs, tolerance, theme.collateral, 'y4', { group: TRACE.tolerance, dash: 'dash' }));
  if (twoSided) {
    data.push(thresholdLine(TRACE.toleranceLower, 'collateral tolerance −τ_C·max(ΔL_C, δ)', xs, tolerance.map((y) => -y), theme.collateral, 'y4', { group: TRACE.tolerance, dash: 'dash', showlegend: false }));
  }
  data.push(...band(TRACE.lossGapUpper, TRACE.lossGapLower, TRACE.lossGap, 'degraded loss gap ΔL', xs, levels.map((l) => l.lossGap), hoverHead, theme.lossGap, 'y2', { symbols, lines: testLines }));
  const withLlc = levels.filter((l) => l.llc);
  if (withLlc.length > 0) {
    const at = withLlc.map((l) => levels.indexOf(l));
    data.push(
      ...band(TRACE.llcUpper, TRACE.llcLower, TRACE.llc, 'LLC λ̂', withLlc.map((l) => levelX(l, xAxis)), withLlc.map((l) => l.llc as Estimate), at.map((i) => hoverHead[i]!), theme.llc, 'y3', { symbols: at.map((i) => symbols[i]!), lines: at.map((i) => testLines[i]!) }),
    );
  }
  const notConverged = levels.filter(unconverged);
  if (notConverged.length > 0) {
    // Rings around the hollow points of the top panel: the legend's key to "hollow = not converged".
    data.push({
      uid: TRACE.unconverged,
      type: 'scatter',
      mode: 'markers',
      name: 'not converged (hollow points)',
      x: notConverged.map((l) => levelX(l, xAxis)),
      y: notConverged.map((l) => l.targetEffect.mean),
      yaxis: 'y',
      marker: { symbol: 'circle-open', size: 14, color: theme.warning, line: { width: 1.5, color: theme.warning } },
      hovertext: notConverged.map((l) => `${symbol} = ${formatLevel(l.level)}: ${describeConvergence(l)}<br>its tests are not used: it breaks the window`),
      hoverinfo: 'text',
    });
  }
  if (failed.length > 0 && xAxis === 'temperature') {
    data.push({
      uid: TRACE.diverged,
      type: 'scatter',
      mode: 'markers',
      name: 'diverged level',
      x: failed.map((l) => l.level),
      y: failed.map(() => 0),
      yaxis: 'y2',
      marker: { symbol: 'x', size: 10, color: theme.collateral },
      hovertext: failed.map((l) => `${symbol} = ${formatLevel(l.level)}: ${escapeHtml(l.error ?? '')}`),
      hoverinfo: 'text',
    });
  }

  const shapes: Partial<Shape>[] = [];
  const verdict = doc.verdict ?? null;
  const xOf = (t: number): number | null => {
    const l = levels.find((v) => v.level === t);
    return l ? levelX(l, xAxis) : null;
  };
  if (verdict?.cleanWindow) {
    const [lo, hi] = verdict.cleanWindow.map(xOf);
    if (lo !== null && hi !== null) {
      shapes.push({
        name: SHAPE.cleanWindow,
        type: 'rect',
        xref: 'x',
        yref: 'paper',
        x0: lo,
        x1: hi,
        y0: 0,
        y1: 1,
        layer: 'below',
        fillcolor: withAlpha(theme.cleanWindow, 0.14),
        line: { color: withAlpha(theme.cleanWindow, 0.6), width: 1 },
        // At the top of the top panel, in the headroom its y range leaves above the curves.
        label: { text: sufficiency ? 'sufficient window' : 'clean window', textposition: 'top center', padding: 6, font: { color: theme.cleanWindow, size: 11 } },
      });
    }
  }
  // Levels where the behaviour is gone hold no test: greyed, each run from midway to its neighbours.
  const mid = (a: number, b: number) => (logX ? Math.sqrt(a * b) : (a + b) / 2);
  for (let i = 0; i < levels.length; i++) {
    if (levels[i]!.tests?.behaviour !== false) continue;
    let j = i;
    while (j + 1 < levels.length && levels[j + 1]!.tests?.behaviour === false) j++;
    shapes.push({
      name: SHAPE.noBehaviour, type: 'rect', xref: 'x', yref: 'paper',
      x0: i > 0 ? mid(xs[i - 1]!, xs[i]!) : xs[i]!, x1: j + 1 < levels.length ? mid(xs[j]!, xs[j + 1]!) : xs[j]!, y0: 0, y1: 1,
      layer: 'below', fillcolor: withAlpha(theme.marker, 0.12), line: { width: 0 },
      label: { text: 'behaviour gone', textposition: 'bottom center', padding: 4, font: { color: theme.marker, size: 10 } },
    });
    i = j;
  }
  // A label over the first or last level would hang past the plot's edge: it grows inwards from there.
  const side = (x: number | null): 'left' | 'center' | 'right' => {
    if (x === null || xs.length === 0) return 'center';
    const pos = (v: number) => (logX ? Math.log10(v) : v);
    const [lo, hi] = [pos(Math.min(...xs)), pos(Math.max(...xs))];
    const f = hi > lo ? (pos(x) - lo) / (hi - lo) : 0.5;
    return f < 0.15 ? 'left' : f > 0.85 ? 'right' : 'center';
  };
  if (verdict?.tEnt != null) pushMarker(shapes, SHAPE.tEnt, xOf(verdict.tEnt), `t_ent = ${formatLevel(verdict.tEnt)}`, theme.cleanWindow, 'solid', 'above', side(xOf(verdict.tEnt)));
  if (verdict?.tSurv != null) pushMarker(shapes, SHAPE.tSurv, xOf(verdict.tSurv), `t_surv = ${formatLevel(verdict.tSurv)}`, theme.target, 'dash', 'above', side(xOf(verdict.tSurv)));
  const tw = doc.watanabeTemperature;
  if (doc.dial === 'sgld' && tw !== null) {
    const x = xAxis === 'temperature' ? tw : interpolateLossGap(levels, tw);
    const label = xAxis === 'temperature' ? `t_W = log n = ${formatNumber(tw)}` : `ΔL(t_W) ≈ ${formatNumber(x ?? NaN)}`;
    // Labelled inside the top panel's headroom, so it does not collide with the t_ent / t_surv labels above it.
    pushMarker(shapes, SHAPE.watanabe, x, label, theme.marker, 'dot', 'inside');
  }
  const tc = verdict?.characteristic;
  if (tc && tc.level !== null) {
    // Beside t_W: the level whose ΔL equals the gap to the reference loss; its hover is the ΔL point below.
    const x = xAxis === 'temperature' ? tc.level : tc.gap;
    pushMarker(shapes, SHAPE.characteristic, x, xAxis === 'temperature' ? `t_c = ${formatLevel(tc.level)}` : `ΔL = gap ${formatNumber(tc.gap)}`, theme.marker, 'dashdot', 'inside');
    data.push(characteristicTrace(tc, x, theme));
  }

  const annotations: NonNullable<Layout['annotations']> = [];
  if (levels.length > 0 && withNull.length === 0) {
    // Low in the top panel's left corner: the target effect is largest at the lowest levels, the corner is free.
    annotations.push({
      name: ANNOTATION.noNull,
      text: v1 ? NO_NULL_V1 : NO_NULL_V2,
      xref: 'paper', yref: 'paper', x: 0.005, y: PANELS.target[0], xanchor: 'left', yanchor: 'bottom',
      showarrow: false, font: { color: theme.marker, size: 11 },
    });
  }
  if (offAxis.length > 0) {
    annotations.push({
      name: ANNOTATION.notOnLogAxis,
      text: `ΔL ≤ 0 at ${symbol} = ${offAxis.map((l) => formatLevel(l.level)).join(', ')}: not on the log axis (see the table)`,
      xref: 'paper', yref: 'paper', x: 1, y: PANELS.lossGap[1], xanchor: 'right', yanchor: 'bottom',
      showarrow: false, font: { color: theme.marker, size: 10 },
    });
  }
  const warning = verdict?.calibration?.warning;
  const warningLines = warning ? wrapWords(`⚠ ${warning}`, 110) : [];
  if (warning && options.withTitle !== false) {
    // Under the title, above the marker labels that stand on the top panel.
    annotations.push({
      name: ANNOTATION.calibrationWarning,
      text: warningLines.map(escapeHtml).join('<br>'),
      xref: 'paper', yref: 'paper', x: 0, y: 1, xanchor: 'left', yanchor: 'bottom', yshift: 20, align: 'left',
      showarrow: false, font: { color: theme.warning, size: 11 },
    });
  }

  const topValues = [
    ...bandValues(levels.map((l) => l.targetEffect)),
    ...withNull.flatMap((l) => l.null!.band),
    ...withExcess.map((l) => l.null!.mean + l.excess!.bound),
    ...(sufficiency ? levels.flatMap((l) => (l.bounds?.sufficiencyThreshold !== undefined ? [l.bounds.sufficiencyThreshold, -l.bounds.sufficiencyThreshold] : [])) : levels.map((l) => persistenceThreshold(doc, l))),
  ];
  const axisStyle = { color: theme.foreground, gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.grid };
  const top = options.withTitle === false ? MODE_BAR_CLEARANCE : 80 + 14 * warningLines.length;
  const fit = fitToSize(options.size, data, top);
  const yTitle = (full: string, short: string, panel: readonly [number, number]) => ({ text: fit.fits(full, panel) ? full : short });
  const yTicks = (panel: readonly [number, number]) => (fit.size ? { nticks: fit.yTicks(panel) } : {});
  const layout: Partial<Layout> = {
    // Pinned to the top of the figure (an auto-placed title sits in the middle of the top margin, where the
    // calibration warning goes): title, then the warning, then the marker labels standing on the top panel.
    title: { text: title(doc, verdict, v1), font: { color: theme.foreground, size: 14 }, x: 0.02, xanchor: 'left', yref: 'container', y: 1, yanchor: 'top', pad: { t: 12 } },
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { color: theme.foreground },
    showlegend: true,
    // Horizontal, at the bottom of the figure (container-anchored: Plotly reserves its height under the x axis,
    // whose automargin makes room for its ticks and title, instead of hanging it a fraction of the plot below).
    legend: { orientation: 'h', xref: 'paper', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom', font: { color: theme.foreground, size: fit.legendFont } },
    hovermode: 'closest',
    hoverlabel: { align: 'left' },
    margin: { l: fit.side, r: fit.side, t: top, b: 24 },
    xaxis: { ...axisStyle, type: logX ? 'log' : 'linear', title: { text: xName }, anchor: 'y2', showgrid: true, automargin: true, ...logTicks(logX ? xs : [], fit.xTicks), ...(!logX && fit.size ? { nticks: fit.xTicks } : {}) },
    yaxis: { ...axisStyle, domain: PANELS.target, title: yTitle('target E_T', 'E_T', PANELS.target), zeroline: true, range: withHeadroom(topValues), ...yTicks(PANELS.target) },
    yaxis4: { ...axisStyle, domain: PANELS.collateral, anchor: 'x', title: yTitle('collateral E_C', 'E_C', PANELS.collateral), zeroline: true, ...yTicks(PANELS.collateral) },
    yaxis2: { ...axisStyle, domain: PANELS.lossGap, title: { text: 'ΔL' }, zeroline: true, ...yTicks(PANELS.lossGap) },
    shapes,
    annotations,
  };
  if (withLlc.length > 0) {
    // tickmode 'auto': an overlaying axis defaults to 'sync', which puts odd values at the ΔL axis's grid lines.
    layout.yaxis3 = { ...axisStyle, overlaying: 'y2', side: 'right', anchor: 'x', title: yTitle('LLC λ̂', 'λ̂', PANELS.lossGap), showgrid: false, zeroline: false, tickmode: 'auto', nticks: fit.size ? Math.min(5, fit.yTicks(PANELS.lossGap)) : 5 };
  }
  if (options.withTitle === false) delete layout.title;
  return { data, layout };
}

/** Vertical extent (paper fractions) of the three panels, top to bottom. */
export const PANELS = { target: [0.7, 1], collateral: [0.38, 0.62], lossGap: [0, 0.3] } as const satisfies Record<string, [number, number]>;

/** Both ends of every 95% band: what a panel must show. */
function bandValues(estimates: Estimate[]): number[] {
  return estimates.flatMap((e) => interval95(e));
}

/**
 * A y range over the values with 5% padding below and 22% above: the top panel keeps a strip free of curves for
 * the clean-window and t_W labels. Undefined (Plotly autoranges) when there is nothing finite to range over.
 */
export function withHeadroom(values: number[]): [number, number] | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - 0.05 * span, hi + 0.22 * span];
}

/**
 * Log axes label whole decades only when the data span two or more (Plotly would label 2…9 in between), and every
 * k-th decade when a narrow figure has room for fewer than one label per decade.
 */
function logTicks(xs: number[], maxTicks: number): { dtick?: number } {
  if (xs.length === 0) return {};
  const decades = Math.log10(Math.max(...xs)) - Math.log10(Math.min(...xs));
  return decades >= 2 ? { dtick: Math.max(1, Math.ceil((decades + 1) / maxTicks)) } : {};
}

/** Average width of a character of Plotly's default font (12 px Open Sans / the system sans-serif), in px per px of size. */
const CHAR_WIDTH = 0.58;
/** Below this width (px) the figure is a narrow column: smaller legend, narrower side margins. */
export const NARROW_WIDTH = 640;

interface Fit {
  size?: { width: number; height: number };
  legendFont: number;
  /** Left / right margin (y tick labels and the rotated titles). */
  side: number;
  /** At most this many x tick labels. */
  xTicks: number;
  yTicks(panel: readonly [number, number]): number;
  /** Whether a rotated y-axis title of 12 px fits along its panel. */
  fits(title: string, panel: readonly [number, number]): boolean;
}

/**
 * What the figure's size allows: without a size (the CLI page, exports) the full titles and Plotly's own ticks; with
 * one, titles that do not fit along their panel become symbols, and ticks are spaced ~80 px apart on x and ~28 px
 * on y. The plot's height is the figure's less its margins, the x axis (~48 px) and the legend's rows, estimated
 * by laying the entries out as Plotly does (symbol 40 px + text, wrapped to the width).
 */
function fitToSize(size: ChartOptions['size'], data: Data[], top: number): Fit {
  if (!size || !(size.width > 0) || !(size.height > 0)) {
    return { legendFont: 12, side: 72, xTicks: 12, yTicks: () => 6, fits: () => true };
  }
  const narrow = size.width < NARROW_WIDTH;
  const legendFont = narrow ? 10 : 12;
  const side = narrow ? 52 : 72;
  const names = data.filter((d) => (d as { showlegend?: boolean }).showlegend !== false && typeof d.name === 'string').map((d) => d.name as string);
  let rows = names.length > 0 ? 1 : 0;
  let used = 0;
  for (const n of names) {
    const w = 40 + n.length * legendFont * CHAR_WIDTH;
    if (used > 0 && used + w > size.width - 8) {
      rows++;
      used = 0;
    }
    used += w;
  }
  const plotHeight = Math.max(60, size.height - top - 24 - 48 - rows * (legendFont + 8));
  const plotWidth = Math.max(100, size.width - 2 * side);
  const panelPx = (panel: readonly [number, number]) => plotHeight * (panel[1] - panel[0]);
  return {
    size,
    legendFont,
    side,
    xTicks: Math.max(2, Math.floor(plotWidth / 80)),
    yTicks: (panel) => Math.max(2, Math.floor(panelPx(panel) / 28)),
    // A title centred on its panel may reach into the gaps (0.08 of the plot) above and below it.
    fits: (t, panel) => t.length * 12 * CHAR_WIDTH + 8 <= panelPx(panel) + 0.08 * plotHeight,
  };
}

/** τ_C·max(ΔL_C(t), δ): the bound the collateral's interval must stay within (±, version 2), as the engine recorded it. */
export function collateralTolerance(doc: Pick<ChartDoc, 'thresholds'>, level: LevelResult): number {
  return level.bounds?.collateralThreshold ?? doc.thresholds.collateralTolerance * Math.max(level.controlLossGap.mean, doc.thresholds.noiseFloor);
}

/**
 * The persistence line on the target panel's scale. Version 2: m_T(t) + ρ·X_T(0), so that the excess's bound
 * drawn as m_T + (X_T − q·se_X) clears it exactly where bound ≥ ρ·X_T(0); NaN at a version-2 level without a null
 * (nothing to persist against). Version 1: ρ·E_T(0), which E_T's lower 95% end had to exceed.
 */
export function persistenceThreshold(doc: Pick<ChartDoc, 'thresholds' | 'baseline'>, level: LevelResult): number {
  if (level.null && level.excess) return level.null.mean + level.excess.threshold;
  if (judgedV2(level)) return NaN;
  return level.bounds?.targetThreshold ?? doc.thresholds.persistence * (doc.baseline.targetEffect ?? NaN);
}

function persistenceName(doc: ChartDoc, levels: readonly LevelResult[]): string {
  const withExcess = levels.find((l) => l.null && l.excess);
  if (withExcess) return `persistence m_T + ρ·X_T(0) (ρ·X_T(0) = ${formatNumber(withExcess.excess!.threshold)})`;
  return `persistence ρ·E_T(0) = ${formatNumber(doc.thresholds.persistence * (doc.baseline.targetEffect ?? NaN))}`;
}

/**
 * The 95% interval drawn as a band: the estimate's own `ci95` when the engine recorded it (mean ± t·se with the
 * estimate's degrees of freedom), else mean ± 1.96·se.
 */
export function interval95(e: Estimate): [number, number] {
  return e.ci95 ? [e.ci95[0], e.ci95[1]] : [e.mean - Z95 * e.se, e.mean + Z95 * e.se];
}

/** The hover lines of the null and the excess at a level (or why there is no null). */
function nullLines(l: LevelResult, v1: boolean, doc: ChartDoc): string[] {
  if (!l.null) return [v1 ? NO_NULL_V1 : NO_NULL_V2];
  const k = l.controls?.length;
  const v3 = l.v3;
  const lines = v3
    ? [`null m_T = ${formatNumber(l.null.mean)}, sd ${formatSe(l.null.sd)} over ${k} control sets disjoint from the circuit (range ${formatNumber(l.null.band[0])} … ${formatNumber(l.null.band[1])})`,
      ...(v3.rank ? [`rank here: p = ${formatNumber(v3.rank.p)}, above ${Math.round(100 * v3.rank.percentile)}% of the controls (reported; specificity is decided at w*)`] : []),
      ...(v3.behaviour ? [`behaviour ${v3.behaviour.present ? 'present' : 'gone'}: L_T = ${formatNumber(v3.behaviour.targetLoss)} vs limit ${formatNumber(v3.behaviour.limit)}`] : [])]
    : [`null m_T = ${formatNumber(l.null.mean)}, sd ${formatSe(l.null.sd)}${k !== undefined ? ` over ${k} matched random sets` : ''} (band ${formatNumber(l.null.band[0])} … ${formatNumber(l.null.band[1])})`];
  const x = l.excess;
  if (x) {
    const complement = l.tests?.sufficient !== undefined || doc.verdict?.question === 'sufficiency';
    const parts = v3?.targetExcess ? ` (se from draws ${formatSe(v3.targetExcess.seDraws)}, controls ${formatSe(v3.targetExcess.seControls)}, rows ${formatSe(v3.targetExcess.seRows)})` : '';
    lines.push(`excess X_T = ${formatEstimate(x)}, ${complement ? 'upper' : 'lower'} bound ${formatNumber(x.bound)} (q = ${formatNumber(x.quantile)})${parts}`);
    if (complement) {
      const interval = l.bounds?.targetInterval;
      const thr = l.bounds?.sufficiencyThreshold;
      lines.push(`specific: bound ${x.bound < 0 ? LT : '≥'} 0${interval && thr !== undefined ? ` · E_T's interval ${formatNumber(interval[0])} … ${formatNumber(interval[1])} vs ±${formatNumber(thr)}` : ''}: ${verdictWord(l.tests?.sufficient, 'sufficient', 'not sufficient')}`);
    } else {
      const word = l.tests?.specific === false ? 'not specific' : verdictWord(l.tests?.persists, 'persists', 'does not persist');
      lines.push(`threshold ρ·X_T(0) = ${formatNumber(x.threshold)}: bound ${x.bound >= x.threshold ? '≥' : LT} threshold, ${word}`);
    }
  }
  return lines;
}

/** "<" as Plotly's pseudo-HTML text must spell it. */
const LT = '&lt;';

function verdictWord(test: boolean | null | undefined, yes: string, no: string): string {
  return test === true ? yes : test === false ? no : 'not tested';
}

/** The collateral test at a level: the interval the verdict compared against the tolerance (v3: all three statistics). */
function collateralLine(l: LevelResult): string {
  const b = l.bounds;
  const word = l.collateralNegligible ? 'negligible' : 'not negligible';
  if (l.v3) {
    const names = { noise: 'E_C vs ±s_C(t)', null: 'X_C vs ±null sd', ratio: 'E_C/E_T vs ±τ_C' } as const;
    return (['noise', 'null', 'ratio'] as const).map((k) => {
      const c = l.v3!.collateral[k];
      const chosen = l.v3!.statistic === k ? '<b>' : '';
      if (!c) return `${chosen}${names[k]}: not computed${chosen ? '</b>' : ''}`;
      const w = c.negligible === null ? 'not tested' : c.negligible ? 'negligible' : 'not negligible';
      return `${chosen}${names[k]}: ${formatNumber(c.interval.lower)} … ${formatNumber(c.interval.upper)} vs ±${formatNumber(c.margin)}: ${w}${chosen ? ' (decides)</b>' : ''}`;
    }).join('<br>');
  }
  if (!b) return `collateral ${word}`;
  if (b.collateralLower !== undefined) {
    return `collateral's tested interval ${formatNumber(b.collateralLower)} … ${formatNumber(b.collateralUpper)} vs ±${formatNumber(b.collateralThreshold)}: ${word}`;
  }
  return `collateral's upper end ${formatNumber(b.collateralUpper)} vs ${formatNumber(b.collateralThreshold)}: ${word}`;
}

/** The marker symbols the chart uses: filled, or hollow at a level whose chains did not converge. */
type PointSymbol = 'circle' | 'circle-open' | 'triangle-up' | 'triangle-up-open' | 'triangle-down' | 'triangle-down-open';

interface BandExtras {
  /** Marker symbol of each point (hollow where the level did not converge). */
  symbols?: PointSymbol[];
  /** More hover lines per point. */
  lines?: string[][];
}

function optional(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

/** Upper and lower traces of a 95% band (the lower fills up to the upper), then the mean line with exact hover values. */
function band(upperId: string, lowerId: string, meanId: string, name: string, xs: number[], estimates: Estimate[], hoverHead: string[], colour: string, yaxis: 'y' | 'y2' | 'y3' | 'y4', extras: BandExtras = {}): Data[] {
  const edge = { type: 'scatter' as const, mode: 'lines' as const, line: { width: 0, color: colour }, hoverinfo: 'skip' as const, showlegend: false, legendgroup: meanId, x: xs, yaxis };
  return [
    { ...edge, uid: upperId, name: `${name} upper 95%`, y: estimates.map((e) => interval95(e)[1]) },
    { ...edge, uid: lowerId, name: `${name} lower 95%`, y: estimates.map((e) => interval95(e)[0]), fill: 'tonexty', fillcolor: withAlpha(colour, 0.2) },
    {
      uid: meanId,
      type: 'scatter',
      mode: 'lines+markers',
      name,
      legendgroup: meanId,
      x: xs,
      y: estimates.map((e) => e.mean),
      yaxis,
      line: { color: colour, width: 2 },
      marker: { color: colour, size: 6, ...(extras.symbols ? { symbol: extras.symbols, line: { color: colour, width: 1.5 } } : {}) },
      hovertext: estimates.map((e, i) => {
        const [lo, hi] = interval95(e);
        const first = `${hoverHead[i]}<br>${name} = ${formatEstimate(e)} (95%: ${formatNumber(lo)} … ${formatNumber(hi)}, n = ${e.n}${e.dof != null ? `, dof ${e.dof}` : ''})`;
        return [first, ...(extras.lines?.[i] ?? [])].join('<br>');
      }),
      hoverinfo: 'text',
    },
  ];
}

/** The null's prediction band (shaded between band[0] and band[1]) and its mean m_T as a dotted line. */
function nullBand(withNull: LevelResult[], xs: number[], levels: LevelResult[], hoverHead: string[], theme: ChartTheme): Data[] {
  const colour = theme.marker;
  const edge = { type: 'scatter' as const, mode: 'lines' as const, line: { width: 0, color: colour }, hoverinfo: 'skip' as const, showlegend: false, legendgroup: TRACE.null, x: xs, yaxis: 'y' as const };
  return [
    { ...edge, uid: TRACE.nullUpper, name: `${NULL_NAME} band upper`, y: withNull.map((l) => l.null!.band[1]) },
    { ...edge, uid: TRACE.nullLower, name: `${NULL_NAME} band lower`, y: withNull.map((l) => l.null!.band[0]), fill: 'tonexty', fillcolor: withAlpha(colour, 0.18) },
    {
      uid: TRACE.null,
      type: 'scatter',
      mode: 'lines',
      name: NULL_NAME,
      legendgroup: TRACE.null,
      x: xs,
      y: withNull.map((l) => l.null!.mean),
      yaxis: 'y',
      line: { color: colour, width: 1.5, dash: 'dot' },
      hovertext: withNull.map((l) => {
        const n = l.null!;
        const k = l.controls?.length;
        return `${hoverHead[levels.indexOf(l)]}<br>${NULL_NAME}: m_T = ${formatNumber(n.mean)}, sd ${formatSe(n.sd)}${k !== undefined ? `, K = ${k}` : ''}<br>${l.v3 ? 'the controls range over' : "a new random set of the circuit's size falls in"} ${formatNumber(n.band[0])} … ${formatNumber(n.band[1])}`;
      }),
      hoverinfo: 'text',
    },
  ];
}

/** The excess's one-sided bound on the target panel's scale: m_T + X_T ∓ q·se_X (a triangle per level). */
function excessBoundTrace(withExcess: LevelResult[], xAxis: ChartXAxis, levels: LevelResult[], hoverHead: string[], targetLines: string[][], sufficiency: boolean, theme: ChartTheme): Data {
  const shape = sufficiency ? 'triangle-down' as const : 'triangle-up' as const;
  return {
    uid: TRACE.excessBound,
    type: 'scatter',
    mode: 'markers',
    name: sufficiency ? 'excess bound m_T + X_T + q·se_X (below m_T: specific)' : 'excess bound m_T + X_T − q·se_X (above the persistence line: persists)',
    x: withExcess.map((l) => levelX(l, xAxis)),
    y: withExcess.map((l) => l.null!.mean + l.excess!.bound),
    yaxis: 'y',
    marker: { symbol: withExcess.map((l): PointSymbol => (unconverged(l) ? `${shape}-open` : shape)), size: 9, color: theme.target, line: { color: theme.target, width: 1.5 } },
    hovertext: withExcess.map((l) => {
      const i = levels.indexOf(l);
      return [hoverHead[i], ...targetLines[i]!].join('<br>');
    }),
    hoverinfo: 'text',
  };
}

function thresholdLine(uid: string, name: string, xs: number[], ys: number[], colour: string, yaxis: 'y' | 'y4', opts: { group?: string; dash?: 'dot' | 'dash'; showlegend?: boolean }): Data {
  return {
    uid,
    type: 'scatter',
    mode: 'lines',
    name,
    x: xs,
    y: ys,
    yaxis,
    ...(opts.group ? { legendgroup: opts.group } : {}),
    ...(opts.showlegend === false ? { showlegend: false } : {}),
    line: { color: withAlpha(colour, 0.7), width: 1, dash: opts.dash ?? 'dot' },
    hovertext: ys.map((y) => `${name}: ${formatNumber(y)}`),
    hoverinfo: 'text',
  };
}

function pushMarker(shapes: Partial<Shape>[], name: string, x: number | null, label: string, colour: string, dash: 'solid' | 'dash' | 'dot' | 'dashdot', at: 'above' | 'inside' = 'above', xanchor: 'left' | 'center' | 'right' = 'center'): void {
  if (x === null || !Number.isFinite(x)) return;
  shapes.push({
    name,
    type: 'line',
    xref: 'x',
    yref: 'paper',
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line: { color: colour, width: 1.5, dash },
    label: at === 'above'
      ? { text: label, textposition: 'end', textangle: 0, yanchor: 'bottom', xanchor, font: { color: colour, size: 11 } }
      // A leading no-break space keeps the text off its own line (a shape label has no xshift).
      : { text: `\u00a0\u00a0${label}`, textposition: 'end', textangle: 0, yanchor: 'top', xanchor: 'left', padding: 6, font: { color: colour, size: 11 } },
  });
}

/** The characteristic temperature's point on the ΔL panel, whose hover says what it is. */
function characteristicTrace(tc: CharacteristicTemperature, x: number, theme: ChartTheme): Data {
  return {
    uid: TRACE.characteristic, name: 't_c (reference loss)', type: 'scatter', mode: 'markers', xaxis: 'x', yaxis: 'y2',
    x: [x], y: [tc.gap], showlegend: false, marker: { symbol: 'diamond-open', size: 10, color: theme.marker },
    hoverinfo: 'text',
    hovertext: [escapeHtml(`characteristic temperature t_c ≈ ${formatLevel(tc.level!)}: the degradation costs as much loss as the network lacks against the reference (ΔL = L_n(w*) − referenceLoss = ${formatNumber(tc.loss)} − ${formatNumber(tc.referenceLoss)} = ${formatNumber(tc.gap)}); ${tc.interpolation}-interpolated between t = ${tc.bracket!.map(formatLevel).join(' and ')}; ΔL's 95% band puts it ${tc.band.map((t) => (t === null ? 'outside the grid' : formatLevel(t))).join(' … ')}`)],
  } as Data;
}

/** ΔL at temperature t by log-linear interpolation between the neighbouring levels; null outside the grid. */
export function interpolateLossGap(levels: LevelResult[], t: number): number | null {
  for (let i = 0; i + 1 < levels.length; i++) {
    const a = levels[i];
    const b = levels[i + 1];
    if (a.level <= t && t <= b.level && a.level > 0) {
      const f = b.level === a.level ? 0 : Math.log(t / a.level) / Math.log(b.level / a.level);
      return a.lossGap.mean + f * (b.lossGap.mean - a.lossGap.mean);
    }
  }
  return null;
}

function title(doc: ChartDoc, verdict: Verdict | null, v1: boolean): string {
  const name = escapeHtml(doc.circuitName || 'circuit');
  if (!verdict) return `<b>${name}</b><br><sup>sweep in progress: ${doc.levels.length} level(s) done</sup>`;
  // A version-1 document says "no null" in its own note on the chart; version 2 states its calibration here.
  const facts = [`dial ${doc.dial}`, ...verdictExtras(verdict), ...(v1 ? [] : [calibrationText(verdict, false)])];
  return `<b>${name}</b>: ${escapeHtml(verdict.summary)}<br><sup>${facts.map(escapeHtml).join(' · ')}</sup>`;
}

/** Lines of at most `width` (as `measure` counts; default characters), broken between words; a longer word stands alone. */
export function wrapWords(text: string, width: number, measure: (s: string) => number = (s) => s.length): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line && measure(line) + 1 + measure(word) > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function levelName(dial: ChartDoc['dial']): string {
  switch (dial) {
    case 'sgld':
      return 'temperature t = 1/β';
    case 'weight-noise':
      return 'weight noise σ';
    case 'activation-noise':
      return 'activation noise σ';
    case 'checkpoints':
      return 'checkpoint';
  }
}

export function levelSymbol(dial: ChartDoc['dial']): string {
  return dial === 'sgld' ? 't' : dial === 'checkpoints' ? 'checkpoint' : 'σ';
}

/** Plotly renders a small HTML subset in titles; user text must not be read as markup. */
/** Plotly's text is HTML-like (it renders `<a href>`): the one HTML escaper (src/protocol/escape.ts). */
export { escapeHtml };
