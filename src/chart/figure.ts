// The entanglement chart as a Plotly figure: one pure function from a results document to `{ data, layout }`,
// shared by the CLI's HTML page and the extension's webview. SVG `scatter` traces only (no WebGL, no eval).
//
// Three stacked panels sharing the x axis (marks.ts lists what each draws; a new mark is one entry there):
//   target (y):      E_T with its 95% band, the null of control sets (band and mean m_T), the excess's bound
//                    m_T + X_T − q·se_X (triangles) against the persistence line m_T + ρ·X_T(0);
//   collateral (y2): E_C with its band, the interval the collateral test compared (bars) and the ±margin it was
//                    compared with (a shaded band): a bar outside the band is "not negligible". When the band would be
//                    a hairline next to the values, the axis is a symmetric log (ticks in data units);
//   lossGap (y3):    the degraded loss gap ΔL, with the LLC on a right axis over it (y4, sgld).
// Each panel is ranged over the tested region (levels where the behaviour is present; greyed levels beyond it may
// leave the panel) with at least three ticks. Shaded clean window and vertical markers at t_ent, t_surv and the
// Watanabe temperature across all panels, each with a hover (invisible points along them). A version-1 document
// (no null) is drawn as it was judged then (ρ·E_T(0), one-sided collateral), with a "no null" note.
import type { Data, Layout, Shape } from 'plotly.js-dist';
import { DIALS } from '../protocol/dials';
import { escapeHtml } from '../protocol/escape';
import type { CharacteristicTemperature, LevelResult, Verdict } from '../protocol/results';
import type { ChartDoc, ChartXAxis } from '../protocol/webview';
import {
  calibrationText, describeConvergence, formatEstimate, formatFailed, formatLevel, formatNumber, isVersion1,
  NO_NULL_V1, NO_NULL_V2, samplerLine, unconverged, verdictExtras,
} from './format';
import { type Anchor, CHAR_WIDTH, insideAnchor, placeLabels } from './labels';
import {
  axisKey, collateralStatisticName, type Mark, type MarkContext, MARKS, PANEL_AXIS, PANELS, type PointSymbol, levelX, TRACE,
} from './marks';
import { collateralScale, linearScale, type PanelScale, wrapHover } from './scale';
import { type ChartTheme, withAlpha } from './theme';

export type { ChartXAxis };
export { collateralTolerance, interval95, levelX, NULL_NAME, PANEL_AXIS, PANELS, persistenceThreshold, TRACE, Z95 } from './marks';

export interface ChartOptions {
  xAxis: ChartXAxis;
  theme: ChartTheme;
  /** The figure's size in CSS pixels, when known (the webview, exports): titles, ticks, labels and hovers fit it. */
  size?: { width: number; height: number };
  /** False where the page states the verdict above the figure (the webview): no title, and the top margin only
   *  keeps the marker labels clear of Plotly's mode bar. Default true. */
  withTitle?: boolean;
}

/** Top margin without a title: Plotly's mode bar (~27 px at the top right) above the marker labels (~16 px). */
export const MODE_BAR_CLEARANCE = 56;
/** Height of one row of marker labels above the top panel. */
const LABEL_ROW = 17;

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

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
  /** The title (the circuit, the verdict, the facts), wrapped to the figure's width; absent without a title. */
  title: 'title',
  /** "no null (results version 1)" (or: fewer than two matched random sets). */
  noNull: 'no-null',
  /** The calibration's warning, in the warning colour, under the title. */
  calibrationWarning: 'calibration-warning',
  /** ΔL ≤ 0 levels that a log ΔL axis cannot place. */
  notOnLogAxis: 'not-on-log-axis',
} as const;

/** Whether the document asks sufficiency (scope: complement): its tests are then the sufficient window's. */
function asksSufficiency(doc: ChartDoc, levels: readonly LevelResult[]): boolean {
  return doc.verdict?.question === 'sufficiency' || levels.some((l) => l.bounds?.sufficiencyThreshold !== undefined || l.tests?.sufficient !== undefined);
}

/** The figure's width when none is given (the CLI page; Plotly's default). */
const DEFAULT_WIDTH = 1000;

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
  const symbol = levelSymbol(doc.dial);
  const v1 = isVersion1(doc);
  const withTitle = options.withTitle !== false;
  const width = options.size && options.size.width > 0 ? options.size.width : DEFAULT_WIDTH;
  const testedLevels = levels.filter((l) => l.tests?.behaviour !== false);
  const ctx: MarkContext = {
    doc, theme, xAxis, levels,
    tested: testedLevels.length > 0 ? testedLevels : levels,
    xs: levels.map((l) => levelX(l, xAxis)),
    xOf: (l) => levelX(l, xAxis),
    symbol, v1,
    sufficiency: asksSufficiency(doc, levels),
    hoverHead: levels.map((l) => `${symbol} = ${formatLevel(l.level)} · ΔL = ${formatEstimate(l.lossGap)}${unconverged(l) ? ' · <b>not converged</b>' : ''}${l.tests?.behaviour === false ? ' · behaviour gone: no test here' : ''}`),
    // Every hover ends with the level's tests: convergence and what failed.
    testLines: levels.map((l) => [describeConvergence(l), ...(samplerLine(l) === undefined ? [] : [samplerLine(l)!]), `failed: ${formatFailed(l)}`]),
    symbols: levels.map((l): PointSymbol => (unconverged(l) ? 'circle-open' : 'circle')),
    failed: doc.levels.filter((l) => l.error),
    scale: {},
  };

  // Titles, warning and label rows above the plot; then every panel's scale from its marks' extents.
  const fit = fitToSize(options.size, legendNames(ctx), 0);
  // The title and the warning start at the plot's left edge and may run to 16 px short of the figure's right edge.
  const titleRoom = width - fit.side - 16;
  const warning = doc.verdict?.calibration?.warning;
  const warningLines = warning && withTitle ? wrapWords(`⚠ ${warning}`, Math.max(24, Math.floor(titleRoom / (11 * CHAR_WIDTH)))) : [];
  const titleText = withTitle ? title(doc, doc.verdict ?? null, v1, Math.max(24, Math.floor(titleRoom / (14 * CHAR_WIDTH))), Math.max(24, Math.floor(titleRoom / (10 * CHAR_WIDTH)))) : null;
  const plotWidth = Math.max(100, width - 2 * fit.side);
  const markerPlan = planMarkers(ctx, logX, plotWidth);
  // Below the title, the warning, then the rows of marker labels standing on the top panel.
  const underTitle = LABEL_ROW * markerPlan.rows + (warningLines.length > 0 ? 14 * warningLines.length + 6 : 0) + 4;
  const top = titleText ? 12 + titleText.height + underTitle : MODE_BAR_CLEARANCE + LABEL_ROW * (markerPlan.rows - 1);
  const fitted = fitToSize(options.size, legendNames(ctx), top);
  for (const panel of ['target', 'collateral', 'lossGap'] as const) {
    const values = MARKS.filter((m) => m.panel === panel).flatMap((m) => m.extent?.(ctx) ?? []);
    const ticks = fitted.yTicks(PANELS[panel]);
    const scale = panel === 'collateral'
      ? collateralScale(values, ctx.tested.map((l) => markMargin(ctx, l)), ticks)
      : linearScale(values, ticks, panel === 'target' ? 0.22 : 0.1);
    if (scale) ctx.scale[panel] = scale;
  }

  const data: Data[] = [];
  for (const mark of MARKS) for (const t of mark.traces(ctx)) data.push({ ...t, yaxis: PANEL_AXIS[mark.panel] } as Data);
  const shapes: Partial<Shape>[] = [];
  data.push(...shapeMarks(ctx, shapes, logX, plotWidth, markerPlan));
  // Hovers wrap to the figure's width (a long line would be cut at the panel's edge).
  const hoverChars = Math.max(36, Math.floor((width - 30) / (11 * CHAR_WIDTH)));
  for (const t of data) {
    const h = (t as { hovertext?: string | string[] }).hovertext;
    if (Array.isArray(h)) (t as { hovertext?: string[] }).hovertext = h.map((s) => wrapHover(s, hoverChars));
    const text = (t as { text?: unknown }).text;
    if (typeof text === 'string') (t as { text?: string }).text = wrapHover(text, hoverChars);
  }

  const annotations: NonNullable<Layout['annotations']> = [];
  if (levels.length > 0 && !levels.some((l) => l.null)) {
    // Low in the top panel's left corner: the target effect is largest at the lowest levels, the corner is free.
    annotations.push({
      name: ANNOTATION.noNull, text: v1 ? NO_NULL_V1 : NO_NULL_V2,
      xref: 'paper', yref: 'paper', x: 0.005, y: PANELS.target[0], xanchor: 'left', yanchor: 'bottom',
      showarrow: false, font: { color: theme.marker, size: 11 },
    });
  }
  if (offAxis.length > 0) {
    annotations.push({
      name: ANNOTATION.notOnLogAxis,
      text: wrapWords(`ΔL ≤ 0 at ${symbol} = ${offAxis.map((l) => formatLevel(l.level)).join(', ')}: not on the log axis (see the table)`, Math.floor(plotWidth / (10 * CHAR_WIDTH))).join('<br>'),
      xref: 'paper', yref: 'paper', x: 1, y: PANELS.lossGap[1], xanchor: 'right', yanchor: 'bottom',
      showarrow: false, font: { color: theme.marker, size: 10 },
    });
  }
  if (warningLines.length > 0 && titleText) {
    // Under the title, above the marker labels that stand on the top panel.
    annotations.push({
      name: ANNOTATION.calibrationWarning,
      text: warningLines.map(escapeHtml).join('<br>'),
      xref: 'paper', yref: 'paper', x: 0, y: 1, xanchor: 'left', yanchor: 'bottom', yshift: 4 + LABEL_ROW * markerPlan.rows, align: 'left',
      showarrow: false, font: { color: theme.warning, size: 11 },
    });
  }

  const axisStyle = { color: theme.foreground, gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.grid };
  const yTitle = (full: string, short: string, panel: readonly [number, number]) => ({ text: fitted.fits(full, panel) ? full : short });
  const yAxis = (panel: 'target' | 'collateral' | 'lossGap', full: string, short: string) => {
    const s = ctx.scale[panel];
    return {
      // automargin: tick labels in data units (symlog: 1e-4, -0.01) may be wider than the margin; the title stays inside.
      ...axisStyle, domain: [PANELS[panel][0], PANELS[panel][1]] as [number, number], anchor: 'x' as const, title: yTitle(full, short, PANELS[panel]), zeroline: true, automargin: true,
      ...(s ? { range: s.range, tickmode: 'array' as const, tickvals: s.tickvals, ticktext: s.ticktext } : fitted.size ? { nticks: fitted.yTicks(PANELS[panel]) } : {}),
    };
  };
  const xName = xAxis === 'temperature' ? DIALS[doc.dial].axis : 'degraded loss gap ΔL';
  const collateralTitle = ctx.scale.collateral?.kind === 'symlog' ? `collateral ${collateralStatisticName(ctx)} (symlog)` : `collateral ${collateralStatisticName(ctx)}`;
  const layout: Partial<Layout> = {
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { color: theme.foreground },
    showlegend: true,
    // Horizontal, at the bottom of the figure (container-anchored: Plotly reserves its height under the x axis,
    // whose automargin makes room for its ticks and title, instead of hanging it a fraction of the plot below).
    legend: { orientation: 'h', xref: 'paper', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom', font: { color: theme.foreground, size: fitted.legendFont } },
    hovermode: 'closest',
    hoverlabel: { align: 'left', font: { size: fitted.narrow ? 11 : 12 } },
    margin: { l: fitted.side, r: fitted.side, t: top, b: 24 },
    xaxis: { ...axisStyle, type: logX ? 'log' : 'linear', title: { text: xName }, anchor: PANEL_AXIS.lossGap, showgrid: true, automargin: true, ...logTicks(logX ? ctx.xs : [], fitted.xTicks), ...(!logX && fitted.size ? { nticks: fitted.xTicks } : {}) },
    shapes,
    annotations,
  };
  layout[axisKey('target')] = yAxis('target', 'target E_T', 'E_T');
  layout[axisKey('collateral')] = yAxis('collateral', collateralTitle, ctx.scale.collateral?.kind === 'symlog' && fitted.fits('E_C (symlog)', PANELS.collateral) ? 'E_C (symlog)' : 'E_C');
  layout[axisKey('lossGap')] = yAxis('lossGap', 'ΔL', 'ΔL');
  if (levels.some((l) => l.llc)) {
    // tickmode 'auto': an overlaying axis defaults to 'sync', which puts odd values at the ΔL axis's grid lines.
    layout[axisKey('llc')] = { ...axisStyle, overlaying: PANEL_AXIS.lossGap, side: 'right', anchor: 'x', automargin: true, title: yTitle('LLC λ̂', 'λ̂', PANELS.lossGap), showgrid: false, zeroline: false, tickmode: 'auto', nticks: fitted.size ? Math.max(3, Math.min(5, fitted.yTicks(PANELS.lossGap))) : 5 };
  }
  if (titleText) {
    // An annotation, not layout.title: Plotly anchors a multi-line title by its first line (it then overlaps the
    // plot or leaves the figure), an annotation by its whole box. Its bottom stands on the warning and the labels.
    annotations.push({
      name: ANNOTATION.title, text: titleText.text, xref: 'paper', yref: 'paper', x: 0, y: 1, xanchor: 'left', yanchor: 'bottom', yshift: underTitle, align: 'left',
      showarrow: false, font: { color: theme.foreground, size: 14 },
    });
  }
  return { data, layout };
}

/** The margin a level's collateral test compared with (what the collateral panel's symlog is scaled to). */
function markMargin(ctx: MarkContext, l: LevelResult): number {
  return l.bounds?.collateralThreshold ?? ctx.doc.thresholds.collateralTolerance * Math.max(l.controlLossGap.mean, ctx.doc.thresholds.noiseFloor);
}

function legendNames(ctx: MarkContext): string[] {
  // Laid out before the traces exist: the names of the marks that will draw a legend entry (an estimate).
  return MARKS.filter((m: Mark) => m.metric !== null).flatMap((m) => m.traces({ ...ctx, scale: {} }))
    .filter((d) => (d as { showlegend?: boolean }).showlegend !== false && typeof d.name === 'string').map((d) => d.name as string);
}

interface MarkerPlan {
  /** Rows of labels above the top panel (0: no marker). */
  rows: number;
  tEnt?: { anchor: Anchor; row: number };
  tSurv?: { anchor: Anchor; row: number };
}

/** Where a level sits across the plot (0 = left, 1 = right), as Plotly will range the x axis over the levels. */
function xFraction(ctx: MarkContext, logX: boolean, x: number): number {
  const pos = (v: number) => (logX ? Math.log10(v) : v);
  const [lo, hi] = [pos(Math.min(...ctx.xs)), pos(Math.max(...ctx.xs))];
  // Plotly pads an axis with markers by about 4% of the span on each side.
  return hi > lo ? (0.04 + 0.92 * (pos(x) - lo) / (hi - lo)) : 0.5;
}

function markerLevel(ctx: MarkContext, t: number): number | null {
  const l = ctx.levels.find((v) => v.level === t);
  return l ? ctx.xOf(l) : null;
}

/** The t_ent and t_surv labels above the plot: anchored so that they stay inside it and apart (two rows if need be). */
function planMarkers(ctx: MarkContext, logX: boolean, plotWidth: number): MarkerPlan {
  const v = ctx.doc.verdict;
  const wanted: { key: 'tEnt' | 'tSurv'; x: number; text: string }[] = [];
  for (const [key, t, name] of [['tEnt', v?.tEnt, 't_ent'], ['tSurv', v?.tSurv, 't_surv']] as const) {
    const x = t != null ? markerLevel(ctx, t) : null;
    if (t != null && x !== null && Number.isFinite(x)) wanted.push({ key, x, text: `${name} = ${formatLevel(t)}` });
  }
  if (wanted.length === 0 || ctx.xs.length === 0) return { rows: 1 };
  const placed = placeLabels(wanted.map((w) => ({ at: xFraction(ctx, logX, w.x), text: w.text, fontSize: 11 })), plotWidth);
  const plan: MarkerPlan = { rows: 1 + Math.max(...placed.map((p) => p.row)) };
  wanted.forEach((w, i) => (plan[w.key] = placed[i]));
  return plan;
}

/** The clean window, the greyed no-behaviour levels and the markers as shapes, with invisible hover points on them. */
function shapeMarks(ctx: MarkContext, shapes: Partial<Shape>[], logX: boolean, plotWidth: number, plan: MarkerPlan): Data[] {
  const { theme, doc } = ctx;
  const verdict = doc.verdict ?? null;
  const hovers: Data[] = [];
  const at = (x: number) => xFraction(ctx, logX, x);
  if (verdict?.cleanWindow) {
    const [lo, hi] = verdict.cleanWindow.map((t) => markerLevel(ctx, t));
    if (lo != null && hi != null) {
      const text = ctx.sufficiency ? 'sufficient window' : 'clean window';
      const mid = logX ? Math.sqrt(lo * hi) : (lo + hi) / 2;
      const anchor = insideAnchor(at(mid), text, 11, plotWidth);
      shapes.push({
        name: SHAPE.cleanWindow, type: 'rect', xref: 'x', yref: 'paper', x0: lo, x1: hi, y0: 0, y1: 1, layer: 'below',
        fillcolor: withAlpha(theme.cleanWindow, 0.14), line: { color: withAlpha(theme.cleanWindow, 0.6), width: 1 },
        // At the top of the top panel, in the headroom its y range leaves above the curves.
        label: { text, textposition: anchor === 'center' ? 'top center' : anchor === 'left' ? 'top left' : 'top right', padding: 6, font: { color: theme.cleanWindow, size: 11 } },
      });
      const [a, b] = verdict.cleanWindow;
      const words = ctx.sufficiency
        ? `sufficient window ${ctx.symbol} = ${formatLevel(a)} … ${formatLevel(b)}: the circuit alone keeps the target behaviour here`
        : `clean window ${ctx.symbol} = ${formatLevel(a)} … ${formatLevel(b)}: every level here passes every test — the circuit's excess over random units persists (top panel: triangles above the dotted line) and its collateral's tested interval lies inside ±margin (middle panel: bars inside the shaded band)`;
      hovers.push(...areaHover(ctx, TRACE.cleanWindowHover, lo, hi, words, theme.cleanWindow));
    }
  }
  // Levels where the behaviour is gone hold no test: greyed, each run from midway to its neighbours.
  const xs = ctx.xs;
  const mid = (a: number, b: number) => (logX ? Math.sqrt(a * b) : (a + b) / 2);
  for (let i = 0; i < ctx.levels.length; i++) {
    if (ctx.levels[i]!.tests?.behaviour !== false) continue;
    let j = i;
    while (j + 1 < ctx.levels.length && ctx.levels[j + 1]!.tests?.behaviour === false) j++;
    const x0 = i > 0 ? mid(xs[i - 1]!, xs[i]!) : xs[i]!;
    const x1 = j + 1 < ctx.levels.length ? mid(xs[j]!, xs[j + 1]!) : xs[j]!;
    const anchor = insideAnchor(at(mid(x0, x1)), 'behaviour gone', 10, plotWidth);
    shapes.push({
      name: SHAPE.noBehaviour, type: 'rect', xref: 'x', yref: 'paper', x0, x1, y0: 0, y1: 1,
      layer: 'below', fillcolor: withAlpha(theme.marker, 0.12), line: { width: 0 },
      label: { text: 'behaviour gone', textposition: anchor === 'center' ? 'bottom center' : anchor === 'left' ? 'bottom left' : 'bottom right', padding: 4, font: { color: theme.marker, size: 10 } },
    });
    const levelsText = ctx.levels.slice(i, j + 1).map((l) => formatLevel(l.level)).join(', ');
    hovers.push(...areaHover(ctx, TRACE.noBehaviourHover, x0, x1, `behaviour gone at ${ctx.symbol} = ${levelsText}: the degraded network no longer does the target task (it keeps less than the required share of its advantage over a constant predictor), so these levels hold no test; their points may leave the panels, which are scaled to the tested levels`, theme.marker));
    i = j;
  }
  if (verdict?.tEnt != null && plan.tEnt) {
    const x = markerLevel(ctx, verdict.tEnt)!;
    const lowest = ctx.levels[0]?.level === verdict.tEnt;
    pushMarker(shapes, SHAPE.tEnt, x, `t_ent = ${formatLevel(verdict.tEnt)}`, theme.cleanWindow, 'solid', plan.tEnt);
    hovers.push(...lineHover(ctx, TRACE.tEntHover, x, `t_ent = ${formatLevel(verdict.tEnt)}, the entanglement temperature: the lowest level of the clean window${lowest ? ' (here the lowest level tested: clean from the start)' : ': below it the circuit is still entangled with other behaviour'}`, theme.cleanWindow));
  }
  if (verdict?.tSurv != null && plan.tSurv) {
    const x = markerLevel(ctx, verdict.tSurv)!;
    pushMarker(shapes, SHAPE.tSurv, x, `t_surv = ${formatLevel(verdict.tSurv)}`, theme.target, 'dash', plan.tSurv);
    hovers.push(...lineHover(ctx, TRACE.tSurvHover, x, `t_surv = ${formatLevel(verdict.tSurv)}: the highest level where the circuit's excess over random units still persists (its bound stays above ρ·X_T(0))`, theme.target));
  }
  const tw = doc.watanabeTemperature;
  if (DIALS[doc.dial].tempered && tw !== null) {
    const x = ctx.xAxis === 'temperature' ? tw : interpolateLossGap(ctx.levels, tw);
    if (x !== null && Number.isFinite(x) && (!logX || x > 0)) {
      const label = ctx.xAxis === 'temperature' ? `t_W = log n = ${formatNumber(tw)}` : `ΔL(t_W) ≈ ${formatNumber(x)}`;
      // At the foot of the plot, inside, growing away from the nearer edge (clear of the window's label at the top).
      const anchor: Anchor = at(x) > 0.5 ? 'right' : 'left';
      shapes.push({
        name: SHAPE.watanabe, type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
        line: { color: theme.marker, width: 1.5, dash: 'dot' },
        label: { text: anchor === 'left' ? `\u00a0${label}` : `${label}\u00a0`, textposition: 'start', textangle: 0, yanchor: 'bottom', xanchor: anchor, padding: 4, font: { color: theme.marker, size: 11 } },
      });
      hovers.push(...lineHover(ctx, TRACE.watanabeHover, x, `${label}: the Watanabe temperature t_W = log n (n = the number of rows): where the tempered posterior is the Bayesian one`, theme.marker));
    }
  }
  const tc = verdict?.characteristic;
  if (tc && tc.level !== null) {
    // Beside t_W: the level whose ΔL equals the gap to the reference loss, labelled one row above t_W's label.
    const x = ctx.xAxis === 'temperature' ? tc.level : tc.gap;
    if (Number.isFinite(x) && (!logX || x > 0)) {
      const label = ctx.xAxis === 'temperature' ? `t_c = ${formatLevel(tc.level)}` : `ΔL = gap ${formatNumber(tc.gap)}`;
      const anchor: Anchor = at(x) > 0.5 ? 'right' : 'left';
      shapes.push({
        name: SHAPE.characteristic, type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
        line: { color: theme.marker, width: 1.5, dash: 'dashdot' },
        label: { text: anchor === 'left' ? `\u00a0${label}` : `${label}\u00a0`, textposition: 'start', textangle: 0, yanchor: 'bottom', xanchor: anchor, padding: 4 + LABEL_ROW, font: { color: theme.marker, size: 11 } },
      });
      hovers.push(characteristicTrace(tc, x, theme));
    }
  }
  return hovers;
}

/** The characteristic temperature's point on the ΔL panel, whose hover says what it is. */
function characteristicTrace(tc: CharacteristicTemperature, x: number, theme: ChartTheme): Data {
  const text = `characteristic temperature t_c ≈ ${formatLevel(tc.level!)}: the degradation costs as much loss as the network lacks against the reference (ΔL = L_n(w*) − referenceLoss = ${formatNumber(tc.loss)} − ${formatNumber(tc.referenceLoss)} = ${formatNumber(tc.gap)}); ${tc.interpolation}-interpolated between t = ${tc.bracket!.map(formatLevel).join(' and ')}; ΔL's 95% band puts it ${tc.band.map((t) => (t === null ? 'outside the grid' : formatLevel(t))).join(' … ')}`;
  return {
    uid: TRACE.characteristic, name: 't_c (reference loss)', type: 'scatter', mode: 'markers', xaxis: 'x', yaxis: PANEL_AXIS.lossGap,
    x: [x], y: [tc.gap], showlegend: false, marker: { symbol: 'diamond-open', size: 10, color: theme.marker },
    hoverinfo: 'text', hovertext: [escapeHtml(text)],
  } as Data;
}

function pushMarker(shapes: Partial<Shape>[], name: string, x: number, label: string, colour: string, dash: 'solid' | 'dash', place: { anchor: Anchor; row: number }): void {
  shapes.push({
    name, type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
    line: { color: colour, width: 1.5, dash },
    label: { text: label, textposition: 'end', textangle: 0, yanchor: 'bottom', xanchor: place.anchor, padding: 3 + LABEL_ROW * place.row, font: { color: colour, size: 11 } },
  });
}

/** Points along each panel's height (over its drawn range) at x: invisible, they give the line a hover. */
function lineHover(ctx: MarkContext, uid: string, x: number, text: string, colour: string): Data[] {
  const out: Data[] = [];
  for (const panel of ['target', 'collateral', 'lossGap'] as const) {
    const s = ctx.scale[panel];
    if (!s) continue;
    const ys = Array.from({ length: 9 }, (_, k) => s.range[0] + (k / 8) * (s.range[1] - s.range[0]));
    out.push({
      uid: out.length === 0 ? uid : `${uid}-${panel}`, type: 'scatter', mode: 'markers', x: ys.map(() => x), y: ys, yaxis: PANEL_AXIS[panel],
      showlegend: false, name: text, marker: { size: 10, color: withAlpha(colour, 0.001) }, hovertext: ys.map(() => text), hoverinfo: 'text',
    } as Data);
  }
  return out;
}

/** A transparent rectangle over [x0, x1] on each panel, whose inside shows `text` on hover. */
function areaHover(ctx: MarkContext, uid: string, x0: number, x1: number, text: string, colour: string): Data[] {
  const out: Data[] = [];
  for (const panel of ['target', 'collateral', 'lossGap'] as const) {
    const s = ctx.scale[panel];
    if (!s) continue;
    const [lo, hi] = s.range;
    out.push({
      uid: out.length === 0 ? uid : `${uid}-${panel}`, type: 'scatter', mode: 'lines', x: [x0, x1, x1, x0, x0], y: [lo, lo, hi, hi, lo], yaxis: PANEL_AXIS[panel],
      fill: 'toself', fillcolor: withAlpha(colour, 0.001), line: { width: 0, color: withAlpha(colour, 0.001) }, hoveron: 'fills', text, hoverinfo: 'text', showlegend: false, name: text,
    } as Data);
  }
  return out;
}

/** The figure's title as one line (its wrapping undone), or undefined when it has none. */
export function figureTitle(fig: Figure): string | undefined {
  const a = fig.layout.annotations?.find((x) => x.name === ANNOTATION.title);
  return a ? String(a.text).replace(/<\/sup><br><sup>/g, ' ').replace(/<br>/g, ' ') : undefined;
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

/** The title: the circuit's name and the verdict, wrapped to `chars` per line; the facts under it in small type. */
function title(doc: ChartDoc, verdict: Verdict | null, v1: boolean, chars: number, smallChars: number): { text: string; height: number } {
  const name = doc.circuitName || 'circuit';
  // Measured in Chromium: a 14 px line takes 20 px, a <sup> line 17.
  if (!verdict) return { text: `<b>${escapeHtml(name)}</b><br><sup>sweep in progress: ${doc.levels.length} level(s) done</sup>`, height: 20 + 17 + 4 };
  // A version-1 document says "no null" in its own note on the chart; version 2 states its calibration here.
  const facts = [`dial ${doc.dial}`, ...verdictExtras(verdict), ...(v1 ? [] : [calibrationText(verdict, false)])];
  const head = wrapWords(`${name}: ${verdict.summary}`, chars);
  const lines = head.map((l, i) => (i === 0 && l.startsWith(`${name}:`) ? `<b>${escapeHtml(name)}</b>:${escapeHtml(l.slice(name.length + 1))}` : escapeHtml(l)));
  const small = wrapWords(facts.join(' · '), smallChars).map((l) => `<sup>${escapeHtml(l)}</sup>`);
  return { text: [...lines, ...small].join('<br>'), height: 20 * lines.length + 17 * small.length + 4 };
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

/**
 * A y range over the values with 5% padding below and 22% above: the top panel keeps a strip free of curves for
 * the clean-window and t_W labels. Undefined (Plotly autoranges) when there is nothing finite to range over.
 */
export function withHeadroom(values: number[]): [number, number] | undefined {
  return linearScale(values, 6, 0.22)?.range;
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

/** Below this width (px) the figure is a narrow column: smaller legend, narrower side margins. */
export const NARROW_WIDTH = 640;

interface Fit {
  size?: { width: number; height: number };
  narrow: boolean;
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
 * What the figure's size allows: without a size (the CLI page) the full titles and about six ticks per panel; with
 * one, titles that do not fit along their panel become symbols, and ticks are spaced ~80 px apart on x and ~26 px
 * on y (never fewer than three). The plot's height is the figure's less its margins, the x axis (~48 px) and the
 * legend's rows, estimated by laying the entries out as Plotly does (symbol 40 px + text, wrapped to the width).
 */
function fitToSize(size: ChartOptions['size'], names: string[], top: number): Fit {
  if (!size || !(size.width > 0) || !(size.height > 0)) {
    return { narrow: false, legendFont: 12, side: 72, xTicks: 12, yTicks: () => 6, fits: () => true };
  }
  const narrow = size.width < NARROW_WIDTH;
  const legendFont = narrow ? 10 : 12;
  const side = narrow ? 56 : 72;
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
    narrow,
    legendFont,
    side,
    xTicks: Math.max(2, Math.floor(plotWidth / 80)),
    yTicks: (panel) => Math.max(3, Math.floor(panelPx(panel) / 26)),
    // A title centred on its panel may reach into the gaps (0.08 of the plot) above and below it.
    fits: (t, panel) => t.length * 12 * CHAR_WIDTH + 8 <= panelPx(panel) + 0.08 * plotHeight,
  };
}

/** A level's symbol in labels and sentences (t, σ, checkpoint): the dial table's. */
export function levelSymbol(dial: ChartDoc['dial']): string {
  return DIALS[dial].symbol;
}

/** Plotly's text is HTML-like (it renders `<a href>`): the one HTML escaper (src/protocol/escape.ts). */
export { escapeHtml };
export type { PanelScale };
