/**
 * A scan's statistics and verdicts (docs/method.md, "The entanglement map"): every scanned unit is a one-unit circuit
 * whose null is the other units of its component (all of them: an exact null of N = m − 1 sets). Per level and unit,
 * the same estimates a sweep's level has (E_T, E_C, the paired excesses over the null's per-draw mean, the ratio, the
 * row standard errors, the convergence of its own series and its null's means), then the version-3 judgement of
 * verdict.ts — rank test at w*, behaviour, persistence at 1 − α/L, collateral at α/L — unit by unit. The
 * calibration (each control against the others) is left out: in a scan every unit is already judged against the
 * others, and that is the map.
 */
import type { Hypothesis, ScanComponent } from '../../protocol/hypothesis';
import type { Baseline, ControlLevel, Estimate, LevelResult } from '../../protocol/results';
import type { ScanLevel, ScanUnitResult } from '../../protocol/scan';
import { diagnose, toEstimate, worst } from './level';
import { estimate, type EstimateOptions } from './stats';
import { judgeContext, judgeLevels } from './verdict';

/** One chain of a scan level: per draw, the shared loss gaps and every unit's effects and row standard errors. */
export interface ScanChain {
  diverged: boolean;
  lossGap: number[];
  controlLossGap: number[];
  targetLossGap: number[];
  targetEffect: Float64Array[];
  collateralEffect: Float64Array[];
  rowSe: Float64Array[][];
}

export interface ScanLevelChains {
  level: number;
  chains: ScanChain[];
  seconds: number;
  error?: string;
}

export interface ScanBaseline {
  loss: number;
  controlLoss: number;
  targetLoss: number;
  targetMetric: number;
  targetEffect: Float64Array;
  collateralEffect: Float64Array;
  constantTargetLoss?: number;
  constantControlLoss?: number;
}

export interface ScanJudgeInput {
  hypothesis: Hypothesis;
  components: readonly (ScanComponent & { units: number[] })[];
  /** The component (map row) of every unit, in unit order. */
  componentOf: Int32Array;
  baseline: ScanBaseline;
  levels: readonly ScanLevelChains[];
  how: EstimateOptions;
  chains: number;
}

const meanOf = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};

const exact = (mean: number, n: number): Estimate => ({ mean, se: 0, n, dof: null, ci95: [mean, mean] });

/** Every unit's levels, as a sweep's LevelResult with the other units of its component as controls. */
function unitLevels(input: ScanJudgeInput): LevelResult[][] {
  const { componentOf, how } = input;
  const units = componentOf.length;
  const markov = !how.independent && !how.deterministic;
  const members: number[][] = input.components.map(() => []);
  componentOf.forEach((c, j) => members[c]!.push(j));
  const out: LevelResult[][] = Array.from({ length: units }, () => []);
  for (const l of input.levels) {
    const done = l.chains.filter((c) => !c.diverged && c.targetEffect.length > 0);
    const of = (series: number[][]) => toEstimate(estimate(series, how));
    const lossGap = of(done.map((c) => c.lossGap));
    const controlLossGap = of(done.map((c) => c.controlLossGap));
    const targetLossGap = of(done.map((c) => c.targetLossGap));
    const all = done.flatMap((c) => c.controlLossGap);
    const m = all.length > 0 ? meanOf(all) : 0;
    const controlLossSpread = all.length > 1 ? Math.sqrt(all.reduce((a, v) => a + (v - m) ** 2, 0) / (all.length - 1)) : 0;
    // Per chain, per draw, per component: the sum of its units' effects (the null means follow from it).
    const sums = (pick: (c: ScanChain) => Float64Array[]) => done.map((c) => pick(c).map((d) => {
      const s = new Float64Array(members.length);
      for (let j = 0; j < d.length; j++) s[componentOf[j]!] += d[j]!;
      return s;
    }));
    const sumT = sums((c) => c.targetEffect);
    const sumC = sums((c) => c.collateralEffect);
    const loss = markov && done.length > 0 ? diagnose(done.map((c) => c.lossGap)) : null;
    const unitMeans = { target: new Float64Array(units), collateral: new Float64Array(units) };
    const perUnit: { t: Estimate; e: Estimate; xt: Estimate; xc: Estimate; ratio: Estimate | null; rowSe: [number, number, number, number]; rhat: (number | null)[]; ess: (number | null)[] }[] = [];
    for (let j = 0; j < units; j++) {
      const k = componentOf[j]!;
      const size = members[k]!.length;
      const t = done.map((c) => Array.from(c.targetEffect, (d) => d[j]!));
      const e = done.map((c) => Array.from(c.collateralEffect, (d) => d[j]!));
      const nullT = done.map((_, ci) => t[ci]!.map((v, d) => (size > 1 ? (sumT[ci]![d]![k]! - v) / (size - 1) : 0)));
      const nullC = done.map((_, ci) => e[ci]!.map((v, d) => (size > 1 ? (sumC[ci]![d]![k]! - v) / (size - 1) : 0)));
      const te = estimate(t, how);
      const ee = estimate(e, how);
      const xt = estimate(t.map((s, ci) => s.map((v, d) => v - nullT[ci]![d]!)), how);
      const xc = estimate(e.map((s, ci) => s.map((v, d) => v - nullC[ci]![d]!)), how);
      let ratio: Estimate | null = null;
      if (te.mean !== 0 && Number.isFinite(te.mean)) {
        const r = ee.mean / te.mean;
        // The delta method, as a sweep's level: r̂ − r ≈ mean(E_C − r·E_T)/Ē_T.
        const z = estimate(e.map((s, ci) => s.map((v, d) => (v - r * t[ci]![d]!) / te.mean)), how);
        ratio = toEstimate({ ...z, mean: r, ci95: [r - (z.ci95[1] - z.mean), r + (z.ci95[1] - z.mean)] });
      }
      const rows = done.flatMap((c) => c.rowSe.map((d) => d[j]!));
      const rowSe = [0, 1, 2, 3].map((i) => (rows.length > 0 ? meanOf(rows.map((r) => r[i]!)) : 0)) as [number, number, number, number];
      const diag = markov && done.length > 0 ? [diagnose(t), diagnose(e), diagnose(nullT), diagnose(nullC)] : [];
      unitMeans.target[j] = te.mean;
      unitMeans.collateral[j] = ee.mean;
      perUnit.push({ t: toEstimate(te), e: toEstimate(ee), xt: toEstimate(xt), xc: toEstimate(xc), ratio, rowSe, rhat: diag.map((d) => d.rhat), ess: diag.map((d) => d.ess) });
    }
    const n = lossGap.n;
    for (let j = 0; j < units; j++) {
      const u = perUnit[j]!;
      const controls: ControlLevel[] = members[componentOf[j]!]!.filter((o) => o !== j).map((o) => ({
        targetEffect: exact(unitMeans.target[o]!, n), collateralEffect: exact(unitMeans.collateral[o]!, n), rhat: null, essBulk: null,
      }));
      const level: LevelResult = {
        level: l.level, lossGap, controlLossGap, targetLossGap, targetEffect: u.t, collateralEffect: u.e,
        collateralNegligible: false, targetPersists: false, chains: [], seconds: l.seconds, controls,
        paired: { targetExcess: u.xt, collateralExcess: u.xc, collateralRatio: u.ratio, controlLossSpread, rowSe: u.rowSe },
      };
      if (loss) {
        const [dt, de, nt, nc] = [0, 1, 2, 3].map((i) => ({ rhat: u.rhat[i] ?? null, ess: u.ess[i] ?? null }));
        const ess = worst([loss.ess, dt!.ess, de!.ess, nt!.ess, nc!.ess], Math.min);
        level.convergence = {
          rhat: { loss: loss.rhat, targetEffect: dt!.rhat, collateralEffect: de!.rhat, nullTargetEffect: nt!.rhat, nullCollateralEffect: nc!.rhat },
          essBulk: { loss: loss.ess, targetEffect: dt!.ess, collateralEffect: de!.ess, nullTargetEffect: nt!.ess, nullCollateralEffect: nc!.ess },
          essPerChain: ess === null ? null : ess / done.length,
        };
      }
      if (l.error !== undefined) level.error = l.error;
      out[j]!.push(level);
    }
  }
  return out;
}

/** The map's shared levels and every unit's verdict. */
export function judgeScan(input: ScanJudgeInput): { levels: ScanLevel[]; units: ScanUnitResult[] } {
  const { baseline: b, componentOf } = input;
  const perUnit = unitLevels(input);
  const members: number[][] = input.components.map(() => []);
  componentOf.forEach((c, j) => members[c]!.push(j));
  const gridLevels = input.levels.length;
  let shared: LevelResult[] | undefined;
  const units: ScanUnitResult[] = [];
  for (let j = 0; j < componentOf.length; j++) {
    const k = componentOf[j]!;
    const others = members[k]!.filter((o) => o !== j);
    const baseline: Baseline = {
      loss: b.loss, controlLoss: b.controlLoss, targetLoss: b.targetLoss, targetMetric: b.targetMetric,
      targetEffect: b.targetEffect[j]!, collateralEffect: b.collateralEffect[j]!,
      controlTargetEffect: others.map((o) => b.targetEffect[o]!), controlCollateralEffect: others.map((o) => b.collateralEffect[o]!),
      ...(b.constantTargetLoss !== undefined ? { constantTargetLoss: b.constantTargetLoss } : {}),
      ...(b.constantControlLoss !== undefined ? { constantControlLoss: b.constantControlLoss } : {}),
    };
    const ctx = {
      ...judgeContext(input.hypothesis, baseline, gridLevels, input.chains, { count: others.length, match: 'size', sets: [], distinct: others.length, exact: true }),
      calibrate: false,
    };
    const judged = judgeLevels(perUnit[j]!, ctx);
    shared ??= judged.levels;
    const v = judged.verdict;
    const c = input.components[k]!;
    units.push({
      component: k,
      unit: c.units[members[k]!.indexOf(j)]!,
      baseline: { targetEffect: b.targetEffect[j]!, collateralEffect: b.collateralEffect[j]! },
      targetEffect: judged.levels.map((l) => (l.error === undefined && Number.isFinite(l.targetEffect.mean) ? l.targetEffect : null)),
      collateralEffect: judged.levels.map((l) => (l.error === undefined && Number.isFinite(l.collateralEffect.mean) ? l.collateralEffect : null)),
      targetExcess: judged.levels.map((l) => l.v3?.targetExcess?.mean ?? null),
      specificity: v.specificity!,
      clean: judged.levels.map((l) => l.clean === true),
      persists: judged.levels.map((l) => l.targetPersists),
      failed: judged.levels.map((l) => l.failed ?? []),
      tEnt: v.tEnt,
      tSurv: v.tSurv,
      cleanWindow: v.cleanWindow,
      summary: v.summary,
    });
  }
  const levels: ScanLevel[] = input.levels.map((l, i) => {
    const first = shared?.[i];
    const blank: Estimate = { mean: NaN, se: NaN, n: 0 };
    return {
      level: l.level,
      lossGap: first?.lossGap ?? blank,
      controlLossGap: first?.controlLossGap ?? blank,
      targetLossGap: first?.targetLossGap ?? blank,
      controlLossSpread: first?.paired?.controlLossSpread ?? 0,
      behaviour: first?.v3?.behaviour?.present ?? null,
      seconds: l.seconds,
      ...(l.error !== undefined ? { error: l.error } : {}),
    };
  });
  return { levels, units };
}
