// Reads the trained modular network: its key Fourier frequencies, what each hidden unit reads and whom it serves,
// and which units belong to the addition task alone, to the subtraction task alone, or to both. Writes
// analysis.md and the three hypothesis files beside the model.
// Run: npx tsx examples/modular/scripts/analyze.ts
import * as path from 'path';
import { loadModel } from '../../../src/engine/onnx/load';
import { writeFileAtomic } from '../../../src/engine/util/atomic';
import { Rng } from '../../../src/engine/util/random';
import {
  ablatedScore, activationSpectrum, Activations, embeddingSpectrum, evenShare, inputWeights, logitAttribution, logitFrequencyShares,
  neuronFrequencies, neuronMeans, readWeights, runNetwork, TaskScore,
} from './circuits';
import { EXAMPLE_DIR, loadDataset, rowsWhere } from './data';
import { FREQUENCIES } from './fourier';
import { HIDDEN_TENSOR, LOGITS, Weights } from './network';
import { Dataset, EMBED, HIDDEN, P } from './task';

/** A task's key frequencies: those whose share of its logits is at least this fraction of the largest share. */
export const KEY_FREQUENCY_RATIO = 0.1;
/** A unit is specific to a task when at least this fraction of its (positive) logit attribution is on that task. */
export const SPECIFIC_FRACTION = 0.9;
/** A unit is shared when its addition fraction lies strictly inside this interval. */
export const SHARED_FRACTIONS = [0.25, 0.75] as const;
/** Units whose total attribution is below this fraction of the mean unit's are left out of every group (idle units). */
export const IDLE_FRACTION = 0.1;
export const RANDOM_SEED = 0;

export const HYPOTHESIS_FILES = {
  addition: 'addition-frequencies.circuit.yaml',
  random: 'random-neurons.circuit.yaml',
  shared: 'shared-neurons.circuit.yaml',
} as const;

/**
 * The sweep settings of every hypothesis (the same for all three, so their charts compare): weight noise, whose
 * draws are independent, so every level's statistics are valid without a convergence test. SGLD is the better dial
 * and the harder one: at the settings this example shipped with (4 chains × 10 burn-in + 12 × 3 steps) split-R̂ of
 * L_n, E_T and E_C is 1.6–2.1 at every level, and 4 chains of 1,000 steps still leave 1.2–1.7 — no verdict on such
 * chains (see README.md, "Under SGLD"). The σ grid spans the trained network (σ = 0.003: ΔL ≈ 1e−6) to a network
 * that has lost ~13 nats (σ = 0.3); 16 draws per level.
 */
export const DEGRADATION = `degradation:
  dial: weight-noise
  temperatures: { from: 0.003, to: 0.3, count: 9 }
  noise: { samples: 16 }
  seed: 0`;

export interface UnitFacts {
  unit: number;
  frequency: number;
  /** Share of the dominant frequency in the unit's input weights. */
  purity: number;
  /** Share of the unit's input from b that is even in b (cos-like): such a unit cannot tell a + b from a − b. */
  evenInB: number;
  attribution: { addition: number; subtraction: number };
  /** Positive attribution on addition over positive attribution on both tasks. */
  additionFraction: number;
  idle: boolean;
}

export interface Analysis {
  accuracy: { train: TaskScore[]; heldOut: TaskScore[] };
  logitShares: Float64Array[];
  keyFrequencies: number[][];
  embedding: Float64Array;
  activations: Float64Array[];
  units: UnitFacts[];
  groups: { addition: number[]; subtraction: number[]; shared: number[]; random: number[] };
  ablation: { name: string; units: number[]; scores: TaskScore[] }[];
}

export function keyFrequencies(shares: Float64Array): number[] {
  const top = Math.max(...shares.slice(1));
  return FREQUENCIES.filter((k) => shares[k]! >= KEY_FREQUENCY_RATIO * top).sort((x, y) => shares[y]! - shares[x]!);
}

export function classifyUnits(w: Weights, act: Activations, data: Dataset): UnitFacts[] {
  const all = rowsWhere(data.n, () => true);
  const means = neuronMeans(act.hidden, all);
  const tasks = [0, 1].map((t) => rowsWhere(data.n, (i) => (data.isAddition[i] === 1) === (t === 0)));
  const [add, sub] = tasks.map((rows) => logitAttribution(act, w['fc2.weight'], data.labels, rows, means)) as [Float64Array, Float64Array];
  const totals = add.map((v, n) => Math.max(v, 0) + Math.max(sub[n]!, 0));
  const meanTotal = totals.reduce((a, v) => a + v, 0) / HIDDEN;
  return neuronFrequencies(w).map((f, n) => ({
    unit: n,
    frequency: f.frequency,
    purity: f.share,
    evenInB: evenShare(inputWeights(w, n, EMBED)),
    attribution: { addition: add[n]!, subtraction: sub[n]! },
    additionFraction: totals[n]! > 0 ? Math.max(add[n]!, 0) / totals[n]! : 0.5,
    idle: totals[n]! < IDLE_FRACTION * meanTotal,
  }));
}

export async function analyze(dir = EXAMPLE_DIR): Promise<Analysis> {
  const model = loadModel(path.join(dir, 'modular.onnx')).proto;
  const data = loadDataset(dir);
  const w = readWeights(model);
  const act = await runNetwork(model, data);
  const all = rowsWhere(data.n, () => true);
  const taskRows = (t: number, keep: (i: number) => boolean = () => true) => rowsWhere(data.n, (i) => (data.isAddition[i] === 1) === (t === 0) && keep(i));
  const means = neuronMeans(act.hidden, all);
  const score = (rows: number[], units: readonly number[] = []) => ablatedScore(act, w['fc2.weight'], data.labels, rows, units, means);

  const logitShares = [0, 1].map((t) => logitFrequencyShares(act.logits, data, taskRows(t), t));
  const keys = logitShares.map(keyFrequencies);
  const units = classifyUnits(w, act, data);
  const active = units.filter((u) => !u.idle);
  const additionKeys = new Set(keys[0]);
  const bothKeys = new Set(keys[0]!.filter((k) => keys[1]!.includes(k)));
  const addition = active.filter((u) => additionKeys.has(u.frequency) && u.additionFraction >= SPECIFIC_FRACTION).map((u) => u.unit);
  const subtraction = active.filter((u) => keys[1]!.includes(u.frequency) && u.additionFraction <= 1 - SPECIFIC_FRACTION).map((u) => u.unit);
  const shared = active.filter((u) => bothKeys.has(u.frequency) && u.additionFraction > SHARED_FRACTIONS[0] && u.additionFraction < SHARED_FRACTIONS[1]).map((u) => u.unit);
  const random = [...Rng.stream(RANDOM_SEED, 0x7a4d0).permutation(HIDDEN).slice(0, addition.length)].sort((a, b) => a - b);
  const groups = { addition, subtraction, shared, random };

  const taskScores = (unitsOff: readonly number[]) => [0, 1].map((t) => score(taskRows(t), unitsOff));
  return {
    accuracy: {
      train: [0, 1].map((t) => score(taskRows(t, (i) => !data.isTest[i]))),
      heldOut: [0, 1].map((t) => score(taskRows(t, (i) => data.isTest[i] === 1))),
    },
    logitShares,
    keyFrequencies: keys,
    embedding: embeddingSpectrum(w),
    activations: [0, 1].map((t) => activationSpectrum(act, data, taskRows(t))),
    units,
    groups,
    ablation: [
      { name: 'none (trained network)', units: [], scores: taskScores([]) },
      { name: 'addition-specific units (hypothesis a)', units: addition, scores: taskScores(addition) },
      { name: 'random units, same count (hypothesis b)', units: random, scores: taskScores(random) },
      { name: 'shared units (hypothesis c)', units: shared, scores: taskScores(shared) },
      { name: 'subtraction-specific units', units: subtraction, scores: taskScores(subtraction) },
    ],
  };
}

/** "3, 7:10, 12" → a YAML unit list with half-open ranges for runs. */
export function unitList(units: readonly number[]): string {
  const sorted = [...units].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `"${sorted[i]}:${sorted[j]! + 1}"` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line.length + p.length > 96) { lines.push(line); line = ''; }
    line += (line ? ' ' : '') + p + ',';
  }
  lines.push(line.replace(/,$/, ''));
  return `[${lines.join('\n        ')}]`;
}

function hypothesisYaml(comment: string[], name: string, units: readonly number[]): string {
  return `${comment.map((c) => `# ${c}`).join('\n')}
# Written by examples/modular/scripts/analyze.ts (see analysis.md); run: circuit-thermometer sweep <this file>
model: ./modular.onnx
data:
  inputs: { tokens: ./data/tokens.npy }
  labels: ./data/y.npy
  target: { mask: ./data/is_addition.npy }   # target = addition examples; control = subtraction examples
loss: { output: ${LOGITS}, kind: cross-entropy }
circuit:
  name: ${name}
  components:
    - tensor: ${HIDDEN_TENSOR}
      axis: -1
      units: ${unitList(units)}
intervention: { kind: mean, scope: circuit }
${DEGRADATION}
${2 * units.length > HIDDEN ? `controls: { count: 0 }   # ${units.length} of ${HIDDEN} units: no random set of this size is disjoint from them, so there is no null\n` : ''}verdict: { alpha: 0.05, persistence: 0.25 }
`;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const f3 = (v: number) => v.toFixed(3);

function report(a: Analysis): string {
  const [addKeys, subKeys] = a.keyFrequencies as [number[], number[]];
  const topShares = (s: Float64Array, n: number) => FREQUENCIES.slice().sort((x, y) => s[y]! - s[x]!).slice(0, n);
  const active = a.units.filter((u) => !u.idle);
  const byFrequency = new Map<number, UnitFacts[]>();
  for (const u of active) byFrequency.set(u.frequency, [...(byFrequency.get(u.frequency) ?? []), u]);
  const groupOf = (u: UnitFacts) => (a.groups.addition.includes(u.unit) ? 'add' : a.groups.subtraction.includes(u.unit) ? 'sub' : a.groups.shared.includes(u.unit) ? 'shared' : 'other');
  const histogram = new Array(11).fill(0) as number[];
  for (const u of active) histogram[Math.round(u.additionFraction * 10)]++;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);
  const evenOf = (units: number[]) => mean(units.map((n) => a.units[n]!.evenInB));
  const idle = a.units.filter((u) => u.idle).map((u) => u.unit);
  const base = a.ablation[0]!.scores;
  return `# What the modular network computes

Generated by \`npx tsx examples/modular/scripts/analyze.ts\` from \`modular.onnx\` and \`data/\`; do not edit by hand.

The network (see \`scripts/network.ts\`): tokens (a, b, task) → a ${EMBED}-dimensional embedding shared by a and b →
${HIDDEN} ReLU units (\`${HIDDEN_TENSOR}\`, which also receive a learned bias per task) → ${P} logits.
Task 0 is addition, (a + b) mod ${P}; task 1 is subtraction, (a − b) mod ${P}; all ${P * P} pairs of each.

## Accuracy

| task | training pairs | held-out pairs |
| --- | --- | --- |
| addition | ${pct(a.accuracy.train[0]!.accuracy)} (loss ${a.accuracy.train[0]!.loss.toExponential(2)}) | ${pct(a.accuracy.heldOut[0]!.accuracy)} (loss ${a.accuracy.heldOut[0]!.loss.toExponential(2)}) |
| subtraction | ${pct(a.accuracy.train[1]!.accuracy)} (loss ${a.accuracy.train[1]!.loss.toExponential(2)}) | ${pct(a.accuracy.heldOut[1]!.accuracy)} (loss ${a.accuracy.heldOut[1]!.loss.toExponential(2)}) |

The network generalizes to the pairs it never saw, so the hypotheses use **all pairs** of both tasks
(${2 * P * P} examples): the mechanism is the same on training and held-out pairs, and the full grid of (a, b) is
what the Fourier analysis and the tempered posterior are defined on. \`data/is_test.npy\` marks the held-out pairs.

## Key frequencies

A task's logits are projected on its Fourier algorithm, cos(2πk(a ± b − c)/p) and sin(…) for each frequency k,
over all pairs and classes c (these directions are orthogonal, so the shares add up). Key frequencies: shares
at least ${KEY_FREQUENCY_RATIO} × the largest.

| task | key frequencies (largest share first) | their shares | all 29 together |
| --- | --- | --- | --- |
| addition | ${addKeys.join(', ')} | ${addKeys.map((k) => f3(a.logitShares[0]![k]!)).join(', ')} | ${f3(a.logitShares[0]!.reduce((s, v) => s + v, 0))} |
| subtraction | ${subKeys.join(', ')} | ${subKeys.map((k) => f3(a.logitShares[1]![k]!)).join(', ')} | ${f3(a.logitShares[1]!.reduce((s, v) => s + v, 0))} |

The next frequency carries ${f3(a.logitShares[0]![topShares(a.logitShares[0]!, addKeys.length + 1)[addKeys.length]!]!)} of the addition logits.
**Both tasks use the same frequencies.** They come from the shared embedding: its power per frequency (DFT of its
columns over the residues), top ${addKeys.length + 2}: ${topShares(a.embedding, addKeys.length + 2).map((k) => `${k}: ${f3(a.embedding[k]!)}`).join(', ')}.
The hidden activations concentrate on them too (share of activation variance over a and over b, per task):
addition ${topShares(a.activations[0]!, addKeys.length).map((k) => `${k}: ${f3(a.activations[0]![k]!)}`).join(', ')};
subtraction ${topShares(a.activations[1]!, subKeys.length).map((k) => `${k}: ${f3(a.activations[1]![k]!)}`).join(', ')}.

## Units: their frequency, and which task they serve

Each unit's frequency is the dominant frequency of its input weights over the residues of a and b
(embedding × fc1); mean purity (share of that frequency) ${f3(mean(active.map((u) => u.purity)))}. Which task a unit serves is
read from its direct logit attribution on each task's examples, mean over examples of
(h − mean h)·(W2[unit, y] − mean_c W2[unit, c]) (to first order, what mean-ablating it costs the correct logit).
Its addition fraction = positive attribution on addition / positive attribution on both. ${idle.length} idle units
(total attribution < ${IDLE_FRACTION} × the mean unit's) are left out: ${idle.join(', ') || 'none'}.

Addition fraction of the ${active.length} active units, in bins of 0.1 (0 = subtraction only, 1 = addition only):
\`${histogram.join(' ')}\`. The distribution has three separate modes: units that serve **addition only**,
**subtraction only**, and units that serve **both tasks equally**.

| frequency | units | addition-specific | subtraction-specific | shared | other |
| --- | --- | --- | --- | --- | --- |
${[...byFrequency.entries()].sort((x, y) => y[1].length - x[1].length).map(([k, us]) => `| ${k}${addKeys.includes(k) ? ' (key)' : ''} | ${us.length} | ${us.filter((u) => groupOf(u) === 'add').length} | ${us.filter((u) => groupOf(u) === 'sub').length} | ${us.filter((u) => groupOf(u) === 'shared').length} | ${us.filter((u) => groupOf(u) === 'other').length} |`).join('\n')}

Why a unit is shared: a unit whose input from b is even in b (cos-like, unchanged by b → −b) sees (a, b) and
(a, −b) alike, so it computes the same thing for a + b and a − b and serves both tasks. Share of the b-input that
is even: shared units ${f3(evenOf(a.groups.shared))}, addition-specific ${f3(evenOf(a.groups.addition))}, subtraction-specific ${f3(evenOf(a.groups.subtraction))} (sin-like, odd in b).

## The hypotheses

- **(a) \`${HYPOTHESIS_FILES.addition}\`**: the ${a.groups.addition.length} units at the addition task's key frequencies that serve
  addition alone (addition fraction ≥ ${SPECIFIC_FRACTION}). Target: addition examples; control: subtraction examples.
- **(b) \`${HYPOTHESIS_FILES.random}\`**: ${a.groups.random.length} units drawn at random (seed ${RANDOM_SEED}) from all ${HIDDEN}; the same count as (a).
  It holds ${a.groups.random.filter((n) => a.groups.addition.includes(n)).length} addition-specific, ${a.groups.random.filter((n) => a.groups.subtraction.includes(n)).length} subtraction-specific and ${a.groups.random.filter((n) => a.groups.shared.includes(n)).length} shared units.
- **(c) \`${HYPOTHESIS_FILES.shared}\`**: the ${a.groups.shared.length} units at frequencies key to both tasks that serve both
  (addition fraction in (${SHARED_FRACTIONS[0]}, ${SHARED_FRACTIONS[1]})). Same target and control: what the tasks share.

Mean ablation (each unit replaced by its mean over all examples) of each group, on the trained network
(computed exactly from the clean activations: only fc2 reads the hidden layer):

| ablated | units | addition loss (Δ) | addition acc. | subtraction loss (Δ) | subtraction acc. |
| --- | --- | --- | --- | --- | --- |
${a.ablation.map((r) => `| ${r.name} | ${r.units.length} | ${r.scores[0]!.loss.toFixed(4)} (${(r.scores[0]!.loss - base[0]!.loss).toFixed(4)}) | ${pct(r.scores[0]!.accuracy)} | ${r.scores[1]!.loss.toFixed(4)} (${(r.scores[1]!.loss - base[1]!.loss).toFixed(4)}) | ${pct(r.scores[1]!.accuracy)} |`).join('\n')}

Units of each group: addition-specific ${a.groups.addition.join(', ')}; subtraction-specific ${a.groups.subtraction.join(', ')};
random ${a.groups.random.join(', ')}; shared: see \`${HYPOTHESIS_FILES.shared}\`.
`;
}

async function main(): Promise<void> {
  const a = await analyze();
  const files: [string, string][] = [
    [HYPOTHESIS_FILES.addition, hypothesisYaml([
      `(a) The addition task's circuit: the ${a.groups.addition.length} hidden units at its key Fourier frequencies (${a.keyFrequencies[0]!.join(', ')}) that serve`,
      `addition alone (≥ ${SPECIFIC_FRACTION} of their logit attribution is on addition examples).`,
    ], 'addition key-frequency units', a.groups.addition)],
    [HYPOTHESIS_FILES.random, hypothesisYaml([
      `(b) A deliberately bad hypothesis: ${a.groups.random.length} hidden units drawn at random (seed ${RANDOM_SEED}), as many as (a).`,
    ], 'random units (control hypothesis)', a.groups.random)],
    [HYPOTHESIS_FILES.shared, hypothesisYaml([
      `(c) What the tasks share: the ${a.groups.shared.length} hidden units at frequencies key to both tasks whose logit attribution is`,
      `split between addition and subtraction (they read b through a cos-like, even function, so a + b and a − b look alike).`,
    ], 'units shared by addition and subtraction', a.groups.shared)],
  ];
  for (const [file, text] of files) writeFileAtomic(path.join(EXAMPLE_DIR, file), text);
  writeFileAtomic(path.join(EXAMPLE_DIR, 'analysis.md'), report(a));
  console.log(`key frequencies: addition ${a.keyFrequencies[0]!.join(', ')}; subtraction ${a.keyFrequencies[1]!.join(', ')}`);
  console.log(`groups: addition ${a.groups.addition.length}, subtraction ${a.groups.subtraction.length}, shared ${a.groups.shared.length}, random ${a.groups.random.length}`);
  for (const r of a.ablation) console.log(`${r.name}: ΔL add ${(r.scores[0]!.loss - a.ablation[0]!.scores[0]!.loss).toFixed(4)}, ΔL sub ${(r.scores[1]!.loss - a.ablation[0]!.scores[1]!.loss).toFixed(4)}`);
  console.log(`wrote analysis.md and ${files.map(([f]) => f).join(', ')} in ${EXAMPLE_DIR}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
