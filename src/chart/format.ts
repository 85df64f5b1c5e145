// Number formatting shared by the chart's hover text, the CLI's verdict table and the HTML page.
import type { Estimate } from '../protocol/results';

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
