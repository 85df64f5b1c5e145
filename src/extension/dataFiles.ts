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
