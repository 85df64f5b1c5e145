// The entanglement chart's marks: each is one entry (the metric toggle that hides it, the panel it is drawn on, its
// trace ids, the values its panel must show, its traces). A new mark is one entry in MARKS; buildFigure (figure.ts)
// ranges every panel over its marks' extents, then draws them.
import type { Data } from 'plotly.js-dist';
import { escapeHtml } from '../protocol/escape';
import type { Estimate, LevelResult } from '../protocol/results';
import type { ChartDoc, ChartMetric, ChartXAxis } from '../protocol/webview';
import { describeConvergence, formatEstimate, formatLevel, formatNumber, formatSe, judgedV2, NO_NULL_V1, NO_NULL_V2 } from './format';
import type { PanelScale } from './scale';
import { type ChartTheme, withAlpha } from './theme';

/** The panels, top to bottom; the LLC is drawn on a right axis over the loss gap's panel. */
export const PANEL_IDS = ['target', 'collateral', 'lossGap', 'llc'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** Each panel's Plotly y axis, numbered top to bottom. */
export const PANEL_AXIS = { target: 'y', collateral: 'y2', lossGap: 'y3', llc: 'y4' } as const satisfies Record<PanelId, string>;
export type AxisId = (typeof PANEL_AXIS)[PanelId];

/** The layout key of a panel's axis: `yaxis`, `yaxis2`, … */
export function axisKey(panel: PanelId): 'yaxis' | 'yaxis2' | 'yaxis3' | 'yaxis4' {
  const a = PANEL_AXIS[panel];
  return a === 'y' ? 'yaxis' : (`yaxis${a.slice(1)}` as 'yaxis2' | 'yaxis3' | 'yaxis4');
}

/** Vertical extent (paper fractions) of the three stacked panels, top to bottom (the LLC shares the loss gap's). */
export const PANELS = { target: [0.7, 1], collateral: [0.38, 0.62], lossGap: [0, 0.3] } as const satisfies Record<Exclude<PanelId, 'llc'>, [number, number]>;

/** Stable trace ids (`uid`), so tests and the webview can find a piece of the figure. */
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
  /** The collateral statistic's tested interval (1 − 2α/L), drawn against ±margin. */
  collateralTested: 'collateral-tested',
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
  /** The characteristic temperature's point (t_c, gap) on the ΔL panel. */
  characteristic: 'characteristic',
  /** Invisible hover targets over the shapes (Plotly's shapes have no hover of their own). */
  cleanWindowHover: 'clean-window-hover',
  noBehaviourHover: 'no-behaviour-hover',
  tEntHover: 't-ent-hover',
  tSurvHover: 't-surv-hover',
  watanabeHover: 'watanabe-hover',
} as const;

/** The name of the null's legend entry. */
export const NULL_NAME = 'matched random sets (null)';

/** Two-sided 95% normal quantile, for an estimate that records no ci95 (a version-1 file): its band is mean ± Z95·se. */
export const Z95 = 1.96;

/** What every mark reads: the levels drawn, where they sit, their hover lines, and each panel's scale. */
export interface MarkContext {
  doc: ChartDoc;
  theme: ChartTheme;
  xAxis: ChartXAxis;
  levels: LevelResult[];
  /** The levels whose numbers range the panels: those that hold tests (behaviour present), else all. */
  tested: LevelResult[];
  xs: number[];
  xOf(l: LevelResult): number;
  symbol: string;
  v1: boolean;
  sufficiency: boolean;
  hoverHead: string[];
  testLines: string[][];
  symbols: PointSymbol[];
  failed: LevelResult[];
  /** Each panel's scale (set before traces are built; undefined: Plotly autoranges that axis). */
  scale: Partial<Record<PanelId, PanelScale>>;
}

export interface Mark {
  id: string;
  /** The toggle that hides it (null: always shown). */
  metric: ChartMetric | null;
  panel: PanelId;
  uids: readonly string[];
  /** Values (data units) its panel must show; over `ctx.tested`. */
  extent?(ctx: MarkContext): number[];
  /** Its traces, without `yaxis` (buildFigure puts each on its panel's axis); y in drawn units (ctx.scale). */
  traces(ctx: MarkContext): Data[];
}

/** The marker symbols the chart uses: filled, or hollow at a level whose chains did not converge. */
export type PointSymbol = 'circle' | 'circle-open' | 'triangle-up' | 'triangle-up-open' | 'triangle-down' | 'triangle-down-open';

/** Where each level sits on the chosen x axis: the level itself, or its degraded loss gap ΔL(t). */
export function levelX(level: LevelResult, xAxis: ChartXAxis): number {
  return xAxis === 'temperature' ? level.level : level.lossGap.mean;
}

/**
 * The 95% interval drawn as a band: the estimate's own `ci95` when the engine recorded it (mean ± t·se with the
 * estimate's degrees of freedom), else mean ± 1.96·se.
 */
export function interval95(e: Estimate): [number, number] {
  return e.ci95 ? [e.ci95[0], e.ci95[1]] : [e.mean - Z95 * e.se, e.mean + Z95 * e.se];
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

/** The collateral test's interval as the verdict compared it: [lower, upper] (a version-1 level: its upper end only). */
function testedInterval(l: LevelResult): [number, number] | null {
  const b = l.bounds;
  if (!b) return null;
  return [b.collateralLower ?? b.collateralUpper, b.collateralUpper];
}

/** The statistic the collateral test decided on, in words for the legend and the panel's title. */
export function collateralStatisticName(ctx: Pick<MarkContext, 'levels'>): string {
  const s = ctx.levels.find((l) => l.v3)?.v3?.statistic;
  return s === 'null' ? 'X_C = E_C − null' : s === 'ratio' ? 'E_C/E_T' : 'E_C';
}

// ---- the marks ----------------------------------------------------------------------------------------------

const targetBand: Mark = {
  id: 'target', metric: 'target', panel: 'target', uids: [TRACE.targetUpper, TRACE.targetLower, TRACE.target],
  extent: (ctx) => bandValues(ctx.tested.map((l) => l.targetEffect)),
  traces: (ctx) => band(ctx, 'target', [TRACE.targetUpper, TRACE.targetLower, TRACE.target], 'target effect E_T', ctx.levels.map((l) => l.targetEffect), ctx.theme.target,
    ctx.levels.map((l, i) => [...nullLines(l, ctx), ...ctx.testLines[i]!])),
};

const nullMark: Mark = {
  id: 'null', metric: 'target', panel: 'target', uids: [TRACE.nullUpper, TRACE.nullLower, TRACE.null],
  extent: (ctx) => ctx.tested.flatMap((l) => (l.null ? l.null.band : [])),
  traces: (ctx) => {
    const withNull = ctx.levels.filter((l) => l.null);
    if (withNull.length === 0) return [];
    const colour = ctx.theme.marker;
    const xs = withNull.map(ctx.xOf);
    const edge = { type: 'scatter' as const, mode: 'lines' as const, line: { width: 0, color: colour }, hoverinfo: 'skip' as const, showlegend: false, legendgroup: TRACE.null, x: xs };
    return [
      { ...edge, uid: TRACE.nullUpper, name: `${NULL_NAME} band upper`, y: withNull.map((l) => l.null!.band[1]) },
      { ...edge, uid: TRACE.nullLower, name: `${NULL_NAME} band lower`, y: withNull.map((l) => l.null!.band[0]), fill: 'tonexty', fillcolor: withAlpha(colour, 0.18) },
      {
        uid: TRACE.null, type: 'scatter', mode: 'lines', name: NULL_NAME, legendgroup: TRACE.null, x: xs, y: withNull.map((l) => l.null!.mean),
        line: { color: colour, width: 1.5, dash: 'dot' },
        hovertext: withNull.map((l) => {
          const n = l.null!;
          const k = l.controls?.length;
          return `${ctx.hoverHead[ctx.levels.indexOf(l)]}<br>${NULL_NAME}: m_T = ${formatNumber(n.mean)}, sd ${formatSe(n.sd)}${k !== undefined ? `, K = ${k}` : ''}<br>${l.v3 ? 'the controls range over' : "a new random set of the circuit's size falls in"} ${formatNumber(n.band[0])} … ${formatNumber(n.band[1])}`;
        }),
        hoverinfo: 'text',
      },
    ];
  },
};

const excessBound: Mark = {
  id: 'excess-bound', metric: 'target', panel: 'target', uids: [TRACE.excessBound],
  extent: (ctx) => ctx.tested.filter((l) => l.null && l.excess).map((l) => l.null!.mean + l.excess!.bound),
  traces: (ctx) => {
    const withExcess = ctx.levels.filter((l) => l.null && l.excess);
    if (withExcess.length === 0) return [];
    const shape = ctx.sufficiency ? 'triangle-down' as const : 'triangle-up' as const;
    return [{
      uid: TRACE.excessBound, type: 'scatter', mode: 'markers',
      name: ctx.sufficiency ? 'excess bound m_T + X_T + q·se_X (below m_T: keeps more than the null)' : 'excess bound m_T + X_T − q·se_X (above persistence: persists)',
      x: withExcess.map(ctx.xOf),
      y: withExcess.map((l) => l.null!.mean + l.excess!.bound),
      marker: { symbol: withExcess.map((l): PointSymbol => (l.tests?.converged === false ? `${shape}-open` : shape)), size: 9, color: ctx.theme.target, line: { color: ctx.theme.target, width: 1.5 } },
      hovertext: withExcess.map((l) => {
        const i = ctx.levels.indexOf(l);
        return [ctx.hoverHead[i], ...nullLines(l, ctx), ...ctx.testLines[i]!].join('<br>');
      }),
      hoverinfo: 'text',
    }];
  },
};

const unconvergedRings: Mark = {
  id: 'not-converged', metric: 'target', panel: 'target', uids: [TRACE.unconverged],
  traces: (ctx) => {
    const notConverged = ctx.levels.filter((l) => l.tests?.converged === false);
    if (notConverged.length === 0) return [];
    // Rings around the hollow points of the top panel: the legend's key to "hollow = not converged".
    return [{
      uid: TRACE.unconverged, type: 'scatter', mode: 'markers', name: 'not converged (hollow points)',
      x: notConverged.map(ctx.xOf), y: notConverged.map((l) => l.targetEffect.mean),
      marker: { symbol: 'circle-open', size: 14, color: ctx.theme.warning, line: { width: 1.5, color: ctx.theme.warning } },
      hovertext: notConverged.map((l) => `${ctx.symbol} = ${formatLevel(l.level)}: ${describeConvergence(l)}<br>its tests are not used: it breaks the window`),
      hoverinfo: 'text',
    }];
  },
};

const persistenceLine: Mark = {
  id: 'persistence', metric: 'thresholds', panel: 'target', uids: [TRACE.persistence, TRACE.sufficiencyUpper, TRACE.sufficiencyLower],
  extent: (ctx) => (ctx.sufficiency
    ? ctx.tested.flatMap((l) => (l.bounds?.sufficiencyThreshold !== undefined ? [l.bounds.sufficiencyThreshold, -l.bounds.sufficiencyThreshold] : []))
    : ctx.tested.map((l) => persistenceThreshold(ctx.doc, l))),
  traces: (ctx) => {
    if (ctx.sufficiency) {
      const thr = ctx.levels.map((l) => l.bounds?.sufficiencyThreshold ?? NaN);
      // Version 3 compares E_T's interval with the degradation's own spread of the target loss; version 2 with τ_T·max(ΔL_T, δ).
      const name = ctx.doc.verdict?.method?.version === 3 ? 'target kept ±s_T(t)' : 'sufficiency ±τ_T·max(ΔL_T, δ)';
      return [
        thresholdLine(ctx, 'target', TRACE.sufficiencyUpper, name, thr, ctx.theme.target, { group: TRACE.sufficiencyUpper }),
        thresholdLine(ctx, 'target', TRACE.sufficiencyLower, name, thr.map((y) => -y), ctx.theme.target, { group: TRACE.sufficiencyUpper, showlegend: false }),
      ];
    }
    return [thresholdLine(ctx, 'target', TRACE.persistence, persistenceName(ctx), ctx.levels.map((l) => persistenceThreshold(ctx.doc, l)), ctx.theme.target, {})];
  },
};

const collateralBand: Mark = {
  id: 'collateral', metric: 'collateral', panel: 'collateral', uids: [TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral],
  extent: (ctx) => bandValues(ctx.tested.map((l) => l.collateralEffect)),
  traces: (ctx) => band(ctx, 'collateral', [TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral], 'collateral effect E_C', ctx.levels.map((l) => l.collateralEffect), ctx.theme.collateral,
    ctx.levels.map((l, i) => [collateralLine(l), ...ctx.testLines[i]!])),
};

/** The interval the collateral test compared with ±margin, as a bar at each level: inside the band = negligible. */
const collateralTested: Mark = {
  id: 'collateral-tested', metric: 'collateral', panel: 'collateral', uids: [TRACE.collateralTested],
  extent: (ctx) => ctx.tested.flatMap((l) => testedInterval(l) ?? []),
  traces: (ctx) => {
    const withTest = ctx.levels.filter((l) => testedInterval(l) !== null);
    if (withTest.length === 0) return [];
    const y = ctx.scale.collateral?.y ?? ((v: number) => v);
    // One path of vertical segments separated by gaps (null), with a tick at each end.
    const x: (number | null)[] = [];
    const ys: (number | null)[] = [];
    const raw: (number | null)[] = [];
    const text: string[] = [];
    for (const l of withTest) {
      const [lo, hi] = testedInterval(l)!;
      const word = l.collateralNegligible ? 'inside ±margin: negligible' : 'outside ±margin: not negligible';
      const line = `${ctx.hoverHead[ctx.levels.indexOf(l)]}<br>tested interval of ${collateralStatisticName(ctx)}: ${formatNumber(lo)} … ${formatNumber(hi)} vs ±${formatNumber(collateralTolerance(ctx.doc, l))}: ${word}`;
      x.push(ctx.xOf(l), ctx.xOf(l), null);
      ys.push(y(lo), y(hi), null);
      raw.push(lo, hi, null);
      text.push(line, line, '');
    }
    return [{
      uid: TRACE.collateralTested, type: 'scatter', mode: 'lines+markers',
      name: ctx.v1 ? "collateral's tested upper end" : `tested interval of ${collateralStatisticName(ctx)} (inside ±margin: negligible)`,
      x, y: ys, customdata: raw, connectgaps: false,
      line: { color: ctx.theme.collateral, width: 3 },
      marker: { symbol: 'line-ew', size: 8, color: ctx.theme.collateral, line: { color: ctx.theme.collateral, width: 2 } },
      hovertext: text, hoverinfo: 'text',
    } as Data];
  },
};

const toleranceBand: Mark = {
  id: 'tolerance', metric: 'thresholds', panel: 'collateral', uids: [TRACE.tolerance, TRACE.toleranceLower],
  extent: (ctx) => ctx.tested.flatMap((l) => {
    const t = collateralTolerance(ctx.doc, l);
    return ctx.v1 ? [t] : [t, -t];
  }),
  traces: (ctx) => {
    const tolerance = ctx.levels.map((l) => collateralTolerance(ctx.doc, l));
    const name = ctx.levels.some((l) => l.v3) ? `±margin of ${collateralStatisticName(ctx)}` : `collateral tolerance ${ctx.v1 ? '' : '±'}τ_C·max(ΔL_C, δ)`;
    const upper = thresholdLine(ctx, 'collateral', TRACE.tolerance, name, tolerance, ctx.theme.collateral, { group: TRACE.tolerance, dash: 'dash' });
    if (ctx.v1) return [upper];
    // Two-sided: the band between −margin and +margin is shaded, so a value outside it reads as outside.
    const lower = thresholdLine(ctx, 'collateral', TRACE.toleranceLower, name, tolerance.map((y) => -y), ctx.theme.collateral, { group: TRACE.tolerance, dash: 'dash', showlegend: false });
    return [upper, { ...lower, fill: 'tonexty', fillcolor: withAlpha(ctx.theme.collateral, 0.12) } as Data];
  },
};

const lossGapBand: Mark = {
  id: 'loss-gap', metric: 'lossGap', panel: 'lossGap', uids: [TRACE.lossGapUpper, TRACE.lossGapLower, TRACE.lossGap],
  extent: (ctx) => bandValues(ctx.tested.map((l) => l.lossGap)),
  traces: (ctx) => band(ctx, 'lossGap', [TRACE.lossGapUpper, TRACE.lossGapLower, TRACE.lossGap], 'degraded loss gap ΔL', ctx.levels.map((l) => l.lossGap), ctx.theme.lossGap, ctx.testLines),
};

const llcBand: Mark = {
  id: 'llc', metric: 'llc', panel: 'llc', uids: [TRACE.llcUpper, TRACE.llcLower, TRACE.llc],
  traces: (ctx) => {
    const withLlc = ctx.levels.filter((l) => l.llc);
    if (withLlc.length === 0) return [];
    const at = withLlc.map((l) => ctx.levels.indexOf(l));
    return band({ ...ctx, xs: withLlc.map(ctx.xOf), hoverHead: at.map((i) => ctx.hoverHead[i]!), symbols: at.map((i) => ctx.symbols[i]!) }, 'llc',
      [TRACE.llcUpper, TRACE.llcLower, TRACE.llc], 'LLC λ̂', withLlc.map((l) => l.llc as Estimate), ctx.theme.llc, at.map((i) => ctx.testLines[i]!));
  },
};

const divergedMarks: Mark = {
  id: 'diverged', metric: null, panel: 'lossGap', uids: [TRACE.diverged],
  traces: (ctx) => (ctx.failed.length === 0 || ctx.xAxis !== 'temperature' ? [] : [{
    uid: TRACE.diverged, type: 'scatter', mode: 'markers', name: 'diverged level',
    x: ctx.failed.map((l) => l.level), y: ctx.failed.map(() => 0),
    marker: { symbol: 'x', size: 10, color: ctx.theme.collateral },
    hovertext: ctx.failed.map((l) => `${ctx.symbol} = ${formatLevel(l.level)}: ${escapeHtml(l.error ?? '')}`),
    hoverinfo: 'text',
  }]),
};

/** Every mark of the entanglement chart, drawn in this order (later ones on top). */
export const MARKS: readonly Mark[] = [
  targetBand, nullMark, excessBound, collateralBand, persistenceLine, toleranceBand, collateralTested, lossGapBand, llcBand, unconvergedRings, divergedMarks,
];

/** Trace ids behind each metric toggle, from MARKS. */
export function metricTraces(): Record<ChartMetric, string[]> {
  const out = { target: [], collateral: [], thresholds: [], lossGap: [], llc: [] } as Record<ChartMetric, string[]>;
  for (const m of MARKS) if (m.metric) out[m.metric].push(...m.uids);
  return out;
}

// ---- trace builders -----------------------------------------------------------------------------------------

function bandValues(estimates: Estimate[]): number[] {
  return estimates.flatMap((e) => interval95(e));
}

/** Upper and lower traces of a 95% band (the lower fills up to the upper), then the mean line with exact hover values.
 *  On a transformed panel (symlog) `customdata` keeps each point's value in data units. */
function band(ctx: MarkContext, panel: PanelId, [upperId, lowerId, meanId]: [string, string, string], name: string, estimates: Estimate[], colour: string, lines: string[][]): Data[] {
  const s = ctx.scale[panel];
  const y = (v: number) => (s ? s.y(v) : v);
  const edge = { type: 'scatter' as const, mode: 'lines' as const, line: { width: 0, color: colour }, hoverinfo: 'skip' as const, showlegend: false, legendgroup: meanId, x: ctx.xs };
  const raw = (vs: number[]) => (s?.kind === 'symlog' ? { customdata: vs } : {});
  const upper = estimates.map((e) => interval95(e)[1]);
  const lower = estimates.map((e) => interval95(e)[0]);
  const means = estimates.map((e) => e.mean);
  return [
    { ...edge, uid: upperId, name: `${name} upper 95%`, y: upper.map(y), ...raw(upper) },
    { ...edge, uid: lowerId, name: `${name} lower 95%`, y: lower.map(y), ...raw(lower), fill: 'tonexty', fillcolor: withAlpha(colour, 0.2) },
    {
      uid: meanId, type: 'scatter', mode: 'lines+markers', name, legendgroup: meanId, x: ctx.xs, y: means.map(y), ...raw(means),
      line: { color: colour, width: 2 },
      marker: { color: colour, size: 6, symbol: ctx.symbols, line: { color: colour, width: 1.5 } },
      hovertext: estimates.map((e, i) => {
        const [lo, hi] = interval95(e);
        const first = `${ctx.hoverHead[i]}<br>${name} = ${formatEstimate(e)} (95%: ${formatNumber(lo)} … ${formatNumber(hi)}, n = ${e.n}${e.dof != null ? `, dof ${e.dof}` : ''})`;
        return [first, ...(lines[i] ?? [])].join('<br>');
      }),
      hoverinfo: 'text',
    } as Data,
  ];
}

function thresholdLine(ctx: MarkContext, panel: PanelId, uid: string, name: string, ys: number[], colour: string, opts: { group?: string; dash?: 'dot' | 'dash'; showlegend?: boolean }): Data {
  const s = ctx.scale[panel];
  return {
    uid, type: 'scatter', mode: 'lines', name, x: ctx.xs, y: s ? ys.map(s.y) : ys,
    ...(s?.kind === 'symlog' ? { customdata: ys } : {}),
    ...(opts.group ? { legendgroup: opts.group } : {}),
    ...(opts.showlegend === false ? { showlegend: false } : {}),
    line: { color: withAlpha(colour, 0.7), width: 1, dash: opts.dash ?? 'dot' },
    hovertext: ys.map((y, i) => `${ctx.hoverHead[i] ?? ''}<br>${name}: ${formatNumber(y)}`),
    hoverinfo: 'text',
  } as Data;
}

function persistenceName(ctx: MarkContext): string {
  const withExcess = ctx.levels.find((l) => l.null && l.excess);
  if (withExcess) return `persistence m_T + ρ·X_T(0) (ρ·X_T(0) = ${formatNumber(withExcess.excess!.threshold)})`;
  return `persistence ρ·E_T(0) = ${formatNumber(ctx.doc.thresholds.persistence * (ctx.doc.baseline.targetEffect ?? NaN))}`;
}

/** The hover lines of the null and the excess at a level (or why there is no null). */
function nullLines(l: LevelResult, ctx: MarkContext): string[] {
  if (!l.null) return [ctx.v1 ? NO_NULL_V1 : NO_NULL_V2];
  const k = l.controls?.length;
  const v3 = l.v3;
  const lines = v3
    ? [`null m_T = ${formatNumber(l.null.mean)}, sd ${formatSe(l.null.sd)} over ${k} control sets disjoint from the circuit (range ${formatNumber(l.null.band[0])} … ${formatNumber(l.null.band[1])})`,
      ...(v3.rank ? [`rank here: p = ${formatNumber(v3.rank.p)}, above ${Math.round(100 * v3.rank.percentile)}% of the controls (reported; specificity is decided at w*)`] : []),
      ...(v3.behaviour ? [`behaviour ${v3.behaviour.present ? 'present' : 'gone'}: L_T = ${formatNumber(v3.behaviour.targetLoss)} vs limit ${formatNumber(v3.behaviour.limit)}`] : [])]
    : [`null m_T = ${formatNumber(l.null.mean)}, sd ${formatSe(l.null.sd)}${k !== undefined ? ` over ${k} matched random sets` : ''} (band ${formatNumber(l.null.band[0])} … ${formatNumber(l.null.band[1])})`];
  const x = l.excess;
  if (x) {
    const complement = l.tests?.sufficient !== undefined || ctx.doc.verdict?.question === 'sufficiency';
    const parts = v3?.targetExcess ? ` (se from draws ${formatSe(v3.targetExcess.seDraws)}, controls ${formatSe(v3.targetExcess.seControls)}, rows ${formatSe(v3.targetExcess.seRows)})` : '';
    lines.push(`excess X_T = ${formatEstimate(x)}, ${complement ? 'upper' : 'lower'} bound ${formatNumber(x.bound)} (q = ${formatNumber(x.quantile)})${parts}`);
    if (complement) {
      const interval = l.bounds?.targetInterval;
      const thr = l.bounds?.sufficiencyThreshold;
      lines.push(`beats the null: bound ${x.bound < 0 ? LT : '≥'} 0${interval && thr !== undefined ? ` · E_T's interval ${formatNumber(interval[0])} … ${formatNumber(interval[1])} vs ±${formatNumber(thr)}` : ''}: ${testWord(l.tests?.sufficient, 'sufficient', 'not sufficient')}`);
    } else {
      const word = l.tests?.specific === false ? 'not specific' : testWord(l.tests?.persists, 'persists', 'does not persist');
      lines.push(`threshold ρ·X_T(0) = ${formatNumber(x.threshold)}: bound ${x.bound >= x.threshold ? '≥' : LT} threshold, ${word}`);
    }
  }
  return lines;
}

/** "<" as Plotly's pseudo-HTML text must spell it. */
const LT = '&lt;';

function testWord(test: boolean | null | undefined, yes: string, no: string): string {
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
