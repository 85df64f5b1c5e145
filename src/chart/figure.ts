// The entanglement chart as a Plotly figure: one pure function from a results document to `{ data, layout }`,
// shared by the CLI's HTML page and the extension's webview. SVG `scatter` traces only (no WebGL, no eval).
//
// Three stacked panels sharing the x axis, each y axis ranged to its own data (the collateral effect is often ~50×
// smaller than the target effect, and its tolerance line decides t_ent, so it gets a panel of its own):
//   top (y):     target effect E_T with its 95% band (mean ± 1.96·se) and the persistence line ρ·E_T(0);
//   middle (y4): collateral effect E_C with its band and the collateral tolerance τ_C·max(ΔL_C, δ);
//   bottom (y2): degraded loss gap ΔL, with the LLC on a right axis (y3, sgld).
// Shaded clean window and vertical markers at t_ent, t_surv and the Watanabe temperature across all panels.
import type { Data, Layout, Shape } from 'plotly.js-dist';
import type { Estimate, LevelResult, ResultsDocument, Verdict } from '../protocol/results';
import { formatEstimate, formatLevel, formatNumber, verdictExtras } from './format';
import { type ChartTheme, withAlpha } from './theme';

export type ChartXAxis = 'temperature' | 'lossGap';

export interface ChartOptions {
  xAxis: ChartXAxis;
  theme: ChartTheme;
}

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

/** What the chart reads from a results document. A live view passes the levels finished so far and no verdict. */
export type ChartDocument = Pick<ResultsDocument, 'dial' | 'levels' | 'watanabeTemperature' | 'thresholds' | 'baseline'> & {
  verdict?: Verdict | null;
  hypothesis?: { resolved: { circuit: { name: string } } };
};

/** Two-sided 95% normal quantile: bands are mean ± Z95·se. */
export const Z95 = 1.96;

/** Stable trace ids (`uid`) and shape names, so tests and the webview can find a piece of the figure. */
export const TRACE = {
  targetUpper: 'target-upper',
  targetLower: 'target-lower',
  target: 'target',
  collateralUpper: 'collateral-upper',
  collateralLower: 'collateral-lower',
  collateral: 'collateral',
  persistence: 'persistence-threshold',
  tolerance: 'collateral-tolerance',
  lossGapUpper: 'loss-gap-upper',
  lossGapLower: 'loss-gap-lower',
  lossGap: 'loss-gap',
  llcUpper: 'llc-upper',
  llcLower: 'llc-lower',
  llc: 'llc',
  diverged: 'diverged',
} as const;

export const SHAPE = {
  cleanWindow: 'clean-window',
  tEnt: 'marker-t-ent',
  tSurv: 'marker-t-surv',
  watanabe: 'marker-watanabe',
} as const;

/** Where each level sits on the chosen x axis: the level itself, or its degraded loss gap ΔL(t). */
export function levelX(level: LevelResult, xAxis: ChartXAxis): number {
  return xAxis === 'temperature' ? level.level : level.lossGap.mean;
}

export function buildFigure(doc: ChartDocument, options: ChartOptions): Figure {
  const { theme, xAxis } = options;
  const levels = doc.levels.filter((l) => !l.error);
  const failed = doc.levels.filter((l) => l.error);
  const xs = levels.map((l) => levelX(l, xAxis));
  const logX = xs.length > 0 && xs.every((x) => x > 0);
  const xName = xAxis === 'temperature' ? levelName(doc.dial) : 'degraded loss gap ΔL';
  const hoverHead = levels.map((l) => `${levelSymbol(doc.dial)} = ${formatLevel(l.level)} · ΔL = ${formatEstimate(l.lossGap)}`);

  const data: Data[] = [
    ...band(TRACE.targetUpper, TRACE.targetLower, TRACE.target, 'target effect E_T', xs, levels.map((l) => l.targetEffect), hoverHead, theme.target, 'y'),
    ...band(TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral, 'collateral effect E_C', xs, levels.map((l) => l.collateralEffect), hoverHead, theme.collateral, 'y4'),
    thresholdLine(TRACE.persistence, `persistence ρ·E_T(0) = ${formatNumber(doc.thresholds.persistence * doc.baseline.targetEffect)}`, xs, levels.map((l) => persistenceThreshold(doc, l)), theme.target, 'y'),
    thresholdLine(TRACE.tolerance, `collateral tolerance τ_C·max(ΔL_C, δ)`, xs, levels.map((l) => collateralTolerance(doc, l)), theme.collateral, 'y4'),
    ...band(TRACE.lossGapUpper, TRACE.lossGapLower, TRACE.lossGap, 'degraded loss gap ΔL', xs, levels.map((l) => l.lossGap), hoverHead, theme.lossGap, 'y2'),
  ];
  const withLlc = levels.filter((l) => l.llc);
  if (withLlc.length > 0) {
    data.push(
      ...band(TRACE.llcUpper, TRACE.llcLower, TRACE.llc, 'LLC λ̂', withLlc.map((l) => levelX(l, xAxis)), withLlc.map((l) => l.llc as Estimate), withLlc.map((l) => hoverHead[levels.indexOf(l)]), theme.llc, 'y3'),
    );
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
      hovertext: failed.map((l) => `${levelSymbol(doc.dial)} = ${formatLevel(l.level)}: ${l.error}`),
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
        label: { text: 'clean window', textposition: 'top center', padding: 6, font: { color: theme.cleanWindow, size: 11 } },
      });
    }
  }
  if (verdict?.tEnt != null) pushMarker(shapes, SHAPE.tEnt, xOf(verdict.tEnt), `t_ent = ${formatLevel(verdict.tEnt)}`, theme.cleanWindow, 'solid');
  if (verdict?.tSurv != null) pushMarker(shapes, SHAPE.tSurv, xOf(verdict.tSurv), `t_surv = ${formatLevel(verdict.tSurv)}`, theme.target, 'dash');
  if (doc.dial === 'sgld') {
    const tw = doc.watanabeTemperature;
    const x = xAxis === 'temperature' ? tw : interpolateLossGap(levels, tw);
    const label = xAxis === 'temperature' ? `t_W = log n = ${formatNumber(tw)}` : `ΔL(t_W) ≈ ${formatNumber(x ?? NaN)}`;
    // Labelled inside the top panel's headroom, so it does not collide with the t_ent / t_surv labels above it.
    pushMarker(shapes, SHAPE.watanabe, x, label, theme.marker, 'dot', 'inside');
  }

  const axisStyle = { color: theme.foreground, gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.grid };
  const layout: Partial<Layout> = {
    title: { text: title(doc, verdict), font: { color: theme.foreground, size: 14 }, x: 0.02, xanchor: 'left' },
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { color: theme.foreground },
    showlegend: true,
    // Horizontal, at the bottom of the figure (container-anchored: Plotly reserves its height under the x axis,
    // whose automargin makes room for its ticks and title, instead of hanging it a fraction of the plot below).
    legend: { orientation: 'h', xref: 'paper', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom', font: { color: theme.foreground } },
    hovermode: 'closest',
    margin: { l: 72, r: 72, t: 80, b: 24 },
    xaxis: { ...axisStyle, type: logX ? 'log' : 'linear', title: { text: xName }, anchor: 'y2', showgrid: true, automargin: true, ...logTicks(logX ? xs : []) },
    yaxis: { ...axisStyle, domain: PANELS.target, title: { text: 'target E_T' }, zeroline: true, range: withHeadroom([...bandValues(levels.map((l) => l.targetEffect)), ...levels.map((l) => persistenceThreshold(doc, l))]) },
    yaxis4: { ...axisStyle, domain: PANELS.collateral, anchor: 'x', title: { text: 'collateral E_C' }, zeroline: true },
    yaxis2: { ...axisStyle, domain: PANELS.lossGap, title: { text: 'ΔL' }, zeroline: true },
    shapes,
  };
  if (withLlc.length > 0) {
    // tickmode 'auto': an overlaying axis defaults to 'sync', which puts odd values at the ΔL axis's grid lines.
    layout.yaxis3 = { ...axisStyle, overlaying: 'y2', side: 'right', anchor: 'x', title: { text: 'LLC λ̂' }, showgrid: false, zeroline: false, tickmode: 'auto', nticks: 5 };
  }
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

/** Log axes label whole decades only when the data span two or more (Plotly would label 2…9 in between). */
function logTicks(xs: number[]): { dtick?: number } {
  if (xs.length === 0) return {};
  const decades = Math.log10(Math.max(...xs)) - Math.log10(Math.min(...xs));
  return decades >= 2 ? { dtick: 1 } : {};
}

/** τ_C·max(ΔL_C(t), δ): the bound below which collateral counts as negligible (DESIGN.md §1), as the engine recorded it. */
export function collateralTolerance(doc: Pick<ChartDocument, 'thresholds'>, level: LevelResult): number {
  return level.bounds?.collateralThreshold ?? doc.thresholds.collateralTolerance * Math.max(level.controlLossGap.mean, doc.thresholds.noiseFloor);
}

/** ρ·E_T(0): the bound the target effect's lower 95% end must exceed to persist, as the engine recorded it. */
export function persistenceThreshold(doc: Pick<ChartDocument, 'thresholds' | 'baseline'>, level: LevelResult): number {
  return level.bounds?.targetThreshold ?? doc.thresholds.persistence * doc.baseline.targetEffect;
}

/**
 * The 95% interval drawn as a band: the estimate's own `ci95` when the engine recorded it (mean ± t·se with the
 * estimate's degrees of freedom: the very bounds the verdict compares), else mean ± 1.96·se.
 */
export function interval95(e: Estimate): [number, number] {
  return e.ci95 ? [e.ci95[0], e.ci95[1]] : [e.mean - Z95 * e.se, e.mean + Z95 * e.se];
}

/** Upper and lower traces of a 95% band (the lower fills up to the upper), then the mean line with exact hover values. */
function band(upperId: string, lowerId: string, meanId: string, name: string, xs: number[], estimates: Estimate[], hoverHead: string[], colour: string, yaxis: 'y' | 'y2' | 'y3' | 'y4'): Data[] {
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
      marker: { color: colour, size: 6 },
      hovertext: estimates.map((e, i) => {
        const [lo, hi] = interval95(e);
        return `${hoverHead[i]}<br>${name} = ${formatEstimate(e)} (95%: ${formatNumber(lo)} … ${formatNumber(hi)}, n = ${e.n}${e.dof != null ? `, dof ${e.dof}` : ''})`;
      }),
      hoverinfo: 'text',
    },
  ];
}

function thresholdLine(uid: string, name: string, xs: number[], ys: number[], colour: string, yaxis: 'y' | 'y4'): Data {
  return {
    uid,
    type: 'scatter',
    mode: 'lines',
    name,
    x: xs,
    y: ys,
    yaxis,
    line: { color: withAlpha(colour, 0.7), width: 1, dash: 'dot' },
    hovertext: ys.map((y) => `${name}: ${formatNumber(y)}`),
    hoverinfo: 'text',
  };
}

function pushMarker(shapes: Partial<Shape>[], name: string, x: number | null, label: string, colour: string, dash: 'solid' | 'dash' | 'dot', at: 'above' | 'inside' = 'above'): void {
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
      ? { text: label, textposition: 'end', textangle: 0, yanchor: 'bottom', font: { color: colour, size: 11 } }
      // A leading no-break space keeps the text off its own line (a shape label has no xshift).
      : { text: `\u00a0\u00a0${label}`, textposition: 'end', textangle: 0, yanchor: 'top', xanchor: 'left', padding: 6, font: { color: colour, size: 11 } },
  });
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

function title(doc: ChartDocument, verdict: Verdict | null): string {
  const name = doc.hypothesis ? escapeHtml(doc.hypothesis.resolved.circuit.name) : 'circuit';
  if (!verdict) return `<b>${name}</b><br><sup>sweep in progress: ${doc.levels.length} level(s) done</sup>`;
  const facts = [`dial ${doc.dial}`, ...verdictExtras(verdict)];
  return `<b>${name}</b>: ${escapeHtml(verdict.summary)}<br><sup>${facts.join(' · ')}</sup>`;
}

function levelName(dial: ChartDocument['dial']): string {
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

function levelSymbol(dial: ChartDocument['dial']): string {
  return dial === 'sgld' ? 't' : dial === 'checkpoints' ? 'checkpoint' : 'σ';
}

/** Plotly renders a small HTML subset in titles; user text must not be read as markup. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
