/**
 * Per-position targets for sequence models: which tokens (example, position) the target and control losses are
 * over. A token whose label is the ignore index (PyTorch's -100 by default) is scored nowhere; a target mask shaped
 * like the labels ([n, seq, …]) picks target tokens, and the other labelled tokens are control; a mask of one
 * value per example makes all of an example's labelled tokens target or control. The losses are then means over
 * tokens, as torch.nn.functional.cross_entropy(…, ignore_index=-100) computes them.
 */
import { numberDefault } from '../../protocol/hypothesisSchema';
import { DataError } from './errors';
import { formatShape, getNumber, NdArray } from './ndarray';

/** The hypothesis's `data.ignoreIndex` default (PyTorch's ignore_index). */
export const DEFAULT_IGNORE_INDEX = numberDefault(['data', 'ignoreIndex']);

/** Per token: 1 target, 0 control, IGNORED_TOKEN not scored. */
export const IGNORED_TOKEN = 2;

export interface TokenSelection {
  /** Tokens per example (the product of the labels' non-example axes). */
  perRow: number;
  /** [n · perRow]: 1 target, 0 control, IGNORED_TOKEN. */
  kind: Uint8Array;
  targetTokens: number;
  controlTokens: number;
  /** Per example: 1 when it holds a target token (evaluation subsets keep the data's share of these). */
  exampleIsTarget: Uint8Array;
}

/** Whether a target mask has one entry per token of [n, …] labels rather than one per example. */
export function isTokenMask(mask: NdArray, labels: NdArray): boolean {
  const perRow = (a: NdArray) => a.shape.slice(1).reduce((p, d) => p * d, 1);
  return mask.shape.length >= 2 && perRow(mask) > 1 && perRow(mask) === perRow(labels);
}

/** Whether any label is the ignore index. */
export function hasIgnoredLabels(labels: NdArray, ignoreIndex: number): boolean {
  for (let i = 0; i < labels.data.length; i++) if (getNumber(labels, i) === ignoreIndex) return true;
  return false;
}

/**
 * The token kinds. `exampleFlags` (one per example) applies when there is no token mask. Throws a DataError when no
 * token is target or none is control.
 */
export function selectTokens(labels: NdArray, ignoreIndex: number, target: { tokenMask: NdArray } | { exampleFlags: Uint8Array }, source: string): TokenSelection {
  const n = labels.shape[0] ?? 0;
  const perRow = labels.shape.slice(1).reduce((p, d) => p * d, 1);
  const kind = new Uint8Array(n * perRow);
  const exampleIsTarget = new Uint8Array(n);
  let targetTokens = 0;
  let controlTokens = 0;
  if ('tokenMask' in target) {
    const m = target.tokenMask;
    if (m.shape[0] !== n || m.data.length !== kind.length) {
      throw new DataError('data/bad-shape', source, `the mask has shape ${formatShape(m.shape)}; a per-position mask needs the labels' shape ${formatShape(labels.shape)}`,
        'save one true/false per labelled token (the shape of the labels), or one per example');
    }
  }
  for (let i = 0; i < kind.length; i++) {
    if (getNumber(labels, i) === ignoreIndex) { kind[i] = IGNORED_TOKEN; continue; }
    let t: number;
    if ('tokenMask' in target) {
      t = getNumber(target.tokenMask, i);
      if (t !== 0 && t !== 1) {
        throw new DataError('data/bad-mask', source, `mask entry ${i} (example ${Math.floor(i / perRow)}, position ${i % perRow}) is ${t}; a mask holds only 0/1 or true/false`, 'save a boolean array');
      }
    } else {
      t = target.exampleFlags[Math.floor(i / perRow)]!;
    }
    kind[i] = t;
    if (t) { targetTokens++; exampleIsTarget[Math.floor(i / perRow)] = 1; } else controlTokens++;
  }
  const ignored = kind.length - targetTokens - controlTokens;
  const detail = ` (${ignored} of ${kind.length} tokens carry the ignore label ${ignoreIndex})`;
  if (targetTokens === 0) throw new DataError('data/empty-target', source, `no labelled token is target${detail}`, 'mark some labelled tokens as target');
  if (controlTokens === 0) throw new DataError('data/empty-control', source, `every labelled token is target, so the control set is empty${detail}`, 'leave some labelled tokens out of the target');
  return { perRow, kind, targetTokens, controlTokens, exampleIsTarget };
}
