// Trains the induction example's two-layer attention-only transformer with this project's engine: the autodiff
// module builds the gradient graph of the next-token cross-entropy at every position, the modular example's AdamW
// is appended to it, and every step is one onnxruntime run on a fresh seeded batch of sequences.
// Run: npx tsx examples/induction/scripts/train.ts   (writes induction.onnx, data/*.npy and train.log next to it)
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { saveNpy } from '../../../src/engine/data/load';
import { saveModel } from '../../../src/engine/onnx/load';
import { parametersToInputs } from '../../../src/engine/onnx/rewrite';
import { createSession, Feeds, ort } from '../../../src/engine/onnx/runtime';
import { writeFileAtomic } from '../../../src/engine/util/atomic';
import { Rng } from '../../../src/engine/util/random';
import { AdamWSettings, buildTrainStep } from '../../modular/scripts/adamw';
import { buildNetwork, D_MODEL, HEADS, LAYERS, LOGITS, PARAMETER_NAMES, PARAMETERS, parameterSize, QUERY, TOKENS, Weights } from './network';
import { CONTEXT, Dataset, makeDataset, makeSequence, REPEAT_START, SEGMENT, VOCAB } from './task';

export const SEED = 0;
/** Rows of each set (target, control) in the shipped data. */
export const ROWS_PER_SET = 128;
/** Random streams: the training batches and the shipped (held-out) rows never share a sequence. */
export const STREAMS = { init: 0x1d0, batches: 0x1d1, data: 0x1d2 } as const;
const BATCH = 64;
const ADAMW: AdamWSettings = { lr: 1e-3, weightDecay: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-8 };
const EVAL_EVERY = 100;
/** Steps trained after the held-out target accuracy first reaches TARGET_ACCURACY. */
const MARGIN_STEPS = 500;
const TARGET_ACCURACY = 0.99;
const MAX_STEPS = 20000;

const here = path.resolve(__dirname, '..');

function initialWeights(seed: number): Weights {
  const rng = Rng.stream(seed, STREAMS.init);
  const normal = (name: string, scale: number) => rng.fillNormal(new Float32Array(parameterSize(name)), scale);
  const w: Weights = {};
  for (const name of PARAMETER_NAMES) {
    // embeddings at unit scale; every matrix read from the residual stream scaled for unit-variance outputs
    const scale = name.startsWith('embed') || name.startsWith('pos_embed') ? 1 : 1 / Math.sqrt(D_MODEL);
    w[name] = normal(name, scale);
  }
  return w;
}

/** A fresh batch: tokens [BATCH, CONTEXT] and the next token at every position as labels. */
function batch(rng: Rng): { tokens: BigInt64Array; labels: BigInt64Array } {
  const tokens = new BigInt64Array(BATCH * CONTEXT);
  const labels = new BigInt64Array(BATCH * CONTEXT);
  for (let i = 0; i < BATCH; i++) {
    const s = makeSequence(rng);
    for (let p = 0; p < CONTEXT; p++) tokens[i * CONTEXT + p] = BigInt(s.tokens[p]!);
    // the label at p is the token at p + 1; the last position has no next token, so it predicts a fresh random one
    for (let p = 0; p < CONTEXT; p++) labels[i * CONTEXT + p] = p + 1 < CONTEXT ? BigInt(s.tokens[p + 1]!) : BigInt(rng.int(VOCAB));
  }
  return { tokens, labels };
}

/** Accuracy and mean loss of the query readout over target rows and control rows. */
function score(logits: Float32Array, data: Dataset): { accuracy: number[]; loss: number[] } {
  const hits = [0, 0];
  const loss = [0, 0];
  const counts = [0, 0];
  for (let i = 0; i < data.n; i++) {
    const row = logits.subarray(i * VOCAB, (i + 1) * VOCAB);
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < VOCAB; c++) if (row[c]! > max) { max = row[c]!; best = c; }
    let sum = 0;
    for (let c = 0; c < VOCAB; c++) sum += Math.exp(row[c]! - max);
    const set = data.isTarget[i] ? 0 : 1;
    const label = Number(data.labels[i]);
    counts[set]++;
    if (best === label) hits[set]++;
    loss[set] += max + Math.log(sum) - row[label]!;
  }
  return { accuracy: hits.map((h, s) => h / counts[s]!), loss: loss.map((l, s) => l / counts[s]!) };
}

async function main(): Promise<void> {
  const data = makeDataset(ROWS_PER_SET, SEED, STREAMS.data);
  const batches = Rng.stream(SEED, STREAMS.batches);
  let weights = initialWeights(SEED);

  const built0 = performance.now();
  const step = await buildTrainStep({
    model: buildNetwork(weights, 'all'), parameters: [...PARAMETER_NAMES], logits: LOGITS, labels: 'labels',
    feedShapes: { [TOKENS]: [BATCH, CONTEXT] }, adamw: ADAMW,
  });
  const trainSession = await createSession(step.model);
  const evalSession = await createSession(parametersToInputs(buildNetwork(weights, 'query'), [...PARAMETER_NAMES]));
  const buildSeconds = (performance.now() - built0) / 1000;

  const evalFeeds: Feeds = {
    [TOKENS]: new ort.Tensor('int64', data.tokens, [data.n, CONTEXT]),
    [QUERY]: new ort.Tensor('int64', data.query, [data.n]),
  };
  const zeros = () => Object.fromEntries(PARAMETER_NAMES.map((p) => [p, new Float32Array(parameterSize(p))])) as Weights;
  let m = zeros();
  let v = zeros();

  const log: string[] = [
    `# induction: ${LAYERS}-layer attention-only transformer (d_model ${D_MODEL}, ${HEADS} heads, context ${CONTEXT}, vocabulary ${VOCAB}), trained by examples/induction/scripts/train.ts`,
    `# seed ${SEED}; AdamW lr ${ADAMW.lr}, weight decay ${ADAMW.weightDecay}, betas (${ADAMW.beta1}, ${ADAMW.beta2}), eps ${ADAMW.eps}; ${BATCH} fresh sequences per step, loss at every position`,
    `# sequences: ${REPEAT_START} distinct random tokens, the ${SEGMENT}-token segment at a random offset among them repeated in the last ${SEGMENT} positions`,
    `# held-out rows (the shipped data, never trained on): ${ROWS_PER_SET} target (query in the repeat) + ${ROWS_PER_SET} control (query in the first occurrence); chance accuracy ${(1 / VOCAB).toFixed(4)}, loss ln ${VOCAB} = ${Math.log(VOCAB).toFixed(3)}`,
    `# stop ${MARGIN_STEPS} steps after the held-out target accuracy reaches ${TARGET_ACCURACY}; graph build and session creation ${buildSeconds.toFixed(2)} s`,
    `${'step'.padStart(6)} ${'train_loss'.padStart(10)} ${'tgt_acc'.padStart(8)} ${'tgt_loss'.padStart(8)} ${'ctl_acc'.padStart(8)} ${'ctl_loss'.padStart(8)} ${'wall_s'.padStart(8)}`,
  ];
  const print = (line: string) => { log.push(line); console.log(line); };
  log.forEach((l) => console.log(l));

  const start = performance.now();
  let stopAt = MAX_STEPS;
  let reachedAt = -1;
  let lastLoss = NaN;
  const tensor = (name: string, values: Float32Array) => new ort.Tensor('float32', values, [...PARAMETERS[name]!]);
  for (let t = 0; t <= stopAt; t++) {
    if (t % EVAL_EVERY === 0 || t === stopAt) {
      const feeds: Feeds = { ...evalFeeds };
      for (const p of PARAMETER_NAMES) feeds[p] = tensor(p, weights[p]!);
      const s = score((await evalSession.run(feeds))[LOGITS]!.data as Float32Array, data);
      const wall = (performance.now() - start) / 1000;
      print(`${String(t).padStart(6)} ${lastLoss.toExponential(3).padStart(10)} ${s.accuracy[0]!.toFixed(4).padStart(8)} ${s.loss[0]!.toFixed(4).padStart(8)} ${s.accuracy[1]!.toFixed(4).padStart(8)} ${s.loss[1]!.toFixed(4).padStart(8)} ${wall.toFixed(1).padStart(8)}`);
      if (reachedAt < 0 && s.accuracy[0]! >= TARGET_ACCURACY) {
        reachedAt = t;
        stopAt = Math.min(MAX_STEPS, t + MARGIN_STEPS);
      }
    }
    if (t === stopAt) break;
    const { tokens, labels } = batch(batches);
    const feeds: Feeds = {
      [TOKENS]: new ort.Tensor('int64', tokens, [BATCH, CONTEXT]),
      labels: new ort.Tensor('int64', labels, [BATCH, CONTEXT]),
      [step.stepInput]: new ort.Tensor('float32', new Float32Array([t + 1]), []),
    };
    for (const p of PARAMETER_NAMES) {
      feeds[p] = tensor(p, weights[p]!);
      feeds[step.slots[p]!.m] = tensor(p, m[p]!);
      feeds[step.slots[p]!.v] = tensor(p, v[p]!);
    }
    const out = await trainSession.run(feeds);
    lastLoss = (out[step.lossOutput]!.data as Float32Array)[0]!;
    if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} at step ${t + 1}`);
    const pick = (name: string) => out[name]!.data as Float32Array;
    weights = Object.fromEntries(PARAMETER_NAMES.map((p) => [p, pick(step.slots[p]!.next)]));
    m = Object.fromEntries(PARAMETER_NAMES.map((p) => [p, pick(step.slots[p]!.nextM)]));
    v = Object.fromEntries(PARAMETER_NAMES.map((p) => [p, pick(step.slots[p]!.nextV)]));
  }
  const seconds = (performance.now() - start) / 1000;
  if (reachedAt < 0) throw new Error(`held-out target accuracy did not reach ${TARGET_ACCURACY} in ${MAX_STEPS} steps`);
  print(`# held-out target accuracy reached ${TARGET_ACCURACY} at step ${reachedAt}; stopped at step ${stopAt}; ${seconds.toFixed(1)} s (${(1000 * seconds / stopAt).toFixed(1)} ms/step incl. evaluation)`);

  saveModel(buildNetwork(weights, 'query'), path.join(here, 'induction.onnx'));
  fs.mkdirSync(path.join(here, 'data'), { recursive: true });
  saveNpy(path.join(here, 'data', 'tokens.npy'), { dtype: 'int64', shape: [data.n, CONTEXT], data: data.tokens });
  saveNpy(path.join(here, 'data', 'query.npy'), { dtype: 'int64', shape: [data.n], data: data.query });
  saveNpy(path.join(here, 'data', 'y.npy'), { dtype: 'int64', shape: [data.n], data: data.labels });
  saveNpy(path.join(here, 'data', 'is_target.npy'), { dtype: 'bool', shape: [data.n], data: data.isTarget });
  writeFileAtomic(path.join(here, 'train.log'), log.join('\n') + '\n');
  console.log(`wrote induction.onnx, data/{tokens,query,y,is_target}.npy and train.log under ${here}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
