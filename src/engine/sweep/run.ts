/**
 * The sweep (docs/method.md): baseline at t = 0, then for every level of the dial's grid, every chain and every
 * kept draw, the paired quantities on the fixed evaluation batches; then per-level estimates with standard errors
 * that respect autocorrelation, the verdict tests, and the versioned results document.
 */
import type { DialKind, Hypothesis, VerdictSettings } from '../../protocol/hypothesis';
import { Baseline, type EvaluationSubset, RESULTS_VERSION, LevelResult, ResultsDocument } from '../../protocol/results';
import { DRAW_QUANTITIES, type SweepHeader, type UnitResult, type WorkUnit } from '../../protocol/shard';
import { createActivationNoiseDial } from '../dials/activationNoise';
import { createCheckpointsDial } from '../dials/checkpoints';
import { createSgldDial } from '../dials/sgld';
import { Dial, DialDivergence, DialFactory, dialWatanabeTemperature } from '../dials/dial';
import { gridDialFactory } from './gridDial';
import { createWeightNoiseDial } from '../dials/weightNoise';
import { constantTargetLoss } from './constantLoss';
import { DEFAULT_ENUMERATE } from './controls';
import { PairedEvaluator } from './evaluation';
import { loadSweepInputs, type SweepInputs } from './inputs';
import type { ChainWithGaps } from './level';
import { convergenceSeries, drawsAutoDone, drawsAutoStart, reachedAim } from './drawsAuto';
import { DRAW_VALUE, type DrawMetrics, isFiniteDraw } from './metrics';
import { allUnits, LevelAssembler, planFingerprint, resultsFromUnits } from './units';
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
  /** Work units (level, chain) this run has finished, and how many it runs in all. */
  unitsDone: number;
  units: number;
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
  /** Set by `runGrid` (grid.ts): `runSweep` runs a hypothesis with `degradation.grid` only as a map. */
  grid?: boolean;
}

export interface UnitOptions extends Omit<SweepOptions, 'onLevel'> {
  /**
   * The (level, chain) units to run, of the whole grid (default: all). Within a level they run in chain order, and
   * a chain that diverges ends its level's share here, as in one process (src/engine/sweep/units.ts).
   */
  units?: readonly WorkUnit[];
  /** Once the baseline is known, before the first unit: what every unit of this plan shares. */
  onHeader?(header: SweepHeader): void;
  /** As each unit finishes (a journal records it; a client assembles levels from it). */
  onUnit?(unit: UnitResult, header: SweepHeader): void;
}

const BUILT_IN: Record<DialKind, DialFactory> = {
  sgld: createSgldDial,
  'weight-noise': createWeightNoiseDial,
  'activation-noise': createActivationNoiseDial,
  checkpoints: createCheckpointsDial,
};

export function dialFactory(kind: DialKind, options: SweepOptions): DialFactory {
  const f = options.dials?.[kind] ?? (kind === 'sgld' ? options.sampler : undefined) ?? BUILT_IN[kind];
  if (!f) throw new Error(`unknown dial '${String(kind)}'`);
  return f;
}

/** The hypothesis's dial, made by its factory from the loaded inputs (a sweep's and a scan's). */
export function openDial(h: Hypothesis, inputs: SweepInputs, options: Pick<SweepOptions, 'dials' | 'sampler' | 'threads'>): Promise<Dial> {
  const factory = dialFactory(h.degradation.dial, options);
  // A map's units are its cells (gridDial.ts): shards, workers and resumed runs of a map go the one sweep path.
  return (h.degradation.grid ? gridDialFactory(factory, h.degradation.grid) : factory)({
    degradation: h.degradation, loss: h.loss, model: inputs.model.proto, parameters: inputs.parameters, initialWeights: inputs.initialWeights,
    data: inputs.data, n: inputs.n, seed: h.degradation.seed, ...(options.threads ? { threads: options.threads } : {}),
  });
}

/** The whole sweep in this process: every unit, then the document assembled from them (as a merge of shards is). */
export async function runSweep(h: Hypothesis, options: SweepOptions = {}): Promise<ResultsDocument> {
  const t0 = performance.now();
  const { onLevel, ...rest } = options;
  if (h.degradation.grid && !options.grid) {
    throw new Error('this hypothesis is a two-dial grid (degradation.grid): run it with `circuit-thermometer grid`, which writes the map');
  }
  const assembler = new LevelAssembler((level, li) => onLevel?.(level, li, baselineOf));
  let baselineOf!: Baseline;
  const run = await runUnits(h, {
    ...rest,
    onHeader: (header) => { baselineOf = header.document.baseline; },
    onUnit: (unit, header) => assembler.add(header, unit),
  });
  return resultsFromUnits(run.header, run.units, (performance.now() - t0) / 1000);
}

/** Runs some (by default all) work units of a sweep and returns them with the plan's header, unjudged. */
export async function runUnits(h: Hypothesis, options: UnitOptions = {}): Promise<{ header: SweepHeader; units: UnitResult[] }> {
  const t0 = performance.now();
  const { signal } = options;
  signal?.throwIfAborted();
  if (h.scan) throw new Error(`${h.file} is a scan (it has \`scan:\`, not \`circuit:\`): run \`circuit-thermometer scan\` on it`);
  const inputs = await loadSweepInputs(h);
  const dial = await openDial(h, inputs, options);
  let evaluator: PairedEvaluator | undefined;
  try {
    const units = options.units ?? allUnits(dial.levels.length, dial.chains);
    checkUnits(units, dial);
    evaluator = await PairedEvaluator.create(h, inputs, dial, { batchSize: options.evalBatchSize, threads: options.threads });
    signal?.throwIfAborted();
    const base = await evaluator.evaluate(dial.baseline ? dial.baseline() : {}, signal);
    const header = sweepHeader(h, inputs, dial, evaluator, base, t0);
    options.onHeader?.(header);
    return { header, units: await runChains(units, dial, evaluator, base, header, options) };
  } finally {
    await evaluator?.release();
    await dial.dispose();
  }
}

function checkUnits(units: readonly WorkUnit[], dial: Dial): void {
  const grid = dial.levels;
  for (const u of units) {
    if (!(Number.isInteger(u.levelIndex) && u.levelIndex >= 0 && u.levelIndex < grid.length && Number.isInteger(u.chain) && u.chain >= 0 && u.chain < dial.chains)) {
      throw new Error(`work unit (level ${u.levelIndex}, chain ${u.chain}) is not in this plan's ${grid.length} levels × ${dial.chains} chains`);
    }
  }
}

/** What every unit of the plan shares, from the trained network's evaluation `base`: the results document less its levels. */
function sweepHeader(h: Hypothesis, inputs: SweepInputs, dial: Dial, evaluator: PairedEvaluator, base: DrawMetrics, t0: number): SweepHeader {
  const grid = dial.levels;
  // Per-position targets split tokens, not rows: the row-level constant predictor does not apply (no guard then).
  const constant = inputs.tokens ? null : constantTargetLoss(h.loss.kind, evaluator.labelForm, inputs.data.labels, evaluator.evaluatedTargetRows());
  const constantControl = inputs.tokens ? null : constantTargetLoss(h.loss.kind, evaluator.labelForm, inputs.data.labels, evaluator.evaluatedControlRows());
  if (!isFiniteDraw(base)) throw new Error(nonFiniteBaseline(base));
  const baseline: Baseline = {
    loss: base.loss, controlLoss: base.controlLoss, targetLoss: base.targetLoss, targetMetric: base.targetMetric, targetEffect: base.targetEffect,
    collateralEffect: base.collateralEffect, controlTargetEffect: base.controlTargetEffect, controlCollateralEffect: base.controlCollateralEffect,
    rowSe: { targetEffect: base.rowSe[0], collateralEffect: base.rowSe[1], targetExcess: base.rowSe[2], collateralExcess: base.rowSe[3] },
    ...(constant !== null ? { constantTargetLoss: constant } : {}),
    ...(constantControl !== null ? { constantControlLoss: constantControl } : {}),
    ...(evaluator.swaps ? { componentSwaps: evaluator.swaps } : {}),
  };
  return {
    plan: planFingerprint({ engineVersion: ENGINE_VERSION, hypothesisSha256: inputs.hypothesisSha256, modelSha256: inputs.model.sha256, grid, chains: dial.chains, seed: h.degradation.seed }),
    levels: grid.length,
    chains: dial.chains,
    draws: { independent: dial.independentDraws, deterministic: dial.deterministic },
    setupSeconds: (performance.now() - t0) / 1000,
    document: {
      version: RESULTS_VERSION,
      kind: 'circuit-thermometer/results',
      engine: { name: ENGINE_NAME, version: ENGINE_VERSION },
      createdAt: new Date().toISOString(),
      hypothesis: { file: h.file, sha256: inputs.hypothesisSha256, resolved: h },
      model: { path: inputs.model.path, sha256: inputs.model.sha256 },
      dial: h.degradation.dial,
      seed: h.degradation.seed,
      data: { n: inputs.n, target: inputs.targetCount, control: inputs.n - inputs.targetCount, ...evaluationSubset(evaluator, base, inputs.n, inputs.targetCount) },
      weights: {
        tensors: inputs.parameters.length, d: inputs.initialWeights.reduce((a, w) => a + w.length, 0), restricted: inputs.restricted,
      },
      baseline,
      controls: {
        count: evaluator.controls.length, match: h.controls.match, sets: evaluator.controls.map((set) => set.map((c) => ({ ...c }))),
        distinct: Number.isFinite(evaluator.nullSize.distinct) ? evaluator.nullSize.distinct : null, exact: evaluator.nullSize.exact,
        enumerate: h.controls.enumerate ?? DEFAULT_ENUMERATE,
      },
      watanabeTemperature: dialWatanabeTemperature(dial, inputs.n),
      thresholds: { ...h.verdict },
    },
  };
}

/** The units, level by level and chains in order: a divergence skips the level's later chains, as the assembly expects. */
async function runChains(units: readonly WorkUnit[], dial: Dial, evaluator: PairedEvaluator, base: DrawMetrics, header: SweepHeader, options: UnitOptions): Promise<UnitResult[]> {
  const grid = dial.levels;
  const done: UnitResult[] = [];
  const totalDraws = units.length * dial.drawsPerChain;
  let drawsDone = 0;
  const sweepStart = performance.now();
  const onDraw = (li: number, c: number, d: number) => {
    drawsDone++;
    const elapsed = (performance.now() - sweepStart) / 1000;
    options.onProgress?.({
      level: grid[li]!, levelIndex: li, levels: grid.length, chain: c, chains: dial.chains, draw: d, draws: dial.drawsPerChain,
      unitsDone: done.length, units: units.length, etaSeconds: (elapsed / drawsDone) * (totalDraws - drawsDone),
    });
  };
  const levelOrder = [...new Set(units.map((u) => u.levelIndex))].sort((a, b) => a - b);
  for (const li of levelOrder) {
    const chainsHere = units.filter((u) => u.levelIndex === li).map((u) => u.chain).sort((a, b) => a - b);
    for (const c of chainsHere) {
      const unit = await runChain(li, c, dial, evaluator, base, options.signal, onDraw, header.document.hypothesis.resolved.verdict);
      done.push(unit);
      options.onUnit?.(unit, header);
      if (unit.error !== undefined) break;
    }
  }
  return done;
}

/** One work unit: chain `c` of level `li`, every kept draw evaluated on the paired model, and the dial's level record. */
async function runChain(
  li: number, c: number, dial: Dial, evaluator: PairedEvaluator, base: DrawMetrics, signal: AbortSignal | undefined,
  onDraw: (li: number, c: number, d: number) => void, verdict: Pick<VerdictSettings, 'essPerChain' | 'rhat'>,
): Promise<UnitResult> {
  const level = dial.levels[li]!;
  const unitStart = performance.now();
  const trace = { chain: c, loss: [], ...Object.fromEntries(DRAW_QUANTITIES.map((q) => [q.key, []])) } as unknown as ChainWithGaps;
  let error: string | undefined;
  let acceptance = 0;
  let accepted = 0;
  const auto = dial.drawsUntilEss ? drawsAutoStart(verdict, dial.drawsPerChain) : undefined;
  try {
    let d = 0;
    for await (const draw of dial.draws(li, c, signal)) {
      const m = await evaluator.evaluate(draw, signal);
      if (!isFiniteDraw(m)) throw new DialDivergence(`non-finite loss at t = ${level} (chain ${c}, draw ${d}): the degraded network overflows; lower the top of the grid`, c, d);
      trace.loss.push(draw.loss ?? m.loss);
      if (draw.distance !== undefined) (trace.distance ??= []).push(draw.distance);
      for (const { key } of DRAW_QUANTITIES) (trace[key] as unknown[]).push(DRAW_VALUE[key](m, base));
      (trace.rowSe ??= []).push([...m.rowSe]);
      if (draw.acceptance !== undefined) { acceptance += draw.acceptance; accepted++; }
      onDraw(li, c, d);
      d++;
      // draws: auto: stop once the chain's own ESS reached its aim (leaving the loop ends the chain).
      if (auto && drawsAutoDone(auto, d, () => convergenceSeries(trace))) break;
    }
    if (auto) trace.drawsAuto = { ess: Number.isFinite(auto.ess) ? auto.ess : null, target: auto.aim, capped: !reachedAim(auto) };
  } catch (e) {
    if (!(e instanceof DialDivergence)) throw e;
    error = e.message;
    trace.diverged = true;
  }
  if (accepted > 0) trace.acceptance = acceptance / accepted;
  const unit: UnitResult = { levelIndex: li, level, chain: c, trace, seconds: (performance.now() - unitStart) / 1000 };
  if (error !== undefined) unit.error = error;
  Object.assign(unit, dial.levelRecord?.(li));
  return unit;
}

/** The results' statement of an evaluation subset (none when every row is evaluated). */
function evaluationSubset(evaluator: PairedEvaluator, base: DrawMetrics, n: number, targets: number): { evaluation?: EvaluationSubset } {
  const { rows, target } = evaluator.evaluated;
  if (rows >= n) return {};
  // A mean over m of N rows drawn without replacement: sd/√m, times the finite-population factor √(1 − m/N).
  const se = (sd: number, m: number, of: number) => (sd / Math.sqrt(m)) * Math.sqrt(Math.max(0, 1 - m / of));
  return {
    evaluation: {
      rows, target, control: rows - target,
      rowSe: { targetEffect: se(base.rowSd.targetEffect, target, targets), collateralEffect: se(base.rowSd.collateralEffect, rows - target, n - targets) },
    },
  };
}

/** Which of the trained network's numbers is not finite, by name (the loss may well be finite when an effect is not). */
export function nonFiniteBaseline(m: DrawMetrics): string {
  const named: [string, number][] = [['L_n', m.loss], ['L_T', m.targetLoss], ['L_C', m.controlLoss], ['M_T', m.targetMetric], ['E_T', m.targetEffect], ['E_C', m.collateralEffect]];
  const bad = named.filter(([, v]) => !Number.isFinite(v)).map(([k, v]) => `${k} = ${v}`);
  const k = m.controlTargetEffect.findIndex((v, i) => !Number.isFinite(v) || !Number.isFinite(m.controlCollateralEffect[i]!));
  if (k >= 0) bad.push(`control set ${k + 1}: E_T = ${m.controlTargetEffect[k]}, E_C = ${m.controlCollateralEffect[k]}`);
  const clean = [m.loss, m.targetLoss, m.controlLoss, m.targetMetric].every(Number.isFinite);
  return clean
    ? `the trained network's losses are finite (L_n = ${m.loss}) but the ablated network's are not (${bad.join(', ')}): the ablation itself produces NaN or ±∞; `
      + 'check that the component tensors are per example on axis 0 (`circuit-thermometer check`) and that the replacement fits them'
    : `the trained network gives a non-finite loss or metric on the data (${bad.join(', ')}); check the inputs and labels`;
}
