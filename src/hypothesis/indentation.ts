// Which line of a YAML file is mis-indented. The YAML parser notices a bad indentation where the structure stops
// making sense, which is often a correct line next to the bad one (the first entry of a block sets its column, so
// a first entry indented one space too far makes every correct line after it the odd one out). Here the entries of
// a block are compared with each other and with the file's own indentation step, and the line that differs is
// named, with the column its siblings use. Only asked when the parser already failed.

export interface IndentProblem {
  /** 0-based line of the mis-indented entry, and its indentation. */
  line: number;
  indent: number;
  /** The column its siblings start at. */
  expected: number;
  /** The key of the block it belongs to ('' at the top level). */
  parent: string;
}

interface Content {
  line: number;
  indent: number;
  /** The line without indentation and trailing comment. */
  text: string;
}

const KEY = /^(?:"[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(?:\s|$)/;

/** The content lines of a block YAML text: no blanks, comments, block-scalar bodies or lines inside flow brackets. */
function contentLines(text: string): Content[] {
  const out: Content[] = [];
  let depth = 0;
  let scalarIndent = -1;
  text.split(/\r?\n/).forEach((raw, line) => {
    const indent = raw.search(/\S/);
    if (indent < 0) return;
    if (scalarIndent >= 0) {
      if (indent > scalarIndent) return;
      scalarIndent = -1;
    }
    const body = stripComment(raw.slice(indent));
    const startsInside = depth > 0;
    for (const c of body.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '')) {
      if (c === '[' || c === '{') depth++;
      else if ((c === ']' || c === '}') && depth > 0) depth--;
    }
    if (startsInside || body === '' || body === '---' || body === '...') return;
    if (/:\s*[|>][-+0-9]*$/.test(body)) scalarIndent = indent;
    out.push({ line, indent, text: body });
  });
  return out;
}

function stripComment(s: string): string {
  const m = /(^|\s)#/.exec(s.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, (q) => ' '.repeat(q.length)));
  return (m ? s.slice(0, m.index) : s).trimEnd();
}

/** `- ` of a sequence item: the width up to its content (0 when the line is not an item). */
function itemWidth(text: string): number {
  const m = /^-(?:\s+|$)/.exec(text);
  return m ? m[0].length : 0;
}

/** The key a line opens a block with (`key:` with nothing after it, also `- key:`), else undefined. */
function openedKey(text: string): string | undefined {
  const rest = text.slice(itemWidth(text));
  const m = KEY.exec(rest);
  return m && m[0].trimEnd().length === rest.length ? rest.slice(0, rest.lastIndexOf(':')).trim().replace(/^["']|["']$/g, '') : undefined;
}

/** The file's indentation step: the commonest depth of a block's first entry below its key (2 when none). */
function indentStep(lines: Content[]): number {
  const counts = new Map<number, number>();
  for (let i = 0; i + 1 < lines.length; i++) {
    const opener = openedKey(lines[i]!.text) !== undefined;
    const d = lines[i + 1]!.indent - (lines[i]!.indent + itemWidth(lines[i]!.text));
    if (opener && d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 2;
  let n = 0;
  for (const [d, c] of counts) if (c > n || (c === n && d < best)) [best, n] = [d, c];
  return best;
}

export function findIndentProblem(text: string): IndentProblem | undefined {
  const lines = contentLines(text);
  const step = indentStep(lines);
  // Open columns, innermost last: where an entry of each enclosing block starts.
  const stack: { col: number; parent: string }[] = [{ col: 0, parent: '' }];
  let opener: { col: number; key: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const width = itemWidth(l.text);
    let placed = false;
    // The first entry under `key:` opens its block (a sequence may also sit at the key's own column).
    if (opener && (l.indent > opener.col || (width > 0 && l.indent === opener.col))) {
      const expected = width > 0 && l.indent === opener.col ? opener.col : opener.col + step;
      if (l.indent !== expected && strayFirst(lines, i, opener.col, expected, width)) return { line: l.line, indent: l.indent, expected, parent: opener.key };
      stack.push({ col: l.indent, parent: opener.key });
      placed = true;
    }
    if (!placed) {
      let closed: { col: number; parent: string } | undefined;
      while (stack.length > 1 && stack[stack.length - 1]!.col > l.indent) closed = stack.pop();
      const top = stack[stack.length - 1]!;
      if (top.col !== l.indent) {
        // Between two open columns: a slip out of the block it follows, more likely than a new, odd level.
        const into = closed && l.indent > top.col ? closed : top;
        return { line: l.line, indent: l.indent, expected: into.col, parent: into.parent };
      }
    }
    // An item's own entries continue at the column after its "- ".
    if (width > 0 && l.text.length > width) stack.push({ col: l.indent + width, parent: stack[stack.length - 1]!.parent });
    const key = openedKey(l.text);
    opener = key !== undefined ? { col: l.indent + width, key } : undefined;
  }
  return undefined;
}

/**
 * Whether the first entry of a block (line `i`, off the step) is the stray one: nothing else in its block starts at
 * its column, and something starts at the expected one (an item's entries: at the columns after "- ").
 */
function strayFirst(lines: Content[], i: number, openerCol: number, expected: number, width: number): boolean {
  const own = lines[i]!.indent;
  let atOwn = 0;
  let atExpected = 0;
  for (let j = i + 1; j < lines.length && lines[j]!.indent > openerCol; j++) {
    const c = lines[j]!.indent;
    if (c === own || (width > 0 && c === own + width)) atOwn++;
    if (c === expected || (width > 0 && c === expected + width)) atExpected++;
  }
  return atOwn === 0 && atExpected > 0;
}
