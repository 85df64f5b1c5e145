/**
 * The entanglement map (docs/method.md, "The entanglement map"): every unit (or group) of the scanned tensors swept
 * as its own one-unit circuit. All units are intervened on in ONE paired graph — one copy per unit, as a sweep's
 * controls are — so one graph run per evaluation batch gives every unit's E_T(w) and E_C(w) on the same weights,
 * rows and noise. Each unit is judged against the other units of its component: the version-3 null of a one-unit
 * circuit (disjoint, distinct), exact because every one of them is in the graph anyway.
 */
import type { DialKind, Hypothesis, ScanComponent } from '../../protocol/hypothesis';
import { SCAN_KIND, SCAN_VERSION, type ScanDocument } from '../../protocol/scan';
import type { CircuitComponent } from '../../protocol/hypothesis';
import { DialDivergence, type DialFactory, dialWatanabeTemperature } from '../dials/dial';
import { ENGINE_NAME, ENGINE_VERSION } from '../version';
import { constantTargetLoss } from './constantLoss';
import { unitsAlong, type UnitSet } from './controls';
import { PairedEvaluator } from './evaluation';
import { hypothesisSha256Of, loadSweepInputs } from './inputs';
import { openDial } from './run';
import { ScanAccumulator, type ScanDrawMetrics } from './scanDraw';
import { judgeScan, type ScanChain, type ScanLevelChains } from './scanJudge';
import { DEFAULT_VERDICT } from './verdict';

export interface ScanProgress {
  levelIndex: number;
  levels: number;
  chain: number;
  chains: number;
  drawsDone: number;
  draws: number;
}

export interface ScanOptions {
  onProgress?(p: ScanProgress): void;
  signal?: AbortSignal;
  /** Replaces any dial's factory (tests). */
  dials?: Partial<Record<DialKind, DialFactory>>;
  evalBatchSize?: number;
  threads?: number;
}

/** The scanned tensors with every unit listed (all units of the axis where the file lists none). */
export function scanComponents(components: readonly ScanComponent[], dims: (tensor: string) => readonly number[]): (ScanComponent & { units: number[] })[] {
  return components.map((c) => {
    const all = unitsAlong({ tensor: c.tensor, axis: c.axis, units: [], ...(c.groupSize ? { groupSize: c.groupSize } : {}) }, dims(c.tensor));
    if (!(all > 0)) throw new Error(`'${c.tensor}' has no units along axis ${c.axis}${c.groupSize ? ` in groups of ${c.groupSize}` : ''}`);
    const units = c.units ?? Array.from({ length: all }, (_, u) => u);
    const outside = units.find((u) => u >= all);
    if (outside !== undefined) throw new Error(`unit ${outside} of '${c.tensor}' is outside [0, ${all}) along axis ${c.axis}`);
    return { ...c, units: [...units] };
  });
}

/** One one-unit circuit per scanned unit, component by component. */
export function unitSets(components: readonly (ScanComponent & { units: number[] })[]): UnitSet[] {
  return components.flatMap((c) => c.units.map((u): CircuitComponent[] => [{
    tensor: c.tensor, axis: c.axis, units: [u], ...(c.groupSize ? { groupSize: c.groupSize } : {}), ...(c.positions ? { positions: [...c.positions] } : {}),
  }]));
}

const finite = (m: ScanDrawMetrics): boolean =>
  [m.loss, m.targetLoss, m.controlLoss, m.targetMetric].every(Number.isFinite) && m.targetEffect.every(Number.isFinite) && m.collateralEffect.every(Number.isFinite);

/** Runs the scan of `h` (a hypothesis with `scan:`) in this process and returns its document. */
export async function runScan(h: Hypothesis, options: ScanOptions = {}): Promise<ScanDocument> {
  const t0 = performance.now();
  const { signal } = options;
  if (!h.scan) throw new Error(`${h.file} names a circuit, not units to scan: write \`scan: { components: [{ tensor, axis, groupSize }] }\` in place of \`circuit:\``);
  if (h.intervention.scope === 'complement') throw new Error('a scan ablates one unit at a time (scope: circuit); keeping only one unit (scope: complement) is not a scan');
  const scan = h.scan;
  signal?.throwIfAborted();
  const inputs = await loadSweepInputs(h);
  const dial = await openDial(h, inputs, { ...(options.dials ? { dials: options.dials } : {}), ...(options.threads ? { threads: options.threads } : {}) });
  let evaluator: PairedEvaluator | undefined;
  try {
    let components: (ScanComponent & { units: number[] })[] = [];
    evaluator = await PairedEvaluator.create(h, inputs, dial, {
      batchSize: options.evalBatchSize, threads: options.threads,
      sets: (dims) => unitSets(components = scanComponents(scan.components, dims)),
    });
    const componentOf = Int32Array.from(components.flatMap((c, k) => c.units.map(() => k)));
    const ev = evaluator;
    const sink = () => new ScanAccumulator(componentOf, components.length);
    signal?.throwIfAborted();
    const base = await ev.evaluateWith(dial.baseline ? dial.baseline() : {}, sink(), signal);
    if (!finite(base)) throw new Error(`the trained network gives a non-finite loss or effect (L_n = ${base.loss}): check the inputs, the labels and that the scanned tensors are per example on axis 0`);
    const constant = inputs.tokens ? null : constantTargetLoss(h.loss.kind, ev.labelForm, inputs.data.labels, ev.evaluatedTargetRows());
    const constantControl = inputs.tokens ? null : constantTargetLoss(h.loss.kind, ev.labelForm, inputs.data.labels, ev.evaluatedControlRows());
    const setupSeconds = (performance.now() - t0) / 1000;

    const grid = dial.levels;
    const totalDraws = grid.length * dial.chains * dial.drawsPerChain;
    let drawsDone = 0;
    let drawSeconds = 0;
    const levels: ScanLevelChains[] = [];
    for (let li = 0; li < grid.length; li++) {
      const start = performance.now();
      const chains: ScanChain[] = [];
      let error: string | undefined;
      for (let c = 0; c < dial.chains && error === undefined; c++) {
        const chain: ScanChain = { diverged: false, lossGap: [], controlLossGap: [], targetLossGap: [], targetEffect: [], collateralEffect: [], rowSe: [] };
        chains.push(chain);
        try {
          let d = 0;
          for await (const draw of dial.draws(li, c, signal)) {
            const drawStart = performance.now();
            const m = await ev.evaluateWith(draw, sink(), signal);
            drawSeconds += (performance.now() - drawStart) / 1000;
            if (!finite(m)) throw new DialDivergence(`non-finite loss at t = ${grid[li]} (chain ${c}, draw ${d}): the degraded network overflows; lower the top of the grid`, c, d);
            chain.lossGap.push(m.loss - base.loss);
            chain.controlLossGap.push(m.controlLoss - base.controlLoss);
            chain.targetLossGap.push(m.targetLoss - base.targetLoss);
            chain.targetEffect.push(m.targetEffect);
            chain.collateralEffect.push(m.collateralEffect);
            chain.rowSe.push(m.rowSe);
            drawsDone++;
            d++;
            options.onProgress?.({ levelIndex: li, levels: grid.length, chain: c, chains: dial.chains, drawsDone, draws: totalDraws });
          }
        } catch (e) {
          if (!(e instanceof DialDivergence)) throw e;
          chain.diverged = true;
          error = e.message;
        }
      }
      levels.push({ level: grid[li]!, chains, seconds: (performance.now() - start) / 1000, ...(error !== undefined ? { error } : {}) });
    }

    const judged = judgeScan({
      hypothesis: h, components, componentOf, levels, chains: dial.chains,
      how: { independent: dial.independentDraws, deterministic: dial.deterministic },
      baseline: {
        loss: base.loss, controlLoss: base.controlLoss, targetLoss: base.targetLoss, targetMetric: base.targetMetric,
        targetEffect: base.targetEffect, collateralEffect: base.collateralEffect,
        ...(constant !== null ? { constantTargetLoss: constant } : {}),
        ...(constantControl !== null ? { constantControlLoss: constantControl } : {}),
      },
    });
    const settings = { ...DEFAULT_VERDICT, ...h.verdict };
    const { rows, target } = ev.evaluated;
    return {
      version: SCAN_VERSION,
      kind: SCAN_KIND,
      engine: { name: ENGINE_NAME, version: ENGINE_VERSION },
      createdAt: new Date().toISOString(),
      status: levels.some((l) => l.error !== undefined) ? 'diverged' : 'complete',
      hypothesis: { file: h.file, sha256: inputs.hypothesisSha256 ?? hypothesisSha256Of(h), resolved: h },
      model: { path: inputs.model.path, sha256: inputs.model.sha256 },
      dial: h.degradation.dial,
      seed: h.degradation.seed,
      data: { n: inputs.n, target: inputs.targetCount, control: inputs.n - inputs.targetCount, ...(rows < inputs.n ? { evaluation: { rows, target, control: rows - target, rowSe: { targetEffect: NaN, collateralEffect: NaN } } } : {}) },
      components,
      baseline: {
        loss: base.loss, controlLoss: base.controlLoss, targetLoss: base.targetLoss, targetMetric: base.targetMetric,
        ...(constant !== null ? { constantTargetLoss: constant } : {}),
        ...(constantControl !== null ? { constantControlLoss: constantControl } : {}),
      },
      levels: judged.levels,
      units: judged.units,
      method: {
        version: 3, alpha: settings.alpha, levels: grid.length, persistence: settings.persistence, behaviour: settings.behaviour,
        collateral: settings.collateral, collateralTolerance: settings.collateralTolerance,
      },
      watanabeTemperature: dialWatanabeTemperature(dial, inputs.n),
      timings: { totalSeconds: (performance.now() - t0) / 1000, setupSeconds, draws: drawsDone, secondsPerDraw: drawsDone > 0 ? drawSeconds / drawsDone : 0 },
    };
  } finally {
    await evaluator?.release();
    await dial.dispose();
  }
}
