// The `hmc` sampler's schedule as plain numbers: the per-level warm-up and the pilots its `auto` settings run
// (src/engine/dials/hmcLevel.ts and sgld.ts apply them), and what the work estimate counts before a run
// (src/hypothesis/workEstimate.ts). Counts are iterations, one trajectory each; an iteration costs its leapfrog
// steps in full-data gradients.

/** Iterations of the warm-up's two windows (each also takes one kept iteration, and one gradient at its start). */
export const HMC_WARMUP: readonly [number, number] = [50, 50];
/** burnIn: auto for hmc starts from this many iterations (the stationarity test's 10 batch means need ≥ 40). */
export const HMC_BURN_IN_START = 40;
/** thin: auto for hmc: the autocorrelation pilot reads from this many iterations, at most the max. */
export const HMC_THIN_PILOT = { min: 128, max: 2048 } as const;
/** The autocorrelation pilot reads until it holds this many autocorrelation times (as SGLD's: THIN_PILOT_TAUS). */
const HMC_THIN_PILOT_TAUS = 100;

/**
 * Before a run, L̄ = ⌈T/ε⌉ is unknown (the warm-up chooses T, and ε unless given): counted as 16 leapfrog steps per
 * iteration, the most the examples' warm-ups chose (15 and 9 on the planted example at t = 1, 10; 16 on the modular
 * one at t = 10; docs/method.md, "HMC").
 */
export const HMC_LEAPFROG_GUESS = 16;
/** thin: auto counted before a run: 8 iterations (the planted example's levels measured 4 and 11). */
export const HMC_THIN_GUESS = 8;

/** Iterations the warm-up runs: each window's burn-in and its one kept iteration. */
export function hmcWarmUpIterations(): number {
  return HMC_WARMUP.reduce((a, w) => a + w + 1, 0);
}

/** Iterations the thin pilot reads (after its burn-in) when the autocorrelation time is `tau` iterations. */
export function hmcThinPilotIterations(tau: number): number {
  let n = HMC_THIN_PILOT.min;
  while (n < HMC_THIN_PILOT_TAUS * tau && n < HMC_THIN_PILOT.max) n *= 2;
  return n;
}
