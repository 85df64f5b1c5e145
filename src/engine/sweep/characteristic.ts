/**
 * The characteristic temperature (docs/method.md, "The characteristic temperature"): given the loss a better model
 * reaches on the same data, the level t_c where the degradation costs the studied network as much loss as it
 * already lacks, ΔL(t_c) = g = L_n(w*) − referenceLoss. A pure function of the levels' ΔL estimates.
 *
 * Honest interpolation: t_c is placed only between two levels that bracket g (in log t on a log grid, linearly
 * otherwise), never extrapolated; the same is done for the ends of ΔL's 95% band, which say how far the noise in
 * ΔL moves t_c. ΔL need not be monotone in t: every sign change is listed and the first one is t_c.
 */
import type { CharacteristicTemperature, Estimate } from '../../protocol/results';
import { formatLevel } from '../../protocol/format';

export interface CharacteristicLevel {
  level: number;
  lossGap: Estimate;
  error?: string;
}

export interface CharacteristicOptions {
  /** How the grid is spaced: log interpolates in log t (when every level is positive). */
  scale: 'log' | 'linear';
  /** Degradation grows as the level falls (checkpoints: an earlier checkpoint is further from w*). */
  descending?: boolean;
}

/** Two-sided 95% normal quantile for an estimate that records no interval of its own. */
const Z95 = 1.96;

const fmt = (x: number): string => Number(x.toPrecision(3)).toString();

/** [lower, upper] of ΔL's 95% band at a level (the point when its se is 0, as for a checkpoint). */
function band(e: Estimate): [number, number] {
  if (e.ci95 && Number.isFinite(e.ci95[0]) && Number.isFinite(e.ci95[1])) return e.ci95;
  const half = Number.isFinite(e.se) ? Z95 * e.se : 0;
  return [e.mean - half, e.mean + half];
}

/**
 * Where `values` (in the order of more degradation) first reach `g`: the interpolated position in the transformed
 * coordinate `xs`, 'less' when already at or above g at the first level (and not equal to it), 'more' when never.
 */
function firstReach(xs: readonly number[], values: readonly number[], g: number): { x: number; bracket: [number, number] } | 'less' | 'more' {
  const i = values.findIndex((v) => v >= g);
  if (i < 0) return 'more';
  if (i === 0) return values[0] === g ? { x: xs[0]!, bracket: [0, 0] } : 'less';
  const [v0, v1] = [values[i - 1]!, values[i]!];
  const f = (g - v0) / (v1 - v0);
  return { x: xs[i - 1]! + f * (xs[i]! - xs[i - 1]!), bracket: [i - 1, i] };
}

export function characteristicTemperature(
  levels: readonly CharacteristicLevel[], loss: number, referenceLoss: number, options: CharacteristicOptions,
): CharacteristicTemperature {
  const gap = loss - referenceLoss;
  const usable = levels.filter((l) => l.error === undefined && Number.isFinite(l.lossGap.mean));
  const ordered = options.descending ? [...usable].reverse() : usable;
  const log = options.scale === 'log' && usable.length > 0 && usable.every((l) => l.level > 0);
  const to = (t: number) => (log ? Math.log(t) : t);
  const from = (x: number) => (log ? Math.exp(x) : x);
  const base = { referenceLoss, loss, gap, interpolation: log ? 'log' as const : 'linear' as const };
  const none = { level: null, bracket: null, band: [null, null] as [null, null], crossings: [] };
  if (!(gap > 0)) {
    return { ...base, ...none, position: 'no-gap', summary: `the reference loss ${fmt(referenceLoss)} is not below the network's own L_n(w*) = ${fmt(loss)}: there is no gap to match, so no characteristic temperature` };
  }
  if (ordered.length === 0) {
    return { ...base, ...none, position: 'no-levels', summary: 'no level ran without diverging: no characteristic temperature' };
  }
  const xs = ordered.map((l) => to(l.level));
  const means = ordered.map((l) => l.lossGap.mean);
  const bands = ordered.map((l) => band(l.lossGap));
  // The upper end of ΔL's band reaches g at the least degradation, its lower end at the most.
  const atEnd = (values: number[]): number | null => {
    const r = firstReach(xs, values, gap);
    return typeof r === 'string' ? null : from(r.x);
  };
  const ends = [atEnd(bands.map((b) => b[1])), atEnd(bands.map((b) => b[0]))];
  const crossings: number[] = [];
  for (let i = 1; i < means.length; i++) {
    const [a, b] = [means[i - 1]! - gap, means[i]! - gap];
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) crossings.push(from(xs[i - 1]! + (-a / (b - a)) * (xs[i]! - xs[i - 1]!)));
  }
  const sortedBand = (ends[0] !== null && ends[1] !== null && ends[0] > ends[1] ? [ends[1], ends[0]] : ends) as [number | null, number | null];
  const first = firstReach(xs, means, gap);
  const g = `g = L_n(w*) − referenceLoss = ${fmt(loss)} − ${fmt(referenceLoss)} = ${fmt(gap)}`;
  const least = ordered[0]!;
  const most = ordered[ordered.length - 1]!;
  if (first === 'less') {
    return {
      ...base, position: 'less-degraded', level: null, bracket: null, band: sortedBand, crossings: crossings.sort((a, b) => a - b),
      summary: `ΔL = ${fmt(least.lossGap.mean)} already reaches ${g} at the least degraded level tested, t = ${formatLevel(least.level)}: the characteristic temperature lies outside the swept range on that side (extend the grid there)`,
    };
  }
  if (first === 'more') {
    return {
      ...base, position: 'more-degraded', level: null, bracket: null, band: sortedBand, crossings: crossings.sort((a, b) => a - b),
      summary: `ΔL stays below ${g} up to the most degraded level tested (t = ${formatLevel(most.level)}, ΔL = ${fmt(most.lossGap.mean)}): the characteristic temperature lies beyond the swept range (extend the grid there)`,
    };
  }
  const level = from(first.x);
  const bracket = [ordered[first.bracket[0]]!.level, ordered[first.bracket[1]]!.level].sort((a, b) => a - b) as [number, number];
  const bandText = `ΔL's 95% band puts it ${sortedBand.map((t) => (t === null ? 'outside the grid' : formatLevel(t))).join(' … ')}`;
  const many = crossings.length > 1 ? `; ΔL crosses g ${crossings.length} times (at t ≈ ${[...crossings].sort((a, b) => a - b).map(formatLevel).join(', ')}): the first is reported` : '';
  const where = bracket[0] === bracket[1] ? `at the level t = ${formatLevel(bracket[0])}` : `between t = ${formatLevel(bracket[0])} and ${formatLevel(bracket[1])}, ${base.interpolation}-interpolated`;
  return {
    ...base, position: 'within', level, bracket, band: sortedBand, crossings: crossings.sort((a, b) => a - b),
    summary: `characteristic temperature t_c ≈ ${formatLevel(level)}: ΔL(t_c) = ${g} (${where}; ${bandText})${many}`,
  };
}
