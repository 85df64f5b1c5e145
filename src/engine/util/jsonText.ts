// JSON (and YAML flow) text from user files, parsed without two hazards: nesting deep enough to overflow the
// stack of a recursive walker (or of the YAML parser), and error messages that quote the text (V8's do, so a
// file that is really /proc/self/environ would echo the environment). Problems name a line and column only.

/** Deeper than any array (numpy allows 64 dimensions) or hypothesis a person writes. */
export const MAX_NESTING = 64;

export interface TextProblem {
  problem: string;
  /** 0-based offset into the text, and the 1-based line and column it is at. */
  offset: number;
  line: number;
  col: number;
}

export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

function at(text: string, offset: number, problem: string): TextProblem {
  return { problem, offset, ...positionOf(text, offset) };
}

/**
 * Where `[` / `{` nesting first passes `limit` (strings in quotes skipped; YAML comments too when `yaml`), or null.
 * One linear pass, no recursion.
 */
export function nestingProblem(text: string, limit = MAX_NESTING, yaml = false): TextProblem | null {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      else if (c === '\n' && !yaml) quote = '';
      continue;
    }
    if (c === '"' || (yaml && c === '\'')) quote = c;
    else if (yaml && c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return at(text, i, `nesting deeper than ${limit} levels`);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return null;
}

/**
 * Where YAML's block nesting (by indentation, and `- ` items opened on one line) first passes `limit`, or null: the
 * YAML parser recurses once per level and overflows the stack a few hundred levels down. One linear pass over the
 * lines; block scalars (`|`, `>`) are skipped, so their text's indentation is not counted.
 */
export function blockNestingProblem(text: string, limit = MAX_NESTING): TextProblem | null {
  const open: number[] = [];
  let scalarIndent = -1;
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let indent = 0;
    while (start + indent < end && text[start + indent] === ' ') indent++;
    const rest = text.slice(start + indent, end).replace(/\r$/, '');
    if (scalarIndent >= 0 && (rest === '' || indent > scalarIndent)) {
      start = end + 1;
      continue;
    }
    scalarIndent = -1;
    if (rest !== '' && !rest.startsWith('#')) {
      while (open.length > 0 && open[open.length - 1]! >= indent) open.pop();
      open.push(indent);
      // `- - - x`: every dash opens a sequence one level deeper, at the column after it.
      const dashes = /^(?:-[ \t]+)+/.exec(rest);
      if (dashes) for (let i = 0, col = indent; i < dashes[0].length; i++, col++) if (dashes[0][i] === '-') open.push(col + 2);
      if (open.length > limit) return at(text, start + indent, `nesting deeper than ${limit} levels`);
      if (/(?:^|[:\-]\s)\s*[|>][0-9+-]*\s*(?:#.*)?$/.test(rest)) scalarIndent = indent;
    }
    start = end + 1;
  }
  return null;
}

/** V8's JSON.parse messages without the quoted text they carry, and the offset they name (if any). */
function describeJsonError(text: string, e: unknown): TextProblem {
  const message = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(message);
  if (/Unexpected end of JSON input|Unterminated string/.test(message)) return at(text, text.length, 'the JSON ends early (truncated?)');
  const offset = pos ? Number(pos[1]) : firstSyntaxError(text);
  const what = /Bad control character/.test(message) ? 'a control character inside a string'
    : /Unexpected non-whitespace character after JSON/.test(message) ? 'text after the end of the JSON value'
      : /Expected property name|Expected double-quoted property name/.test(message) ? 'a missing or unquoted property name'
        : /Expected ',' or/.test(message) ? 'a missing comma or closing bracket'
          : /Bad escaped character|Bad Unicode escape/.test(message) ? 'a bad escape sequence in a string'
            : 'an unexpected character';
  return at(text, Math.min(offset, text.length), `invalid JSON: ${what}`);
}

/** Offset of the first character JSON does not allow, found by a small scanner (V8 names no position for some errors). */
function firstSyntaxError(text: string): number {
  // Tokens are checked for being JSON tokens; structure errors are left to the position V8 reports.
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (/[\s[\]{},:]/.test(c)) continue;
    const word = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!word) return i;
    i += word[0].length - 1;
  }
  return 0;
}

/** The parsed value, or where and why the text is not JSON (never quoting it). Nesting over `MAX_NESTING` is refused first. */
export function parseJsonText(text: string, limit = MAX_NESTING): { ok: true; value: unknown } | { ok: false; error: TextProblem } {
  const deep = nestingProblem(text, limit);
  if (deep) return { ok: false, error: deep };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: describeJsonError(text, e) };
  }
}
