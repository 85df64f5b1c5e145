// Help on the hypothesis format for the editor: which spec a key path names, what to say about it (its description,
// type, default, range or choices, and the docs/method.md section that defines it), and which key the cursor is on.
import type { PNode } from './parse';
import { HYPOTHESIS_SPEC, type ObjectSpec, type Spec } from '../protocol/hypothesisSchema';

export type KeyPath = readonly (string | number)[];

export interface SpecFound {
  spec: Spec;
  /** The method.md heading of the spec or its nearest ancestor that names one. */
  method?: string;
}

/** The object variant of a spec, when it has one (a `oneOf` of a grid and a list is a grid when keys follow). */
function objectOf(spec: Spec): ObjectSpec | undefined {
  if (spec.type === 'object') return spec;
  if (spec.type === 'oneOf') return spec.variants.find((v): v is ObjectSpec => v.type === 'object');
  return undefined;
}

function itemsOf(spec: Spec): Spec | undefined {
  if (spec.type === 'array') return spec.items;
  if (spec.type === 'oneOf') {
    const list = spec.variants.find((v) => v.type === 'array');
    return list?.type === 'array' ? list.items : undefined;
  }
  return undefined;
}

/** The spec at a key path (`['verdict', 'persistence']`, `['circuit', 'components', 0, 'units']`). */
export function specAt(path: KeyPath, root: Spec = HYPOTHESIS_SPEC): SpecFound | undefined {
  let spec: Spec = root;
  let method = root.method;
  for (const step of path) {
    const next: Spec | undefined = typeof step === 'number' ? itemsOf(spec) : (() => {
      const o = objectOf(spec);
      return o ? (Object.hasOwn(o.properties, step) ? o.properties[step] : undefined) ?? o.additional : undefined;
    })();
    if (!next) return undefined;
    spec = next;
    method = spec.method ?? method;
  }
  return { spec, ...(method ? { method } : {}) };
}

/** The keys an object at `path` takes (none for a map with free keys such as data.inputs). */
export function keysAt(path: KeyPath): { key: string; spec: Spec }[] {
  const found = specAt(path);
  const o = found ? objectOf(found.spec) : undefined;
  return o ? Object.entries(o.properties).filter(([k]) => k !== '$schema').map(([key, spec]) => ({ key, spec })) : [];
}

/** The values an enum setting takes (a `oneOf` with an enum variant, such as `stepSize: auto`, included). */
export function enumValuesOf(spec: Spec): readonly string[] {
  if (spec.type === 'enum') return spec.values;
  if (spec.type === 'oneOf') return spec.variants.flatMap((v) => enumValuesOf(v));
  return [];
}

/** Whether the setting names a file (a path resolved against the hypothesis file's folder). */
export function isPathSpec(spec: Spec): boolean {
  return spec.type === 'string' && spec.role === 'path';
}

/** `verdict.persistence`, `circuit.components[].units`. */
export function keyLabel(path: KeyPath): string {
  return path.map((s, i) => (typeof s === 'number' ? '[]' : i === 0 ? s : `.${s}`)).join('');
}

/** One line about a spec's type, default and range or choices: "number > 0 · default 0.1". */
export function specFacts(spec: Spec): string {
  const parts: string[] = [];
  switch (spec.type) {
    case 'string':
      parts.push(spec.role === 'path' ? 'file path' : spec.role === 'tensor' ? 'tensor name' : 'text');
      break;
    case 'number':
    case 'integer': {
      const range = [
        spec.exclusiveMinimum !== undefined ? `> ${spec.exclusiveMinimum}` : spec.minimum !== undefined ? `≥ ${spec.minimum}` : '',
        spec.maximum !== undefined ? `≤ ${spec.maximum}` : '',
      ].filter(Boolean).join(', ');
      parts.push(`${spec.type}${range ? ` ${range}` : ''}`);
      break;
    }
    case 'enum':
      parts.push(`one of ${spec.values.map((v) => `\`${v}\``).join(', ')}`);
      break;
    case 'object':
      parts.push(spec.additional ? 'mapping of names to values' : 'mapping');
      break;
    case 'array':
      parts.push(`list${spec.minItems ? ` (at least ${spec.minItems})` : ''}`);
      break;
    case 'oneOf':
      parts.push(spec.variants.map((v) => specFacts(v).split(' · ')[0]).join(' or '));
      break;
  }
  if ('default' in spec && spec.default !== undefined) parts.push(`default \`${spec.default}\``);
  return parts.join(' · ');
}

/** The hover of a key: its name, description, facts, and a link to its method section (`link` builds the URL). */
export function keyHelpMarkdown(path: KeyPath, link?: (section: string) => string | undefined): string | undefined {
  const found = specAt(path);
  if (!found) return undefined;
  const lines = [`**\`${keyLabel(path)}\`** — ${specFacts(found.spec)}`, '', found.spec.description];
  const url = found.method ? link?.(found.method) : undefined;
  if (found.method) lines.push('', url ? `Method: [${found.method}](${url})` : `Method: docs/method.md, "${found.method}"`);
  return lines.join('\n');
}

/** The key path of the key whose name covers (line, col) in the parsed tree, if any. */
export function keyPathAt(root: PNode | undefined, line: number, col: number): KeyPath | undefined {
  const inside = (r: PNode['range']) =>
    (line > r.start.line || (line === r.start.line && col >= r.start.col)) && (line < r.end.line || (line === r.end.line && col <= r.end.col));
  const walk = (node: PNode, path: (string | number)[]): KeyPath | undefined => {
    if (node.kind === 'map') {
      for (const e of node.entries) {
        if (inside(e.keyRange)) return [...path, e.key];
        if (inside(e.value.range)) return walk(e.value, [...path, e.key]);
      }
    } else if (node.kind === 'seq') {
      for (const [i, item] of node.items.entries()) if (inside(item.range)) return walk(item, [...path, i]);
    }
    return undefined;
  };
  return root ? walk(root, []) : undefined;
}

/** Line (0-based) of each `## ` heading of a markdown text, by heading text. */
export function headingLines(markdown: string): Map<string, number> {
  const out = new Map<string, number>();
  markdown.split(/\r?\n/).forEach((l, i) => {
    const m = /^#{2,3}\s+(.*?)\s*$/.exec(l);
    if (m && !out.has(m[1]!)) out.set(m[1]!, i);
  });
  return out;
}
