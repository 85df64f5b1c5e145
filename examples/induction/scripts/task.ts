// The induction task: sequences of random tokens in which one random segment occurs twice. The second occurrence
// always fills the last SEGMENT positions; the first starts at a random offset, so the distance between the two
// varies from sequence to sequence and no head can find the earlier copy by position alone: predicting the second
// occurrence takes an induction circuit (find the earlier occurrence of the current token, copy the token after it).
import { Rng } from '../../../src/engine/util/random';

export const VOCAB = 64;
export const CONTEXT = 32;
/** Length of the repeated segment. */
export const SEGMENT = 12;
/** First position of the second occurrence (the last SEGMENT positions). */
export const REPEAT_START = CONTEXT - SEGMENT;
/** The first occurrence starts at 0 … MAX_FIRST_START and ends before REPEAT_START. */
export const MAX_FIRST_START = REPEAT_START - SEGMENT;

/**
 * Query positions whose next token an induction circuit predicts: q = REPEAT_START … CONTEXT − 2 (the token at q
 * is segment token q − REPEAT_START; the next one followed its earlier copy).
 */
export const TARGET_QUERIES = range(REPEAT_START, CONTEXT - 1);

export interface Sequence {
  tokens: number[];
  /** Where the first occurrence starts. */
  firstStart: number;
}

/**
 * One sequence: the first REPEAT_START positions hold distinct tokens (a random draw without replacement), then
 * the segment at firstStart is copied into the last SEGMENT positions. Distinct tokens make the earlier occurrence
 * of each repeated token unique, so the induction rule has exactly one answer (with uniform tokens, 1 − (63/64)^19 ≈ 26% of
 * queries would see their token twice before them and no rule could reach 100%).
 */
export function makeSequence(rng: Rng): Sequence {
  const tokens = Array.from(rng.permutation(VOCAB).subarray(0, CONTEXT));
  const firstStart = rng.int(MAX_FIRST_START + 1);
  for (let i = 0; i < SEGMENT; i++) tokens[REPEAT_START + i] = tokens[firstStart + i]!;
  return { tokens, firstStart };
}

/**
 * Query positions inside the first occurrence whose next token is still inside it: not predictable (the next token
 * is uniform over the 64 − q − 1 tokens not seen yet; the best loss is ln(VOCAB − q − 1), about 4 nats).
 */
export function controlQueries(s: Sequence): number[] {
  return range(s.firstStart, s.firstStart + SEGMENT - 1);
}

/**
 * The example's rows: one (sequence, query position) pair each, a fresh sequence per row. Label = the token after
 * the query. Target rows query the second occurrence (predictable by induction only); control rows query the first
 * occurrence (not predictable at all). Half and half, target first.
 */
export interface Dataset {
  n: number;
  /** [n, CONTEXT] row-major. */
  tokens: BigInt64Array;
  /** [n] the query position whose prediction is scored. */
  query: BigInt64Array;
  /** [n] the token after the query. */
  labels: BigInt64Array;
  /** [n] 1 for target rows (query in the second occurrence). */
  isTarget: Uint8Array;
  /** [n] where each row's first occurrence starts (for the analysis). */
  firstStart: Int32Array;
}

export function makeDataset(rowsPerSet: number, seed: number, stream: number): Dataset {
  const rng = Rng.stream(seed, stream);
  const n = 2 * rowsPerSet;
  const data: Dataset = {
    n, tokens: new BigInt64Array(n * CONTEXT), query: new BigInt64Array(n), labels: new BigInt64Array(n),
    isTarget: new Uint8Array(n), firstStart: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const s = makeSequence(rng);
    const target = i < rowsPerSet;
    const choices = target ? TARGET_QUERIES : controlQueries(s);
    const q = choices[rng.int(choices.length)]!;
    for (let p = 0; p < CONTEXT; p++) data.tokens[i * CONTEXT + p] = BigInt(s.tokens[p]!);
    data.query[i] = BigInt(q);
    data.labels[i] = BigInt(s.tokens[q + 1]!);
    data.isTarget[i] = target ? 1 : 0;
    data.firstStart[i] = s.firstStart;
  }
  return data;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
