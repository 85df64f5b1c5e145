// The rules `burnIn: auto` and `thin: auto` start from, as plain arithmetic on ε and γ: the sampler applies them
// (src/engine/dials/sgld.ts) and the work estimate counts them before a run (src/hypothesis/workEstimate.ts).
// The localization pull γ(w − w*) is the weakest restoring force a chain feels: a direction the loss does not
// constrain relaxes at its rate, εγ/2 per step, and no faster, so its relaxation time 2/(εγ) steps sets both.

/** `burnIn: auto` starts from this many relaxation times (and at least BURN_IN_MIN steps). */
export const BURN_IN_RELAXATIONS = 3;
export const BURN_IN_MIN = 100;
/** `thin: auto`: relaxation times between kept draws. Two leave a lag-one autocorrelation of e⁻² ≈ 0.14 in the
 *  slowest direction, a bulk ESS of about 0.76 per draw. */
export const THIN_RELAXATIONS = 2;

/** Steps the localization pull needs to forget a displacement by a factor e: 2/(εγ) (0 without a pull). */
export function relaxationSteps(stepSize: number, localization: number): number {
  return localization > 0 ? 2 / (stepSize * localization) : 0;
}

/** The first burn-in `burnIn: auto` tries: b₀ = max(100, ⌈3·2/(εγ)⌉). */
export function burnInStart(stepSize: number, localization: number): number {
  return Math.max(BURN_IN_MIN, Math.ceil(BURN_IN_RELAXATIONS * relaxationSteps(stepSize, localization)));
}

/** The thin of `thin: auto`: ⌈2·2/(εγ)⌉ steps (1 without a pull: nothing to relax to). */
export function autoThin(stepSize: number, localization: number): number {
  return Math.max(1, Math.ceil(THIN_RELAXATIONS * relaxationSteps(stepSize, localization)));
}
