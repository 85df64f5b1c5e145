// Results documents for the chart, table and view tests. Their numbers are arbitrary but internally consistent; the
// tests derive every expectation from the document, never from constants.
//
// sampleDocument(): version 2, an sgld sweep of five levels with four chains and eight matched random control sets,
// judged here by the rules of docs/method.md (the null, the excess and its bound, the two-sided collateral
// interval, convergence): t = 0.1 fails collateral, t = 1 and 10 are clean (the window, t_ent = 1, t_surv = 10),
// t = 100 is specific but its excess no longer persists, t = 1000 did not converge (R̂ 1.09, 40 ESS per chain) and
// so holds no other test.
// sampleDocumentV1(): the same sweep as a version-1 file: no controls, no null, two booleans per level.
import type { Estimate, LevelResult, ResultsDocument, TestName } from '../../src/protocol/results';
import type { Hypothesis } from '../../src/protocol/hypothesis';

const est = (mean: number, se: number, n = 400): Estimate => ({ mean, se, n });

/** Chains per level, matched control sets, levels in the grid, α. */
export const SAMPLE = { chains: 4, controls: 8, levels: 5, alpha: 0.05 } as const;
/** t_{1 − α/L, K − 1} = t_{0.99, 7}: the excess's one-sided quantile (Bonferroni over the 5 levels). */
export const Q_EXCESS = 2.9979515668683234;
/** t_{0.975, 3}: the 95% bands with 3 degrees of freedom (4 chains). */
export const T95_DOF3 = 3.1824463052844294;
/** t_{0.95, 3}: the collateral's 1 − 2α interval (two one-sided tests at α = 0.05). */
export const T90_DOF3 = 2.3533634348013948;

const TEMPS = [0.1, 1, 10, 100, 1000];
const TARGET = [0.8, 0.65, 0.52, 0.45, 0.3];
const TARGET_SE = [0.02, 0.03, 0.04, 0.05, 0.09];
const COLLATERAL = [0.05, 0.0004, 0.0008, 0.0012, 0.002];
const COLLATERAL_SE = [0.002, 0.0003, 0.0004, 0.0005, 0.003];
/** The null's mean m_T(t); control k sits at m_T + SPREAD[k]·(1 + 0.3·i). */
const NULL_MEAN = [0.09, 0.11, 0.14, 0.2, 0.26];
const SPREAD = [-0.035, -0.025, -0.015, -0.005, 0.005, 0.015, 0.025, 0.035];
const thresholds = { collateralTolerance: 0.1, persistence: 0.25, noiseFloor: 0.01, alpha: SAMPLE.alpha, sufficiencyTolerance: 0.1, rhat: 1.01, essPerChain: 100 };

/** An estimate over 4 chains as the engine writes it: 3 degrees of freedom and the Student-t 95% interval. */
const chainEst = (mean: number, se: number): Estimate => ({ mean, se, n: 400, dof: SAMPLE.chains - 1, ci95: [mean - T95_DOF3 * se, mean + T95_DOF3 * se] });

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
}

const baselineControls = SPREAD.map((s) => 0.08 + s);
const baselineNull = meanSd(baselineControls);
/** X_T(0) and its bound: the circuit is specific at the trained network. */
const baselineExcess = (() => {
  const mean = 0.8 - baselineNull.mean;
  const bound = mean - Q_EXCESS * baselineNull.sd * Math.sqrt(1 + 1 / SAMPLE.controls);
  return { mean, bound, specific: bound > 0 };
})();

function v2Level(t: number, i: number): LevelResult {
  const k = SAMPLE.controls;
  const lossGap = chainEst(0.01 * (i + 1) ** 2, 0.001 * (i + 1));
  const controlLossGap = chainEst(0.012 * (i + 1) ** 2, 0.0012 * (i + 1));
  const targetLossGap = chainEst(0.011 * (i + 1) ** 2, 0.0011 * (i + 1));
  const targetEffect = chainEst(TARGET[i], TARGET_SE[i]);
  const collateralEffect = chainEst(COLLATERAL[i], COLLATERAL_SE[i]);
  const drifting = t === 1000;
  const controls = SPREAD.map((s, c) => ({
    targetEffect: chainEst(NULL_MEAN[i] + s * (1 + 0.3 * i), 0.02),
    collateralEffect: chainEst(0.0005 * (c % 3), 0.0004),
    rhat: drifting ? 1.07 : 1.003,
    essBulk: drifting ? 190 : 1600,
  }));
  const convergence = drifting
    ? { rhat: { loss: 1.06, targetEffect: 1.09, collateralEffect: 1.03 }, essBulk: { loss: 300, targetEffect: 160, collateralEffect: 400 }, essPerChain: 40 }
    : { rhat: { loss: 1.003, targetEffect: 1.004, collateralEffect: 1.002 }, essBulk: { loss: 1800, targetEffect: 1500, collateralEffect: 1700 }, essPerChain: 375 };

  const { mean, sd } = meanSd(controls.map((c) => c.targetEffect.mean));
  const spread = Q_EXCESS * sd * Math.sqrt(1 + 1 / k);
  const nullStats = { mean, sd, band: [mean - spread, mean + spread] as [number, number] };
  const x = targetEffect.mean - mean;
  const seX = Math.sqrt(targetEffect.se ** 2 + sd ** 2 * (1 + 1 / k));
  const excess = { mean: x, se: seX, bound: x - Q_EXCESS * seX, quantile: Q_EXCESS, threshold: thresholds.persistence * baselineExcess.mean };
  const collateralThreshold = thresholds.collateralTolerance * Math.max(controlLossGap.mean, thresholds.noiseFloor);
  const collateral: [number, number] = [collateralEffect.mean - T90_DOF3 * collateralEffect.se, collateralEffect.mean + T90_DOF3 * collateralEffect.se];

  const converged = Object.values(convergence.rhat).every((r) => r <= thresholds.rhat) && Object.values(convergence.essBulk).every((e) => e >= thresholds.essPerChain * SAMPLE.chains);
  // An unconverged level holds no other test (its null and excess are still recorded).
  const specific = excess.bound > 0;
  const persists = converged && specific && baselineExcess.specific && excess.bound >= excess.threshold;
  const negligible = converged && collateral[0] > -collateralThreshold && collateral[1] < collateralThreshold;
  const failed: TestName[] = [];
  if (!converged) failed.push('converged');
  if (converged && !specific) failed.push('specific');
  if (converged && specific && !persists) failed.push('persists');
  if (converged && !negligible) failed.push('collateral');
  return {
    level: t,
    lossGap,
    controlLossGap,
    targetLossGap,
    targetEffect,
    collateralEffect,
    llc: chainEst(3 + i, 0.2),
    nbeta: 200 / t,
    controls,
    null: nullStats,
    excess,
    convergence,
    tests: converged ? { converged, specific, persists, collateral: negligible } : { converged, specific: null, persists: null, collateral: null },
    failed,
    clean: converged && persists && negligible,
    collateralNegligible: negligible,
    targetPersists: persists,
    bounds: { collateralLower: collateral[0], collateralUpper: collateral[1], collateralThreshold, targetLower: excess.bound, targetThreshold: excess.threshold },
    chains: [],
    seconds: 0.5,
  };
}

const resolved = (): Hypothesis => ({ circuit: { name: 'planted <circuit> & co', components: [] } }) as unknown as Hypothesis;

function common(): Omit<ResultsDocument, 'version' | 'levels' | 'verdict' | 'baseline' | 'thresholds'> {
  return {
    kind: 'circuit-thermometer/results',
    engine: { name: 'circuit-thermometer', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    status: 'complete',
    hypothesis: { file: '/tmp/x.circuit.yaml', sha256: '0'.repeat(64), resolved: resolved() },
    model: { path: '/tmp/x.onnx', sha256: 'f'.repeat(64) },
    dial: 'sgld',
    seed: 0,
    data: { n: 200, target: 100, control: 100 },
    watanabeTemperature: Math.log(200),
    timings: { totalSeconds: 2, setupSeconds: 0.1 },
  };
}

export function sampleDocument(overrides: Partial<ResultsDocument> = {}): ResultsDocument {
  const levels = TEMPS.map(v2Level);
  return {
    version: 2,
    ...common(),
    baseline: { loss: 0.1, controlLoss: 0.1, targetLoss: 0.1, targetMetric: 0.1, targetEffect: 0.8, collateralEffect: 0.05, controlTargetEffect: baselineControls, controlCollateralEffect: SPREAD.map(() => 0.0005) },
    controls: { count: SAMPLE.controls, match: 'size', sets: SPREAD.map((_, k) => [{ tensor: '/mlp/act', axis: -1, units: [k, k + 8] }]) },
    thresholds,
    levels,
    verdict: {
      cleanWindow: [1, 10],
      tEnt: 1,
      tSurv: 10,
      cleanlinessDecades: 1,
      summary: 'clean from t = 1 to 10 (1.00 decades): entanglement temperature t_ent = 1, target survives to t_surv = 10; inconclusive at t = 1000 (not converged)',
      question: 'necessity',
      inconclusive: [1000],
      advice: [
        'bulk ESS is 40 per chain (< 100): the chains are short against their autocorrelation time (which is also why split-R̂ reaches 1.09); thin: auto keeps one draw per autocorrelation time measured by a pilot chain, or draw more (sgld.draws), thin more (sgld.thin) or add chains (sgld.chains)',
      ],
      baselineExcess,
      calibration: { clean: 0, of: SAMPLE.controls, rate: 0, alpha: SAMPLE.alpha, summary: `0 of ${SAMPLE.controls} matched random sets would be called clean` },
    },
    ...overrides,
  };
}

/** A calibration that fails: too many random sets would be called clean. */
export function failedCalibration(): NonNullable<ResultsDocument['verdict']['calibration']> {
  const k = SAMPLE.controls;
  return {
    clean: 3, of: k, rate: 3 / k, alpha: SAMPLE.alpha,
    summary: `3 of ${k} matched random sets would be called clean`,
    warning: `3 of ${k} matched random sets would be called clean (rate ${(3 / k).toFixed(2)} > α = ${SAMPLE.alpha}): these settings cannot tell circuits from random units`,
  };
}

/** The version-1 file of a sweep over four levels: no controls, no null; the two booleans of version 1. */
export function sampleDocumentV1(overrides: Partial<ResultsDocument> = {}): ResultsDocument {
  const levels: LevelResult[] = TEMPS.slice(0, 4).map((t, i) => ({
    level: t,
    lossGap: est(0.01 * (i + 1) ** 2, 0.001 * (i + 1)),
    controlLossGap: est(0.012 * (i + 1) ** 2, 0.0012 * (i + 1)),
    targetEffect: est(0.8 - 0.15 * i, 0.02 + 0.01 * i),
    collateralEffect: est(i === 0 ? 0.05 : 0.001 * i, 0.002),
    llc: est(3 + i, 0.2),
    nbeta: 200 / t,
    collateralNegligible: i > 0,
    targetPersists: i < 3,
    chains: [],
    seconds: 0.5,
  }));
  return {
    version: 1,
    ...common(),
    baseline: { loss: 0.1, controlLoss: 0.1, targetMetric: 0.1, targetEffect: 0.8, collateralEffect: 0.05 },
    thresholds: { collateralTolerance: 0.1, persistence: 0.25, noiseFloor: 0.01 },
    levels,
    verdict: { cleanWindow: [1, 10], tEnt: 1, tSurv: 10, cleanlinessDecades: 1, summary: 'clean from t = 1 to 10 (1 decade)' },
    ...overrides,
  };
}
