// Whole sweeps through the real runner (hypothesis parser, dial, paired evaluator, statistics):
//   - wall time of the default sweeps of a real hypothesis: examples/planted/kappa-1 as committed (weight-noise),
//     and the same hypothesis on the sgld dial with every sgld setting at its default;
//   - memory of an sgld sweep on the GPT-2-style model, in a child process of its own so that its peak RSS is
//     the sweep's: RSS after every level (a leaked session or tensor shows as growth) and the peak.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { saveNpy } from '../src/engine/data/load';
import { makeArray } from '../src/engine/data/ndarray';
import { createSgldDial } from '../src/engine/dials/sgld';
import { saveModel } from '../src/engine/onnx/load';
import { runSweep } from '../src/engine/sweep/run';
import type { LevelResult } from '../src/protocol/results';
import { drawsCap } from '../src/protocol/sgldSchedule';
import { checkHypothesisFile, checkHypothesisText, type Hypothesis } from '../src/hypothesis';
import { degradationAs } from '../src/protocol/hypothesis';
import { GPT2_SHAPE, gpt2Style } from './models';
import { peakRssMiB, round, rssMiB } from './stats';

export const SWEEP_CHILD_FLAG = '--child-sweep';
const PLANTED = path.resolve(__dirname, '..', 'examples', 'planted', 'kappa-1.circuit.yaml');

export interface SweepTiming {
  hypothesis: string;
  dial: string;
  levels: number;
  chains: number;
  draws: number;
  burnIn: number;
  steps: number;
  wallSeconds: number;
  setupSeconds: number;
  status: string;
  /** `auto` settings: step-graph passes and seconds of the calibration pilots, summed over levels, and their share
   *  of the sweep's sampler passes (chains' steps + pilots' passes). */
  calibration?: { passes: number; seconds: number; shareOfPasses: number };
}

function assertHypothesis(r: { hypothesis?: Hypothesis; diagnostics: { message: string }[] }, what: string): Hypothesis {
  if (!r.hypothesis) throw new Error(`${what}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.hypothesis;
}

async function timeSweep(h: Hypothesis, label: string, threads: number): Promise<SweepTiming> {
  const t = performance.now();
  const doc = await runSweep(h, { sampler: createSgldDial, threads });
  const d = h.degradation;
  const sgld = d.dial === 'sgld' ? d.sgld : undefined;
  // The burn-in each level ran (recorded per level: `burnIn: auto` calibrates it), summed over levels.
  const burnIns = doc.levels.map((l) => l.burnIn ?? 0);
  const thinOf = (l: { thin?: number }) => l.thin ?? (typeof sgld?.thin === 'number' ? sgld.thin : 1);
  // Steps of a level's chains as run (draws: auto stops each chain on its own).
  const stepsOf = (l: LevelResult) => (l.chains ?? []).reduce((a, c) => a + (l.burnIn ?? 0) + Math.max(0, c.loss.length - 1) * thinOf(l) + 1, 0);
  return {
    hypothesis: label, dial: d.dial, levels: doc.levels.length,
    chains: sgld ? sgld.chains : 1, draws: sgld ? drawsCap(sgld) : 'noise' in d ? d.noise.samples : 1, burnIn: sgld ? Math.max(0, ...burnIns) : 0,
    steps: sgld ? doc.levels.reduce((a, l) => a + stepsOf(l), 0) : 0,
    wallSeconds: round((performance.now() - t) / 1000), setupSeconds: round(doc.timings.setupSeconds), status: doc.status,
    ...calibrationOf(doc.levels, sgld ? doc.levels.reduce((a, l) => a + stepsOf(l), 0) : 0),
  };
}

function calibrationOf(levels: readonly { calibration?: { passes: number; seconds: number } }[], chainSteps: number): Pick<SweepTiming, 'calibration'> {
  const costs = levels.flatMap((l) => (l.calibration ? [l.calibration] : []));
  if (costs.length === 0) return {};
  const passes = costs.reduce((a, c) => a + c.passes, 0);
  return { calibration: { passes, seconds: round(costs.reduce((a, c) => a + c.seconds, 0)), shareOfPasses: round(passes / (passes + chainSteps)) } };
}

/** The planted κ = 1 hypothesis as committed, then on the sgld dial (grid 0.1 … 1000, 13 levels) at fixed settings and
 *  at the defaults (stepSize and burnIn auto). */
export async function measurePlantedSweeps(threads: number): Promise<SweepTiming[]> {
  if (!fs.existsSync(PLANTED)) return [];
  const committed = assertHypothesis(await checkHypothesisFile(PLANTED), PLANTED);
  const doc = YAML.parse(fs.readFileSync(PLANTED, 'utf8')) as Record<string, unknown>;
  doc.degradation = { dial: 'sgld', temperatures: { from: 0.1, to: 1000, count: 13 }, seed: 0 };
  const sgldFile = path.join(path.dirname(PLANTED), 'kappa-1.sgld-defaults.circuit.yaml'); // never written: paths resolve beside it
  const sgld = assertHypothesis(await checkHypothesisText(YAML.stringify(doc), sgldFile), 'sgld variant');
  // The fixed settings that were the defaults before stepSize and burnIn became auto: what calibrating costs.
  const sgldDegradation = degradationAs(sgld.degradation, 'sgld');
  const fixed = { ...sgld, degradation: { ...sgldDegradation, sgld: { ...sgldDegradation.sgld, stepSize: 1e-4, burnIn: 100 } } };
  return [
    await timeSweep(committed, 'examples/planted/kappa-1.circuit.yaml', threads),
    await timeSweep(fixed, 'examples/planted/kappa-1.circuit.yaml with dial: sgld, stepSize 1e-4, burnIn 100', threads),
    await timeSweep(sgld, 'the same with the sgld defaults (stepSize: auto, burnIn: auto)', threads),
  ];
}

export interface SamplerComparison {
  example: string;
  sampler: string;
  levels: number[];
  /** What each level ran with (`stepSize`, `burnIn` and `thin` auto: calibrated per level). */
  stepSize: (number | null)[];
  burnIn: (number | null)[];
  thin: (number | null)[];
  /** Bulk ESS of E_T per level (all chains), and per second of that level's wall time (pilots included). */
  essTarget: (number | null)[];
  essPerSecond: (number | null)[];
  /** The same for E_C, the collateral effect (the other quantity the verdict's tests read). */
  essCollateral: (number | null)[];
  essCollateralPerSecond: (number | null)[];
  /** The chains' mean MALA acceptance per level. */
  acceptance: (number | null)[];
  /** Per level: the level's seconds, and of them the pilots' (ε, metric, burn-in, thin). */
  levelSeconds: (number | null)[];
  pilotSeconds: (number | null)[];
  /** Per level, the process's CPU seconds (all threads; pilots included) and ESS of E_T and E_C per CPU second: on a
   *  shared machine the wall clock of identical work swings by 2× between runs, the CPU time far less. */
  cpuSeconds: (number | null)[];
  essPerCpuSecond: (number | null)[];
  essCollateralPerCpuSecond: (number | null)[];
  /** R̂ of E_T per level. */
  rhat: (number | null)[];
  /** ΔL = E_q[L_n] − L_n(w*) per level, with its standard error: both samplers sample the same posterior. */
  lossGap: ({ mean: number; se: number } | null)[];
  seconds: number;
}

const MODULAR = path.resolve(__dirname, '..', 'examples', 'modular', 'addition-frequencies.sgld.circuit.yaml');
const PLANTED_SGLD = path.resolve(__dirname, '..', 'examples', 'planted', 'kappa-1.sgld.circuit.yaml');

/**
 * What sweeps run: each sgld example at a few of its levels, with every sampler setting `auto` (ε by MALA
 * acceptance, burn-in by stationarity, thin by the measured autocorrelation time), the file's controls and batch,
 * 4 chains × `draws`, under sgld and then preconditioned-sgld: the bulk ESS of E_T per second of each level's wall
 * time, pilots included. One sweep per sampler and example, one after the other: on a shared machine a burst of load
 * can favour either, so the ratio of one run is a measurement, not a constant.
 */
/** The samplers the section compares with plain sgld (`--samplers`). */
export type ComparedSampler = 'preconditioned-sgld' | 'exponential-sgld' | 'kinetic-langevin' | 'hmc';
export const COMPARED_SAMPLERS: readonly ComparedSampler[] = ['preconditioned-sgld', 'exponential-sgld', 'kinetic-langevin', 'hmc'];

export async function measureSamplers(threads: number, quick: boolean, at?: ReadonlyMap<string, number[]>, sameStep = false, compared: readonly ComparedSampler[] = COMPARED_SAMPLERS, withSgld = true): Promise<SamplerComparison[]> {
  const examples = [
    { key: 'planted', label: 'planted κ = 1 (sgld example)', file: PLANTED_SGLD, levels: quick ? [0.1, 1] : [0.1, 1, 10] },
    { key: 'modular', label: 'modular addition (sgld example)', file: MODULAR, levels: quick ? [3, 10] : [0.3, 3, 10] },
  ].filter((e) => fs.existsSync(e.file) && (!at || at.has(e.key))).map((e) => ({ ...e, levels: at?.get(e.key) ?? e.levels }));
  const run = async (e: (typeof examples)[number], sampler: 'sgld' | ComparedSampler, levels: number[], stepSize: number | 'auto', label: string): Promise<SamplerComparison> => {
    const doc = YAML.parse(fs.readFileSync(e.file, 'utf8')) as { degradation: { sgld?: Record<string, unknown> } & Record<string, unknown> };
    doc.degradation = { ...doc.degradation, temperatures: levels, sgld: { ...doc.degradation.sgld, sampler, stepSize, burnIn: 'auto', thin: 'auto', chains: 4, draws: quick ? 40 : 100 } };
    const h = assertHypothesis(await checkHypothesisText(YAML.stringify(doc), e.file.replace(/\.circuit\.yaml$/, `.${sampler}.circuit.yaml`)), `${e.label}, ${sampler}`);
    const t = performance.now();
    const cpu: number[] = [];
    let last = process.cpuUsage();
    const result = await runSweep(h, {
      sampler: createSgldDial, threads,
      onLevel: () => { const used = process.cpuUsage(last); cpu.push((used.user + used.system) / 1e6); last = process.cpuUsage(); },
    });
    const ess = result.levels.map((l) => l.convergence?.essBulk.targetEffect ?? null);
    const essC = result.levels.map((l) => l.convergence?.essBulk.collateralEffect ?? null);
    return {
      example: e.label, sampler: label, levels: result.levels.map((l) => l.level),
      stepSize: result.levels.map((l) => l.stepSize ?? null), burnIn: result.levels.map((l) => l.burnIn ?? null), thin: result.levels.map((l) => l.thin ?? null),
      acceptance: result.levels.map((l) => l.acceptance ?? null),
      cpuSeconds: cpu.map((c) => round(c)), essPerCpuSecond: ess.map((v, i) => (v === null || !cpu[i] ? null : round(v / cpu[i]!))),
      essCollateralPerCpuSecond: essC.map((v, i) => (v === null || !cpu[i] ? null : round(v / cpu[i]!))),
      levelSeconds: result.levels.map((l) => (l.seconds !== undefined ? round(l.seconds) : null)), pilotSeconds: result.levels.map((l) => (l.calibration ? round(l.calibration.seconds) : null)),
      essTarget: ess.map((v) => (v === null ? null : round(v))), essPerSecond: ess.map((v, i) => (v === null ? null : round(v / result.levels[i]!.seconds))),
      essCollateral: essC.map((v) => (v === null ? null : round(v))), essCollateralPerSecond: essC.map((v, i) => (v === null ? null : round(v / result.levels[i]!.seconds))),
      rhat: result.levels.map((l) => l.convergence?.rhat.targetEffect ?? null), lossGap: result.levels.map((l) => ({ mean: l.lossGap.mean, se: l.lossGap.se })),
      seconds: round((performance.now() - t) / 1000),
    };
  };
  const out: SamplerComparison[] = [];
  for (const e of examples) {
    const base = withSgld || sameStep ? await run(e, 'sgld', e.levels, 'auto', 'sgld') : undefined;
    if (base) out.push(base);
    for (const sampler of compared) out.push(await run(e, sampler, e.levels, 'auto', sampler));
    if (!sameStep || !base) continue;
    // The frozen metric at the ε plain SGLD's MALA rule chose (one sweep per level): what the metric gains when ε is
    // not lowered for it, at the MALA acceptance and ΔL that ε then gives.
    // Levels that share an ε run as one sweep; a grid needs two levels, so a level alone runs beside a neighbour whose
    // row is then dropped.
    const label = 'preconditioned-sgld at sgld\'s ε';
    const rows = new Map<number, { part: SamplerComparison; at: number }>();
    for (const [i, t] of e.levels.entries()) {
      if (rows.has(t)) continue;
      const eps = base.stepSize[i];
      if (eps === null || eps === undefined) continue;
      const group = e.levels.filter((_, j) => base.stepSize[j] === eps);
      const levels = group.length > 1 ? group : [...new Set([t, e.levels[i + 1] ?? e.levels[i - 1]!])].sort((a, b) => a - b);
      if (levels.length < 2) continue;
      const part = await run(e, 'preconditioned-sgld', levels, eps, label);
      for (const g of group) rows.set(g, { part, at: part.levels.indexOf(g) });
    }
    const joined: SamplerComparison = { ...base, sampler: label, seconds: 0 };
    for (const k of Object.keys(base) as (keyof SamplerComparison)[]) {
      if (Array.isArray(base[k])) (joined as unknown as Record<string, unknown[]>)[k] = e.levels.map((t) => { const r = rows.get(t); return r ? (r.part[k] as unknown[])[r.at] : null; });
    }
    joined.seconds = round([...new Set([...rows.values()].map((r) => r.part))].reduce((a, p) => a + p.seconds, 0));
    out.push(joined);
  }
  return out;
}

export interface SweepMemory {
  model: string;
  levels: number;
  chains: number;
  draws: number;
  burnIn: number;
  examples: number;
  wallSeconds: number;
  rssAfterLevelMiB: number[];
  rssBeforeMiB: number;
  peakRssMiB: number;
  /** RSS after the last level minus after the first, MiB (≈ 0 when nothing leaks). */
  growthMiB: number;
}

export interface SweepMemorySettings { levels: number; chains: number; draws: number; burnIn: number; examples: number }

/** Runs in the child: writes the GPT-2-style model, data and hypothesis to a temporary folder and sweeps it. */
export async function runSweepChild(argv: readonly string[]): Promise<void> {
  const s = JSON.parse(argv[argv.indexOf(SWEEP_CHILD_FLAG) + 1]!) as SweepMemorySettings & { threads: number };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-'));
  try {
    const problem = gpt2Style(GPT2_SHAPE, s.examples);
    saveModel(problem.model, path.join(dir, 'gpt2.onnx'));
    saveNpy(path.join(dir, 'ids.npy'), problem.data.inputs.input_ids!);
    saveNpy(path.join(dir, 'labels.npy'), problem.data.labels);
    const mask = new Uint8Array(s.examples).map((_, i) => i % 2);
    saveNpy(path.join(dir, 'target.npy'), makeArray('bool', [s.examples], mask));
    const hypothesis = {
      model: './gpt2.onnx',
      data: { inputs: { input_ids: './ids.npy' }, labels: './labels.npy', target: { mask: './target.npy' } },
      loss: { output: 'logits', kind: 'cross-entropy' },
      circuit: { name: 'head 0 of layer 0', components: [{ tensor: '/h.0/attn/merged', axis: -1, units: ['0:16'] }] },
      intervention: { kind: 'mean', scope: 'circuit' },
      degradation: {
        dial: 'sgld', temperatures: { from: 0.1, to: 1000, count: s.levels }, seed: 0,
        sgld: { chains: s.chains, draws: s.draws, burnIn: s.burnIn, batchSize: GPT2_SHAPE.batch },
      },
    };
    const file = path.join(dir, 'gpt2.circuit.yaml');
    fs.writeFileSync(file, YAML.stringify(hypothesis));
    const h = assertHypothesis(await checkHypothesisFile(file), 'gpt2 hypothesis');
    const rssBeforeMiB = rssMiB();
    const rssAfterLevelMiB: number[] = [];
    const t = performance.now();
    await runSweep(h, { sampler: createSgldDial, threads: s.threads, onLevel: () => { rssAfterLevelMiB.push(round(rssMiB(), 4)); } });
    const result: SweepMemory = {
      model: `GPT-2-style ${GPT2_SHAPE.layers} layers, width ${GPT2_SHAPE.width}, ${GPT2_SHAPE.heads} heads, vocab ${GPT2_SHAPE.vocab}, ${GPT2_SHAPE.batch} × ${GPT2_SHAPE.context} tokens`,
      levels: s.levels, chains: s.chains, draws: s.draws, burnIn: s.burnIn, examples: s.examples,
      wallSeconds: round((performance.now() - t) / 1000), rssAfterLevelMiB, rssBeforeMiB: round(rssBeforeMiB, 4), peakRssMiB: round(peakRssMiB(), 4),
      growthMiB: round(rssAfterLevelMiB[rssAfterLevelMiB.length - 1]! - rssAfterLevelMiB[0]!, 3),
    };
    process.send!(result);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureSweepMemory(settings: SweepMemorySettings, threads: number): Promise<SweepMemory> {
  const child = fork(process.argv[1]!, [SWEEP_CHILD_FLAG, JSON.stringify({ ...settings, threads })], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<SweepMemory>((resolve, reject) => {
    let result: SweepMemory | undefined;
    child.on('message', (m) => { result = m as SweepMemory; });
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the sweep child exited with ${code}`))));
  });
}
