// The model page's Tensors section: the graph's intermediate tensors (what a circuit component's `tensor:` names), in
// graph order, with op, dtype and shape; each name a link that copies it, and a link to search them all. The page has
// no script: both are command links (the custom editor allows exactly these commands). Every name from the model
// goes through `tensorCode` (a code span that cannot end early or break the table) and `commandLink`.

export interface PageTensor {
  name: string;
  /** Producing op, e.g. `Relu`. */
  op?: string;
  dtype: string;
  shape: (number | string | null)[] | null;
}

/** Rows on the page; the search lists every tensor. */
export const MAX_TENSOR_ROWS = 200;

export const COPY_TENSOR_COMMAND = 'circuitThermometer.copyTensorName';
export const SEARCH_TENSORS_COMMAND = 'circuitThermometer.searchTensors';

/** A name as an inline code span inside a table cell: no backtick to close it, no pipe to split the row, one line. */
export function tensorCode(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, ' ');
  // A fence longer than any backtick run inside, and a space pad when the name starts or ends with one.
  const run = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(run + 1);
  const pad = /^`|`$/.test(clean) ? ' ' : '';
  return `${fence}${pad}${clean.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** `command:<id>?<args>` with the arguments URL-encoded, parentheses too (a Markdown link target ends at ")"). */
export function commandLink(command: string, args: readonly unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args)).replace(/\(/g, '%28').replace(/\)/g, '%29')}`;
}

export function tensorsMarkdown(tensors: readonly PageTensor[], modelFile: string): string {
  // Symbolic dims are names from the model too: escaped like Markdown text.
  const esc = (x: string) => x.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/([\\`*_{}[\]<>|])/g, '\\$1');
  const shape = (d: PageTensor['shape']) => (d === null ? 'unknown' : esc(`[${d.map((x) => (x === null ? '?' : String(x))).join(', ')}]`));
  const out: string[] = ['', '## Tensors', ''];
  out.push(`${tensors.length} intermediate tensor${tensors.length === 1 ? '' : 's'}, in graph order: the names a circuit component's \`tensor:\` takes. `
    + `Click a name to copy it, or [search them all](${commandLink(SEARCH_TENSORS_COMMAND, [modelFile])}).`, '');
  if (tensors.length === 0) return out.join('\n') + '\n';
  out.push('| name | op | dtype | shape |', '|---|---|---|---|');
  for (const t of tensors.slice(0, MAX_TENSOR_ROWS)) {
    out.push(`| [${tensorCode(t.name)}](${commandLink(COPY_TENSOR_COMMAND, [t.name])}) | ${t.op ? tensorCode(t.op) : ''} | ${t.dtype.replace(/[^A-Za-z0-9]/g, '')} | ${shape(t.shape)} |`);
  }
  if (tensors.length > MAX_TENSOR_ROWS) out.push('', `… and ${tensors.length - MAX_TENSOR_ROWS} more: [search them all](${commandLink(SEARCH_TENSORS_COMMAND, [modelFile])}).`);
  out.push('');
  return out.join('\n');
}
