import { DEFAULT_MAX_DRAWS, type VerdictSettings } from './hypothesis';

// The rules `burnIn: auto` and `thin: auto` start from, as plain arithmetic on ε and γ: the sampler applies them
// (src/engine/dials/sgld.ts) and the work estimate counts them before a run (src/hypothesis/workEstimate.ts).
// (thin: auto itself is measured by a pilot; only the pilot's length and the estimate before a run are here.)
// The localization pull γ(w − w*) is the weakest restoring force a chain feels: a direction the loss does not
// constrain relaxes at its rate, εγ/2 per step, and no faster, so its relaxation time 2/(εγ) steps sets both.

/** `burnIn: auto` starts from this many relaxation times (and at least BURN_IN_MIN steps). */
export const BURN_IN_RELAXATIONS = 3;
export const BURN_IN_MIN = 100;
/** `thin: auto` is measured at run time (src/engine/dials/sgld.ts, `measureThin`): the integrated autocorrelation
 *  time of a pilot read from THIN_PILOT_MIN steps, doubling until it holds THIN_PILOT_TAUS times that time, at most
 *  THIN_PILOT_MAX steps. Before a run it is counted as one relaxation time of the pull (the planted example's chains
 *  measure 0.6–0.8 of it at ε = 1.2e−4, γ = 100). */
export const THIN_PILOT_MIN = 1024;
export const THIN_PILOT_MAX = 32_768;
export const THIN_PILOT_TAUS = 100;

/** Steps the localization pull needs to forget a displacement by a factor e: 2/(εγ) (0 without a pull). */
export function relaxationSteps(stepSize: number, localization: number): number {
  return localization > 0 ? 2 / (stepSize * localization) : 0;
}

/** kinetic-langevin's friction pilot, in steps: a chain from w* whose mean (∇U)² per weight sets that weight's
 *  friction (src/engine/dials/sgld.ts); ≈ 20 of its relaxation times at the examples' ε and γ. */
export const KINETIC_FRICTION_PILOT = 600;

/** kinetic-langevin (friction 2√γ, leapfrog step √ε): the pull's direction is critically damped and forgets a
 *  displacement by a factor e in about 2/(√ε·√γ) steps (0 without a pull). */
export function kineticRelaxationSteps(stepSize: number, localization: number): number {
  return localization > 0 ? 2 / Math.sqrt(stepSize * localization) : 0;
}

/** The first burn-in `burnIn: auto` tries: b₀ = max(100, ⌈3·2/(εγ)⌉). */
export function burnInStart(stepSize: number, localization: number): number {
  return burnInAfter(relaxationSteps(stepSize, localization));
}

/** b₀ = max(100, ⌈3·τ⌉) for a sampler whose slowest direction relaxes in τ steps. */
export function burnInAfter(relaxation: number): number {
  return Math.max(BURN_IN_MIN, Math.ceil(BURN_IN_RELAXATIONS * relaxation));
}

/** What `thin: auto` is counted as before it runs: ⌈2/(εγ)⌉ steps (1 without a pull: nothing to relax to). */
export function autoThin(stepSize: number, localization: number): number {
  return thinAfter(relaxationSteps(stepSize, localization));
}

/** `thin: auto` counted as one relaxation time τ, at least 1 step. */
export function thinAfter(relaxation: number): number {
  return Math.max(1, Math.ceil(relaxation));
}

/**
 * exponential-sgld relaxes every weight at its reference's largest precision R, in 2/(εR) steps, and its
 * `stepSize: auto` ladder is ε = 4/R/3^k (src/engine/dials/sgld.ts, `exponentialLadder`): at rung k its relaxation
 * is 3^k/2 steps whatever R. Before a run (no pilot has measured R or the rung) it is counted at rung 3, 13.5 steps,
 * the rung the planted example's levels chose at t = 10…1000 (rung 4 at t = 1); a given ε is counted the same (R is
 * unknown until the metric pilot runs). Plain SGLD's pull, 2/(εγ) at the usual ε, is 162 steps there.
 */
export const EXPONENTIAL_RUNG_GUESS = 3;
export function exponentialRelaxationGuess(): number {
  return Math.max(1, 3 ** EXPONENTIAL_RUNG_GUESS / 2);
}

/** Steps the thin pilot reads (after its burn-in) when the autocorrelation time is `tau` steps. */
export function thinPilotSteps(tau: number): number {
  let n = THIN_PILOT_MIN;
  while (n < THIN_PILOT_TAUS * tau && n < THIN_PILOT_MAX) n *= 2;
  return n;
}

/** The most kept draws a chain runs: the number given, or the cap of `draws: auto` (maxDraws, default 1000). */
export function drawsCap(s: { draws?: number | string; maxDraws?: number } | undefined, fallback = 200): number {
  const draws = s?.draws;
  if (draws === 'auto') return s?.maxDraws ?? DEFAULT_MAX_DRAWS;
  return typeof draws === 'number' ? draws : fallback;
}

/** `draws: auto` stops a chain once its ESS reads this many times the verdict's ESS per chain: stopping at the first
 *  reading above the target leaves about the target on average (AR(1): mean n/τ 105 for 100, 5% of chains below 74),
 *  and the level's pooled ESS is read on chains cut to the shortest: aimed at the target itself, about half the levels
 *  fall just short (the planted κ = 0.03 sgld sweep: 98.8 per chain at t = 10 while every chain had stopped at ≥ 101). */
export const DRAWS_AUTO_MARGIN = 1.25;

/** …and at least this ESS per chain at R̂'s threshold 1.01, where R̂ ≤ 1.01 stops failing converged chains by chance:
 *  split-R̂ on four i.i.d. chains exceeds 1.01 for 6.2% of grids at 125 draws a chain, 1.0% at 200 and 0.15% at 250
 *  (test/unit/engine/sweep/convergence.test.ts), and a level tracks five quantities. At an aim of 125 about one
 *  converged level in four was called inconclusive (the modular sgld example's two runs each had one). */
export const RHAT_RELIABLE_ESS = 250;

/** The ESS per chain `draws: auto` draws until: DRAWS_AUTO_MARGIN times the verdict's, and at least RHAT_RELIABLE_ESS
 *  scaled to R̂'s threshold by 1/√(threshold − 1). On long converged chains R̂ − 1 shrinks as 1/ESS, but chains that
 *  stop on their own short ESS estimates fail looser thresholds more often than that predicts (AR(1) chains, measured
 *  in test/unit/engine/sweep/drawsAuto.test.ts: an aim of 50 failed R̂ ≤ 1.05 in 5% of grids, 75 in 0.2%); the square
 *  root keeps every threshold measured at ≤ 1% (1.05: 112, 1.25: 50). */
export function drawsAutoAim(verdict: Pick<VerdictSettings, 'essPerChain' | 'rhat'>): number {
  // Rounded up to a whole ESS (1.01 − 1 is not 0.01 in binary).
  return Math.max(DRAWS_AUTO_MARGIN * verdict.essPerChain, Math.ceil(RHAT_RELIABLE_ESS * Math.sqrt(0.01 / (verdict.rhat - 1)) - 1e-9));
}
