// How a panel's y axis shows its values: the range over the tested region, at least three ticks, and for the
// collateral panel a symmetric log scale when the tolerance band would otherwise be a hairline (docs/method.md,
// "The tests": collateral is judged against ±margin, so the margin must be visible next to the value).
import { formatNumber } from './format';

/** A y axis's mapping from data to drawn values, its range and its ticks (drawn positions, labels in data units). */
export interface PanelScale {
  kind: 'linear' | 'symlog';
  /** Data value → drawn value (identity on a linear scale). */
  y(v: number): number;
  range: [number, number];
  tickvals: number[];
  ticktext: string[];
  /** The symlog's linear threshold c (values within ±c are drawn nearly linearly); undefined on a linear scale. */
  constant?: number;
}

/** At least this many labelled ticks on every panel whose range is known. */
export const MIN_TICKS = 3;

/**
 * A linear scale over `values` (0 included, so an effect is read against no effect) with `pad` of the span below
 * and `headroom` above, and nice ticks (1, 2, 5 × 10^k) — at least MIN_TICKS, at most about `maxTicks`.
 */
export function linearScale(values: readonly number[], maxTicks: number, headroom = 0.08, pad = 0.05): PanelScale | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const span = hi - lo || Math.abs(hi) || 1;
  const range: [number, number] = [lo - pad * span, hi + headroom * span];
  const tickvals = niceTicks(range[0], range[1], Math.max(MIN_TICKS, maxTicks));
  return { kind: 'linear', y: (v) => v, range, tickvals, ticktext: tickvals.map(formatNumber) };
}

/** Ticks at a 1-2-5 step inside [lo, hi]: the most that fit in `maxTicks`, never fewer than MIN_TICKS. */
export function niceTicks(lo: number, hi: number, maxTicks: number): number[] {
  if (!(hi > lo)) return [lo];
  const top = Math.floor(Math.log10(hi - lo)) + 1;
  const candidates: number[][] = [];
  for (let k = top; k >= top - 4; k--) {
    for (const m of [5, 2, 1]) {
      const step = m * 10 ** k;
      const ticks: number[] = [];
      // i·step, not a running sum: 0 stays exactly 0 (a sum drifts to −2.78e−17).
      for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + 1e-9 * step; i++) ticks.push(Number((i * step).toPrecision(12)));
      if (ticks.length >= MIN_TICKS) candidates.push(ticks);
    }
  }
  const fitting = candidates.filter((t) => t.length <= Math.max(MIN_TICKS, maxTicks));
  if (fitting.length > 0) return fitting.reduce((a, b) => (b.length > a.length ? b : a));
  return candidates.reduce((a, b) => (b.length < a.length ? b : a), candidates[0] ?? [lo, hi]);
}

/** sign(v)·log10(1 + |v|/c): linear near 0, logarithmic beyond ±c. */
export function symlog(v: number, c: number): number {
  return Math.sign(v) * Math.log10(1 + Math.abs(v) / c);
}

/**
 * The collateral panel's scale. `values` are what must be visible (the effect's band, the tested intervals, both
 * edges of the tolerance band); `margins` the tested margins. When the largest value is more than `ratio` times the
 * typical margin, a linear axis would draw the band as a hairline on 0 and a value 40× outside it "on 0": the scale
 * becomes symlog with c = the median margin, so the band spans ±log10(2) and the value stands clear of it.
 */
export function collateralScale(values: readonly number[], margins: readonly number[], maxTicks: number, ratio = 20): PanelScale | undefined {
  const finite = values.filter(Number.isFinite);
  const positive = margins.filter((m) => Number.isFinite(m) && m > 0).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const c = positive.length > 0 ? positive[Math.floor((positive.length - 1) / 2)]! : 0;
  const big = Math.max(...finite.map(Math.abs));
  if (!(c > 0) || big <= ratio * c) return linearScale(finite, maxTicks, 0.08, 0.08);
  const drawn = finite.map((v) => symlog(v, c));
  const lo = Math.min(0, ...drawn);
  const hi = Math.max(0, ...drawn);
  const span = hi - lo || 1;
  const range: [number, number] = [lo - 0.08 * span, hi + 0.08 * span];
  // Decades outward from 0 on each side, kept only when at least a tick's spacing from the last one kept; the
  // spacing halves until there are at least MIN_TICKS.
  const decades = (gap: number): number[] => {
    const ticks: number[] = [0];
    for (const sign of [1, -1]) {
      let last = 0;
      for (let k = Math.floor(Math.log10(c)) - 2; k <= Math.ceil(Math.log10(big)) + 1; k++) {
        for (const m of gap > 0.3 ? [1] : [1, 3]) {
          const v = sign * m * 10 ** k;
          const at = symlog(v, c);
          if (at < range[0] || at > range[1]) continue;
          if (Math.abs(at - last) >= gap) {
            ticks.push(v);
            last = at;
          }
        }
      }
    }
    return ticks.sort((a, b) => a - b);
  };
  let gap = (range[1] - range[0]) / Math.max(MIN_TICKS, maxTicks);
  let ticks = decades(gap);
  while (ticks.length < MIN_TICKS && gap > 1e-3) ticks = decades((gap /= 2));
  return { kind: 'symlog', y: (v) => symlog(v, c), range, tickvals: ticks.map((v) => symlog(v, c)), ticktext: ticks.map(formatNumber), constant: c };
}

/** Plotly's pseudo-HTML without its tags, for measuring a line's length. */
export function visibleText(s: string): string {
  return s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * A hover text wrapped so that no line is longer than `width` visible characters: each `<br>`-separated line is
 * broken between words (tags do not count). A line inside `<b>…</b>` keeps the bold on each of its pieces.
 */
export function wrapHover(text: string, width: number): string {
  return text.split('<br>').flatMap((line) => {
    if (visibleText(line).length <= width) return [line];
    const bold = /^<b>(.*)<\/b>$/.exec(line);
    const inner = bold ? bold[1]! : line;
    const pieces: string[] = [];
    let cur = '';
    for (const word of inner.split(' ')) {
      if (cur && visibleText(cur).length + 1 + visibleText(word).length > width) {
        pieces.push(cur);
        cur = `\u00a0\u00a0${word}`;
      } else {
        cur = cur ? `${cur} ${word}` : word;
      }
    }
    if (cur) pieces.push(cur);
    return bold ? pieces.map((p) => `<b>${p}</b>`) : pieces;
  }).join('<br>');
}
