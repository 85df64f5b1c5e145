// One level's statistics from its chains' traces: the estimates with their standard errors, every control set's
// estimates, the convergence diagnostics and λ̂ — computed the same way whether the chains ran in one process or
// came from shards of a (level, chain) fan-out (src/worker/parallel.ts) and were put back together in chain order.
// The verdict tests need the whole grid (Bonferroni over its levels) and the baseline: `judgeLevel` in verdict.ts.
import type { ChainTrace, ControlLevel, Convergence, Estimate, LevelResult, PairedStatistics } from '../../protocol/results';
import { type ChainSeries, DRAW_QUANTITIES } from '../../protocol/shard';
import { bulkConvergence, constantUpToRounding } from './convergence';
import { estimate, EstimateOptions, SeriesEstimate } from './stats';

/** SGLD chains: draws within a chain are autocorrelated (batch means), chains independent (chain means). */
export const MARKOV_CHAIN_DRAWS: Readonly<Required<EstimateOptions>> = { independent: false, deterministic: false };

/** A chain's trace with the per-draw series the statistics need (shard documents and journals keep them). */
export type ChainWithGaps = ChainSeries;

export interface LevelChains {
  level: number;
  /** In chain order; the last one may have diverged. */
  chains: ChainWithGaps[];
  error?: string;
  seconds: number;
  /** nβ at this level (sgld): λ̂ = nβ·ΔL is reported. */
  nbeta?: number;
}

/** JSON has no Infinity: an exact estimate (se = 0) records dof null. */
export function toEstimate(e: SeriesEstimate): Estimate {
  return { mean: e.mean, se: e.se, n: e.n, dof: Number.isFinite(e.dof) ? e.dof : null, ci95: e.ci95 };
}

/** R̂ and bulk ESS of a series, or nulls when it is constant up to rounding (nothing to mix). */
export function diagnose(chains: readonly (readonly number[])[]): { rhat: number | null; ess: number | null } {
  if (constantUpToRounding(chains)) return { rhat: null, ess: null };
  const d = bulkConvergence(chains);
  return { rhat: d.rhat, ess: d.essBulk };
}

/** The worst of some diagnostics (null: none apply). `pick` is Math.max or Math.min, which propagate NaN (too few
 *  draws), the worst value of all. */
export function worst(xs: readonly (number | null)[], pick: (a: number, b: number) => number): number | null {
  const present = xs.filter((x): x is number => x !== null);
  return present.length === 0 ? null : present.reduce((a, b) => pick(a, b));
}

export function levelResult(l: LevelChains, how: EstimateOptions, keepGaps = false): LevelResult {
  // A diverged chain's partial trace feeds no estimate: the level's numbers come from the chains that finished.
  const done = l.chains.filter((c) => !c.diverged);
  const series = (pick: (c: ChainWithGaps) => number[]) => done.map(pick);
  const of = (pick: (c: ChainWithGaps) => number[]) => estimate(series(pick), how);
  const lossGap = of((c) => c.lossGap);
  const targetEffect = of((c) => c.targetEffect);
  const collateralEffect = of((c) => c.collateralEffect);
  const controlCount = done[0]?.controlTargetEffect[0]?.length ?? l.chains[0]?.controlTargetEffect[0]?.length ?? 0;
  const markov = !how.independent && !how.deterministic;

  const result: LevelResult = {
    level: l.level,
    lossGap: toEstimate(lossGap),
    controlLossGap: toEstimate(of((c) => c.controlLossGap)),
    targetLossGap: toEstimate(of((c) => c.targetLossGap)),
    targetEffect: toEstimate(targetEffect),
    collateralEffect: toEstimate(collateralEffect),
    collateralNegligible: false,
    targetPersists: false,
    chains: l.chains.map((c) => (keepGaps ? c : withoutSeries(c))),
    seconds: l.seconds,
  };
  const accepted = l.chains.map((c) => c.acceptance).filter((a): a is number => a !== undefined);
  if (accepted.length > 0) result.acceptance = accepted.reduce((a, v) => a + v, 0) / accepted.length;
  if (controlCount > 0) {
    result.controls = Array.from({ length: controlCount }, (_, k): ControlLevel => {
      const t = series((c) => c.controlTargetEffect.map((d) => d[k]!));
      const e = series((c) => c.controlCollateralEffect.map((d) => d[k]!));
      const dt = markov ? diagnose(t) : { rhat: null, ess: null };
      const de = markov ? diagnose(e) : { rhat: null, ess: null };
      // Leave-one-out paired excess: control k against the other K − 1 on the same draw (its calibration).
      const loo = (pick: (c: ChainWithGaps) => number[][]) => done.map((c) => pick(c).map((d) => (controlCount > 1 ? d[k]! - (d.reduce((a, v) => a + v, 0) - d[k]!) / (controlCount - 1) : 0)));
      return {
        targetEffect: toEstimate(estimate(t, how)),
        collateralEffect: toEstimate(estimate(e, how)),
        targetExcess: toEstimate(estimate(loo((c) => c.controlTargetEffect), how)),
        collateralExcess: toEstimate(estimate(loo((c) => c.controlCollateralEffect), how)),
        rhat: worst([dt.rhat, de.rhat], Math.max),
        essBulk: worst([dt.ess, de.ess], Math.min),
      };
    });
  }
  if (done.length > 0 && done.some((c) => c.targetEffect.length > 0)) result.paired = pairedStatistics(done, how, controlCount);
  if (markov && done.length > 0) {
    result.convergence = convergence(series((c) => c.lossGap), series((c) => c.targetEffect), series((c) => c.collateralEffect), done.length);
    if (controlCount > 0) {
      // The null's own per-draw means converge too, or the excess compares the circuit with an unmixed null.
      const nt = diagnose(series((c) => c.controlTargetEffect.map(meanOf)));
      const nc = diagnose(series((c) => c.controlCollateralEffect.map(meanOf)));
      Object.assign(result.convergence.rhat, { nullTargetEffect: nt.rhat, nullCollateralEffect: nc.rhat });
      Object.assign(result.convergence.essBulk, { nullTargetEffect: nt.ess, nullCollateralEffect: nc.ess });
      const ess = worst([result.convergence.essBulk.loss, result.convergence.essBulk.targetEffect, result.convergence.essBulk.collateralEffect, nt.ess, nc.ess], Math.min);
      result.convergence.essPerChain = ess === null ? null : ess / done.length;
    }
  }
  if (l.nbeta !== undefined) {
    result.nbeta = l.nbeta;
    // λ̂(t) = nβ·(E_q[L_n] − L_n(w*)): nβ times the loss-gap estimate (a linear map, so se scales too). A diverged
    // level has none: its finished chains are a biased subset.
    if (l.error === undefined) result.llc = { mean: l.nbeta * lossGap.mean, se: l.nbeta * lossGap.se, n: lossGap.n, dof: result.lossGap.dof, ci95: [l.nbeta * lossGap.ci95[0], l.nbeta * lossGap.ci95[1]] };
  }
  if (l.error !== undefined) result.error = l.error;
  return result;
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The per-draw paired series of a level, summarised (protocol/results.ts, PairedStatistics). */
function pairedStatistics(done: readonly ChainWithGaps[], how: EstimateOptions, controls: number): PairedStatistics {
  const excess = (own: (c: ChainWithGaps) => number[], others: (c: ChainWithGaps) => number[][]) =>
    done.map((c) => own(c).map((v, d) => (controls > 0 ? v - meanOf(others(c)[d]!) : 0)));
  const targetExcess = toEstimate(estimate(excess((c) => c.targetEffect, (c) => c.controlTargetEffect), how));
  const collateralExcess = toEstimate(estimate(excess((c) => c.collateralEffect, (c) => c.controlCollateralEffect), how));
  const t = estimate(done.map((c) => c.targetEffect), how);
  const e = estimate(done.map((c) => c.collateralEffect), how);
  let collateralRatio: Estimate | null = null;
  if (t.mean !== 0 && Number.isFinite(t.mean)) {
    const r = e.mean / t.mean;
    // Delta method: r̂ − r ≈ mean(E_C − r·E_T)/Ē_T, whose se the series gives with the draws' autocorrelation.
    const z = estimate(done.map((c) => c.collateralEffect.map((v, d) => (v - r * c.targetEffect[d]!) / t.mean)), how);
    collateralRatio = toEstimate({ ...z, mean: r, ci95: [r - (z.ci95[1] - z.mean), r + (z.ci95[1] - z.mean)] });
  }
  const spread = (all: readonly number[]) => {
    const m = meanOf(all);
    return all.length > 1 ? Math.sqrt(all.reduce((a, v) => a + (v - m) ** 2, 0) / (all.length - 1)) : 0;
  };
  const controlLossSpread = spread(done.flatMap((c) => c.controlLossGap));
  // s_T(t), the margin of scope: complement's "target kept" test, as s_C(t) is collateral's.
  const targetLossSpread = spread(done.flatMap((c) => c.targetLossGap));
  const rows = done.flatMap((c) => c.rowSe ?? []);
  const rowSe = [0, 1, 2, 3].map((i) => (rows.length > 0 ? meanOf(rows.map((r) => r[i] ?? 0)) : 0)) as [number, number, number, number];
  return { targetExcess, collateralExcess, collateralRatio, controlLossSpread, targetLossSpread, rowSe };
}

function convergence(loss: number[][], target: number[][], collateral: number[][], chains: number): Convergence {
  const dl = diagnose(loss);
  const dt = diagnose(target);
  const dc = diagnose(collateral);
  const ess = worst([dl.ess, dt.ess, dc.ess], Math.min);
  return {
    rhat: { loss: dl.rhat, targetEffect: dt.rhat, collateralEffect: dc.rhat },
    essBulk: { loss: dl.ess, targetEffect: dt.ess, collateralEffect: dc.ess },
    essPerChain: ess === null ? null : ess / chains,
  };
}

/** A chain's trace without the per-draw series only the statistics need (what results files keep). */
export function withoutSeries(c: ChainTrace): ChainTrace {
  const rest: Record<string, unknown> = { ...c };
  for (const q of DRAW_QUANTITIES) if (!q.kept) delete rest[q.key];
  delete rest.rowSe;
  return rest as unknown as ChainTrace;
}
