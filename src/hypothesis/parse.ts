// Text → a small tree of maps, lists and scalars that remembers where every key and value sits.
// YAML and JSON both go through the `yaml` parser (JSON is YAML's flow subset); JSON syntax errors
// are reported from JSON.parse first, so a .json file never passes with YAML-only syntax.
import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node as YamlNode, parseDocument, Scalar } from 'yaml';
import { findBracketProblem } from './brackets';
import { findIndentProblem } from './indentation';
import { Diagnostic, Range, rangeOf } from './diagnostics';
import { blockNestingProblem, MAX_NESTING, nestingProblem, parseJsonText } from '../engine/util/jsonText';

export type ScalarValue = string | number | boolean | null;
export type ScalarStyle = 'plain' | 'single' | 'double' | 'block' | 'absent';

interface NodeBase {
  /** The value's source range. */
  range: Range;
  /** For a map value: the range of its key (where "missing key" problems inside it are reported). */
  keyRange?: Range;
}

export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  value: ScalarValue;
  /** How the scalar was written; quick fixes keep the same style. */
  style: ScalarStyle;
  /** The text as written, for plain scalars (a tensor named `15` parses as a number). */
  source?: string;
}

export interface SeqNode extends NodeBase {
  kind: 'seq';
  items: PNode[];
}

export interface MapEntry {
  key: string;
  keyRange: Range;
  keyStyle: ScalarStyle;
  value: PNode;
}

export interface MapNode extends NodeBase {
  kind: 'map';
  entries: MapEntry[];
}

export type PNode = ScalarNode | SeqNode | MapNode;

export interface ParsedText {
  /** Undefined when the text has no document or cannot be parsed at all. */
  root?: PNode;
  diagnostics: Diagnostic[];
  /** Offset → position, for anyone who needs to map more offsets. */
  position: (offset: number) => { line: number; col: number };
  /** Range of the whole first line, where file-level problems are shown. */
  firstLine: Range;
}

export type SourceFormat = 'yaml' | 'json';

/** `.json` files are JSON; everything else (`.yaml`, `.yml`) is YAML. */
export function formatOfFile(file: string): SourceFormat {
  return /\.json$/i.test(file) ? 'json' : 'yaml';
}

/** Documents bigger than this are not hypothesis files; stops alias bombs from expanding without end. */
const MAX_NODES = 100_000;

export function parseText(text: string, file: string, format: SourceFormat = formatOfFile(file)): ParsedText {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const position = (offset: number) => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line - 1, col: p.col - 1 };
  };
  const span = (start: number, end: number): Range => {
    const a = position(start);
    const b = position(Math.max(start, end));
    return rangeOf(a.line, a.col, b.line, b.col);
  };
  const firstLineEnd = text.search(/\r?\n|$/);
  const firstLine = rangeOf(0, 0, 0, Math.max(0, firstLineEnd));
  const result: ParsedText = { diagnostics, position, firstLine };
  const error = (range: Range, message: string, hint?: string) =>
    diagnostics.push({ file, range, severity: 'error', code: 'hyp/syntax', message, ...(hint ? { hint } : {}) });

  // Before the YAML parser sees it: a few thousand nested brackets exhaust its memory (a crash, not an error).
  // The line counter is filled by the YAML parser, which has not run yet: the problem's line comes from the text.
  const deepAt = (p: { line: number; col: number }) => rangeOf(p.line - 1, p.col - 1, p.line - 1, p.col);
  const deep = nestingProblem(text, MAX_NESTING, format === 'yaml');
  if (deep) {
    error(deepAt(deep), `the document nests brackets more than ${MAX_NESTING} levels deep`, 'a hypothesis file is a few levels deep; look for unbalanced [ or {');
    return result;
  }
  // Indentation nests too: a staircase of a thousand keys overflows the YAML parser's stack.
  const deepBlock = format === 'yaml' ? blockNestingProblem(text, MAX_NESTING) : null;
  if (deepBlock) {
    error(deepAt(deepBlock), `the document nests more than ${MAX_NESTING} levels deep by indentation`, 'a hypothesis file is a few levels deep; look for a run of ever deeper indented lines or of `- - -`');
    return result;
  }
  // Block nesting (indentation, `- - -`) the same: thousands of levels overflow the YAML parser's stack.
  const indented = format === 'yaml' ? deepIndent(text) : undefined;
  if (indented !== undefined) {
    error(span(indented, indented + 1), `a line is indented more than ${MAX_INDENT} columns: the document nests too deeply`, 'a hypothesis file is a few levels deep; look for a block pasted at the wrong indentation');
    return result;
  }
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, uniqueKeys: false, prettyErrors: false, strict: true });

  // A parser that gave up on an unbalanced bracket reports where it noticed; ours says which bracket, where it belongs.
  const bracketError = (): boolean => {
    const b = findBracketProblem(text, format);
    if (b) error(span(b.start, b.end), `invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${b.message}`, b.hint);
    return b !== undefined;
  };
  if (format === 'json') {
    const jsonError = jsonSyntaxError(text);
    if (jsonError) {
      if (bracketError()) return result;
      const at = jsonError.offset ?? text.length;
      error(span(at, at + 1), `invalid JSON: ${jsonError.message}`, 'JSON allows no comments, trailing commas or single quotes');
      return result;
    }
  }
  if (doc.errors.length > 0 && bracketError()) return result;
  // A mis-indented line: named itself (the parser often blames a correct neighbour), with a fix to its siblings' column.
  if (format === 'yaml' && doc.errors.length > 0) {
    const bad = findIndentProblem(text);
    if (bad && doc.errors.some((e) => Math.abs(position(e.pos[0]).line - bad.line) <= 5)) {
      const width = (text.split(/\r?\n/)[bad.line] ?? '').length;
      const where = bad.parent ? `the other entries of '${bad.parent}'` : 'the top-level keys';
      diagnostics.push({ file, range: rangeOf(bad.line, bad.indent, bad.line, width), severity: 'error', code: 'hyp/syntax',
        message: `invalid YAML: this line is indented ${bad.indent} space${bad.indent === 1 ? '' : 's'}, where ${where} are indented ${bad.expected}`,
        hint: 'YAML nests by indentation: indent it like the entries around it',
        fix: { range: rangeOf(bad.line, 0, bad.line, bad.indent), newText: ' '.repeat(bad.expected), title: bad.expected === 0 ? 'Remove the indentation' : `Indent with ${bad.expected} space${bad.expected === 1 ? '' : 's'}` } });
      return result;
    }
  }
  for (const e of doc.errors) {
    error(span(e.pos[0], e.pos[1]), `invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${firstSentence(e.message)}`);
  }
  if (doc.errors.length > 0) return result;
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    diagnostics.push({ file, range: firstLine, severity: 'error', code: 'hyp/empty', message: 'the file holds no hypothesis',
      hint: 'start with `model: ./model.onnx`; see schemas/circuit-hypothesis.schema.json' });
    return result;
  }
  const counter = { nodes: 0 };
  try {
    result.root = convert(doc.contents as YamlNode, doc, span, file, diagnostics, counter, 0);
  } catch (e) {
    if (!(e instanceof TooBig)) throw e;
    error(firstLine, `the document nests too deeply or expands to more than ${MAX_NODES} values`, 'a hypothesis file is small; look for recursive or repeated aliases (*name)');
  }
  return result;
}

class TooBig extends Error {}

/** Columns of indentation (spaces, tabs and `- ` / `? ` indicators) a line may have: a hypothesis is a few levels deep. */
const MAX_INDENT = 256;

/** Offset of the first line whose indentation passes MAX_INDENT, if any (one pass, no regular expression backtracking). */
function deepIndent(text: string): number | undefined {
  let lineStart = 0;
  while (lineStart < text.length) {
    let i = lineStart;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '-' || text[i] === '?')) i++;
    if (i - lineStart > MAX_INDENT) return lineStart + MAX_INDENT;
    const end = text.indexOf('\n', i);
    if (end < 0) break;
    lineStart = end + 1;
  }
  return undefined;
}

function firstSentence(message: string): string {
  return message.split('\n')[0].replace(/\s+at line \d+, column \d+:?$/, '');
}

/** JSON's verdict on the text: where and why it is not JSON, in words that never quote the text. */
function jsonSyntaxError(text: string): { message: string; offset?: number } | undefined {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const parsed = parseJsonText(text.slice(bom));
  if (parsed.ok) return undefined;
  return { message: parsed.error.problem.replace(/^invalid JSON: /, ''), offset: parsed.error.offset + bom };
}

type Span = (start: number, end: number) => Range;

function nodeRange(node: YamlNode, span: Span): Range {
  const r = node.range ?? [0, 0, 0];
  return span(r[0], r[1]);
}

function scalarStyle(node: Scalar): ScalarStyle {
  switch (node.type) {
    case Scalar.QUOTE_SINGLE: return 'single';
    case Scalar.QUOTE_DOUBLE: return 'double';
    case Scalar.BLOCK_FOLDED:
    case Scalar.BLOCK_LITERAL: return 'block';
    default: return 'plain';
  }
}

function convert(node: YamlNode, doc: Document, span: Span, file: string, diagnostics: Diagnostic[], counter: { nodes: number }, depth: number): PNode {
  if (++counter.nodes > MAX_NODES || depth > 64) throw new TooBig();
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const range = nodeRange(node, span);
    if (!target) return { kind: 'scalar', value: null, style: 'plain', range };
    return { ...convert(target as YamlNode, doc, span, file, diagnostics, counter, depth + 1), range };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value: ScalarValue = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v
      : typeof v === 'bigint' ? Number(v) : String(v);
    const style = scalarStyle(node);
    return { kind: 'scalar', value, style, range: nodeRange(node, span), ...(style === 'plain' && node.source !== undefined ? { source: String(node.source) } : {}) };
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => item === null
      ? { kind: 'scalar' as const, value: null, style: 'absent' as const, range: nodeRange(node, span) }
      : convert(item as YamlNode, doc, span, file, diagnostics, counter, depth + 1));
    return { kind: 'seq', items, range: nodeRange(node, span) };
  }
  if (isMap(node)) {
    const entries: MapEntry[] = [];
    const seen = new Map<string, Range>();
    // Where the previous pair's value ends: a duplicate in a flow map is removed from there (its comma with it).
    let previousEnd: Range['end'] | undefined;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const pairEnd = pair.value ? nodeRange(pair.value as YamlNode, span).end : pair.key ? nodeRange(pair.key as YamlNode, span).end : undefined;
      const before = previousEnd;
      previousEnd = pairEnd;
      const keyNode = pair.key as YamlNode | null;
      const keyRange = keyNode ? nodeRange(keyNode, span) : nodeRange(node, span);
      if (!keyNode || !isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        diagnostics.push({ file, range: keyRange, severity: 'error', code: 'hyp/wrong-type', message: 'keys must be plain names' });
        continue;
      }
      const key = String(keyNode.value);
      const first = seen.get(key);
      if (first) {
        // The fix removes this (the later) entry: its lines in a block map, from the previous value in a flow map.
        const end = pairEnd ?? keyRange.end;
        const remove = node.flow
          ? (before ? { start: before, end } : undefined)
          : rangeOf(keyRange.start.line, 0, end.col === 0 ? end.line : end.line + 1, 0);
        diagnostics.push({ file, range: keyRange, severity: 'error', code: 'hyp/duplicate-key',
          message: `duplicate key '${key}' (first defined on line ${first.start.line + 1})`, hint: 'remove one of them; the file must say one thing',
          ...(remove ? { fix: { range: remove, newText: '', title: `Remove this '${key}' (line ${keyRange.start.line + 1}), keep line ${first.start.line + 1}` } } : {}) });
        continue;
      }
      seen.set(key, keyRange);
      const valueNode = pair.value as YamlNode | null;
      const value: PNode = valueNode
        ? convert(valueNode, doc, span, file, diagnostics, counter, depth + 1)
        : { kind: 'scalar', value: null, style: 'absent', range: { start: keyRange.end, end: keyRange.end } };
      value.keyRange = keyRange;
      entries.push({ key, keyRange, keyStyle: scalarStyle(keyNode), value });
    }
    return { kind: 'map', entries, range: nodeRange(node, span) };
  }
  return { kind: 'scalar', value: null, style: 'plain', range: nodeRange(node, span) };
}

/** The entry of `key` in a map node, if present. */
export function entryOf(node: PNode | undefined, key: string): MapEntry | undefined {
  return node?.kind === 'map' ? node.entries.find((e) => e.key === key) : undefined;
}

/** Follows keys and list indices; returns the deepest node found and whether the whole path exists. */
export function nodeAt(root: PNode | undefined, path: readonly (string | number)[]): { node?: PNode; complete: boolean } {
  let node = root;
  for (const step of path) {
    if (!node) return { complete: false };
    const next: PNode | undefined = typeof step === 'number'
      ? (node.kind === 'seq' ? node.items[step] : undefined)
      : entryOf(node, step)?.value;
    if (!next) return { node, complete: false };
    node = next;
  }
  return { node, complete: node !== undefined };
}

/** Text that writes `value` as a scalar in the same style as the original (for quick fixes). */
export function scalarText(value: string, style: ScalarStyle): string {
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'plain' && /^(?:[A-Za-z_/]|\.{1,2}\/)[A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off)$/i.test(value)) return value;
  return JSON.stringify(value);
}
