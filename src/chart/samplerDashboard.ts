// The sampler dashboard: how the chains under a sgld sweep behaved, level by level, as one Plotly figure (the HTML
// page shows it below the entanglement chart, the chart panel on its Sampler tab). Four panels, one above the
// other and each the full width (side by side, the inner axes of two panels collide in a narrow editor column):
//   1 (y):      the minibatch loss L_B of every chain at every kept draw (after burn-in), one colour per level;
//   2 (y2):     ‖w − w*‖ of every chain at every kept draw;
//   3 (y3, y4): worst split-R̂ of the level against its threshold, and bulk ESS per chain (right axis);
//   4 (y5, y6): the chains' mean MALA acceptance against 0.9, and the step size ε (right axis, log).
// Levels that did not converge stand out: their traces are drawn thick in the warning colour, the rest thin, and
// `convergenceLine` names them in words for the text above the figure (`convergedLine` says when all converged,
// `negativeLlcLine` notes a negative λ̂). Each two-axis panel says which marks read on which axis, and every point's
// hover states its threshold and whether it passed.
import type { Data, Layout } from 'plotly.js-dist';
import type { DialKind } from '../protocol/hypothesis';
import { numberDefault } from '../protocol/hypothesisSchema';
import type { LevelResult, ResultsDocument } from '../protocol/results';
import type { Figure } from './figure';
import { formatLevel, formatNumber, unconverged, worstRhat } from './format';
import { type ChartTheme, withAlpha } from './theme';
import { DIALS } from '../protocol/dials';

/** The verdict's default R̂ and bulk ESS per chain (results written before they were settings carry none). */
const ESS_PER_CHAIN = numberDefault(['verdict', 'essPerChain']);
const RHAT = numberDefault(['verdict', 'rhat']);

/** What the dashboard reads of a level: its diagnostics, and of its chains only the loss and distance traces (the
 *  chart panel receives just those; null marks a value that was not finite). */
export type DashboardLevel = Omit<LevelResult, 'chains'> & {
  /** `stride`: the traces hold every stride-th kept draw (the chart panel's payload of long chains). */
  chains: { chain: number; loss: (number | null)[]; distance?: (number | null)[]; stride?: number }[];
};

export const DASHBOARD_TRACE = { rhat: 'dashboard-rhat', ess: 'dashboard-ess', acceptance: 'dashboard-acceptance', stepSize: 'dashboard-step-size' } as const;

/**
 * One colour per level, ordered: a hue sweep from violet (the lowest level) through blue and teal to green (the
 * highest), away from the warning colour's amber, with lightness for the theme's background. Neighbouring levels of
 * a long grid differ in hue and in lightness.
 */
export function levelColour(theme: ChartTheme, i: number, count: number): string {
  const f = count > 1 ? i / (count - 1) : 0;
  const dark = luminance(theme.background) < 0.5;
  const hue = 275 - 175 * f;
  const light = dark ? 0.76 - 0.14 * f : 0.34 + 0.1 * f;
  return hslHex(hue, 0.7, light + (i % 2 === 0 ? 0 : dark ? -0.09 : 0.06));
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return 1;
  const [r, g, b] = [0, 2, 4].map((k) => parseInt(m[1]!.slice(k, k + 2), 16) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const c = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)))).toString(16).padStart(2, '0');
  };
  return `#${c(0)}${c(8)}${c(4)}`;
}

/** Whether a document has anything for the dashboard (sgld chains with traces). */
export function hasSamplerDashboard(doc: Pick<ResultsDocument, 'dial' | 'levels'>): boolean {
  return DIALS[doc.dial]?.draws === 'chains' && doc.levels.some((l) => l.chains.some((c) => c.loss.length > 0));
}

/** Why a run has nothing for the dashboard, for the dials whose draws are not Markov chains. */
export function noChainsReason(dial: DialKind): string {
  switch (DIALS[dial]?.draws) {
    case 'chains':
      return 'these results keep no chain traces: there are no chains to show';
    case 'exact':
      return `${dial} are fixed weights, not draws: there are no chains to show`;
    default:
      return `${dial} draws are independent: there are no chains to show`;
  }
}

/**
 * The levels whose chains failed the convergence test (and those that diverged), in words:
 * "not converged at t = 0.1, 0.3 (R̂ 1.04, 1.18)", with their bulk ESS per chain when that is short as well;
 * null when every level converged (convergedLine then says so).
 */
export function convergenceLine(levels: readonly Pick<LevelResult, 'level' | 'tests' | 'convergence' | 'error'>[], thresholds: Pick<ResultsDocument['thresholds'], 'essPerChain'>): string | null {
  const bad = levels.filter((l) => unconverged(l) && l.error === undefined);
  const diverged = levels.filter((l) => l.error !== undefined);
  const ts = (ls: typeof levels) => ls.map((l) => formatLevel(l.level)).join(', ');
  const parts: string[] = [];
  if (bad.length > 0) {
    const rhat = bad.map((l) => { const r = l.convergence ? worstRhat(l.convergence) : null; return r === null ? '—' : formatNumber(r); });
    const essLimit = thresholds.essPerChain ?? ESS_PER_CHAIN;
    const ess = bad.map((l) => l.convergence?.essPerChain ?? null);
    const short = ess.some((e) => e !== null && e < essLimit);
    parts.push(`not converged at t = ${ts(bad)} (R̂ ${rhat.join(', ')}${short ? `; bulk ESS per chain ${ess.map((e) => (e === null ? '—' : Math.round(e))).join(', ')}` : ''})`);
  }
  if (diverged.length > 0) parts.push(`diverged at t = ${ts(diverged)}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/**
 * The good news in words when every level converged: "all 13 levels converged: worst R̂ 1.004 ≤ 1.01, bulk ESS per
 * chain ≥ 285 (≥ 100 needed)"; null when some level did not (convergenceLine names them) or none was tested.
 */
export function convergedLine(levels: readonly Pick<LevelResult, 'level' | 'tests' | 'convergence' | 'error'>[], thresholds: Pick<ResultsDocument['thresholds'], 'essPerChain' | 'rhat'>): string | null {
  const tested = levels.filter((l) => l.convergence && l.error === undefined);
  if (tested.length === 0 || convergenceLine(levels, thresholds) !== null) return null;
  const rhats = tested.map((l) => worstRhat(l.convergence!)).filter((r): r is number => r !== null);
  const ess = tested.map((l) => l.convergence!.essPerChain).filter((e): e is number => typeof e === 'number' && Number.isFinite(e));
  const parts = [
    ...(rhats.length > 0 ? [`worst R̂ ${formatNumber(Math.max(...rhats))} ≤ ${thresholds.rhat ?? RHAT}`] : []),
    ...(ess.length > 0 ? [`bulk ESS per chain ≥ ${Math.round(Math.min(...ess))} (≥ ${thresholds.essPerChain ?? ESS_PER_CHAIN} needed)`] : []),
  ];
  return `all ${tested.length} level${tested.length === 1 ? '' : 's'} converged${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Levels whose LLC estimate is negative, in words: the chains' mean loss fell below L_n(w*), so w* is not a local
 * minimum at that scale (or the chains have not settled); λ̂ there is not a count of effective parameters.
 */
export function negativeLlcLine(levels: readonly Pick<LevelResult, 'level' | 'llc' | 'error'>[]): string | null {
  const neg = levels.filter((l) => l.error === undefined && l.llc && Number.isFinite(l.llc.mean) && l.llc.mean < 0);
  if (neg.length === 0) return null;
  return `λ̂ < 0 at t = ${neg.map((l) => `${formatLevel(l.level)} (${formatNumber(l.llc!.mean)})`).join(', ')}: the chains found a lower loss than w*, which is then not a local minimum at that scale (or the chains had not settled); λ̂ there is no count of effective parameters`;
}

/** `withTitle: false` leaves Plotly's title out (the chart panel's tab names the figure; the legend takes its place). */
export function buildSamplerDashboard(doc: { levels: readonly DashboardLevel[]; thresholds: ResultsDocument['thresholds'] }, theme: ChartTheme, options: { withTitle?: boolean } = {}): Figure {
  const levels = doc.levels;
  const data: Data[] = [];
  levels.forEach((l, i) => {
    const bad = unconverged(l) || l.error !== undefined;
    const colour = bad ? theme.warning : levelColour(theme, i, levels.length);
    const name = `t = ${formatLevel(l.level)}${bad ? (l.error ? ' (diverged)' : ' (not converged)') : ''}`;
    l.chains.forEach((c, k) => {
      const line = { color: bad ? colour : withAlpha(colour, 0.7), width: bad ? 2 : 1 };
      const draws = c.loss.map((_, d) => d * (c.stride ?? 1));
      const hover = `${name}, chain ${c.chain}`;
      data.push({
        type: 'scatter', mode: 'lines', x: draws, y: c.loss, line, name, legendgroup: name, showlegend: k === 0, xaxis: 'x', yaxis: 'y',
        hovertemplate: `${hover}<br>draw %{x}: L_B = %{y:.4g}<extra></extra>`,
      });
      if (c.distance) {
        data.push({
          type: 'scatter', mode: 'lines', x: draws, y: c.distance, line, name, legendgroup: name, showlegend: false, xaxis: 'x', yaxis: 'y2',
          hovertemplate: `${hover}<br>draw %{x}: ‖w − w*‖ = %{y:.4g}<extra></extra>`,
        });
      }
    });
  });
  const ts = levels.map((l) => l.level);
  const perLevel = (pick: (l: DashboardLevel) => number | null | undefined) => levels.map((l) => { const v = pick(l); return v === undefined || v === null || !Number.isFinite(v) ? null : v; });
  const rhatLimit = (doc.thresholds as { rhat?: number }).rhat ?? RHAT;
  const essLimit = doc.thresholds.essPerChain ?? ESS_PER_CHAIN;
  // Left-axis series in the foreground's grey, right-axis series in the accent colour (their axes in the same
  // colours); a level that did not converge in the warning colour on both.
  const right = theme.target;
  const colours = (base: string) => levels.map((l) => (unconverged(l) || l.error ? theme.warning : base));
  const head = levels.map((l) => `t = ${formatLevel(l.level)}${unconverged(l) ? ' · not converged' : ''}${l.error ? ` · ${l.error}` : ''}`);
  // Each point's hover: its value against the threshold it is judged by, and the verdict.
  const judged = (values: (number | null)[], say: (v: number) => string) => values.map((v, i) => `${head[i]}<br>${v === null ? '—' : say(v)}`);
  const points = (uid: string, name: string, y: (number | null)[], xaxis: string, yaxis: string, symbol: string, colour: string, hover: string[]): Data => ({
    type: 'scatter', mode: 'lines+markers', uid, name, x: ts, y, xaxis, yaxis, customdata: hover, showlegend: false,
    marker: { color: colours(colour), size: 8, symbol, line: { color: colours(colour), width: 1.5 } }, line: { color: colour, width: 1, dash: 'dot' },
    hovertemplate: '%{customdata}<extra></extra>',
  } as Data);
  const rhat = perLevel((l) => (l.convergence ? worstRhat(l.convergence) : null));
  const ess = perLevel((l) => l.convergence?.essPerChain);
  const acceptance = perLevel((l) => l.acceptance);
  const epsilon = perLevel((l) => l.stepSize);
  data.push(
    points(DASHBOARD_TRACE.rhat, 'worst split-R̂', rhat, 'x2', 'y3', 'circle', theme.marker,
      judged(rhat, (v) => `worst split-R̂ ${v.toFixed(4)} (${v <= rhatLimit ? `≤ ${rhatLimit}: converged` : `> ${rhatLimit}: not converged`})`)),
    points(DASHBOARD_TRACE.ess, 'bulk ESS per chain', ess, 'x2', 'y4', 'diamond-open', right,
      judged(ess, (v) => `bulk ESS per chain ${Math.round(v)} (${v >= essLimit ? `≥ ${essLimit}: enough` : `< ${essLimit}: too few`})`)),
    points(DASHBOARD_TRACE.acceptance, 'MALA acceptance', acceptance, 'x3', 'y5', 'circle', theme.marker,
      judged(acceptance, (v) => `MALA acceptance ${v.toFixed(3)} (${v >= 0.9 ? '≥ 0.9: the step is small enough' : '< 0.9: the step is large for this level'})`)),
    points(DASHBOARD_TRACE.stepSize, 'step size ε', epsilon, 'x3', 'y6', 'square-open', right,
      judged(epsilon, (v) => `step size ε ${v.toExponential(2)} (right axis)`)),
  );
  const axis = { gridcolor: theme.grid, zerolinecolor: theme.grid, color: theme.foreground };
  const log = ts.every((t) => t > 0) ? 'log' as const : 'linear' as const;
  const levelTicks = { tickmode: 'array' as const, tickvals: ts, ticktext: ts.map(formatLevel) };
  // ε ticks at the step sizes used (a log axis over one or two values labels its minor ticks confusingly).
  const steps = [...new Set(levels.map((l) => l.stepSize).filter((e): e is number => e !== undefined && e > 0))].sort((a, b) => a - b);
  const stepTicks = steps.length > 0 && steps.length <= 6 ? { tickmode: 'array' as const, tickvals: steps, ticktext: steps.map((e) => e.toExponential(1)) } : {};
  // The ε axis spans its values with half a decade either side (one ε alone would otherwise sit wherever the log
  // autorange puts it), coloured like its points.
  const stepRange = steps.length > 0 ? { range: [Math.log10(steps[0]!) - 0.5, Math.log10(steps[steps.length - 1]!) + 0.5] as [number, number] } : {};
  const rightAxis = { color: right, tickfont: { color: right }, title: { font: { color: right } } };
  // A legend line over each two-axis panel: which marks read on which axis, and what they are judged against.
  const key = (yref: string, top: number, text: string) => ({ xref: 'paper' as const, yref: 'paper' as const, x: 0, y: top, xanchor: 'left' as const, yanchor: 'bottom' as const, align: 'left' as const, showarrow: false, text, font: { size: 11, color: theme.foreground }, name: `key-${yref}` });
  const layout: Partial<Layout> = {
    paper_bgcolor: theme.background, plot_bgcolor: theme.background, font: { color: theme.foreground, size: 12 },
    // The legend just above the top panel, the title (when drawn) above the legend.
    // A legend of many levels wraps (about eight to a row at page width): the top margin grows with its rows, and the
    // title sits at the top of the figure, not over the legend's second row.
    margin: { l: 70, r: 70, t: (options.withTitle === false ? 40 : 90) + 22 * (Math.ceil(levels.length / 8) - 1), b: 50 }, hovermode: 'closest', legend: { orientation: 'h', y: 1.02, yanchor: 'bottom' },
    ...(options.withTitle === false ? {} : { title: { text: 'Sampler: chains after burn-in, convergence and step size per level', font: { size: 14 }, yref: 'container' as const, y: 0.995, yanchor: 'top' as const } }),
    xaxis: { ...axis, domain: [0, 1], anchor: 'y2', title: { text: 'kept draw' } },
    yaxis: { ...axis, domain: [0.8, 1], title: { text: 'minibatch loss L_B' } },
    yaxis2: { ...axis, domain: [0.56, 0.74], title: { text: '‖w − w*‖' } },
    // The per-level panels' y axes anchor to their own x axis; the temperature axes tick at the levels only.
    xaxis2: { ...axis, ...levelTicks, domain: [0, 1], anchor: 'y3', type: log, title: { text: 'temperature t' } },
    yaxis3: { ...axis, domain: [0.29, 0.45], anchor: 'x2', title: { text: 'worst R̂' } },
    // Round ESS ticks of its own (an overlaying axis otherwise syncs its ticks to the left axis' grid: 283.6, 338.3).
    yaxis4: { ...axis, ...rightAxis, overlaying: 'y3', anchor: 'x2', side: 'right', tickmode: 'auto', nticks: 4, tickformat: '~g', rangemode: 'tozero', showgrid: false, title: { text: 'ESS / chain', font: { color: right } } },
    xaxis3: { ...axis, ...levelTicks, domain: [0, 1], anchor: 'y5', type: log, title: { text: 'temperature t' } },
    yaxis5: { ...axis, domain: [0, 0.16], anchor: 'x3', range: [0, 1.05], title: { text: 'MALA acceptance' } },
    yaxis6: { ...axis, ...rightAxis, ...stepTicks, ...stepRange, overlaying: 'y5', anchor: 'x3', side: 'right', type: 'log', showgrid: false, title: { text: 'ε', font: { color: right } } },
    annotations: [
      // Two lines: one per axis, so a narrow column does not cut the right axis' half off.
      key('y3', 0.455, `● worst split-R̂ (left axis; converged ≤ ${rhatLimit}, dashed)<br><span style="color:${right}">◇ bulk ESS per chain (right axis; ≥ ${essLimit} needed)</span>`),
      key('y5', 0.165, `● MALA acceptance (left axis; ≥ 0.9, dashed)<br><span style="color:${right}">□ step size ε (right axis, log)</span>`),
    ],
    shapes: [
      { type: 'line', xref: 'x2 domain' as 'x2', x0: 0, x1: 1, yref: 'y3', y0: rhatLimit, y1: rhatLimit, line: { color: theme.warning, dash: 'dash', width: 1 }, name: 'rhat-threshold' },
      { type: 'line', xref: 'x3 domain' as 'x3', x0: 0, x1: 1, yref: 'y5', y0: 0.9, y1: 0.9, line: { color: theme.marker, dash: 'dash', width: 1 }, name: 'acceptance-0.9' },
    ],
  };
  return { data, layout };
}
