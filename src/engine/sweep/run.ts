/**
 * The sweep (docs/method.md): baseline at t = 0, then for every level of the dial's grid, every chain and every
 * kept draw, the paired quantities on the fixed evaluation batches; then per-level estimates with standard errors
 * that respect autocorrelation, the verdict tests, and the versioned results document.
 */
import type { DialKind, Hypothesis } from '../../protocol/hypothesis';
import { Baseline, RESULTS_VERSION, LevelResult, ResultsDocument } from '../../protocol/results';
import { createActivationNoiseDial } from '../dials/activationNoise';
import { createCheckpointsDial } from '../dials/checkpoints';
import { createSgldDial } from '../dials/sgld';
import { Dial, DialDivergence, DialFactory } from '../dials/dial';
import { createWeightNoiseDial } from '../dials/weightNoise';
import { PairedEvaluator } from './evaluation';
import { loadSweepInputs } from './inputs';
import { ChainWithGaps, levelResult } from './level';
import { isFiniteDraw } from './metrics';
import { judgeContext, judgeLevel, judgeLevels } from './verdict';
import { ENGINE_NAME, ENGINE_VERSION } from '../version';

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
  /** Called as each level completes (the results so far can be charted live), judged, with the baseline. */
  onLevel?(level: LevelResult, levelIndex: number, baseline: Baseline): void;
  /** Aborting stops the sweep between evaluation batches (well within a second) and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the sgld dial's factory (default: `createSgldDial` of `../dials/sgld`). */
  sampler?: DialFactory;
  /** Replaces any dial's factory. */
  dials?: Partial<Record<DialKind, DialFactory>>;
  /** Rows per evaluation run (dynamic batch axis only). */
  evalBatchSize?: number;
  threads?: number;
  /**
   * Runs only these chains of every level: a shard of a (level, chain) fan-out. Its levels' statistics cover just
   * these chains, and its traces keep their per-draw loss gaps so that the client can merge the shards' chains and
   * compute each level's statistics over all of them (src/engine/sweep/level.ts). Progress counts these chains.
   */
  chains?: readonly number[];
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

export async function runSweep(h: Hypothesis, options: SweepOptions = {}): Promise<ResultsDocument> {
  const t0 = performance.now();
  const { signal } = options;
  signal?.throwIfAborted();
  const inputs = await loadSweepInputs(h);
  const dial: Dial = await dialFactory(h.degradation.dial, options)({
    degradation: h.degradation, loss: h.loss, model: inputs.model.proto, parameters: inputs.parameters, initialWeights: inputs.initialWeights,
    data: inputs.data, n: inputs.n, seed: h.degradation.seed, ...(options.threads ? { threads: options.threads } : {}),
  });
  let evaluator: PairedEvaluator | undefined;
  try {
    evaluator = await PairedEvaluator.create(h, inputs, dial, { batchSize: options.evalBatchSize, threads: options.threads });
    signal?.throwIfAborted();
    const base = await evaluator.evaluate(dial.baseline ? dial.baseline() : {}, signal);
    if (!isFiniteDraw(base)) throw new Error(`the trained network gives a non-finite loss or metric on the data (L_n = ${base.loss}); check the inputs and labels`);
    const setupSeconds = (performance.now() - t0) / 1000;
    const baseline: Baseline = {
      loss: base.loss, controlLoss: base.controlLoss, targetLoss: base.targetLoss, targetMetric: base.targetMetric, targetEffect: base.targetEffect,
      collateralEffect: base.collateralEffect, controlTargetEffect: base.controlTargetEffect, controlCollateralEffect: base.controlCollateralEffect,
    };
    // A shard judges over its own levels and chains; the client re-judges the merged levels over the whole grid.
    const judging = judgeContext(h, baseline, dial.levels.length, options.chains?.length ?? dial.chains);

    const levels: LevelResult[] = [];
    const chainIndices = options.chains ?? Array.from({ length: dial.chains }, (_, c) => c);
    for (const c of chainIndices) if (!(Number.isInteger(c) && c >= 0 && c < dial.chains)) throw new Error(`chain ${c} is not one of the dial's ${dial.chains}`);
    const totalDraws = dial.levels.length * chainIndices.length * dial.drawsPerChain;
    let drawsDone = 0;
    const sweepStart = performance.now();
    for (let li = 0; li < dial.levels.length; li++) {
      const level = dial.levels[li]!;
      const levelStart = performance.now();
      const chains: ChainWithGaps[] = [];
      let error: string | undefined;
      for (let position = 0; position < chainIndices.length && error === undefined; position++) {
        const c = chainIndices[position]!;
        const trace: ChainWithGaps = {
          chain: c, loss: [], targetEffect: [], collateralEffect: [], lossGap: [], controlLossGap: [], targetLossGap: [], controlTargetEffect: [], controlCollateralEffect: [],
        };
        let acceptance = 0;
        let accepted = 0;
        chains.push(trace);
        try {
          let d = 0;
          for await (const draw of dial.draws(li, c, signal)) {
            const m = await evaluator.evaluate(draw, signal);
            if (!isFiniteDraw(m)) throw new DialDivergence(`non-finite loss at t = ${level} (chain ${c}, draw ${d}): the degraded network overflows; lower the top of the grid`, c, d);
            trace.loss.push(draw.loss ?? m.loss);
            trace.targetEffect.push(m.targetEffect);
            trace.collateralEffect.push(m.collateralEffect);
            trace.lossGap.push(m.loss - base.loss);
            trace.controlLossGap.push(m.controlLoss - base.controlLoss);
            trace.targetLossGap.push(m.targetLoss - base.targetLoss);
            trace.controlTargetEffect.push(m.controlTargetEffect);
            trace.controlCollateralEffect.push(m.controlCollateralEffect);
            if (draw.acceptance !== undefined) { acceptance += draw.acceptance; accepted++; }
            drawsDone++;
            const elapsed = (performance.now() - sweepStart) / 1000;
            options.onProgress?.({
              level, levelIndex: li, levels: dial.levels.length, chain: position, chains: chainIndices.length, draw: d, draws: dial.drawsPerChain,
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
      }
      const result = levelResult(
        { level, chains, error, seconds: (performance.now() - levelStart) / 1000, ...(dial.nbeta ? { nbeta: dial.nbeta(level) } : {}) },
        { independent: dial.independentDraws, deterministic: dial.deterministic }, options.chains !== undefined,
      );
      const stepSize = dial.stepSize?.(li);
      if (stepSize !== undefined) result.stepSize = stepSize;
      const burnIn = dial.burnIn?.(li);
      if (burnIn !== undefined) result.burnIn = burnIn;
      const calibration = dial.calibrationCost?.(li);
      if (calibration) result.calibration = calibration;
      levels.push(result);
      options.onLevel?.(judgeLevel(result, judging), li, baseline);
    }

    const judged = judgeLevels(levels, judging);
    const nbeta = h.degradation.dial === 'sgld' ? h.degradation.sgld.nbeta : undefined;
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
      weights: {
        tensors: inputs.parameters.length, d: inputs.initialWeights.reduce((a, w) => a + w.length, 0),
        restricted: inputs.restricted,
      },
      baseline,
      controls: { count: evaluator.controls.length, match: h.controls.match, sets: evaluator.controls.map((set) => set.map((c) => ({ ...c }))) },
      // t_W = log n, or nbeta·log n / n when nβ is fixed (the level where nβ/t = n/log n).
      watanabeTemperature: nbeta !== undefined ? (nbeta * Math.log(inputs.n)) / inputs.n : Math.log(inputs.n),
      thresholds: { ...h.verdict },
      levels: judged.levels,
      verdict: judged.verdict,
      timings: { totalSeconds: (performance.now() - t0) / 1000, setupSeconds },
    };
  } finally {
    await evaluator?.release();
    await dial.dispose();
  }
}
