// Where a hypothesis file sets its step size, and the edit that writes a calibrated one (the editor's "Calibrate
// Sampler" button and code action): the smallest text change that sets `degradation.sgld.stepSize`, keeping the
// file's layout (flow or block maps).
import type { Range } from './diagnostics';
import { entryOf, nodeAt, parseText, type MapEntry, type PNode } from './parse';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A step size as the file will hold it: three significant digits (what the edit writes and the editor shows). */
export function roundStepSize(value: number): number {
  return Number(value.toPrecision(3));
}

export interface StepSizeSite {
  /** The lines (0-based, inclusive) of the `stepSize:` entry; without one, of the `sgld:` entry, else of the
   *  `degradation:` entry: where the editor offers to write it. */
  lines: { from: number; to: number };
  /** The step size the file sets now: a number, 'auto', or null when it sets none (or something unreadable). */
  current: number | 'auto' | null;
}

/** Where the step size is (or would go); undefined when the file has no degradation map. */
export function stepSizeSite(text: string, file: string): StepSizeSite | undefined {
  const root = parseText(text, file).root;
  const degradation = entryOf(root, 'degradation');
  if (!degradation || degradation.value.kind !== 'map') return undefined;
  const sgld = entryOf(degradation.value, 'sgld');
  const step = sgld ? entryOf(sgld.value, 'stepSize') : undefined;
  if (step) {
    const v = step.value.kind === 'scalar' ? step.value.value : null;
    return { lines: entryLines(step), current: typeof v === 'number' ? v : v === 'auto' ? 'auto' : null };
  }
  return { lines: entryLines(sgld ?? degradation), current: null };
}

/** An entry's lines, key to the end of its value (a block map's range can end at column 0 of the next line). */
function entryLines(e: MapEntry): { from: number; to: number } {
  const from = e.keyRange.start.line;
  const end = e.value.range.end;
  return { from, to: Math.max(from, end.col === 0 && end.line > from ? end.line - 1 : end.line) };
}

/** The edit that sets degradation.sgld.stepSize to `value`; undefined when the file has no degradation map. */
export function stepSizeEdit(text: string, file: string, value: number): TextEdit | undefined {
  const parsed = parseText(text, file);
  const number = String(roundStepSize(value));
  const json = file.endsWith('.json');
  const existing = nodeAt(parsed.root, ['degradation', 'sgld', 'stepSize']);
  if (existing.complete && existing.node) return { range: existing.node.range, newText: number };
  const lines = text.split('\n');
  const sgld = nodeAt(parsed.root, ['degradation', 'sgld']);
  const key = json ? '"stepSize"' : 'stepSize';
  if (sgld.complete && sgld.node?.kind === 'map') return insertEntry(sgld.node, lines, `${key}: ${number}`, json);
  const degradation = nodeAt(parsed.root, ['degradation']);
  if (degradation.complete && degradation.node?.kind === 'map') {
    return insertEntry(degradation.node, lines, json ? `"sgld": { "stepSize": ${number} }` : `sgld: { stepSize: ${number} }`, json);
  }
  return undefined;
}

/** Inserts `entry` as the first entry of a map: after `{` in a flow map, as a line of its own in a block map. */
function insertEntry(map: PNode & { kind: 'map' }, lines: string[], entry: string, json: boolean): TextEdit {
  const start = map.range.start;
  const at = { line: start.line, col: start.col };
  const flow = lines[start.line]?.[start.col] === '{';
  if (flow) {
    const after = { line: start.line, col: start.col + 1 };
    return { range: { start: after, end: after }, newText: map.entries.length ? ` ${entry},` : ` ${entry} ` };
  }
  // Block map: the first entry's key column is the indentation.
  const first = map.entries[0];
  const indent = first ? ' '.repeat(first.keyRange.start.col) : '  ';
  const line = first ? first.keyRange.start.line : at.line;
  const pos = { line, col: 0 };
  return { range: { start: pos, end: pos }, newText: `${indent}${entry}${json ? ',' : ''}\n` };
}

