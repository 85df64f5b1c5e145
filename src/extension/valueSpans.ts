// The values of a hypothesis file as the editor points at them (issue 28: no hover or Ctrl+click on values and
// paths): every scalar with the key path it sits under, the one under the cursor, and the ones that name a file
// (relative to the hypothesis's folder, as the format resolves them), which become links. Pure: no vscode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Range } from '../hypothesis/diagnostics';
import type { PNode } from '../hypothesis/parse';

export interface ValueSpan {
  /** The key path the value sits under (`['data', 'inputs', 'tokens']`, `['degradation', 'checkpoints', 0]`). */
  path: (string | number)[];
  value: string | number | boolean | null;
  range: Range;
}

/** Every scalar value of the tree, in document order. */
export function scalarValues(root: PNode | undefined): ValueSpan[] {
  const out: ValueSpan[] = [];
  const walk = (node: PNode, at: (string | number)[]) => {
    if (node.kind === 'scalar') out.push({ path: at, value: node.value as ValueSpan['value'], range: node.range });
    else if (node.kind === 'map') for (const e of node.entries) walk(e.value, [...at, e.key]);
    else node.items.forEach((item, i) => walk(item, [...at, i]));
  };
  if (root) walk(root, []);
  return out;
}

const within = (r: Range, line: number, col: number) =>
  (line > r.start.line || (line === r.start.line && col >= r.start.col)) && (line < r.end.line || (line === r.end.line && col <= r.end.col));

/** The scalar value under (line, col), if any. */
export function valueAt(root: PNode | undefined, line: number, col: number): ValueSpan | undefined {
  return scalarValues(root).find((v) => v.path.length > 0 && within(v.range, line, col));
}

/** Keys whose values name tensors of the model, not files (the tensor hover answers there). */
const TENSOR_KEYS = new Set(['tensor', 'tensors', 'output']);

/** Whether a value is a tensor name rather than a setting (the last string key of its path). */
export function isTensorValue(v: ValueSpan): boolean {
  const key = [...v.path].reverse().find((k): k is string => typeof k === 'string');
  return key !== undefined && TENSOR_KEYS.has(key);
}

export interface FileValue extends ValueSpan {
  /** The file it names, absolute. */
  target: string;
  bytes: number;
}

/** The values that name an existing file, resolved against the hypothesis file's folder. */
export function fileValues(root: PNode | undefined, hypothesisFile: string): FileValue[] {
  const dir = path.dirname(hypothesisFile);
  const out: FileValue[] = [];
  for (const v of scalarValues(root)) {
    if (typeof v.value !== 'string' || isTensorValue(v) || !/[./\\]/.test(v.value) || v.value.includes('\n')) continue;
    const target = path.resolve(dir, v.value);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      continue;
    }
    if (stat.isFile()) out.push({ ...v, target, bytes: stat.size });
  }
  return out;
}

/** "1.2 MB", "340 kB", "512 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
