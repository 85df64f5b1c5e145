// Number formatting shared by the chart's hover text, the CLI's verdict table, the HTML page and the webviews,
// and the pieces of a level and a verdict that every face shows the same way (the level table's cells, the
// failed tests, convergence, the calibration line).
import { formatDecades, formatLevel } from '../protocol/format';
import type { Convergence, Estimate, LevelResult, TestName, Verdict } from '../protocol/results';

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
export function formatEstimate(e: Pick<Estimate, 'mean' | 'se'>): string {
  return `${formatNumber(e.mean)} ± ${formatSe(e.se)}`;
}

/** A standard error or a standard deviation: two significant digits. */
export function formatSe(se: number): string {
  if (!Number.isFinite(se) || se === 0) return formatNumber(se);
  const a = Math.abs(se);
  if (a >= 1e5 || a < 1e-3) return se.toExponential(1).replace('e+', 'e');
  return String(Number(se.toPrecision(2)));
}

export { formatLevel };

/** What a version-1 document (or level) shows where the null would be. */
export const NO_NULL_V1 = 'no null (results version 1)';
/** What a version-2 document without at least two matched random sets shows there. */
export const NO_NULL_V2 = 'no null (controls.count < 2)';

/** Whether the level was judged by the version-2 tests (it records them; a version-1 level has only two booleans). */
export function judgedV2(l: LevelResult): boolean {
  return l.tests !== undefined || l.failed !== undefined;
}

/** Whether a document follows results version 1 (no null; its two booleans meant version 1's tests). */
export function isVersion1(doc: { version: number }): boolean {
  return doc.version === 1;
}

/**
 * The tests a level failed, in the engine's order. A version-1 level has no list: its two booleans say which of
 * its two tests failed (under version 1's meaning: the raw target effect persisting, one-sided collateral).
 */
export function failedTests(l: LevelResult): TestName[] {
  if (l.failed) return l.failed;
  if (l.error) return ['diverged'];
  const failed: TestName[] = [];
  if (!l.targetPersists) failed.push('persists');
  if (!l.collateralNegligible) failed.push('collateral');
  return failed;
}

/** "persists, collateral", or "none" on a clean level. */
export function formatFailed(l: LevelResult, separator = ', '): string {
  const failed = failedTests(l);
  return failed.length === 0 ? 'none' : failed.join(separator);
}

/** The largest split-R̂ of the level's series (null: none recorded, e.g. constant series). */
export function worstRhat(c: Convergence): number | null {
  const rs = [c.rhat.loss, c.rhat.targetEffect, c.rhat.collateralEffect].filter((r): r is number => typeof r === 'number');
  return rs.length > 0 ? Math.max(...rs) : null;
}

/** Whether the level's chains did not converge (only Markov-chain dials have the test). */
export function unconverged(l: Pick<LevelResult, 'tests'>): boolean {
  return l.tests?.converged === false;
}

/** "R̂/ESS per chain" as the level table shows it: "1.004/375", or "n/a" where the dial has no chains to diagnose. */
export function formatConvergence(l: LevelResult): string {
  const c = l.convergence;
  if (!c) return 'n/a';
  const r = worstRhat(c);
  return `${r === null ? '—' : r.toFixed(3)}/${c.essPerChain === null ? '—' : String(Math.round(c.essPerChain))}`;
}

/** The same in words, for hovers and tooltips. */
export function describeConvergence(l: LevelResult): string {
  const c = l.convergence;
  if (!c) return 'R̂, ESS/chain: n/a (independent draws)';
  const r = worstRhat(c);
  const text = `R̂ = ${r === null ? '—' : r.toFixed(3)} · ESS/chain = ${c.essPerChain === null ? '—' : Math.round(c.essPerChain)}`;
  return unconverged(l) ? `not converged: ${text}` : text;
}

/** The sampler's settings at a level (sgld): the step size, burn-in and thin it ran with (calibrated per level with
 *  `auto`), hmc's trajectory time and leapfrog steps, and the chains' mean acceptance. Undefined for other dials. */
export function samplerLine(l: LevelResult): string | undefined {
  if (l.stepSize === undefined) return undefined;
  // hmc: a trajectory time and leapfrog steps, and a Metropolis acceptance.
  const hmc = l.trajectory !== undefined ? ` · T = ${formatNumber(l.trajectory)} · L̄ = ${formatNumber(l.leapfrog ?? NaN)} leapfrog steps` : '';
  const acceptance = l.acceptance !== undefined ? ` · ${hmc ? 'Metropolis' : 'MALA'} acceptance ${l.acceptance.toFixed(2)}` : '';
  return `sampler: ε = ${formatNumber(l.stepSize)}${hmc}${l.burnIn !== undefined ? ` · burn-in ${l.burnIn} ${hmc ? 'iterations' : 'steps'}` : ''}${l.thin !== undefined && l.thin > 1 ? ` · thin ${l.thin}` : ''}${acceptance}`;
}

/**
 * The verdict's numbers that its one-line summary does not already state (the engine's summary names t_ent,
 * t_surv and the width in decades when there is a clean window), so a header shows each fact once.
 */
export function verdictExtras(v: Pick<Verdict, 'summary' | 'tEnt' | 'tSurv' | 'cleanlinessDecades'>): string[] {
  const facts: string[] = [];
  if (v.tEnt !== null && !/\bt_ent\s*=/.test(v.summary)) facts.push(`t_ent = ${formatLevel(v.tEnt)}`);
  if (v.tSurv !== null && !/\bt_surv\s*=|persists up to/.test(v.summary)) facts.push(`t_surv = ${formatLevel(v.tSurv)}`);
  if (!/\bdecades?\b/.test(v.summary)) facts.push(`cleanliness ${formatDecades(v.cleanlinessDecades)}`);
  return facts;
}

/**
 * The calibration line: "k of K matched random sets would be called clean", or why there is none (a version-1
 * document has no null; version 2 calibrates with three or more matched sets).
 */
export function calibrationText(v: Pick<Verdict, 'calibration' | 'question'>, version1: boolean): string {
  if (v.calibration) return v.calibration.summary;
  if (v.question === 'sufficiency') return 'no calibration (sufficiency is not calibrated: a control kept alone is not judged against the others)';
  return version1 ? NO_NULL_V1 : 'no calibration (it needs ≥ 3 matched random sets)';
}

/** "k/K", for the narrow places (runs list, the demo's side-by-side row); null without a calibration. */
export function calibrationShort(v: Pick<Verdict, 'calibration'>): string | null {
  return v.calibration ? `${v.calibration.clean}/${v.calibration.of}` : null;
}

/** "inconclusive at t = 1000, 3162 (not converged)", or null when every level converged. */
export function inconclusiveText(v: Pick<Verdict, 'inconclusive' | 'tooFewLevels'>, symbol = 't'): string | null {
  const parts: string[] = [];
  if (v.tooFewLevels) parts.push(`no verdict: only ${v.tooFewLevels.usable} level${v.tooFewLevels.usable === 1 ? '' : 's'} ran without diverging (at least ${v.tooFewLevels.needed} needed); lower the step size or the grid's top`);
  const levels = v.inconclusive ?? [];
  if (levels.length > 0) parts.push(`inconclusive at ${symbol} = ${levels.map(formatLevel).join(', ')} (not converged)`);
  return parts.length === 0 ? null : parts.join('; ');
}

export interface LevelTableOptions {
  /** The LLC column (sgld sweeps). */
  llc: boolean;
  /** The CLI's narrow form: "m±se" without spaces, ΔL without its se, failed tests joined by commas. */
  compact?: boolean;
}

/** The level table's header; `level` names the first column (t, σ, checkpoint). Matches levelCells. */
export function levelTableHeader(level: string, options: LevelTableOptions): string[] {
  const c = options.compact === true;
  return [
    level,
    c ? 'ΔL' : 'ΔL ± se',
    c ? 'E_T±se' : 'E_T ± se',
    c ? 'null m±sd' : 'null m_T ± sd',
    c ? 'X_T±se' : 'X_T ± se_X',
    c ? 'E_C±se' : 'E_C ± se',
    ...(options.llc ? [c ? 'LLC±se' : 'LLC ± se'] : []),
    'R̂/ESS',
    'failed',
  ];
}

/**
 * One level's row of the level table (CLI, HTML page, webview): level, ΔL, E_T, the null's mean ± sd, the excess
 * X_T ± se_X, E_C, [LLC], R̂/ESS per chain ("n/a" without chains), the failed tests ("none" on a clean level).
 * A diverged level is two cells: its level and the error. A level without a null says so in the null's cell.
 */
export function levelCells(l: LevelResult, withLlc: boolean, error: (message: string) => string = (m) => m, options: { compact?: boolean } = {}): string[] {
  if (l.error) return [formatLevel(l.level), `diverged: ${error(l.error)}`];
  const compact = options.compact === true;
  const est = (e: Pick<Estimate, 'mean' | 'se'>) => (compact ? `${formatNumber(e.mean)}±${formatSe(e.se)}` : formatEstimate(e));
  return [
    formatLevel(l.level),
    compact ? formatNumber(l.lossGap.mean) : formatEstimate(l.lossGap),
    est(l.targetEffect),
    l.null ? est({ mean: l.null.mean, se: l.null.sd }) : judgedV2(l) ? 'no null' : 'no null (v1)',
    l.excess ? est(l.excess) : '—',
    est(l.collateralEffect),
    ...(withLlc ? [l.llc ? est(l.llc) : '—'] : []),
    formatConvergence(l),
    formatFailed(l, compact ? ',' : ', '),
  ];
}
