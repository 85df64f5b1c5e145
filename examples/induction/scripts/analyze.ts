// Reads the trained induction network: every head's previous-token and induction score, what mean-ablating each
// head does, which heads form the circuit; writes analysis.md, the figures and the four hypothesis files.
// Run: npx tsx examples/induction/scripts/analyze.ts
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../../src/engine/onnx/load';
import { writeFileAtomic } from '../../../src/engine/util/atomic';
import { Rng } from '../../../src/engine/util/random';
import { patternGridSvg, scoreBarsSvg, writePngs } from './figures';
import { ablateHeads, attentionAtOffset, EXAMPLE_DIR, HeadRef, inductionScores, loadDataset, MODEL_FILE, previousTokenScores, runNetwork, scoreLogits, SetScores } from './heads';
import { HEADS, headOutputTensor, LAYERS } from './network';
import { CONTEXT, range, REPEAT_START, SEGMENT, TARGET_QUERIES, VOCAB } from './task';

export const RANDOM_SEED = 0;
export const HYPOTHESIS_FILES = {
  circuit: 'induction-circuit.circuit.yaml',
  random: 'random-heads.circuit.yaml',
  inductionHead: 'induction-head.circuit.yaml',
  keepOnly: 'keep-only-circuit.circuit.yaml',
} as const;
export const FIGURES = { patterns: 'figures/attention-patterns.png', scores: 'figures/head-scores.png' } as const;
/** The query positions the induction head is restricted to, as a unit-list range: the target rows' queries. */
export const REPEAT_POSITIONS = `"${TARGET_QUERIES[0]}:${TARGET_QUERIES[TARGET_QUERIES.length - 1]! + 1}"`;

/**
 * The sweep settings of every hypothesis (the same for all four, so their charts compare), chosen as the modular
 * example chose its own: weight noise (independent draws, so every level's statistics hold without a convergence
 * test), and a σ grid from a network that is barely degraded (σ = 3e−4: ΔL ≈ 1e−4) to one whose induction is gone
 * (σ = 0.1: the target loss is back near ln 64 and ΔL is several nats); 8 levels, 8 draws per level, 16 controls.
 */
export const DEGRADATION = `degradation:
  dial: weight-noise
  temperatures: { from: 0.0003, to: 0.1, count: 8 }
  noise: { samples: 8 }
  seed: 0`;

export interface Analysis {
  clean: SetScores;
  /** The best possible control loss: the next token is uniform over the VOCAB − q − 1 tokens not seen yet. */
  bestControlLoss: number;
  previous: number[][];
  induction: number[][];
  /** Single-head mean ablation at every position, [layer][head]. */
  single: SetScores[][];
  previousHead: number;
  /** The previous-token head's mean attention from each query position to the previous token and to itself. */
  previousHeadByQuery: { previous: number[]; self: number[] };
  inductionHead: number;
  randomHeads: number[];
  ablations: { name: string; scores: SetScores }[];
}

export async function analyze(dir = EXAMPLE_DIR): Promise<Analysis & { figures: { file: string; svg: string }[] }> {
  const model = loadModel(path.join(dir, MODEL_FILE)).proto;
  const data = loadDataset(dir);
  const run = await runNetwork(model, data);
  const layers = range(0, LAYERS);
  const previous = layers.map((l) => previousTokenScores(run.patterns[l]!, data.n));
  const induction = layers.map((l) => inductionScores(run.patterns[l]!, data));
  const single: SetScores[][] = [];
  for (const l of layers) {
    single.push([]);
    for (const h of range(0, HEADS)) single[l]!.push(await ablateHeads(model, data, run, [{ layer: l, head: h }]));
  }
  const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
  const previousHead = argmax(previous[0]!);
  const inductionHead = argmax(induction[1]!);
  const previousHeadByQuery = { previous: attentionAtOffset(run.patterns[0]!, data.n, previousHead, 1), self: attentionAtOffset(run.patterns[0]!, data.n, previousHead, 0) };
  // (b): one head of each layer drawn (seeded) from the heads that are not (a)'s
  const rng = Rng.stream(RANDOM_SEED, 0x1d3);
  const others = (skip: number) => range(0, HEADS).filter((h) => h !== skip);
  const randomHeads = [others(previousHead)[rng.int(HEADS - 1)]!, others(inductionHead)[rng.int(HEADS - 1)]!];

  const circuit: HeadRef[] = [{ layer: 0, head: previousHead }, { layer: 1, head: inductionHead, positions: TARGET_QUERIES }];
  const outsideRepeat = range(0, CONTEXT).filter((p) => !TARGET_QUERIES.includes(p));
  const complement: HeadRef[] = [
    ...others(previousHead).map((head) => ({ layer: 0, head })),
    ...others(inductionHead).map((head) => ({ layer: 1, head })),
    { layer: 1, head: inductionHead, positions: outsideRepeat },
  ];
  const ablations = [
    { name: `(a) L0H${previousHead} + L1H${inductionHead} at the repeat`, scores: await ablateHeads(model, data, run, circuit) },
    { name: `(b) L0H${randomHeads[0]} + L1H${randomHeads[1]} at the repeat`, scores: await ablateHeads(model, data, run, [{ layer: 0, head: randomHeads[0]! }, { layer: 1, head: randomHeads[1]!, positions: TARGET_QUERIES }]) },
    { name: `(c) L1H${inductionHead} at the repeat`, scores: await ablateHeads(model, data, run, [circuit[1]!]) },
    { name: `(d) everything but (a) (keep only (a))`, scores: await ablateHeads(model, data, run, complement) },
    { name: `all 8 layer-1 heads at the repeat`, scores: await ablateHeads(model, data, run, range(0, HEADS).map((head) => ({ layer: 1, head, positions: TARGET_QUERIES }))) },
  ];
  const row = range(0, data.n).find((i) => data.isTarget[i] === 1)!;
  const mark = (l: number, h: number) => (l === 0 && h === previousHead ? 'previous-token' : l === 1 && h === inductionHead ? 'induction' : undefined);
  const figures = [
    { file: FIGURES.patterns, svg: patternGridSvg(run.patterns, row, `Attention patterns of every head on row ${row} (first occurrence at ${data.firstStart[row]}…${data.firstStart[row]! + SEGMENT - 1}, repeat at ${REPEAT_START}…${CONTEXT - 1}); rows = query, columns = key`, mark) },
    { file: FIGURES.scores, svg: scoreBarsSvg(previous, induction) },
  ];
  const controlRows = range(0, data.n).filter((i) => data.isTarget[i] === 0);
  const bestControlLoss = controlRows.reduce((sum, i) => sum + Math.log(VOCAB - Number(data.query[i]) - 1), 0) / controlRows.length;
  return { clean: scoreLogits(run.logits, data), bestControlLoss, previous, induction, single, previousHead, previousHeadByQuery, inductionHead, randomHeads, ablations, figures };
}

/**
 * (c) is one head of one layer: only HEADS − 1 other single-head sets exist, so its null is all of them (an exact
 * null), and the rank test's smallest p-value is 1/HEADS: at α = 0.05 the checker refuses it as a null that cannot
 * reject. The hypothesis says so and tests at the smallest α its null can reach, 1/HEADS.
 */
export const SINGLE_HEAD_CONTROLS = `controls: { count: ${HEADS - 1} }   # every other layer-1 head: all ${HEADS - 1} distinct sets of one head there are (an exact null)`;
export const SINGLE_HEAD_VERDICT = `verdict: { alpha: ${1 / HEADS}, persistence: 0.25 }   # ${HEADS - 1} other heads make p ≥ 1/${HEADS}: the smallest α one head can be tested at`;
const VERDICT = 'verdict: { alpha: 0.05, persistence: 0.25 }';

function hypothesis(comment: string, name: string, components: string[], scope: 'circuit' | 'complement', controls?: string, verdict = VERDICT): string {
  return `${comment}
# Written by examples/induction/scripts/analyze.ts (see analysis.md); run: circuit-thermometer sweep <this file>
model: ./${MODEL_FILE}
data:
  inputs: { tokens: ./data/tokens.npy, query: ./data/query.npy }
  labels: ./data/y.npy
  target: { mask: ./data/is_target.npy }   # target = queries in the repeat; control = queries in the first occurrence
loss: { output: logits, kind: cross-entropy }
circuit:
  name: ${name}
  components:
${components.map((c) => `    - ${c}`).join('\n')}
intervention: { kind: mean, scope: ${scope} }
${DEGRADATION}${controls ? `\n${controls}` : ''}
${verdict}
`;
}

const head = (layer: number, h: number, repeatOnly: boolean) =>
  `{ tensor: ${headOutputTensor(layer)}, axis: 2, units: [${h}]${repeatOnly ? `, positions: [${REPEAT_POSITIONS}]` : ''} }`;

export function hypothesisFiles(a: Analysis): Record<keyof typeof HYPOTHESIS_FILES, string> {
  const circuit = [head(0, a.previousHead, false), head(1, a.inductionHead, true)];
  return {
    circuit: hypothesis(`# (a) The induction circuit: the previous-token head L0H${a.previousHead} (every position) and the induction head L1H${a.inductionHead},\n# restricted to the query positions of the repeated segment (axis 2 of hook_z = heads, axis 1 = positions).`,
      'induction circuit', circuit, 'circuit'),
    random: hypothesis(`# (b) A deliberately bad hypothesis: as many heads as (a), drawn at random (seed ${RANDOM_SEED}) from the heads that are not (a)'s:\n# L0H${a.randomHeads[0]} at every position and L1H${a.randomHeads[1]} at the repeat, like (a)'s two components.`,
      'random heads (control hypothesis)', [head(0, a.randomHeads[0]!, false), head(1, a.randomHeads[1]!, true)], 'circuit'),
    inductionHead: hypothesis(`# (c) The induction head L1H${a.inductionHead} alone, at the query positions of the repeated segment.`,
      'induction head alone', [head(1, a.inductionHead, true)], 'circuit', SINGLE_HEAD_CONTROLS, SINGLE_HEAD_VERDICT),
    keepOnly: hypothesis(`# (d) Keep only (a): every other head of both layers, and L1H${a.inductionHead} outside the repeat, is mean-ablated\n# (scope: complement; the sufficiency question).`,
      'keep only the induction circuit', circuit, 'complement'),
  };
}

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function analysisMarkdown(a: Analysis): string {
  const headRows = range(0, LAYERS).flatMap((l) => range(0, HEADS).map((h) => {
    const s = a.single[l]![h]!;
    const role = l === 0 && h === a.previousHead ? ' **previous-token**' : l === 1 && h === a.inductionHead ? ' **induction**' : '';
    return `| L${l}H${h}${role} | ${f3(a.previous[l]![h]!)} | ${f3(a.induction[l]![h]!)} | ${f3(s.targetLoss - a.clean.targetLoss)} | ${pct(s.targetAccuracy)} | ${f3(s.controlLoss - a.clean.controlLoss)} |`;
  }));
  const l1 = a.induction[1]!;
  const before = range(1, REPEAT_START - 1).map((q) => a.previousHeadByQuery.previous[q]!);
  const repeatSelf = TARGET_QUERIES.map((q) => a.previousHeadByQuery.self[q]!);
  const strongL1 = range(0, HEADS).filter((h) => l1[h]! >= 0.5).length;
  return `# Induction example: analysis

Written by \`examples/induction/scripts/analyze.ts\` from \`induction.onnx\` and the shipped rows in \`data/\`. Every
number below is a mean over those rows (half target, half control); ablation = mean ablation of the head's
\`hook_z\` (its mean over all rows, per position), as the sweep does it.

Clean network: target loss ${f3(a.clean.targetLoss)} (accuracy ${pct(a.clean.targetAccuracy)}), control loss ${f3(a.clean.controlLoss)}
(accuracy ${pct(a.clean.controlAccuracy)}; the best possible: ${f3(a.bestControlLoss)}, the mean of ln(${VOCAB} − q − 1) over the control queries q).

## The two diagnostics

- **Previous-token score** of a head: its mean attention from position p to p − 1 (p = 1 … ${CONTEXT - 1}, every row).
- **Induction score**: its mean attention from each position q of the repeat (${REPEAT_START} … ${CONTEXT - 1}) to the token that
  followed the same token's first occurrence.

![previous-token and induction score of every head](${FIGURES.scores})

| head | previous-token score | induction score | ΔL_T ablated | target accuracy ablated | ΔL_C ablated |
| --- | --- | --- | --- | --- | --- |
${headRows.join('\n')}

- **L0H${a.previousHead} is the previous-token head**: score ${f3(a.previous[0]![a.previousHead]!)} (next best in layer 0:
  ${f3(Math.max(...a.previous[0]!.filter((_, h) => h !== a.previousHead)))}). It is the one layer-0 head the task needs: ablating it
  costs ${f3(a.single[0]![a.previousHead]!.targetLoss - a.clean.targetLoss)} nats on the target (accuracy ${pct(a.single[0]![a.previousHead]!.targetAccuracy)});
  no other layer-0 head costs more than ${f3(Math.max(...range(0, HEADS).filter((h) => h !== a.previousHead).map((h) => a.single[0]![h]!.targetLoss - a.clean.targetLoss)))}.
  Its score is an average over all positions and understates it: from the positions before the repeat (1 … ${REPEAT_START - 2}),
  where the induction head's keys are, it puts ${pct(Math.min(...before))}–${pct(Math.max(...before))} of its attention on the previous token;
  from the repeat's query positions (${REPEAT_START} … ${CONTEXT - 2}) it attends to itself (${pct(Math.min(...repeatSelf))}–${pct(Math.max(...repeatSelf))}), where no
  key of the induction head needs a previous token.
- **L1H${a.inductionHead} has the highest induction score** (${f3(l1[a.inductionHead]!)}), but it is not alone: ${strongL1} of the
  ${HEADS} layer-1 heads score ≥ 0.5. The task gives layer 1 nothing else to do, so induction is spread over the
  whole layer, and ablating any single layer-1 head costs
  ${f3(Math.min(...a.single[1]!.map((s) => s.targetLoss - a.clean.targetLoss)))}–${f3(Math.max(...a.single[1]!.map((s) => s.targetLoss - a.clean.targetLoss)))} nats.

## Attention patterns

One target row; each square is one head's pattern (rows: query position, columns: key position; white 0, dark 1).
The previous-token head draws the sub-diagonal up to the repeat and the diagonal in it; the layer-1 heads draw, in the last ${SEGMENT} rows, the off-diagonal
stripe "one after the earlier copy" of the induction pattern.

![attention patterns of every head on one target row](${FIGURES.patterns})

## The hypotheses and their ablations at the trained weights

| ablation | ΔL_T | target accuracy | ΔL_C |
| --- | --- | --- | --- |
${a.ablations.map(({ name, scores }) => `| ${name} | ${f3(scores.targetLoss - a.clean.targetLoss)} | ${pct(scores.targetAccuracy)} | ${f3(scores.controlLoss - a.clean.controlLoss)} |`).join('\n')}

- (a) \`${HYPOTHESIS_FILES.circuit}\`: L0H${a.previousHead} (every position) and L1H${a.inductionHead} restricted to the repeat's query positions.
- (b) \`${HYPOTHESIS_FILES.random}\`: L0H${a.randomHeads[0]} and L1H${a.randomHeads[1]}, drawn (seed ${RANDOM_SEED}) from the heads that are not (a)'s, with (a)'s layout.
- (c) \`${HYPOTHESIS_FILES.inductionHead}\`: L1H${a.inductionHead} alone, at the repeat.
- (d) \`${HYPOTHESIS_FILES.keepOnly}\`: (a)'s components with \`scope: complement\` (keep only (a)).

The sweeps (README.md) ask what these numbers cannot: whether each effect beats matched random heads, and whether
it survives a degraded network.
`;
}

async function main(): Promise<void> {
  const a = await analyze();
  fs.mkdirSync(path.join(EXAMPLE_DIR, 'figures'), { recursive: true });
  await writePngs(a.figures.map((f) => ({ ...f, file: path.join(EXAMPLE_DIR, f.file) })));
  for (const [key, text] of Object.entries(hypothesisFiles(a))) writeFileAtomic(path.join(EXAMPLE_DIR, HYPOTHESIS_FILES[key as keyof typeof HYPOTHESIS_FILES]), text);
  writeFileAtomic(path.join(EXAMPLE_DIR, 'analysis.md'), analysisMarkdown(a));
  console.log(`previous-token head L0H${a.previousHead}, induction head L1H${a.inductionHead}, random heads L0H${a.randomHeads[0]} L1H${a.randomHeads[1]}`);
  console.log(`wrote analysis.md, ${Object.values(FIGURES).join(', ')} and ${Object.values(HYPOTHESIS_FILES).join(', ')} under ${EXAMPLE_DIR}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
