// A results file names its hypothesis, model, data and checkpoints relative to its own folder (forward slashes), so
// a committed or copied results file carries no absolute path of the machine that made it. Readers resolve them
// against the results file's folder; files written before this (absolute paths) read unchanged.
import * as path from 'node:path';
import type { Hypothesis } from '../../protocol/hypothesis';
import type { ResultsDocument } from '../../protocol/results';

/** More `..` than this and the path stays absolute: it is not near the results (another disk, another tree). */
const MAX_UP = 2;

/** `file` relative to the folder of `resultsFile`, with `/` separators; absolute when it lies far from it. */
export function relativeToResults(file: string, resultsFile: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(path.dirname(path.resolve(resultsFile)), file);
  const up = rel.split(path.sep).filter((s) => s === '..').length;
  if (rel === '' || path.isAbsolute(rel) || up > MAX_UP) return file;
  return rel.split(path.sep).join('/');
}

/** A path as a results file records it, made absolute against the results file's folder (absolute stays as is). */
export function resolveFromResults(file: string, resultsFile: string): string {
  return path.resolve(path.dirname(path.resolve(resultsFile)), file);
}

/** The document as `resultsFile` records it: every file path relative to its folder. */
export function portableResults(doc: ResultsDocument, resultsFile: string): ResultsDocument {
  return mapResultsPaths(doc, (f) => relativeToResults(f, resultsFile));
}

/** The document as read from `resultsFile`, every file path absolute again (what a re-run of its resolved
 *  hypothesis needs: `Hypothesis` paths are absolute). */
export function absoluteResults(doc: ResultsDocument, resultsFile: string): ResultsDocument {
  return mapResultsPaths(doc, (f) => resolveFromResults(f, resultsFile));
}

/** Applies `f` to every file path of a document (a sweep's results or a scan's). Fields a results reader does not
 *  check (the resolved hypothesis of an old or hand-made file may lack some) are left as they are. */
export function mapResultsPaths<D extends Pick<ResultsDocument, 'hypothesis' | 'model'>>(doc: D, f: (file: string) => string): D {
  const h = doc.hypothesis.resolved as Partial<Hypothesis> | undefined;
  const data = h?.data;
  const t = data?.target;
  const target = t && 'mask' in t ? { mask: f(t.mask) } : t && 'indices' in t ? { indices: f(t.indices) } : t;
  const resolved = h && {
    ...h,
    ...(h.file ? { file: f(h.file) } : {}),
    ...(h.model ? { model: f(h.model) } : {}),
    ...(data ? { data: { ...data, inputs: Object.fromEntries(Object.entries(data.inputs ?? {}).map(([k, v]) => [k, f(v)])), labels: data.labels && f(data.labels), target: target! } } : {}),
    ...(h.degradation?.dial === 'checkpoints' || h.degradation?.grid ? {
      degradation: {
        ...h.degradation,
        ...(h.degradation.dial === 'checkpoints' ? { checkpoints: h.degradation.checkpoints.map(f) } : {}),
        ...(h.degradation.grid ? { grid: { ...h.degradation.grid, checkpoints: h.degradation.grid.checkpoints.map(f) } } : {}),
      },
    } : {}),
  };
  return {
    ...doc,
    hypothesis: { ...doc.hypothesis, file: f(doc.hypothesis.file), resolved: resolved as Hypothesis },
    model: { ...doc.model, path: f(doc.model.path) },
  };
}
