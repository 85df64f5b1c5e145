// The README tables that state verdicts of the committed example hypotheses, written from fresh sweeps. `npm run docs`
// rewrites each block between its markers; test/integration/scripts/docs/readmeNumbers.test.ts fails when a README's block
// differs from what a fresh sweep writes. Pure: results documents in, markdown out.
import { formatLevel } from '../../src/protocol/format';
import type { ResultsDocument } from '../../src/protocol/results';

export interface DocsTable {
  /** The marker name: `<!-- npm run docs: NAME -->` … `<!-- end NAME -->`. */
  name: string;
  /** The markdown file, relative to the repository root. */
  file: string;
  /** Hypothesis files (relative to the root) whose sweeps the rows state, in row order. */
  hypotheses: string[];
  render(docs: ResultsDocument[]): string;
}

/** Two significant digits, signed when `signed` (+0.84, −0.002 with a typographic minus). */
export function sig2(x: number, signed = false): string {
  const s = Number(x.toPrecision(2)).toString();
  return (signed && x > 0 ? '+' : '') + s.replace(/^-/, '−');
}

/** Two decimals with a typographic minus (the excess and its bound); one significant digit below 0.01. */
function dec2(x: number): string {
  if (x !== 0 && Math.abs(x) < 0.01) return Number(x.toPrecision(1)).toString().replace(/^-/, '−');
  return x.toFixed(2).replace(/^-/, '−');
}

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function calibration(doc: ResultsDocument): string {
  const c = doc.verdict.calibration;
  return c ? `${c.clean} of ${c.of}` : 'no null';
}

/** "specific at every level, but entangled at every tested temperature", or the summary's first clause. */
function shortVerdict(doc: ResultsDocument): string {
  const first = doc.verdict.summary.split(/[;:]/)[0]!;
  const specificEverywhere = doc.levels.length > 0 && doc.levels.every((l) => l.tests?.specific === true);
  return !doc.verdict.cleanWindow && doc.verdict.baselineExcess?.specific && specificEverywhere ? `specific at every level, but ${first}` : first;
}

const MODULAR = ['addition-frequencies', 'random-neurons', 'shared-neurons'].map((n) => `examples/modular/${n}.circuit.yaml`);
const PLANTED = ['kappa-0', 'kappa-0.03', 'kappa-0.1', 'kappa-0.3', 'kappa-1', 'shared-units', 'random-units', 'non-circuit-units'].map((n) => `examples/planted/${n}.circuit.yaml`);

export const DOCS_TABLES: DocsTable[] = [
  {
    name: 'walkthrough',
    file: 'README.md',
    hypotheses: MODULAR,
    render: (docs) => table(
      ['hypothesis', 'ablation at σ = 0 (addition / subtraction loss)', 'verdict of `npm run demo -- --all`'],
      [
        '(a) `addition-frequencies`: 44 units at the addition task\'s key frequencies that serve addition only',
        '(b) `random-neurons`: 44 random units',
        '(c) `shared-neurons`: the 154 units both tasks use',
      ].map((label, i) => [label, `${sig2(docs[i]!.baseline.targetEffect, true)} / ${sig2(docs[i]!.baseline.collateralEffect, true)}`, shortVerdict(docs[i]!)]),
    ),
  },
  {
    name: 'modular',
    file: 'examples/modular/README.md',
    hypotheses: MODULAR,
    render: (docs) => table(
      ['hypothesis', 'E_T(0)', 'E_C(0)', 'rank p at w* (excess over median)', 'verdict', 'calibration'],
      ['(a) addition circuit', '(b) random units', '(c) shared units'].map((label, i) => {
        const d = docs[i]!;
        const s = d.verdict.specificity;
        return [label, sig2(d.baseline.targetEffect), sig2(d.baseline.collateralEffect), s ? `${dec2(s.p)} (${dec2(s.excessOverMedian)})` : '—', d.verdict.summary, calibration(d)];
      }),
    ),
  },
  {
    name: 'planted',
    file: 'examples/planted/README.md',
    hypotheses: PLANTED,
    render: (docs) => table(
      ['hypothesis', 'E_C(0)', 'verdict', 'calibration'],
      ['κ = 0', 'κ = 0.03', 'κ = 0.1', 'κ = 0.3', 'κ = 1', 'shared units (κ = 1 net)', 'random units (κ = 1 net)', 'control units (κ = 1 net)'].map((label, i) => {
        const d = docs[i]!;
        const v = d.verdict;
        const verdict = v.cleanWindow && v.tEnt !== null ? `${v.summary.split(':')[0]}, \`t_ent\` = ${formatLevel(v.tEnt)}` : v.summary;
        return [label, sig2(d.baseline.collateralEffect), verdict, calibration(d)];
      }),
    ),
  },
];

const open = (name: string) => `<!-- npm run docs: ${name} -->`;
const close = (name: string) => `<!-- end ${name} -->`;

/** The generated block of `name` in a markdown text (between its markers), or undefined. */
export function blockOf(markdown: string, name: string): string | undefined {
  const a = markdown.indexOf(open(name));
  const b = markdown.indexOf(close(name));
  if (a < 0 || b < a) return undefined;
  return markdown.slice(a + open(name).length, b).trim();
}

/** The markdown with the block of `name` replaced by `content`. */
export function withBlock(markdown: string, name: string, content: string): string {
  const a = markdown.indexOf(open(name));
  const b = markdown.indexOf(close(name));
  if (a < 0 || b < a) throw new Error(`no '${open(name)}' … '${close(name)}' block`);
  return `${markdown.slice(0, a + open(name).length)}\n${content}\n${markdown.slice(b)}`;
}
