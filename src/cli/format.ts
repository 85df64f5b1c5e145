// Plain-text output helpers for the CLI.
import * as nodePath from 'node:path';

/** A path relative to `cwd` when it lies below it, else absolute (what compilers print). */
export function displayPath(p: string, cwd: string): string {
  const rel = nodePath.relative(cwd, p);
  return rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : p;
}

/** Rows as left-aligned columns separated by two spaces; trailing empty cells are dropped. */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}
