// Which kind of name the cursor is typing, from the text alone (the file is often invalid mid-keystroke, so
// this reads lines, not the parse tree). Pure: no vscode, tested on its own.

export type NameKind = 'tensor' | 'output' | 'input';

export interface CompletionContext {
  kind: NameKind;
  /** Column where the name being typed starts (after any opening quote) on the cursor's line. */
  start: number;
  /** The quote that opened the name, if any (the completion then must not add another). */
  quote: '"' | "'" | '';
}

const KEY_VALUE = /(?:^|[\s{,\-])"?(tensor|output|tensors)"?\s*:\s*(\[\s*(?:[^\]]*,\s*)?)?(["']?)([^"',\]]*)$/;

/** The completion context at (line, col) of `lines`, or undefined when the cursor is not on a name slot. */
export function completionContextAt(lines: readonly string[], line: number, col: number): CompletionContext | undefined {
  const text = lines[line] ?? '';
  const before = text.slice(0, col);

  // `tensor: na|`, `output: "lo|`, `tensors: [a, b|`, and JSON `"tensor": "na|`.
  const kv = KEY_VALUE.exec(before);
  if (kv) {
    const [, key, list, quote, typed] = kv;
    if (key === 'tensors' && list === undefined && typed.trim() !== '' && !quote) return undefined;
    if (key !== 'tensors' && list !== undefined) return undefined;
    return { kind: key === 'output' ? 'output' : 'tensor', start: col - typed.length, quote: quote as CompletionContext['quote'] };
  }

  // A block-list item under `tensors:` (`  - na|`).
  const item = /^(\s*)-\s+(["']?)([^"']*)$/.exec(before) ?? /^(\s*)-()()$/.exec(before);
  if (item) {
    const parent = parentKey(lines, line, item[1].length);
    if (parent === 'tensors') return { kind: 'tensor', start: col - item[3].length, quote: item[2] as CompletionContext['quote'] };
    return undefined;
  }

  // A key under `data: inputs:` (`    x|`): the model's input names.
  const key = /^(\s+)(["']?)([^\s:"']*)$/.exec(before);
  if (key && parentKey(lines, line, key[1].length) === 'inputs') {
    return { kind: 'input', start: col - key[3].length, quote: key[2] as CompletionContext['quote'] };
  }
  return undefined;
}

/** The key of the nearest line above with less indentation than `indent` (YAML block structure). */
function parentKey(lines: readonly string[], line: number, indent: number): string | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const l = lines[i];
    if (l.trim() === '' || l.trim().startsWith('#')) continue;
    const ind = l.length - l.trimStart().length;
    // Lines at the same or deeper indentation are siblings (or their children): keep looking up.
    if (ind < indent) return /^\s*(?:-\s+)?"?([\w$.-]+)"?\s*:/.exec(l)?.[1];
  }
  return undefined;
}
