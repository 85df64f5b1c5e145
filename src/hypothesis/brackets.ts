// Unbalanced flow brackets ({ } and [ ]) in a hypothesis file, found by a scan of the text, so that a missing `}`
// gets one message of ours on the line where it belongs instead of the YAML library's raw errors wherever its
// parser gave up. Only consulted when the parser already failed: the scan never rejects a valid document.
import type { SourceFormat } from './parse';

export interface BracketProblem {
  /** Offsets of the problem's text: the last line the open bracket's content reaches, or the wrong closer. */
  start: number;
  end: number;
  message: string;
  hint: string;
}

interface Open {
  char: '{' | '[';
  offset: number;
  line: number;
  /** Indentation of the line it opened on: in YAML its content must stay indented deeper. */
  indent: number;
}

const CLOSER = { '{': '}', '[': ']' } as const;

export function findBracketProblem(text: string, format: SourceFormat): BracketProblem | undefined {
  const yaml = format === 'yaml';
  const stack: Open[] = [];
  let line = 0;
  let lineStart = 0;
  let indent = 0;
  let atLineStart = true;
  /** The last character of content (not space, not comment) and where the content of the current flow last ended. */
  let previous = '';
  let lastContentEnd = 0;
  const unclosed = (): BracketProblem => {
    const open = stack[stack.length - 1]!;
    let lineEnd = text.lastIndexOf('\n', lastContentEnd - 1) + 1;
    while (lineEnd < lastContentEnd && /\s/.test(text[lineEnd]!)) lineEnd++;
    const where = open.line === lineOf(text, lastContentEnd) ? '' : ` (opened on line ${open.line + 1})`;
    return {
      start: lineEnd, end: lastContentEnd,
      message: `this '${open.char}'${where} is never closed: '${CLOSER[open.char]}' is missing`,
      hint: `add '${CLOSER[open.char]}' where the ${open.char === '{' ? 'mapping' : 'list'} ends`,
    };
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      indent = 0;
      atLineStart = true;
      continue;
    }
    if (atLineStart) {
      if (c === ' ' || c === '\t' || c === '\r') {
        indent++;
        continue;
      }
      atLineStart = false;
      // A YAML flow collection's next lines must be indented deeper than the line that opened it.
      if (yaml && c !== '#' && stack.length > 0 && indent <= stack[0]!.indent && c !== CLOSER[stack[stack.length - 1]!.char]) return unclosed();
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (yaml && c === '#' && (i === lineStart || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    const inFlow = stack.length > 0;
    // Where a value or an item starts; elsewhere (inside a plain YAML scalar) brackets and quotes are text.
    const valueStart = !yaml || inFlow || previous === '' || previous === ':' || previous === '-' || i === lineStart + indent;
    if ((c === '"' || c === "'") && (valueStart || (inFlow && '[{,:'.includes(previous)))) {
      i = skipQuoted(text, i, c, yaml);
      previous = c;
      lastContentEnd = i + 1;
      continue;
    }
    if ((c === '{' || c === '[') && valueStart) {
      stack.push({ char: c, offset: i, line, indent: stack.length > 0 ? stack[0]!.indent : indent });
    } else if ((c === '}' || c === ']') && inFlow) {
      const open = stack[stack.length - 1]!;
      if (CLOSER[open.char] !== c) {
        return {
          start: i, end: i + 1,
          message: `'${c}' closes the '${open.char}' opened on line ${open.line + 1}, which needs '${CLOSER[open.char]}'`,
          hint: `write '${CLOSER[open.char]}' here, or add the missing '${c === '}' ? '{' : '['}'`,
        };
      }
      stack.pop();
    }
    previous = c;
    lastContentEnd = i + 1;
  }
  return stack.length > 0 ? unclosed() : undefined;
}

/** The offset of the closing quote (or the last character when there is none). YAML doubles a single quote. */
function skipQuoted(text: string, start: number, quote: string, yaml: boolean): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) {
      if (yaml && quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
    // A quoted JSON string ends at its line; YAML's may fold, but a hypothesis file keeps them on one line.
    if (c === '\n' && !yaml) return i - 1;
  }
  return text.length - 1;
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}
