// The verdict table the CLI prints after a sweep: one row per level, then the verdict.
import { formatLevel, formatNumber, levelCells } from '../chart/format';
import type { ResultsDocument } from '../protocol/results';

/** The table and the verdict facts, one string of lines without a trailing newline. */
export function formatVerdictTable(doc: ResultsDocument): string {
  const withLlc = doc.levels.some((l) => l.llc);
  const header = [levelHeader(doc.dial), 'ΔL ± se', 'E_T ± se', 'E_C ± se', ...(withLlc ? ['LLC ± se'] : []), 'negligible?', 'persists?'];
  const rows: string[][] = doc.levels.map((l) => levelCells(l, withLlc));
  const full = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const v = doc.verdict;
  const facts: [string, string][] = [
    ['t_ent', v.tEnt === null ? '— (no clean window)' : formatLevel(v.tEnt)],
    ['t_surv', v.tSurv === null ? '— (the target effect never persists)' : formatLevel(v.tSurv)],
    ['clean window', v.cleanWindow ? `${formatLevel(v.cleanWindow[0])} … ${formatLevel(v.cleanWindow[1])}` : 'none'],
    ['cleanliness', `${formatNumber(v.cleanlinessDecades)} decade${v.cleanlinessDecades === 1 ? '' : 's'}`],
  ];
  if (doc.dial === 'sgld') facts.push(['Watanabe t', `${formatNumber(doc.watanabeTemperature)} (log n)`]);
  facts.push(['summary', v.summary]);
  const factWidth = Math.max(...facts.map(([k]) => k.length));
  return [line(header), ...rows.map(line), '', ...facts.map(([k, val]) => `${k.padEnd(factWidth)}  ${val}`)].join('\n');
}

function levelHeader(dial: ResultsDocument['dial']): string {
  return dial === 'sgld' ? 't' : dial === 'checkpoints' ? 'checkpoint' : 'σ';
}
