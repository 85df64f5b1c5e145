// Step-size adaptation of the `hmc` sampler during warm-up: dual averaging (Nesterov 2009, as Hoffman & Gelman 2014
// apply it to HMC, Algorithm 5). The iterate log ε_m is steered so that the running mean of (target − acceptance)
// goes to zero; what the chains then run with is the iterates' weighted average ε̄, frozen after warm-up, so the
// sampling phase is a fixed Metropolis-adjusted kernel (exact for its posterior at any ε).

/** The acceptance dual averaging aims at: Stan's default for HMC (Betancourt 2014 argues 0.6–0.9 costs little). */
export const HMC_TARGET_ACCEPTANCE = 0.8;

export class DualAveraging {
  /** log(10·ε₀): the iterates shrink toward ε below this point, as in Hoffman & Gelman. */
  private readonly mu: number;
  private hBar = 0;
  private logAverage = 0;
  private m = 0;
  private current: number;

  constructor(initial: number, readonly target = HMC_TARGET_ACCEPTANCE, private readonly gamma = 0.05, private readonly t0 = 10, private readonly kappa = 0.75) {
    if (!(initial > 0) || !Number.isFinite(initial)) throw new RangeError(`dual averaging needs an initial step size > 0, got ${initial}`);
    this.mu = Math.log(10 * initial);
    this.current = initial;
    this.logAverage = Math.log(initial);
  }

  /** The step size to use for the next proposal. */
  get stepSize(): number {
    return this.current;
  }

  /** The averaged step size ε̄ that sampling freezes (the initial one before any update). */
  get final(): number {
    return Math.exp(this.logAverage);
  }

  /** Feeds the acceptance probability of the proposal just made (0 for a divergent one). */
  update(acceptance: number): number {
    const a = Number.isFinite(acceptance) ? Math.min(1, Math.max(0, acceptance)) : 0;
    this.m++;
    const eta = 1 / (this.m + this.t0);
    this.hBar = (1 - eta) * this.hBar + eta * (this.target - a);
    const logStep = this.mu - (Math.sqrt(this.m) / this.gamma) * this.hBar;
    const weight = this.m ** -this.kappa;
    this.logAverage = weight * logStep + (1 - weight) * this.logAverage;
    this.current = Math.exp(logStep);
    return this.current;
  }
}
