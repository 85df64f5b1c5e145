// The entanglement map of a scan as a Plotly figure (docs/method.md, "The entanglement map"): above, layer × unit
// heatmaps of every unit's target effect at the trained network (each cell marked where the rank test calls it
// specific) and of how far its excess survives (t_surv); below, unit × level heatmaps of E_T(t) and E_C(t) for the
// top units, clean levels marked. Every cell carries its (component, unit) in customdata: a click selects it, and
// the panel writes a hypothesis for the selected units. Shared by the chart panel, `scan --html` and the tests.
import type { Data, Layout } from 'plotly.js-dist';
import { DIALS } from '../protocol/dials';
import type { ScanDocument, ScanUnitResult } from '../protocol/scan';
import { scanUnitName } from '../protocol/scan';
import { formatLevel, formatNumber } from './format';
import type { Figure } from './figure';
import type { ChartTheme } from './theme';

export const SCAN_TRACE = { effect: 'scan-effect', survival: 'scan-survival', target: 'scan-target-levels', collateral: 'scan-collateral-levels' } as const;

/** Units shown in the unit × level panels (the top ones by E_T at the trained network). */
export const SCAN_LEVEL_ROWS = 32;

/**
 * The units from most to least: specific ones first, then by target effect at the trained network (larger = more
 * damage when ablated), then by p.
 */
export function rankScanUnits(doc: Pick<ScanDocument, 'units'>): ScanUnitResult[] {
  return [...doc.units].sort((a, b) => Number(b.specificity.specific) - Number(a.specificity.specific)
    || b.baseline.targetEffect - a.baseline.targetEffect || a.specificity.p - b.specificity.p || a.component - b.component || a.unit - b.unit);
}

/** One hover text per unit: its effects, its rank test and how far it lasts. */
export function scanUnitHover(doc: ScanDocument, u: ScanUnitResult): string {
  const sp = u.specificity;
  return [
    `<b>${scanUnitName(doc, u)}</b>`,
    `E_T(w*) ${formatNumber(u.baseline.targetEffect)}, E_C(w*) ${formatNumber(u.baseline.collateralEffect)}`,
    `rank test p = ${formatNumber(sp.p)} (${sp.specific ? '≤' : '>'} α = ${sp.alpha}: ${sp.specific ? 'specific' : 'not specific'}; ${sp.atLeast} of ${sp.of} other units at least as large)`,
    `t_surv ${u.tSurv === null ? '— (never persists)' : formatLevel(u.tSurv)}, t_ent ${u.tEnt === null ? '— (no clean window)' : formatLevel(u.tEnt)}`,
  ].join('<br>');
}

/** The map's rows (components) × columns (unit indices) of some per-unit value, null where a row has no such unit. */
function grid(doc: ScanDocument, value: (u: ScanUnitResult) => number | null): { x: number[]; z: (number | null)[][]; custom: (number[] | null)[][]; text: string[][]; hover: string[][] } {
  const columns = [...new Set(doc.components.flatMap((c) => c.units))].sort((a, b) => a - b);
  const at = new Map(doc.units.map((u) => [`${u.component}/${u.unit}`, u]));
  const cell = <T>(f: (u: ScanUnitResult) => T, empty: T) => doc.components.map((_, k) => columns.map((col) => {
    const u = at.get(`${k}/${col}`);
    return u ? f(u) : empty;
  }));
  return {
    x: columns,
    z: cell(value, null),
    custom: cell((u) => [u.component, u.unit], null),
    text: cell((u) => (u.specificity.specific ? '★' : ''), ''),
    hover: cell((u) => scanUnitHover(doc, u), ''),
  };
}

export function buildScanFigure(doc: ScanDocument, theme: ChartTheme, options: { levelRows?: number; withTitle?: boolean } = {}): Figure {
  const rows = doc.components.map((c) => c.label ?? c.tensor);
  const levels = doc.levels.map((l) => formatLevel(l.level));
  const symbol = DIALS[doc.dial].symbol;
  const effect = grid(doc, (u) => u.baseline.targetEffect);
  // t_surv as the index of the level (a category axis has no log scale): −1 = never persists.
  const levelIndex = (t: number | null) => (t === null ? -1 : doc.levels.findIndex((l) => l.level === t));
  const survival = grid(doc, (u) => levelIndex(u.tSurv));
  const top = rankScanUnits(doc).slice(0, options.levelRows ?? SCAN_LEVEL_ROWS);
  const names = top.map((u) => scanUnitName(doc, u));
  const perLevel = (pick: (u: ScanUnitResult, i: number) => number | null) => top.map((u) => doc.levels.map((_, i) => pick(u, i)));
  const cleanText = top.map((u) => u.clean.map((c) => (c ? '✓' : '')));
  const levelCustom = top.map((u) => doc.levels.map(() => [u.component, u.unit]));
  const levelHover = top.map((u) => doc.levels.map((l, i) => {
    const t = u.targetEffect[i];
    const c = u.collateralEffect[i];
    const f = u.failed[i] ?? [];
    return [
      `<b>${scanUnitName(doc, u)}</b>, ${symbol} = ${formatLevel(l.level)}`,
      `E_T ${t ? `${formatNumber(t.mean)} ± ${formatNumber(t.se)}` : '—'}, E_C ${c ? `${formatNumber(c.mean)} ± ${formatNumber(c.se)}` : '—'}`,
      u.clean[i] ? 'clean' : f.length > 0 ? `not clean: ${f.join(', ')}` : 'not clean',
    ].join('<br>');
  }));
  const maxEffect = Math.max(1e-12, ...doc.units.map((u) => Math.abs(u.baseline.targetEffect)));
  const heat = (colour: string) => [[0, theme.background], [1, colour]] as [number, string][];
  // Diverging around 0: the quantity's colour for damage, the marker grey where ablating helps (< 0).
  const diverging = (colour: string) => [[0, theme.marker], [0.5, theme.background], [1, colour]] as [number, string][];
  const cTop = top.flatMap((u) => u.collateralEffect.map((e) => Math.abs(e?.mean ?? 0)));
  const maxC = Math.max(1e-12, ...cTop);
  const maxT = Math.max(1e-12, ...top.flatMap((u) => u.targetEffect.map((e) => Math.abs(e?.mean ?? 0))));
  const data: Data[] = [
    {
      type: 'heatmap', uid: SCAN_TRACE.effect, name: 'E_T(w*)', x: effect.x, y: rows, z: effect.z, customdata: effect.custom as never, text: effect.text as never,
      texttemplate: '%{text}', hovertext: effect.hover as never, hovertemplate: '%{hovertext}<extra></extra>', zmin: 0, zmax: maxEffect, xgap: 1, ygap: 1,
      colorscale: heat(theme.target), colorbar: { title: { text: 'E_T(w*)' }, thickness: 10, x: 0.46, y: 0.81, len: 0.3 }, xaxis: 'x', yaxis: 'y',
    } as Data,
    {
      type: 'heatmap', uid: SCAN_TRACE.survival, name: 't_surv', x: survival.x, y: rows, z: survival.z, customdata: survival.custom as never, text: survival.text as never,
      texttemplate: '%{text}', hovertext: survival.hover as never, hovertemplate: '%{hovertext}<extra></extra>', zmin: -1, zmax: Math.max(0, doc.levels.length - 1), xgap: 1, ygap: 1,
      colorscale: heat(theme.cleanWindow),
      colorbar: { title: { text: 't_surv' }, thickness: 10, x: 1.0, y: 0.81, len: 0.3, tickvals: [-1, ...doc.levels.map((_, i) => i)], ticktext: ['never', ...levels] },
      xaxis: 'x2', yaxis: 'y2',
    } as Data,
    {
      type: 'heatmap', uid: SCAN_TRACE.target, name: 'E_T(t)', x: levels, y: names, z: perLevel((u, i) => u.targetEffect[i]?.mean ?? null), customdata: levelCustom as never,
      text: cleanText as never, texttemplate: '%{text}', hovertext: levelHover as never, hovertemplate: '%{hovertext}<extra></extra>', zmin: -maxT, zmax: maxT, xgap: 1, ygap: 1,
      // Diverging: on a wrecked network an ablation can lower the target loss (E_T < 0).
      colorscale: diverging(theme.target), colorbar: { title: { text: 'E_T(t)' }, thickness: 10, x: 0.46, y: 0.25, len: 0.45 }, xaxis: 'x3', yaxis: 'y3',
    } as Data,
    {
      type: 'heatmap', uid: SCAN_TRACE.collateral, name: 'E_C(t)', x: levels, y: names, z: perLevel((u, i) => u.collateralEffect[i]?.mean ?? null), customdata: levelCustom as never,
      text: cleanText as never, texttemplate: '%{text}', hovertext: levelHover as never, hovertemplate: '%{hovertext}<extra></extra>', zmin: -maxC, zmax: maxC, xgap: 1, ygap: 1,
      colorscale: diverging(theme.collateral), colorbar: { title: { text: 'E_C(t)' }, thickness: 10, x: 1.0, y: 0.25, len: 0.45 }, xaxis: 'x4', yaxis: 'y4',
    } as Data,
  ];
  const axis = { gridcolor: theme.grid, color: theme.foreground, automargin: true };
  const unitAxis = { ...axis, title: { text: 'unit' }, type: 'category' as const };
  const layout: Partial<Layout> = {
    paper_bgcolor: theme.background, plot_bgcolor: theme.background, font: { color: theme.foreground, size: 12 },
    height: Math.max(560, 60 * rows.length + 18 * top.length + 260),
    margin: { l: 90, r: 60, t: options.withTitle === false ? 20 : 60, b: 60 }, showlegend: false,
    ...(options.withTitle === false ? {} : { title: { text: `Entanglement map: ${doc.hypothesis.resolved.scan?.name ?? 'scan'} · ${doc.units.length} units · ★ specific at α = ${doc.method.alpha} · ✓ clean`, font: { size: 14 } } }),
    // Each panel's axes anchor on each other (Plotly anchors every x axis on y by default).
    xaxis: { ...unitAxis, domain: [0, 0.44], anchor: 'y' }, yaxis: { ...axis, type: 'category', domain: [0.66, 0.97], autorange: 'reversed', anchor: 'x' },
    xaxis2: { ...unitAxis, domain: [0.54, 0.98], anchor: 'y2' }, yaxis2: { ...axis, type: 'category', domain: [0.66, 0.97], autorange: 'reversed', showticklabels: false, anchor: 'x2' },
    xaxis3: { ...axis, title: { text: `level ${symbol}` }, type: 'category', domain: [0, 0.44], anchor: 'y3' }, yaxis3: { ...axis, type: 'category', domain: [0, 0.5], autorange: 'reversed', anchor: 'x3' },
    xaxis4: { ...axis, title: { text: `level ${symbol}` }, type: 'category', domain: [0.54, 0.98], anchor: 'y4' }, yaxis4: { ...axis, type: 'category', domain: [0, 0.5], autorange: 'reversed', showticklabels: false, anchor: 'x4' },
    annotations: [
      { text: 'target effect at the trained network', x: 0.22, y: 0.98, xref: 'paper', yref: 'paper', yanchor: 'bottom', showarrow: false },
      { text: 'the excess persists up to (t_surv)', x: 0.76, y: 0.98, xref: 'paper', yref: 'paper', yanchor: 'bottom', showarrow: false },
      { text: `E_T(t), top ${top.length} units`, x: 0.22, y: 0.51, xref: 'paper', yref: 'paper', yanchor: 'bottom', showarrow: false },
      { text: 'E_C(t)', x: 0.76, y: 0.51, xref: 'paper', yref: 'paper', yanchor: 'bottom', showarrow: false },
    ],
  };
  return { data, layout };
}
