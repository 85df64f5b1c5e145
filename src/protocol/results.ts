// The results document of a sweep: written by the engine, read by the CLI, the extension and the webview.
// Every number means exactly what docs/method.md defines. Bump RESULTS_VERSION on any breaking change.
// Version 2 adds the matched random controls, the null, the circuit's excess, convergence diagnostics, two-sided
// collateral, the sufficiency verdict and the calibration; readers still open version 1 files ("no null").
// Version 3 (method v3): controls disjoint from the circuit (exact when few), the rank test at w*, persistence as a
// 1 − α/L lower bound, the behaviour-present guard, three collateral statistics at α/L, row sampling error, the
// null's convergence and a Clopper–Pearson calibration. Version 1 and 2 files still open, as they were judged.
// Version 4: the same numbers; `hypothesis.resolved.degradation` is tagged by its dial (its levels under `levels` and
// `scale`, only the dial's own settings). Readers convert a version 1–3 file's degradation on read (`currentResults`).
import { isObject } from './guards';
import { type CircuitComponent, type CollateralStatistic, type DialKind, type Hypothesis, hypothesisFromV3 } from './hypothesis';

export const RESULTS_VERSION = 4;
/** Versions this build can read. */
export const READABLE_RESULTS_VERSIONS: readonly number[] = [1, 2, 3, 4];

/**
 * An interval a v3 test compares (docs/method.md, "The tests"): the mean, its standard error split into what the
 * draws, the controls (a sampled null; 0 for an exact one) and the evaluation rows contribute (se² is their sum),
 * and the 1 − 2α/L interval mean ± t_{1−α/L, dof}·se.
 */
export interface TestInterval {
  mean: number;
  se: number;
  seDraws: number;
  seControls: number;
  seRows: number;
  dof: number | null;
  lower: number;
  upper: number;
}

/** One collateral statistic's equivalence test at a level: its interval inside ±margin ⇒ negligible. */
export interface CollateralTest {
  interval: TestInterval;
  margin: number;
  /** null: not tested (no margin, no null, or the level holds no test). */
  negligible: boolean | null;
}

/**
 * Per-draw paired series summarised at a level: the excesses X_T(w) = E_T^0(w) − mean_k E_T^k(w) and X_C(w) (paired
 * on the draw, so the draws' common noise cancels), the ratio Ē_C/Ē_T (its se by the delta method on the series
 * E_C(w) − r·E_T(w)), s_C(t) and s_T(t) = the sd over all draws of the control and target loss, and the mean row
 * standard errors.
 */
export interface PairedStatistics {
  targetExcess: Estimate;
  collateralExcess: Estimate;
  collateralRatio: Estimate | null;
  controlLossSpread: number;
  /** s_T(t) = the sd over all draws of the target loss (absent before it was recorded). */
  targetLossSpread?: number;
  rowSe: [number, number, number, number];
}

/** The version-3 tests at one level (docs/method.md). */
export interface LevelTestsV3 {
  /** Rank of the circuit among the controls at this level (reported, not used): p = (1 + #{k: Ē_T^k ≥ Ē_T^0})/(K + 1). */
  rank: { p: number; percentile: number } | null;
  /** The target behaviour: L_T(t) against limit = L_const − b·(L_const − L_T(w*)); present iff L_T(t) ≤ limit. The
   *  control task's, the same on the control rows: where it is gone, no collateral can be called negligible. */
  behaviour: { targetLoss: number; limit: number; present: boolean; control?: { loss: number; limit: number; present: boolean } } | null;
  /** X_T(t) = Ē_T^0 − mean_k Ē_T^k with its interval; persists iff lower ≥ threshold = ρ·X_T(0). */
  targetExcess: TestInterval | null;
  persistenceThreshold: number | null;
  /** The three collateral statistics: noise (E_C within ±s_C(t)), null (X_C within ±the null's sd), ratio. */
  collateral: { noise: CollateralTest | null; null: CollateralTest | null; ratio: CollateralTest | null };
  /** Which of them decided `tests.collateral`. */
  statistic: CollateralStatistic;
  /** s_C(t): the sd over draws of the degraded network's control loss. */
  controlLossSpread: number;
  /** The null's spread: sd over controls of Ē_T^k and Ē_C^k. */
  nullSpread: { target: number; collateral: number } | null;
  /** Mean over draws of the row standard errors [E_T, E_C, X_T, X_C]. */
  rowSe: [number, number, number, number];
  /** The Bonferroni quantile t_{1−α/L, dof} of the excess interval. */
  quantile: number;
}

/**
 * The seeded subset of rows every draw was evaluated on (hypothesis `evaluation.rows`), when smaller than the data.
 * `rowSe`: at the trained network, the standard error of E_T and E_C from evaluating these rows rather than all of
 * them (sd over rows / √m · √(1 − m/N), per set). The levels' standard errors leave it out: every draw uses the
 * same rows, so it shifts every level alike (docs/method.md, "Evaluation rows").
 */
export interface EvaluationSubset {
  rows: number;
  target: number;
  control: number;
  rowSe: { targetEffect: number; collateralEffect: number };
}

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
  /** MALA acceptance-probability estimate averaged over the chain (sgld; with sampler: hmc, the mean Metropolis acceptance of its trajectories). */
  acceptance?: number;
  /** ‖w − w*‖ at every kept draw (sgld only): how far the chain wandered from the trained weights. */
  distance?: number[];
  diverged?: boolean;
  /** sgld `draws: auto`: the chain's own bulk ESS (the least over the series the convergence test reads) when it
   *  stopped, the ESS it drew towards (its aim: 1.25 × verdict.essPerChain, at least 250), and whether it stopped at the cap short of it (null: the ESS could not be
   *  read). */
  drawsAuto?: { ess: number | null; target: number; capped: boolean };
  /** Per draw: L_n − L_n(w*) and its control-set counterpart. Only in the documents of a sweep's shards, which the
   *  client merges (their estimates need them); results files leave them out. */
  lossGap?: number[];
  controlLossGap?: number[];
  /** Shard documents only, like the gaps: per draw, L_T − L_T(w*), and E_T^k, E_C^k of every control set. */
  targetLossGap?: number[];
  controlTargetEffect?: number[][];
  controlCollateralEffect?: number[][];
}

/** One matched control set's estimates at a level, with its convergence (sgld). */
export interface ControlLevel {
  targetEffect: Estimate;
  collateralEffect: Estimate;
  /** Largest split-R̂ of its E_T^k, E_C^k (null: not a Markov chain, or constant). */
  rhat: number | null;
  /** Smallest bulk ESS of its E_T^k, E_C^k (null as for rhat). */
  essBulk: number | null;
  /** Version 3: its paired excess over the other K − 1 controls, per draw (what its calibration is judged on). */
  targetExcess?: Estimate;
  collateralExcess?: Estimate;
}

/** Rank-normalized split-R̂ and bulk ESS of one level's L_n, E_T and E_C (sgld; null for a constant series). */
export interface Convergence {
  rhat: { loss: number | null; targetEffect: number | null; collateralEffect: number | null; nullTargetEffect?: number | null; nullCollateralEffect?: number | null };
  essBulk: { loss: number | null; targetEffect: number | null; collateralEffect: number | null; nullTargetEffect?: number | null; nullCollateralEffect?: number | null };
  /** Bulk ESS per chain of the worst of the three. */
  essPerChain: number | null;
}

/** A verdict test's outcome at a level. */
export type TestName = 'diverged' | 'converged' | 'behaviour' | 'specific' | 'persists' | 'collateral' | 'sufficient';

export interface LevelResult {
  /** The dial's level t (temperature for sgld, σ for noise dials, checkpoint position for checkpoints). */
  level: number;
  /** ΔL(t) = E_q[L_n] − L_n(w*), on all examples. */
  lossGap: Estimate;
  /** ΔL_C(t): the same on the control set; the collateral threshold scales with it. */
  controlLossGap: Estimate;
  /** ΔL_T(t): the same on the target set; the sufficiency threshold scales with it. */
  targetLossGap?: Estimate;
  /** E_T(t) = E_q[M_T(I(f_w)) − M_T(f_w)], M_T oriented so that larger = more damage. */
  targetEffect: Estimate;
  /** E_C(t) = E_q[L_C(I(f_w)) − L_C(f_w)]. */
  collateralEffect: Estimate;
  /** λ̂(t) = nβ·(E_q[L_n] − L_n(w*)), sgld only. */
  llc?: Estimate;
  /** nβ used at this level (sgld only). */
  nbeta?: number;
  /** The SGLD step size ε of this level's chains (sgld only; calibrated per level with `stepSize: auto`). */
  stepSize?: number;
  /** The burn-in (steps per chain) of this level's chains (sgld only; calibrated per level with `burnIn: auto`). */
  burnIn?: number;
  /** Steps between kept draws of this level's chains (sgld only; chosen per level with `thin: auto`). */
  thin?: number;
  /** sampler: hmc: the mean trajectory time T of this level's chains (frozen after its warm-up). */
  trajectory?: number;
  /** sampler: hmc: the mean leapfrog steps per iteration of this level's chains at their frozen ε and T: L̄ = ⌈T/ε⌉
   *  (less where the cap of 1,024 steps cuts the jittered length); each step is one full-data gradient. */
  leapfrog?: number;
  /** What `stepSize: auto` / `burnIn: auto` cost at this level: step-graph passes of the pilot chains (a pass is one
   *  forward and backward on a minibatch, like a step; with sampler: hmc, its full-data gradients count one each too,
   *  and `gradients` says how many of the passes they were) and their seconds (included in `seconds`). */
  calibration?: { passes: number; seconds: number; gradients?: number };
  /** The chains' mean MALA acceptance (sgld; with sampler: hmc, their mean Metropolis acceptance). */
  acceptance?: number;
  /** E_T^k, E_C^k of each matched control set k = 1…K (index k − 1). */
  controls?: ControlLevel[];
  /** The null: mean and sd over controls of Ē_T^k, and the band m_T ± q·s_T·√(1 + 1/K) a new random set falls in. */
  null?: { mean: number; sd: number; band: [number, number] };
  /** The circuit's excess X_T = Ē_T − m_T, se_X = √(se² + s_T²(1 + 1/K)), its one-sided bound X_T − q·se_X
   *  (X_T + q·se_X for sufficiency), q = t_{1−α/L, K−1}, and the persistence threshold ρ·X_T(0). */
  excess?: { mean: number; se: number; bound: number; quantile: number; threshold: number };
  convergence?: Convergence;
  /** Version 3: every number the level's tests used. */
  v3?: LevelTestsV3;
  /** Version 3: per-draw paired statistics of the level (what the tests' intervals are built from). */
  paired?: PairedStatistics;
  /** Each test at this level (null: not applicable, e.g. convergence of independent draws, specificity without a null). */
  tests?: Partial<Record<Exclude<TestName, 'diverged'>, boolean | null>>;
  /** The tests that failed, in order (empty on a clean level). */
  failed?: TestName[];
  /** converged ∧ persists ∧ collateral negligible (converged ∧ sufficient for scope: complement). */
  clean?: boolean;
  collateralNegligible: boolean;
  /** The circuit's excess over the null persists (version 1: the raw target effect persisted). */
  targetPersists: boolean;
  /** What the tests compared: the collateral's 1 − 2α interval against ±τ_C·max(ΔL_C(t), δ), and the excess's bound
   *  against ρ·X_T(0) (version 1: E_T's lower 95% end against ρ·E_T(0)). */
  bounds?: {
    collateralUpper: number; collateralThreshold: number; targetLower: number; targetThreshold: number;
    collateralLower?: number;
    /** scope: complement: E_T's 1 − 2α interval against ±τ_T·max(ΔL_T(t), δ). */
    targetInterval?: [number, number]; sufficiencyThreshold?: number;
  };
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
  /** necessity (scope: circuit) or sufficiency (scope: complement; the window is a sufficient window). */
  question?: 'necessity' | 'sufficiency';
  /** Levels whose chains did not converge (they hold no test and break windows). */
  inconclusive?: number[];
  /** Levels that diverged (no statistics; they break windows). */
  diverged?: number[];
  /** Present when fewer levels than `needed` ran without diverging: no window, no t_surv, the verdict inconclusive. */
  tooFewLevels?: { usable: number; needed: number };
  /** What to change when levels are inconclusive. */
  advice?: string[];
  /** X_T(0) at the trained network, its bound, and whether the circuit is specific there at all. */
  baselineExcess?: { mean: number; bound: number; specific: boolean } | null;
  /** The verdict applied to each control set against the other K − 1: the measured false-positive rate. */
  calibration?: Calibration | null;
  /** Version 3: the rank test at w* (the only specificity test). */
  specificity?: Specificity | null;
  /** Version 3: a clean window that is only a zero-crossing of E_C (flagged, not reported as decoupling). */
  zeroCrossing?: { lower: number; upper: number } | null;
  /** Version 3: no tested level where the degraded network still does the target task. */
  noBehaviour?: boolean;
  /** Version 3: the settings that made every number: α, L, K, N, exact, ρ, b, the collateral statistic. */
  method?: MethodSettings;
  /** Version 3: swap-one-component nulls (circuits of several components). */
  components?: ComponentResult[];
  /** With `verdict.referenceLoss`: the level whose ΔL(t) equals the gap to the better model (absent in files made
   *  without it, and in files older than it). */
  characteristic?: CharacteristicTemperature;
}

/**
 * The characteristic temperature (docs/method.md): the level t_c where ΔL(t_c) = g, g = L_n(w*) − referenceLoss,
 * interpolated between the two grid levels around the first crossing (in log t on a log grid, else linearly), and
 * the same for the ends of ΔL's 95% band. Outside the swept range it is not extrapolated: `position` says which side.
 */
export interface CharacteristicTemperature {
  referenceLoss: number;
  /** L_n(w*) of the studied network (on the evaluated rows). */
  loss: number;
  /** g = loss − referenceLoss. */
  gap: number;
  /** In the order of more degradation (rising t; falling checkpoint position): within: ΔL reaches g between two
   *  levels (or at one); less-degraded: ΔL ≥ g already at the least degraded level, so t_c lies outside the swept
   *  range on that side; more-degraded: ΔL < g even at the most degraded level; no-gap: g ≤ 0 (the reference is no
   *  better); no-levels: no level ran without diverging. */
  position: 'within' | 'less-degraded' | 'more-degraded' | 'no-gap' | 'no-levels';
  /** t_c (null unless within). */
  level: number | null;
  /** The two levels t_c lies between (equal when ΔL meets g at a level). */
  bracket: [number, number] | null;
  /** t_c from the ends of ΔL's 95% band: where its upper end reaches g (lower t) and its lower end does (higher t);
   *  null for an end outside the swept range. */
  band: [number | null, number | null];
  /** Every level where ΔL − g changes sign (ΔL need not be monotone: t_c is the first). */
  crossings: number[];
  interpolation: 'log' | 'linear';
  summary: string;
}

export interface MethodSettings {
  version: 3;
  alpha: number;
  levels: number;
  controls: number;
  /** N, the number of distinct disjoint control sets (null: beyond doubles). */
  distinct: number | null;
  exact: boolean;
  persistence: number;
  behaviour: number;
  collateral: CollateralStatistic;
  collateralTolerance: number;
}

/** The exact rank test at w*: p = (1 + #{k: E_T^k(w*) ≥ E_T^0(w*)})/(K + 1), specific iff p ≤ α. */
export interface Specificity {
  p: number;
  alpha: number;
  specific: boolean;
  /** Controls whose effect is at least the circuit's, of K. */
  atLeast: number;
  of: number;
  /** Fraction of controls strictly below the circuit. */
  percentile: number;
  /** E_T^0(w*) − median_k E_T^k(w*). */
  excessOverMedian: number;
  /** The smallest excess over the median this null could have called specific (null: it cannot reject). */
  detectableExcess: number | null;
}

/** One component swapped for random units, the rest of the circuit kept: its rank and excess at w*. */
export interface ComponentResult {
  index: number;
  tensor: string;
  units: number[];
  /** Rank p of the full circuit against the swapped sets (small: this component is essential), target and collateral. */
  target: { p: number; excess: number };
  collateral: { p: number; excess: number };
  swaps: number;
}

export interface Calibration {
  /** Control sets that would be called clean (a non-empty window). */
  clean: number;
  of: number;
  rate: number;
  alpha: number;
  /** "k of K matched random sets would be called clean". */
  summary: string;
  /** Set when the rate is significantly above α (v3: the Clopper–Pearson lower bound exceeds α). */
  warning?: string;
  /** Version 3: the two-sided 95% Clopper–Pearson interval of the rate. */
  lower?: number;
  upper?: number;
}

/** What every document a run writes (a sweep's results, a scan's map) says of how it was made. */
export interface RunProvenance {
  engine: { name: string; version: string };
  createdAt: string;
  status: 'complete' | 'diverged';
  hypothesis: { file: string; sha256: string; resolved: Hypothesis };
  model: { path: string; sha256: string };
  dial: DialKind;
  seed: number;
  /** Number of examples n, and the sizes of the target and control sets. */
  data: { n: number; target: number; control: number; evaluation?: EvaluationSubset };
}

export interface ResultsDocument extends RunProvenance {
  version: 1 | 2 | 3 | 4;
  kind: 'circuit-thermometer/results';
  /** The weights the dial sampled: tensors and d, their total size (the LLC's d); `restricted` when
   *  `degradation.parameters` left some weights out. */
  weights?: { tensors: number; d: number; restricted: boolean };
  /** The trained network (t = 0): L_n(w*), L_C(w*), M_T and E_T(0), E_C(0). */
  baseline: Baseline;
  /** The matched random control sets (version 2; absent or count 0: no null). */
  controls?: {
    count: number; match: 'size' | 'salience'; sets: CircuitComponent[][];
    /** Version 3: N distinct disjoint sets (null: beyond doubles), whether all were used, the enumeration limit. */
    distinct?: number | null; exact?: boolean; enumerate?: number;
  };
  /** Watanabe temperature log n (β* = 1/log n), marked on every sgld chart. */
  watanabeTemperature: number;
  thresholds: {
    collateralTolerance: number; persistence: number; noiseFloor: number; alpha?: number; sufficiencyTolerance?: number; rhat?: number; essPerChain?: number;
    collateral?: CollateralStatistic; behaviour?: number;
  };
  levels: LevelResult[];
  verdict: Verdict;
  /** `workers`: the worker processes the units were dealt over (a later run's cost estimate scales by it). */
  timings: { totalSeconds: number; setupSeconds: number; stepsPerSecond?: number; workers?: number };
}

/** The trained network (t = 0): losses and every unit set's effects at w*. */
export interface Baseline {
  loss: number;
  controlLoss: number;
  targetLoss?: number;
  targetMetric: number;
  targetEffect: number;
  collateralEffect: number;
  /** E_T^k(w*), E_C^k(w*) of the control sets (version 2). */
  controlTargetEffect?: number[];
  controlCollateralEffect?: number[];
  /** Version 3: row standard errors at w* of E_T, E_C and the excesses X_T, X_C. */
  rowSe?: { targetEffect: number; collateralEffect: number; targetExcess: number; collateralExcess: number };
  /** Version 3: the best constant predictor's loss on the evaluated target rows (the behaviour guard's reference). */
  constantTargetLoss?: number;
  /** Version 3: the same on the control rows (the control task's guard: collateral is only negligible while it lives). */
  constantControlLoss?: number;
  /** Version 3: per component, E_T and E_C at w* of the circuit with that component swapped for each control's units. */
  componentSwaps?: { index: number; tensor: string; units: number[]; targetEffect: number[]; collateralEffect: number[] }[];
}

/** A read document as this build holds it: a version 1–3 file's resolved hypothesis with its degradation tagged (the
 *  version stays the file's: it says how the numbers were judged). Call it on what `resultsProblem` accepted. */
export function currentResults<T extends Pick<ResultsDocument, 'version' | 'hypothesis'>>(doc: T): T {
  if (doc.version >= 4) return doc;
  return { ...doc, hypothesis: { ...doc.hypothesis, resolved: hypothesisFromV3(doc.hypothesis.resolved) } };
}

/** Whether parsed JSON is a results document this version can show (any of READABLE_RESULTS_VERSIONS). */
export function isResultsDocument(x: unknown): x is ResultsDocument {
  return resultsProblem(x) === null;
}

// ---------------------------------------------------------------------------------------------------------------
// The shape every reader relies on, checked field by field: a damaged or hand-edited file is refused with the path
// of its first bad field, never shown half and never a TypeError in a view. Numbers may be null (JSON writes NaN and
// ±Infinity as null); the views print null as "—".

type Shape = (v: unknown) => boolean | string;

const num: Shape = (v) => v === null || typeof v === 'number';
const str: Shape = (v) => typeof v === 'string';
const bool: Shape = (v) => typeof v === 'boolean';
const nullable = (inner: Shape): Shape => (v) => (v === null ? true : inner(v));
const arrayOf = (inner: Shape, max = 1e7): Shape => (v) => {
  if (!Array.isArray(v) || v.length > max) return false;
  for (let i = 0; i < v.length; i++) {
    const r = inner(v[i]);
    if (r !== true) return `[${i}]${typeof r === 'string' ? r : ''}`;
  }
  return true;
};
const pair: Shape = (v) => Array.isArray(v) && v.length === 2 && num(v[0]) === true && num(v[1]) === true;
function record(required: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape {
  return (v) => {
    if (!isObject(v)) return false;
    for (const [k, shape] of Object.entries(required)) {
      const r = shape((v as Record<string, unknown>)[k]);
      if (r !== true) return `.${k}${typeof r === 'string' ? r : ''}`;
    }
    for (const [k, shape] of Object.entries(optional)) {
      const value = (v as Record<string, unknown>)[k];
      if (value === undefined) continue;
      const r = shape(value);
      if (r !== true) return `.${k}${typeof r === 'string' ? r : ''}`;
    }
    return true;
  };
}

const estimate = record({ mean: num, se: num }, { n: num, dof: num, ci95: pair });
const nums = arrayOf(num);
const levelShape = record(
  { level: num, lossGap: estimate, controlLossGap: estimate, targetEffect: estimate, collateralEffect: estimate, chains: arrayOf(record({}, { loss: nums, targetEffect: nums, collateralEffect: nums, diverged: bool })) },
  {
    targetLossGap: estimate, llc: estimate, nbeta: num, stepSize: num, trajectory: num, leapfrog: num, seconds: num,
    controls: arrayOf(record({ targetEffect: estimate, collateralEffect: estimate }, { rhat: num, essBulk: num })),
    null: record({ mean: num, sd: num }, { band: pair }),
    excess: record({ mean: num, se: num, bound: num }, { quantile: num, threshold: num }),
    convergence: record({ rhat: record({}, { loss: num, targetEffect: num, collateralEffect: num }), essBulk: record({}, { loss: num, targetEffect: num, collateralEffect: num }) }, { essPerChain: num }),
    tests: record({}, Object.fromEntries(['converged', 'behaviour', 'specific', 'persists', 'collateral', 'sufficient'].map((k) => [k, nullable(bool)]))),
    v3: record({ controlLossSpread: num, statistic: str, collateral: record({}) }),
    failed: arrayOf(str), clean: bool, collateralNegligible: bool, targetPersists: bool, error: str,
    bounds: record({}, { collateralUpper: num, collateralThreshold: num, targetLower: num, targetThreshold: num, collateralLower: num, targetInterval: pair, sufficiencyThreshold: num }),
  },
);
const verdictShape = record(
  { cleanWindow: nullable(pair), tEnt: num, tSurv: num, cleanlinessDecades: num, summary: str },
  {
    question: str, inconclusive: nums, diverged: nums, advice: arrayOf(str),
    baselineExcess: nullable(record({ mean: num, bound: num, specific: bool })),
    calibration: nullable(record({ clean: num, of: num, rate: num, alpha: num, summary: str }, { warning: str })),
    tooFewLevels: record({ usable: num, needed: num }),
    specificity: nullable(record({ p: num, alpha: num, specific: bool, atLeast: num, of: num, percentile: num, excessOverMedian: num })),
    zeroCrossing: nullable(record({ lower: num, upper: num })),
    noBehaviour: bool,
    method: record({ alpha: num, levels: num, controls: num, exact: bool }),
    components: arrayOf(record({ index: num, tensor: str, target: record({ p: num, excess: num }), collateral: record({ p: num, excess: num }) })),
    characteristic: record({ referenceLoss: num, loss: num, gap: num, position: str, level: num, band: arrayOf(num, 2), crossings: nums, summary: str }, { bracket: nullable(pair) }),
  },
);
const documentShape = record(
  {
    kind: (v) => v === 'circuit-thermometer/results',
    version: (v) => typeof v === 'number' && READABLE_RESULTS_VERSIONS.includes(v),
    dial: str,
    hypothesis: record({ file: str, resolved: record({ circuit: record({ name: str }) }) }, { sha256: str }),
    levels: arrayOf(levelShape, 100_000),
    verdict: verdictShape,
    thresholds: record({ collateralTolerance: num, persistence: num, noiseFloor: num }, { alpha: num, sufficiencyTolerance: num, rhat: num, essPerChain: num }),
    engine: record({ name: str, version: str }), createdAt: str, status: str, seed: num, watanabeTemperature: num,
    model: record({ path: str, sha256: str }),
    baseline: record({ loss: num, controlLoss: num, targetMetric: num, targetEffect: num, collateralEffect: num }, { targetLoss: num, controlTargetEffect: nums, controlCollateralEffect: nums }),
  },
  {
    data: record({}, { n: num, target: num, control: num }),
    controls: record({ count: num, match: str }, { sets: (v) => Array.isArray(v) }),
    timings: record({}, { totalSeconds: num, setupSeconds: num, stepsPerSecond: num, workers: num }),
  },
);

/** The first bad field of a level or a verdict (as `resultsProblem` checks them in a results document), or null:
 *  a two-dial grid's rows are checked with the same shapes (src/protocol/grid.ts). */
export function levelProblem(x: unknown): string | null {
  const r = levelShape(x);
  return r === true ? null : r === false ? '' : r;
}
export function verdictProblem(x: unknown): string | null {
  const r = verdictShape(x);
  return r === true ? null : r === false ? '' : r;
}

/** Null when `x` has the results document's shape; else the path of the first field that does not (`.levels[3].targetEffect.mean`). */
export function resultsProblem(x: unknown): string | null {
  const r = documentShape(x);
  return r === true ? null : r === false ? '(the top level)' : r;
}
