// Plain-text output helpers for the CLI.
import * as nodePath from 'node:path';
import { wrapWords } from '../chart/figure';

/** A path relative to `cwd` when it lies below it, else absolute (what compilers print). */
export function displayPath(p: string, cwd: string): string {
  const rel = nodePath.relative(cwd, p);
  return rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : p;
}

/** Columns a string takes on a terminal: combining marks (the hat of R̂) take none. */
export function displayWidth(s: string): number {
  return [...s.replace(/\p{M}/gu, '')].length;
}

/** `s` padded with spaces to `width` terminal columns. */
export function padDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Rows as left-aligned columns separated by two spaces; trailing empty cells are dropped. */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(c)); });
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : padDisplay(c, widths[i]))).join('  ').trimEnd());
}

/** `text` broken between words into lines of at most `width` terminal columns (a longer word stands alone). */
export function wrapText(text: string, width: number): string[] {
  return wrapWords(text, width, displayWidth);
}
