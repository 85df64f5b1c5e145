// `circuit-thermometer demo [modular|sgld|induction] [--all] [--examples DIR]`: the README's main-job command. Sweeps
// an example's circuit and, for contrast, random units of the same count (modular, the default: the addition circuit
// against random neurons; sgld: the addition circuit under weight noise and under SGLD; induction: the induction
// circuit, random heads, the induction head alone and keep-only);
// writes each results JSON and chart page to the example's out/, prints each verdict table, then one line per
// hypothesis side by side (with its calibration: how many matched random sets the same verdict would call clean).
import { readResultsFile } from '../engine/sweep/readResults';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { calibrationShort, isVersion1 } from '../chart/format';
import type { ResultsDocument } from '../protocol/results';
import type { CliIO, Command } from './command';
import { EXIT } from './command';
import { displayPath, table } from './format';
import { sweep, SWEEP_EXIT } from './sweep';
import { DIALS } from '../protocol/dials';

/** The example folder, from the repository root. */
export const DEMO_EXAMPLE = path.join('examples', 'modular');
/** The real circuit, then the deliberately bad hypothesis; `--all` adds the neurons both tasks share. */
export const DEMO_HYPOTHESES = ['addition-frequencies', 'random-neurons'] as const;
export const DEMO_EXTRA_HYPOTHESES = ['shared-neurons'] as const;

export interface DemoExample {
  folder: string;
  hypotheses: readonly string[];
  extra: readonly string[];
  /** Printed after the side-by-side table when a sweep used weight noise: why not SGLD. */
  weightNoiseNote: string;
}

/** The examples `demo` can run; the first is the default. */
export const DEMOS: Readonly<Record<string, DemoExample>> = {
  modular: {
    folder: DEMO_EXAMPLE, hypotheses: DEMO_HYPOTHESES, extra: DEMO_EXTRA_HYPOTHESES,
    weightNoiseNote: 'These sweeps use weight noise (independent draws). SGLD chains of this model do not converge within the demo\'s budget'
      + ' (split-R̂ 1.6–2.1 at short chains), and an unconverged level holds no test: see examples/modular/README.md, "Under SGLD".',
  },
  sgld: {
    // The same circuit on the weight-noise dial and on the tempered posterior, side by side.
    folder: DEMO_EXAMPLE, hypotheses: ['addition-frequencies', 'addition-frequencies.sgld'], extra: [],
    weightNoiseNote: 'The first row uses weight noise (independent draws); the second samples the tempered posterior by SGLD with every'
      + ' sampler setting auto (step size, burn-in, thin, draws until ESS 250 per chain), so its levels either converged or say they did not.',
  },
  induction: {
    folder: path.join('examples', 'induction'),
    hypotheses: ['induction-circuit', 'random-heads', 'induction-head', 'keep-only-circuit'],
    extra: [],
    weightNoiseNote: 'These sweeps use weight noise (independent draws), as the modular example does; see examples/induction/README.md.',
  },
};
export const DEMO_NAMES = Object.keys(DEMOS);
/** "modular, sgld or induction". */
const DEMO_CHOICES = `${DEMO_NAMES.slice(0, -1).join(', ')} or ${DEMO_NAMES[DEMO_NAMES.length - 1]}`;

/**
 * The example folder: `explicit`, else the example's folder under the current directory or under any folder above
 * this file (the bundle in dist/, or src/cli/ under tsx), so `npm run demo` works from anywhere in the clone.
 */
export function findDemoExample(cwd: string, explicit?: string, demo: DemoExample = DEMOS.modular!): string | undefined {
  const has = (dir: string) => fs.existsSync(path.join(dir, `${demo.hypotheses[0]}.circuit.yaml`));
  if (explicit !== undefined) return has(path.resolve(cwd, explicit)) ? path.resolve(cwd, explicit) : undefined;
  const candidates = [path.join(cwd, demo.folder)];
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, demo.folder));
    if (path.dirname(dir) === dir) break;
  }
  return candidates.find(has);
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Sweep an example: modular (default; its addition circuit against random neurons), sgld (that circuit under weight noise and under SGLD) or induction (attention heads).',
  description:
    'modular: a two-task MLP (a+b and a−b mod 59) trained by this project\'s engine. The addition task\'s Fourier-frequency neurons\n'
    + '(target: addition examples, control: subtraction examples) are swept, then as many random neurons; --all also sweeps the\n'
    + 'neurons both tasks share. sgld: the addition circuit under weight noise, then on the tempered posterior sampled by SGLD with\n'
    + 'every sampler setting auto (converged chains, or levels that say they are not; about 45–55 minutes on 2 cores). induction: a two-layer attention-only transformer trained on sequences with a repeated segment;\n'
    + 'its previous-token + induction head circuit, random heads, the induction head alone and keep-only (target: queries in the\n'
    + 'repeat, control: queries in the first occurrence). Each sweep writes out/<name>.results.json and out/<name>.html in the example folder.',
  args: [{ name: 'example', description: `which example: ${DEMO_CHOICES} (default ${DEMO_NAMES[0]})`, required: false }],
  flags: [
    { name: 'all', type: 'boolean', description: 'modular: also sweep shared-neurons.circuit.yaml (the neurons both tasks use)' },
    { name: 'examples', type: 'string', valueName: 'DIR', description: 'the example folder (default: examples/<example> of this clone)' },
  ],
  async run(args, io) {
    const which = args.positionals[0] ?? DEMO_NAMES[0]!;
    const demo = DEMOS[which];
    if (!demo) {
      io.err(`circuit-thermometer: no demo named '${which}'; choose ${DEMO_CHOICES}`);
      return EXIT.usage;
    }
    const dir = findDemoExample(io.cwd, typeof args.flags.examples === 'string' ? args.flags.examples : undefined, demo);
    if (!dir) {
      io.err(`circuit-thermometer: cannot find ${demo.folder}/${demo.hypotheses[0]}.circuit.yaml; run the demo from a clone of the repository or pass --examples DIR`);
      return EXIT.usage;
    }
    const names = args.flags.all === true ? [...demo.hypotheses, ...demo.extra] : [...demo.hypotheses];
    return runDemo(dir, names, io, demo);
  },
};

export async function runDemo(dir: string, names: readonly string[], io: CliIO, demo: DemoExample = DEMOS.modular!): Promise<number> {
  const outDir = path.join(dir, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const docs: { name: string; doc: ResultsDocument }[] = [];
  for (const name of names) {
    io.out(`\n== ${name}.circuit.yaml ==`);
    const results = path.join(outDir, `${name}.results.json`);
    const code = await sweep({ hypothesis: path.join(dir, `${name}.circuit.yaml`), out: results, html: path.join(outDir, `${name}.html`) }, io);
    if (code !== SWEEP_EXIT.done) return code;
    docs.push({ name, doc: readResultsFile(results) });
  }
  io.out('\n== side by side ==');
  io.out(table([SUMMARY_HEADER, ...docs.map(({ name, doc }) => summaryRow(name, doc))]).join('\n'));
  if (docs.some(({ doc }) => !DIALS[doc.dial].tempered)) io.out(`\n${demo.weightNoiseNote}`);
  io.out(`\ncharts: ${docs.map(({ name }) => displayPath(path.join(outDir, `${name}.html`), io.cwd)).join(', ')}`);
  return EXIT.ok;
}

export const SUMMARY_HEADER = ['hypothesis', 'E_T(0)', 'E_C(0)', 't_ent', 't_surv', 'cleanliness', 'calibration', 'verdict'];

/**
 * One hypothesis of the side-by-side table. Calibration: k/K matched random sets that the same verdict would call
 * clean ("> α" when that rate is too high to trust the window), "no null" for a version-1 file.
 */
export function summaryRow(name: string, doc: ResultsDocument): string[] {
  const num = (v: number | null) => (v === null ? '—' : String(Number(v.toPrecision(3))));
  const v = doc.verdict;
  const short = calibrationShort(v);
  const calibration = short === null ? (isVersion1(doc) ? 'no null' : '—') : `${short}${v.calibration?.warning ? ' > α' : ''}`;
  return [name, num(doc.baseline.targetEffect), num(doc.baseline.collateralEffect), num(v.tEnt), num(v.tSurv), `${v.cleanlinessDecades.toFixed(2)} dec`, calibration, v.summary];
}
