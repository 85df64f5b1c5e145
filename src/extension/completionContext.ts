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

// ---- keys and values of the format ------------------------------------------------------------------------

/** The cursor types a key of the mapping at `path` (`present`: the keys it already has), or the value at `path`. */
export type SchemaContext =
  | { kind: 'key'; path: (string | number)[]; start: number; present: string[] }
  | { kind: 'value'; path: (string | number)[]; start: number; quote: '"' | "'" | '' };

const BLOCK_LINE = /^(\s*)(-\s+)?(?:"?([\w$.-]+)"?\s*:(?:\s|$))?/;

/** Where a line's key starts and which key it is, its list dash (if any), for block-structure walks. */
function blockLine(l: string): { indent: number; keyCol: number; dash: boolean; key?: string } {
  const m = BLOCK_LINE.exec(l)!;
  const indent = m[1]!.length;
  return { indent, keyCol: indent + (m[2]?.length ?? 0), dash: m[2] !== undefined, ...(m[3] ? { key: m[3] } : {}) };
}

/**
 * The key path of the block mapping whose keys start at column `col` on `line` (YAML block structure): parents are
 * the nearest lines above with less indentation; a `- ` item above at the same key column is a list item (step 0).
 */
export function blockPathAt(lines: readonly string[], line: number, col: number, dashAt?: number): { path: (string | number)[]; present: string[] } {
  const path: (string | number)[] = [];
  const present: string[] = [];
  let cur = col;
  let siblings = true;
  if (dashAt !== undefined) {
    path.push(0);
    cur = dashAt;
    siblings = false;
  }
  for (let i = line - 1; i >= 0 && (cur > 0 || siblings); i--) {
    const l = lines[i]!;
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const b = blockLine(l);
    if (b.dash && b.keyCol <= cur && b.indent < cur) {
      if (siblings && b.keyCol === cur && b.key) present.push(b.key);
      path.unshift(0);
      cur = b.indent;
      siblings = false;
      continue;
    }
    if (b.keyCol === cur && siblings && b.key) present.push(b.key);
    if (b.indent < cur && !b.dash) {
      if (!b.key) break;
      path.unshift(b.key);
      cur = b.indent;
      siblings = false;
    }
  }
  // Path steps were collected bottom-up as unshifts; list steps sit under their key, as the walk found them.
  if (dashAt === undefined) {
    for (let i = line + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
      const b = blockLine(l);
      if (b.keyCol < col || (b.dash && b.indent < col)) break;
      if (b.keyCol === col && b.key && !b.dash) present.push(b.key);
    }
  }
  return { path, present };
}

/** The schema context at (line, col): a key being typed, or the value of a key (block or `{ … }` flow style). */
export function schemaContextAt(lines: readonly string[], line: number, col: number): SchemaContext | undefined {
  const text = lines[line] ?? '';
  const before = text.slice(0, col);
  if (/(^|\s)#/.test(before.replace(/"[^"]*"|'[^']*'/g, ''))) return undefined;
  const b = blockLine(text);
  const base = (): (string | number)[] => blockPathAt(lines, line, b.keyCol, b.dash ? b.indent : undefined).path;

  // Flow mappings opened on this line: `intervention: { kind: mean, sc|` or `{ kind: me|`.
  const flow = flowState(before.slice(b.keyCol));
  if (flow && flow.keys.length > 0) {
    const parent = [...base(), ...flow.keys];
    if (flow.typingKey !== undefined) return { kind: 'key', path: parent, start: col - flow.typingKey.length, present: flow.present };
    if (flow.valueKey !== undefined && flow.value !== undefined) {
      return { kind: 'value', path: [...parent, flow.valueKey], start: col - flow.value.text.length, quote: flow.value.quote };
    }
    return undefined;
  }

  // `  ke|` on a line of its own: a key of the block mapping at this column.
  const typing = /^(\s*)(-\s+)?([\w$]*)$/.exec(before);
  if (typing) {
    const keyCol = typing[1]!.length + (typing[2]?.length ?? 0);
    const { path, present } = blockPathAt(lines, line, keyCol, typing[2] !== undefined ? typing[1]!.length : undefined);
    // A bare dash item under a list of scalars (`checkpoints:` → `- ./a|`) is a value, not a key.
    return { kind: 'key', path, start: col - typing[3]!.length, present };
  }
  // `  key: va|` (block value; not a flow collection).
  const value = /^(\s*)(-\s+)?"?([\w$.-]+)"?\s*:\s+(["']?)([^"'#{[]*)$/.exec(before);
  if (value) {
    return { kind: 'value', path: [...base(), value[3]!], start: col - value[5]!.length, quote: value[4] as '"' | "'" | '' };
  }
  // `  - ./a|`: an item of a list of scalars.
  const item = /^(\s*)-\s+(["']?)([^"':#{[]*)$/.exec(before);
  if (item) {
    const { path } = blockPathAt(lines, line, item[1]!.length + 2, item[1]!.length);
    return { kind: 'value', path, start: col - item[3]!.length, quote: item[2] as '"' | "'" | '' };
  }
  return undefined;
}

interface FlowState {
  /** Steps to the innermost open flow mapping, outermost first: the key before each `{`, 0 for a list item. */
  keys: (string | number)[];
  /** Keys already written in the innermost open mapping. */
  present: string[];
  /** Set while a key is typed (after `{` or `,`). */
  typingKey?: string;
  /** Set while a value is typed (after `key:`). */
  valueKey?: string;
  value?: { text: string; quote: '"' | "'" | '' };
}

/** Reads a line's text from its key on: the open `{ … }` mappings and what the cursor is typing inside the last. */
function flowState(s: string): FlowState | undefined {
  const keys: (string | number)[] = [];
  /** How many steps each open `{` added, to pop them at its `}`. */
  const added: number[] = [];
  const present: string[][] = [];
  let lastKey: string | undefined;
  let listOpen = false;
  let token = '';
  let afterColon = false;
  let opens = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) {
        token = s.slice(i);
        break;
      }
      token = s.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === ':' && (s[i + 1] === undefined || /\s/.test(s[i + 1]!))) {
      lastKey = token.trim();
      if (opens > 0 && lastKey) present[present.length - 1]!.push(lastKey);
      token = '';
      afterColon = true;
      continue;
    }
    if (c === '{') {
      // The key before it names the mapping (`kind: {`), unless it was used by a list opened since (`[ {`: an item).
      const steps: (string | number)[] = [...(lastKey ? [lastKey] : []), ...(listOpen ? [0] : [])];
      keys.push(...steps);
      added.push(steps.length);
      lastKey = undefined;
      listOpen = false;
      present.push([]);
      opens++;
      token = '';
      afterColon = false;
      continue;
    }
    if (c === '}') {
      keys.splice(keys.length - (added.pop() ?? 0));
      present.pop();
      opens--;
      token = '';
      afterColon = false;
      continue;
    }
    if (c === ',') {
      token = '';
      afterColon = false;
      continue;
    }
    if (c === '[') {
      // A list: a `{` inside it is an item of the list named by the key before `[`.
      listOpen = true;
      token = '';
      continue;
    }
    if (c === ']') {
      listOpen = false;
      lastKey = undefined;
      token = '';
      continue;
    }
    token += c;
  }
  if (opens <= 0) return undefined;
  const inner0 = present[present.length - 1] ?? [];
  if (listOpen) return { keys, present: inner0 };
  const typed = token.replace(/^\s+/, '');
  const inner = present[present.length - 1] ?? [];
  if (afterColon) {
    const quote = /^["']/.test(typed) ? (typed[0] as '"' | "'") : '';
    return { keys, present: inner, valueKey: lastKey, value: { text: quote ? typed.slice(1) : typed, quote } };
  }
  if (/^[\w$]*$/.test(typed)) return { keys, present: inner, typingKey: typed };
  return { keys, present: inner };
}
