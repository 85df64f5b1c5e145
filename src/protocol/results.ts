// The results document of a sweep: written by the engine, read by the CLI, the extension and the webview.
// Every number means exactly what ../shared/DESIGN.md §1 defines. Bump RESULTS_VERSION on any breaking change.
import type { DialKind, Hypothesis } from '../hypothesis/types';

export const RESULTS_VERSION = 1;

/** A mean with a standard error that respects autocorrelation (chain means / batch means). */
export interface Estimate {
  mean: number;
  se: number;
  /** Number of draws behind the estimate (all chains together). */
  n: number;
  /** Degrees of freedom of `se` (chains − 1, batches − 1 or draws − 1; null when exact, se = 0). */
  dof?: number | null;
  /** Two-sided 95% interval mean ± t_{0.975, dof}·se: the bounds the verdict compares (draw these as the bands). */
  ci95?: [number, number];
}

export interface ChainTrace {
  chain: number;
  /** L_B at every kept draw (sgld) or L_n per sample (noise dials). */
  loss: number[];
  targetEffect: number[];
  collateralEffect: number[];
  /** MALA acceptance-probability estimate averaged over the chain (sgld only). */
  acceptance?: number;
  diverged?: boolean;
  /** Per draw: L_n − L_n(w*) and its control-set counterpart. Only in the documents of a sweep's shards, which the
   *  client merges (their estimates need them); results files leave them out. */
  lossGap?: number[];
  controlLossGap?: number[];
}

export interface LevelResult {
  /** The dial's level t (temperature for sgld, σ for noise dials, checkpoint position for checkpoints). */
  level: number;
  /** ΔL(t) = E_q[L_n] − L_n(w*), on all examples. */
  lossGap: Estimate;
  /** ΔL_C(t): the same on the control set; the collateral threshold scales with it. */
  controlLossGap: Estimate;
  /** E_T(t) = E_q[M_T(I(f_w)) − M_T(f_w)], M_T oriented so that larger = more damage. */
  targetEffect: Estimate;
  /** E_C(t) = E_q[L_C(I(f_w)) − L_C(f_w)]. */
  collateralEffect: Estimate;
  /** λ̂(t) = nβ·(E_q[L_n] − L_n(w*)), sgld only. */
  llc?: Estimate;
  /** nβ used at this level (sgld only). */
  nbeta?: number;
  collateralNegligible: boolean;
  targetPersists: boolean;
  /** What the two verdict tests compared at this level: ci95 ends against τ_C·max(ΔL_C(t), δ) and ρ·E_T(0). */
  bounds?: { collateralUpper: number; collateralThreshold: number; targetLower: number; targetThreshold: number };
  chains: ChainTrace[];
  /** Set when the level stopped early (divergence); its statistics are then not used by the verdict. */
  error?: string;
  seconds: number;
}

export interface Verdict {
  /** [lower, upper] levels of the longest run where collateral is negligible and the target persists. */
  cleanWindow: [number, number] | null;
  /** Entanglement temperature: lower end of the clean window. */
  tEnt: number | null;
  /** Survival temperature: highest level where the target effect persists. */
  tSurv: number | null;
  /** Width of the clean window in decades (log10(upper/lower)); 0 when empty or one level wide. */
  cleanlinessDecades: number;
  /** One sentence; "entangled at every tested temperature" when there is no clean window. */
  summary: string;
}

export interface ResultsDocument {
  version: typeof RESULTS_VERSION;
  kind: 'circuit-thermometer/results';
  engine: { name: string; version: string };
  createdAt: string;
  status: 'complete' | 'diverged';
  hypothesis: { file: string; sha256: string; resolved: Hypothesis };
  model: { path: string; sha256: string };
  dial: DialKind;
  seed: number;
  /** Number of examples n, and the sizes of the target and control sets. */
  data: { n: number; target: number; control: number };
  /** The trained network (t = 0): L_n(w*), L_C(w*), M_T and E_T(0), E_C(0). */
  baseline: { loss: number; controlLoss: number; targetMetric: number; targetEffect: number; collateralEffect: number };
  /** Watanabe temperature log n (β* = 1/log n), marked on every sgld chart. */
  watanabeTemperature: number;
  thresholds: { collateralTolerance: number; persistence: number; noiseFloor: number };
  levels: LevelResult[];
  verdict: Verdict;
  timings: { totalSeconds: number; setupSeconds: number; stepsPerSecond?: number };
}
