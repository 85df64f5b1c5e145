// Which workspace files fit a path setting of a hypothesis: models for `model` and `checkpoints`, arrays for the
// data, ranked by how well the name fits the slot (a labels file is `y.npy` or `labels.npy`, a mask `is_*.npy` or
// `*mask*`, an input file carries the input's name), then by closeness to the hypothesis file. Pure: no vscode.
import * as nodePath from 'node:path';

export type PathSlot = 'model' | 'checkpoint' | 'input' | 'labels' | 'mask' | 'indices';

const ARRAY = /\.(npy|npz|json)$/i;
/** JSON files that are not arrays: hypotheses, results, configuration. */
const NOT_ARRAY = /(\.circuit|\.results)\.json$|(^|[\\/])(package(-lock)?|tsconfig|settings|launch|tasks|expected)\.json$/i;

/** The slot a key path names, or undefined when it names no file. */
export function slotOf(path: readonly (string | number)[]): PathSlot | undefined {
  const key = path.join('.');
  if (key === 'model') return 'model';
  if (/^degradation\.checkpoints\.\d+$/.test(key)) return 'checkpoint';
  if (/^data\.inputs\.[^.]+$/.test(key)) return 'input';
  if (key === 'data.labels') return 'labels';
  if (key === 'data.target.mask') return 'mask';
  if (key === 'data.target.indices') return 'indices';
  return undefined;
}

/** Whether a file can fill the slot at all (by its extension). */
export function fitsSlot(slot: PathSlot, file: string): boolean {
  return slot === 'model' || slot === 'checkpoint' ? /\.onnx$/i.test(file) : ARRAY.test(file) && !NOT_ARRAY.test(file);
}

/** Per slot: stems that name it outright (score 3), and words that suggest it (score 2). */
const NAME_HINTS: Record<Exclude<PathSlot, 'input' | 'model'>, { exact: RegExp; partial: RegExp }> = {
  checkpoint: { exact: /^(ckpt|checkpoint)[_-]?\d*$/i, partial: /ckpt|checkpoint|step|epoch/i },
  labels: { exact: /^(y|labels?|targets?|classes)$/i, partial: /^y[_-]|label|target/i },
  mask: { exact: /^(mask|is[_-]\w+)$/i, partial: /^is[_-]|mask/i },
  indices: { exact: /^(idx|indices|index)$/i, partial: /idx|indices/i },
};

/** Higher is a better fit of the file's name for the slot (0: nothing in the name says so). */
export function nameScore(slot: PathSlot, file: string, inputName?: string): number {
  const stem = nodePath.basename(file).replace(/\.(npy|npz|json|onnx)$/i, '');
  if (slot === 'input') {
    if (!inputName) return 0;
    const want = inputName.toLowerCase();
    const have = stem.toLowerCase();
    return have === want ? 3 : have.includes(want) || want.includes(have) ? 2 : 0;
  }
  if (slot === 'model') return 1;
  const hint = NAME_HINTS[slot];
  return hint.exact.test(stem) ? 3 : hint.partial.test(stem) ? 2 : 0;
}

/**
 * The files (workspace-absolute) that fit the slot, as paths relative to the hypothesis folder (`./data/y.npy`),
 * best first: name fit, then fewer `..` steps, then shallower, then by name.
 */
export function rankFiles(slot: PathSlot, files: readonly string[], hypothesisDir: string, inputName?: string): string[] {
  return files
    .filter((f) => fitsSlot(slot, f))
    .map((f) => {
      const rel = nodePath.relative(hypothesisDir, f).split(nodePath.sep).join('/');
      const ups = rel.split('/').filter((s) => s === '..').length;
      return { rel: rel.startsWith('.') ? rel : `./${rel}`, score: nameScore(slot, f, inputName), ups, depth: rel.split('/').length };
    })
    .sort((a, b) => b.score - a.score || a.ups - b.ups || a.depth - b.depth || a.rel.localeCompare(b.rel))
    .map((x) => x.rel);
}

/** A workspace array file with its header facts (dtype and shape; undefined when it could not be read). */
export interface DataCandidate {
  /** Path relative to the hypothesis folder (`./data/y.npy`). */
  rel: string;
  dtype?: string;
  shape?: number[];
}

export interface ScaffoldSlots {
  /** The model's inputs: name and declared shape (symbolic dims as strings or null). */
  inputs: { name: string; dtype: string; shape: (number | string | null)[] | null }[];
  /** Cross-entropy labels (integer class indices, one per example) or mse targets. */
  classes: boolean;
}

export interface DataChoice {
  /** The chosen file per input name, and for labels and mask; undefined: nothing fits. */
  inputs: Record<string, string | undefined>;
  labels?: string;
  mask?: string;
  /** The next candidates of each slot, for the comments of the new file. */
  alternatives: Record<string, string[]>;
  /** The number of examples the chosen files agree on. */
  examples?: number;
}

const INTEGER = /^u?int(8|16|32|64)$/;

/**
 * The data files a new hypothesis names: for each model input the file whose shape fits it (rank, and every fixed
 * dim after the first) and whose name fits best; then labels and a target mask with one entry per example of the
 * chosen inputs (integer labels for cross-entropy; a bool or 0/1 mask), names deciding among equals. Pure.
 */
export function chooseDataFiles(slots: ScaffoldSlots, candidates: readonly DataCandidate[]): DataChoice {
  const alternatives: Record<string, string[]> = {};
  const used = new Set<string>();
  const pick = (slot: string, scored: { rel: string; score: number }[]): string | undefined => {
    // Among equals the nearest file: fewer `..` steps, then shallower (a copied example's data deeper in the
    // workspace must not win over the data beside the new file), then by name.
    const ups = (rel: string) => rel.split('/').filter((x) => x === '..').length;
    const depth = (rel: string) => rel.split('/').length;
    const ranked = scored.filter((c) => c.score > 0 && !used.has(c.rel))
      .sort((a, b) => b.score - a.score || ups(a.rel) - ups(b.rel) || depth(a.rel) - depth(b.rel) || a.rel.localeCompare(b.rel));
    alternatives[slot] = ranked.slice(1, 4).map((c) => c.rel);
    const best = ranked[0]?.rel;
    if (best) used.add(best);
    return best;
  };
  const readable = candidates.filter((c) => c.shape !== undefined);
  const inputs: Record<string, string | undefined> = {};
  let examples: number | undefined;
  for (const input of slots.inputs) {
    const want = input.shape;
    const fits = (c: DataCandidate) => !want || (c.shape!.length === want.length && want.every((d, k) => k === 0 || typeof d !== 'number' || c.shape![k] === d));
    const chosen = pick(`input ${input.name}`, readable.filter(fits).map((c) => ({
      rel: c.rel,
      // The shape fits (2); the name fits (0–3); an integer input wants integer data.
      score: 2 + nameScore('input', c.rel, input.name) + (INTEGER.test(input.dtype) === INTEGER.test(c.dtype ?? '') ? 1 : 0),
    })));
    inputs[input.name] = chosen;
    const n = readable.find((c) => c.rel === chosen)?.shape?.[0];
    examples ??= n;
  }
  const perExample = (c: DataCandidate) => c.shape!.length >= 1 && (examples === undefined || c.shape![0] === examples);
  const labels = pick('labels', readable.filter((c) => perExample(c) && (!slots.classes || (c.shape!.length === 1 && INTEGER.test(c.dtype ?? '')))).map((c) => ({
    rel: c.rel, score: 1 + nameScore('labels', c.rel),
  })));
  const mask = pick('mask', readable.filter((c) => perExample(c) && c.shape!.length === 1 && (c.dtype === 'bool' || INTEGER.test(c.dtype ?? ''))).map((c) => ({
    rel: c.rel, score: (c.dtype === 'bool' ? 1 : 0) + nameScore('mask', c.rel) + (nameScore('labels', c.rel) >= 3 ? -1 : 0),
  })));
  return { inputs, ...(labels ? { labels } : {}), ...(mask ? { mask } : {}), alternatives, ...(examples !== undefined ? { examples } : {}) };
}
