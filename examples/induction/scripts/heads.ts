// Reads the trained induction network: every head's attention pattern on the shipped rows, the two standard
// diagnostics (previous-token score, induction score), and what mean-ablating one head does to the target and
// control loss. Used by analyze.ts and by the example's test.
import * as path from 'path';
import { loadArraySync } from '../../../src/engine/data/load';
import { ModelProto } from '../../../src/engine/onnx/proto';
import { exposeTensors, insertAfter } from '../../../src/engine/onnx/rewrite';
import { createSession, ort } from '../../../src/engine/onnx/runtime';
import { D_HEAD, HEADS, headOutputTensor, LAYERS, LOGITS, patternTensor, QUERY, TOKENS } from './network';
import { CONTEXT, Dataset, range, REPEAT_START, SEGMENT, VOCAB } from './task';

export const EXAMPLE_DIR = path.resolve(__dirname, '..');
export const MODEL_FILE = 'induction.onnx';
export const DATA_FILES = { tokens: 'data/tokens.npy', query: 'data/query.npy', labels: 'data/y.npy', isTarget: 'data/is_target.npy' } as const;

/** The committed rows (written by train.ts); each row's first-occurrence offset is recovered from its tokens. */
export function loadDataset(dir = EXAMPLE_DIR): Dataset {
  const read = (file: string) => loadArraySync(path.join(dir, file));
  const tokens = read(DATA_FILES.tokens);
  const query = read(DATA_FILES.query);
  const labels = read(DATA_FILES.labels);
  const isTarget = read(DATA_FILES.isTarget);
  if (tokens.dtype !== 'int64' || query.dtype !== 'int64' || labels.dtype !== 'int64' || isTarget.dtype !== 'bool') {
    throw new Error(`unexpected dtypes in ${dir}/data: run examples/induction/scripts/train.ts again`);
  }
  const n = labels.shape[0]!;
  const firstStart = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = tokens.data.subarray(i * CONTEXT, (i + 1) * CONTEXT);
    // the earlier tokens are distinct, so the repeat's first token occurs exactly once before it
    firstStart[i] = row.subarray(0, REPEAT_START).indexOf(row[REPEAT_START]!);
    if (firstStart[i]! < 0) throw new Error(`row ${i} of ${DATA_FILES.tokens} has no repeated segment`);
  }
  return { n, tokens: tokens.data, query: query.data, labels: labels.data, isTarget: isTarget.data, firstStart };
}

export interface Run {
  /** Per layer: [n, HEADS, CONTEXT (query), CONTEXT (key)]. */
  patterns: Float32Array[];
  /** Per layer: [n, CONTEXT, HEADS, D_HEAD]. */
  z: Float32Array[];
  logits: Float32Array;
}

const feeds = (data: Dataset) => ({
  [TOKENS]: new ort.Tensor('int64', data.tokens, [data.n, CONTEXT]),
  [QUERY]: new ort.Tensor('int64', data.query, [data.n]),
});

export async function runNetwork(model: ModelProto, data: Dataset): Promise<Run> {
  const layers = range(0, LAYERS);
  const session = await createSession(exposeTensors(model, layers.flatMap((l) => [patternTensor(l), headOutputTensor(l)])));
  const out = await session.run(feeds(data));
  return {
    patterns: layers.map((l) => out[patternTensor(l)]!.data as Float32Array),
    z: layers.map((l) => out[headOutputTensor(l)]!.data as Float32Array),
    logits: out[LOGITS]!.data as Float32Array,
  };
}

const at = (pattern: Float32Array, row: number, head: number, q: number, k: number) =>
  pattern[((row * HEADS + head) * CONTEXT + q) * CONTEXT + k]!;

/** Previous-token score of each head: its mean attention from position p to p − 1 (p = 1 … CONTEXT − 1, all rows). */
export function previousTokenScores(pattern: Float32Array, n: number): number[] {
  return range(0, HEADS).map((h) => {
    let sum = 0;
    for (let r = 0; r < n; r++) for (let p = 1; p < CONTEXT; p++) sum += at(pattern, r, h, p, p - 1);
    return sum / (n * (CONTEXT - 1));
  });
}

/** One head's mean attention from each query position q to key q − offset (NaN where q − offset < 0), over all rows. */
export function attentionAtOffset(pattern: Float32Array, n: number, head: number, offset: number): number[] {
  return range(0, CONTEXT).map((q) => {
    if (q - offset < 0) return NaN;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += at(pattern, r, head, q, q - offset);
    return sum / n;
  });
}

/**
 * Induction score of each head: its mean attention from each position q of the second occurrence to the token
 * that followed the same token's first occurrence (key firstStart + (q − REPEAT_START) + 1), over all rows.
 */
export function inductionScores(pattern: Float32Array, data: Dataset): number[] {
  return range(0, HEADS).map((h) => {
    let sum = 0;
    for (let r = 0; r < data.n; r++) for (let q = REPEAT_START; q < CONTEXT; q++) sum += at(pattern, r, h, q, data.firstStart[r]! + q - REPEAT_START + 1);
    return sum / (data.n * SEGMENT);
  });
}

export interface SetScores { targetLoss: number; controlLoss: number; targetAccuracy: number; controlAccuracy: number }

export function scoreLogits(logits: Float32Array, data: Dataset): SetScores {
  const loss = [0, 0];
  const hits = [0, 0];
  const count = [0, 0];
  for (let i = 0; i < data.n; i++) {
    const row = logits.subarray(i * VOCAB, (i + 1) * VOCAB);
    let best = 0;
    for (let c = 1; c < VOCAB; c++) if (row[c]! > row[best]!) best = c;
    let sum = 0;
    for (let c = 0; c < VOCAB; c++) sum += Math.exp(row[c]! - row[best]!);
    const label = Number(data.labels[i]);
    const set = data.isTarget[i] ? 0 : 1;
    count[set]++;
    loss[set] += row[best]! + Math.log(sum) - row[label]!;
    if (best === label) hits[set]++;
  }
  return { targetLoss: loss[0]! / count[0]!, controlLoss: loss[1]! / count[1]!, targetAccuracy: hits[0]! / count[0]!, controlAccuracy: hits[1]! / count[1]! };
}

export interface HeadRef { layer: number; head: number; positions?: readonly number[] }

/**
 * Mean ablation of heads, as the sweep does it: each head's hook_z is replaced by its mean over all rows (per
 * position), at every position or only at `positions`. Returns the losses and accuracies of the ablated network.
 */
export async function ablateHeads(model: ModelProto, data: Dataset, run: Run, heads: readonly HeadRef[]): Promise<SetScores> {
  let m = model;
  for (let l = 0; l < LAYERS; l++) {
    const mine = heads.filter((h) => h.layer === l);
    if (mine.length === 0) continue;
    const size = CONTEXT * HEADS * D_HEAD;
    const mean = new Float32Array(size);
    const z = run.z[l]!;
    for (let r = 0; r < data.n; r++) for (let i = 0; i < size; i++) mean[i] += z[r * size + i]! / data.n;
    const mask = new Float32Array(size);
    for (const { head, positions } of mine) {
      for (const p of positions ?? range(0, CONTEXT)) for (let d = 0; d < D_HEAD; d++) mask[(p * HEADS + head) * D_HEAD + d] = 1;
    }
    m = insertAfter(m, headOutputTensor(l), (b, input) => {
      const keep = b.mul(input, b.constFloat(Array.from(mask, (x) => 1 - x), [1, CONTEXT, HEADS, D_HEAD], 'keep'));
      return b.add(keep, b.constFloat(Array.from(mean, (x, i) => x * mask[i]!), [1, CONTEXT, HEADS, D_HEAD], 'replacement'));
    }, `ablate${l}/`);
  }
  const session = await createSession(m);
  const out = await session.run(feeds(data));
  return scoreLogits(out[LOGITS]!.data as Float32Array, data);
}
