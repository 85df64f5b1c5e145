// What the checker says about a path that names no file (a typo, a folder), and the replacement it offers: a file of
// the right kind in the folder the path points at, near enough in name to be what was meant (or the only one there).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Fix, Range } from './diagnostics';
import type { ScalarNode } from './parse';
import { scalarText } from './parse';
import { didYouMean } from './suggest';

export const MODEL_EXTENSIONS: readonly string[] = ['.onnx'];
export const ARRAY_EXTENSIONS: readonly string[] = ['.npy', '.npz', '.json'];

/** "a .onnx file", "a .npy, .npz or .json file". */
export function expectedFile(extensions: readonly string[]): string {
  return extensions.length === 1 ? `a ${extensions[0]} file` : `a ${extensions.slice(0, -1).join(', ')} or ${extensions[extensions.length - 1]} file`;
}

export function isFolder(abs: string): boolean {
  try {
    return fs.statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

/** Files of the given kinds directly in `folder` (none when it cannot be listed). */
function filesIn(folder: string, extensions: readonly string[]): string[] {
  try {
    return fs.readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile() && extensions.includes(nodePath.extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * A quick fix for the path written in `node` (absolute: `abs`) that names no file: the nearest file name of the right
 * kind in the same folder, or, when the path is a folder, the only such file in it. Keeps a `#member` suffix, the
 * folder part as written and the scalar's quoting.
 */
export function missingFileFix(node: ScalarNode | undefined, range: Range, abs: string, extensions: readonly string[], member?: string): { path: string; fix: Fix } | undefined {
  if (node?.kind !== 'scalar' || typeof node.value !== 'string') return undefined;
  const written = member !== undefined ? node.value.slice(0, node.value.length - member.length - 1) : node.value;
  const suffix = member !== undefined ? `#${member}` : '';
  let replacement: string | undefined;
  if (isFolder(abs)) {
    const inside = filesIn(abs, extensions);
    if (inside.length === 1) replacement = `${written.replace(/[\\/]+$/, '')}/${inside[0]}`;
  } else {
    const candidates = filesIn(nodePath.dirname(abs), extensions);
    const base = nodePath.basename(abs);
    const guess = didYouMean(base, candidates) ?? (candidates.length === 1 && nodePath.extname(base) === nodePath.extname(candidates[0]!) ? candidates[0] : undefined);
    if (guess) {
      const cut = Math.max(written.lastIndexOf('/'), written.lastIndexOf('\\'));
      replacement = `${written.slice(0, cut + 1)}${guess}`;
    }
  }
  if (!replacement) return undefined;
  const text = `${replacement}${suffix}`;
  return { path: text, fix: { range, newText: scalarText(text, node.style), title: `Change to '${text}'` } };
}
