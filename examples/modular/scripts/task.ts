// The two-task modular-arithmetic problem: one network computes (a + b) mod p (task 0) and (a − b) mod p (task 1).
// Inputs are the integer tokens (a, b, task); the network one-hot encodes them itself, so the data stays tiny.
import { Rng } from '../../../src/engine/util/random';

export const P = 59;
/** Width of the token embedding shared by a and b: at most EMBED/2 frequencies fit, which is why few are used. */
export const EMBED = 16;
export const HIDDEN = 256;
export const TASK_NAMES = ['addition', 'subtraction'] as const;
export const TRAIN_FRACTION = 0.8;

export interface Dataset {
  n: number;
  /** [n, 3] row-major: a, b, task. */
  tokens: BigInt64Array;
  /** [n] the answer mod p. */
  labels: BigInt64Array;
  /** [n] 1 where task = addition. */
  isAddition: Uint8Array;
  /** [n] 1 for held-out pairs (never trained on). */
  isTest: Uint8Array;
}

export function answer(a: number, b: number, task: number): number {
  return task === 0 ? (a + b) % P : (((a - b) % P) + P) % P;
}

/**
 * All p² pairs of each task, addition first, a-major. The split is stratified by task: a seeded permutation
 * of each task's pairs puts the first TRAIN_FRACTION of them in the training set.
 */
export function makeDataset(seed: number): Dataset {
  const perTask = P * P;
  const n = 2 * perTask;
  const tokens = new BigInt64Array(n * 3);
  const labels = new BigInt64Array(n);
  const isAddition = new Uint8Array(n);
  const isTest = new Uint8Array(n);
  for (let task = 0; task < 2; task++) {
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        const i = task * perTask + a * P + b;
        tokens[3 * i] = BigInt(a);
        tokens[3 * i + 1] = BigInt(b);
        tokens[3 * i + 2] = BigInt(task);
        labels[i] = BigInt(answer(a, b, task));
        isAddition[i] = task === 0 ? 1 : 0;
      }
    }
    const order = Rng.stream(seed, 0x5e1ec7, task).permutation(perTask);
    const trainCount = Math.round(TRAIN_FRACTION * perTask);
    for (let k = trainCount; k < perTask; k++) isTest[task * perTask + order[k]!] = 1;
  }
  return { n, tokens, labels, isAddition, isTest };
}

/** The rows of `data` (examples) where `keep` holds. */
export function subset(data: Dataset, keep: (i: number) => boolean): { tokens: BigInt64Array; labels: BigInt64Array; isAddition: Uint8Array; n: number } {
  const rows: number[] = [];
  for (let i = 0; i < data.n; i++) if (keep(i)) rows.push(i);
  const tokens = new BigInt64Array(rows.length * 3);
  const labels = new BigInt64Array(rows.length);
  const isAddition = new Uint8Array(rows.length);
  rows.forEach((r, k) => {
    tokens.set(data.tokens.subarray(3 * r, 3 * r + 3), 3 * k);
    labels[k] = data.labels[r]!;
    isAddition[k] = data.isAddition[r]!;
  });
  return { tokens, labels, isAddition, n: rows.length };
}
