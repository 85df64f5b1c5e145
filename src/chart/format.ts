// Number formatting shared by the chart's hover text, the CLI's verdict table and the HTML page.
import type { Estimate, LevelResult, Verdict } from '../protocol/results';

/** Four significant digits, exponent form for very large or very small magnitudes; "NaN", "∞" spelled out. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e5 || ax < 1e-3) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

/** "mean ± se" with the standard error to two significant digits. */
export function formatEstimate(e: Estimate): string {
  return `${formatNumber(e.mean)} ± ${formatSe(e.se)}`;
}

function formatSe(se: number): string {
  if (!Number.isFinite(se) || se === 0) return formatNumber(se);
  const a = Math.abs(se);
  if (a >= 1e5 || a < 1e-3) return se.toExponential(1).replace('e+', 'e');
  return String(Number(se.toPrecision(2)));
}

/** Levels as the grid shows them: temperatures are short numbers. */
export function formatLevel(t: number): string {
  return formatNumber(t);
}

/**
 * The verdict's numbers that its one-line summary does not already state (the engine's summary names t_ent,
 * t_surv and the width in decades when there is a clean window), so a header shows each fact once.
 */
export function verdictExtras(v: Pick<Verdict, 'summary' | 'tEnt' | 'tSurv' | 'cleanlinessDecades'>): string[] {
  const facts: string[] = [];
  if (v.tEnt !== null && !/\bt_ent\s*=/.test(v.summary)) facts.push(`t_ent = ${formatLevel(v.tEnt)}`);
  if (v.tSurv !== null && !/\bt_surv\s*=|persists up to/.test(v.summary)) facts.push(`t_surv = ${formatLevel(v.tSurv)}`);
  if (!/\bdecades?\b/.test(v.summary)) facts.push(`cleanliness ${formatNumber(v.cleanlinessDecades)} decade${v.cleanlinessDecades === 1 ? '' : 's'}`);
  return facts;
}

/**
 * One level's row of the level table (CLI, HTML page, webview): level, ΔL, E_T, E_C, [LLC], negligible?, persists?.
 * A diverged level is two cells: its level and the error.
 */
export function levelCells(l: LevelResult, withLlc: boolean, error: (message: string) => string = (m) => m): string[] {
  if (l.error) return [formatLevel(l.level), `diverged: ${error(l.error)}`];
  return [
    formatLevel(l.level),
    formatEstimate(l.lossGap),
    formatEstimate(l.targetEffect),
    formatEstimate(l.collateralEffect),
    ...(withLlc ? [l.llc ? formatEstimate(l.llc) : '—'] : []),
    l.collateralNegligible ? 'yes' : 'no',
    l.targetPersists ? 'yes' : 'no',
  ];
}
