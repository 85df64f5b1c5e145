/**
 * The sweep (DESIGN.md §1): baseline at t = 0, then for every level of the dial's grid, every chain and every
 * kept draw, the paired quantities on the fixed evaluation batches; then per-level estimates with standard errors
 * that respect autocorrelation, the verdict tests, and the versioned results document.
 */
import type { DialKind, Hypothesis } from '../../hypothesis/types';
import { RESULTS_VERSION, ChainTrace, Estimate, LevelResult, ResultsDocument } from '../../protocol/results';
import { abortIfNeeded } from '../dials/abort';
import { createActivationNoiseDial } from '../dials/activationNoise';
import { createCheckpointsDial } from '../dials/checkpoints';
import { createSgldDial } from '../dials/sgld';
import { Dial, DialDivergence, DialFactory } from '../dials/dial';
import { createWeightNoiseDial } from '../dials/weightNoise';
import { PairedEvaluator } from './evaluation';
import { loadSweepInputs } from './inputs';
import { DrawMetrics } from './metrics';
import { estimate, SeriesEstimate } from './stats';
import { decideVerdict, judgeLevel } from './verdict';
import { ENGINE_NAME, ENGINE_VERSION } from './version';

export interface SweepProgressEvent {
  level: number;
  levelIndex: number;
  levels: number;
  chain: number;
  chains: number;
  /** 0-based kept draw within the chain. */
  draw: number;
  draws: number;
  /** Seconds left at the pace so far; null before the first draw. */
  etaSeconds: number | null;
}

export interface SweepOptions {
  onProgress?(p: SweepProgressEvent): void;
  /** Called as each level completes (the results so far can be charted live). */
  onLevel?(level: LevelResult, levelIndex: number): void;
  /** Aborting stops the sweep between evaluation batches (well within a second) and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the sgld dial's factory (default: `createSgldDial` of `../dials/sgld`). */
  sampler?: DialFactory;
  /** Replaces any dial's factory. */
  dials?: Partial<Record<DialKind, DialFactory>>;
  /** Rows per evaluation run (dynamic batch axis only). */
  evalBatchSize?: number;
  threads?: number;
}

const BUILT_IN: Record<DialKind, DialFactory> = {
  sgld: createSgldDial,
  'weight-noise': createWeightNoiseDial,
  'activation-noise': createActivationNoiseDial,
  checkpoints: createCheckpointsDial,
};

function dialFactory(kind: DialKind, options: SweepOptions): DialFactory {
  const f = options.dials?.[kind] ?? (kind === 'sgld' ? options.sampler : undefined) ?? BUILT_IN[kind];
  if (!f) throw new Error(`unknown dial '${String(kind)}'`);
  return f;
}

/** JSON has no Infinity: an exact estimate (se = 0) records dof null. */
function toEstimate(e: SeriesEstimate): Estimate {
  return { mean: e.mean, se: e.se, n: e.n, dof: Number.isFinite(e.dof) ? e.dof : null, ci95: e.ci95 };
}

function finite(m: DrawMetrics): boolean {
  return Object.values(m).every((v) => Number.isFinite(v));
}

export async function runSweep(h: Hypothesis, options: SweepOptions = {}): Promise<ResultsDocument> {
  const t0 = performance.now();
  const { signal } = options;
  abortIfNeeded(signal);
  const inputs = await loadSweepInputs(h);
  const dial: Dial = await dialFactory(h.degradation.dial, options)({
    hypothesis: h, model: inputs.model.proto, parameters: inputs.parameters, initialWeights: inputs.initialWeights,
    data: inputs.data, n: inputs.n, seed: h.degradation.seed, ...(options.threads ? { threads: options.threads } : {}),
  });
  let evaluator: PairedEvaluator | undefined;
  try {
    evaluator = await PairedEvaluator.create(h, inputs, dial, { batchSize: options.evalBatchSize, threads: options.threads });
    abortIfNeeded(signal);
    const base = await evaluator.evaluate(dial.baseline ? dial.baseline() : {}, signal);
    if (!finite(base)) throw new Error(`the trained network gives a non-finite loss or metric on the data (L_n = ${base.loss}); check the inputs and labels`);
    const setupSeconds = (performance.now() - t0) / 1000;

    const levels: LevelResult[] = [];
    const totalDraws = dial.levels.length * dial.chains * dial.drawsPerChain;
    let drawsDone = 0;
    const sweepStart = performance.now();
    for (let li = 0; li < dial.levels.length; li++) {
      const level = dial.levels[li]!;
      const levelStart = performance.now();
      const series = { lossGap: [] as number[][], controlGap: [] as number[][], target: [] as number[][], collateral: [] as number[][] };
      const chains: ChainTrace[] = [];
      let error: string | undefined;
      for (let c = 0; c < dial.chains && error === undefined; c++) {
        const trace: ChainTrace = { chain: c, loss: [], targetEffect: [], collateralEffect: [] };
        const gaps = { loss: [] as number[], control: [] as number[] };
        let acceptance = 0;
        let accepted = 0;
        chains.push(trace);
        try {
          let d = 0;
          for await (const draw of dial.draws(li, c, signal)) {
            const m = await evaluator.evaluate(draw, signal);
            if (!finite(m)) throw new DialDivergence(`non-finite loss at t = ${level} (chain ${c}, draw ${d}): the degraded network overflows; lower the top of the grid`, c, d);
            trace.loss.push(draw.loss ?? m.loss);
            trace.targetEffect.push(m.targetEffect);
            trace.collateralEffect.push(m.collateralEffect);
            gaps.loss.push(m.loss - base.loss);
            gaps.control.push(m.controlLoss - base.controlLoss);
            if (draw.acceptance !== undefined) { acceptance += draw.acceptance; accepted++; }
            drawsDone++;
            const elapsed = (performance.now() - sweepStart) / 1000;
            options.onProgress?.({
              level, levelIndex: li, levels: dial.levels.length, chain: c, chains: dial.chains, draw: d, draws: dial.drawsPerChain,
              etaSeconds: (elapsed / drawsDone) * (totalDraws - drawsDone),
            });
            d++;
          }
        } catch (e) {
          if (!(e instanceof DialDivergence)) throw e;
          error = e.message;
          trace.diverged = true;
        }
        if (accepted > 0) trace.acceptance = acceptance / accepted;
        series.lossGap.push(gaps.loss);
        series.controlGap.push(gaps.control);
        series.target.push(trace.targetEffect);
        series.collateral.push(trace.collateralEffect);
      }
      const how = { independent: dial.independentDraws, deterministic: dial.deterministic };
      const lossGap = estimate(series.lossGap, how);
      const controlLossGap = estimate(series.controlGap, how);
      const targetEffect = estimate(series.target, how);
      const collateralEffect = estimate(series.collateral, how);
      const judged = judgeLevel({ targetEffect, collateralEffect, controlLossGap, error }, base.targetEffect, h.verdict);
      const result: LevelResult = {
        level,
        lossGap: toEstimate(lossGap),
        controlLossGap: toEstimate(controlLossGap),
        targetEffect: toEstimate(targetEffect),
        collateralEffect: toEstimate(collateralEffect),
        collateralNegligible: judged.collateralNegligible,
        targetPersists: judged.targetPersists,
        bounds: {
          collateralUpper: judged.collateralUpper, collateralThreshold: judged.collateralThreshold,
          targetLower: judged.targetLower, targetThreshold: judged.targetThreshold,
        },
        chains,
        seconds: (performance.now() - levelStart) / 1000,
      };
      if (dial.nbeta) {
        // λ̂(t) = nβ·(E_q[L_n] − L_n(w*)): nβ times the loss-gap estimate (a linear map, so se scales too).
        const nbeta = dial.nbeta(level);
        result.nbeta = nbeta;
        result.llc = { mean: nbeta * lossGap.mean, se: nbeta * lossGap.se, n: lossGap.n, dof: result.lossGap.dof, ci95: [nbeta * lossGap.ci95[0], nbeta * lossGap.ci95[1]] };
      }
      if (error !== undefined) result.error = error;
      levels.push(result);
      options.onLevel?.(result, li);
    }

    const verdict = decideVerdict(levels);
    return {
      version: RESULTS_VERSION,
      kind: 'circuit-thermometer/results',
      engine: { name: ENGINE_NAME, version: ENGINE_VERSION },
      createdAt: new Date().toISOString(),
      status: levels.some((l) => l.error !== undefined) ? 'diverged' : 'complete',
      hypothesis: { file: h.file, sha256: inputs.hypothesisSha256, resolved: h },
      model: { path: inputs.model.path, sha256: inputs.model.sha256 },
      dial: h.degradation.dial,
      seed: h.degradation.seed,
      data: { n: inputs.n, target: inputs.targetCount, control: inputs.n - inputs.targetCount },
      baseline: { loss: base.loss, controlLoss: base.controlLoss, targetMetric: base.targetMetric, targetEffect: base.targetEffect, collateralEffect: base.collateralEffect },
      watanabeTemperature: Math.log(inputs.n),
      thresholds: { ...h.verdict },
      levels,
      verdict,
      timings: { totalSeconds: (performance.now() - t0) / 1000, setupSeconds },
    };
  } finally {
    await evaluator?.release();
    await dial.dispose();
  }
}
