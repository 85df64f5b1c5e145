// Edits that write a calibrated setting into a hypothesis file (the editor's "Calibrate Sampler" quick fix): the
// smallest text change that sets `degradation.sgld.stepSize`, keeping the file's layout (flow or block maps).
import type { Range } from './diagnostics';
import { nodeAt, parseText, type PNode } from './parse';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** The edit that sets degradation.sgld.stepSize to `value`; undefined when the file has no degradation map. */
export function stepSizeEdit(text: string, file: string, value: number): TextEdit | undefined {
  const parsed = parseText(text, file);
  const number = String(Number(value.toPrecision(3)));
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

