// Hypothesis files, mutated: lines deleted, repeated or swapped, values replaced by hostile ones (huge work bounds,
// negative numbers, paths out of the folder, devices, FIFOs, ANSI escapes, 100k-character names, deep brackets),
// bytes flipped or cut. Every mutant is parsed (YAML and JSON forms); every fourth is checked in full against a
// workspace of real models and data (the model, its probe run, the data files). The checker must never throw: it
// answers with diagnostics, each one line, escaped, coded `hyp/…`, within the per-case time limit.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nestingProblem } from '../../src/engine/util/jsonText';
import { checkHypothesisText, type Diagnostic, parseHypothesis } from '../../src/hypothesis';
import { VALID_MLP, makeWorkspace } from '../support/workspace';
import { assertCleanMessage, HOSTILE_NUMBERS, HOSTILE_STRINGS, mutateBytes, newTally, outcome, report, Rng } from './harness';

const CASES = 1200;
const FULL_CHECK_EVERY = 4;

const HOSTILE_PATHS = ['/dev/zero', '/etc/passwd', '../../../etc/passwd', './pipe.onnx', './pipe.npy', './', './missing.onnx', '/proc/self/environ', './notes.onnx', './x.npy#y'];

function mutateText(text: string, rng: Rng): { how: string; text: string } {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  switch (rng.int(7)) {
    case 0: lines.splice(i, 1); return { how: `delete line ${i}`, text: lines.join('\n') };
    case 1: lines.splice(i, 0, lines[rng.int(lines.length)]!); return { how: `repeat a line at ${i}`, text: lines.join('\n') };
    case 2: {
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return { how: `swap lines ${i}, ${j}`, text: lines.join('\n') };
    }
    case 3: case 4: {
      // A value replaced: numbers (work bounds), strings (names, paths), or structure.
      const candidates = lines.map((l, k) => [l, k] as const).filter(([l]) => /:\s*\S/.test(l));
      const [line, k] = rng.pick(candidates);
      const value = rng.pick<string>([
        String(rng.pick(HOSTILE_NUMBERS)), '1e9', '-5', '0', '1e309', '.nan', 'null', '[]', '{}', '~',
        JSON.stringify(rng.pick(HOSTILE_STRINGS)), rng.pick(HOSTILE_PATHS), '*nothing', '&a [*a]', `${'['.repeat(5000)}`,
      ]);
      lines[k] = line.replace(/:\s*.*$/, `: ${value}`);
      return { how: `line ${k} = ${value.slice(0, 30)}`, text: lines.join('\n') };
    }
    case 5: {
      const bytes = mutateBytes(Buffer.from(text), rng);
      return { how: bytes.how, text: Buffer.from(bytes.bytes).toString('utf8') };
    }
    default: {
      const at = rng.int(text.length);
      return { how: `truncate at ${at}`, text: text.slice(0, at) };
    }
  }
}

function assertDiagnostics(diagnostics: readonly Diagnostic[], where: string): void {
  for (const d of diagnostics) {
    assert.match(d.code, /^hyp\//, `${where}: code ${d.code}`);
    assertCleanMessage(d.message, `${where}: ${d.code}`);
    if (d.hint) assertCleanMessage(d.hint, `${where}: ${d.code} hint`);
  }
}

describe('fuzz: hypothesis files', function () {
  this.timeout(600_000);
  let dir: string;
  const bases: string[] = [];
  before(async () => {
    dir = await makeWorkspace();
    execFileSync('mkfifo', [path.join(dir, 'pipe.onnx'), path.join(dir, 'pipe.npy')]);
    bases.push(VALID_MLP);
    // The same hypothesis with the weight-noise and checkpoints dials, and the shipped examples' texts.
    bases.push(VALID_MLP.replace(/degradation:[\s\S]*?seed: 0\n/, 'degradation:\n  dial: weight-noise\n  temperatures: { from: 0.001, to: 1, count: 6 }\n  noise: { samples: 8 }\n'));
    const examples = path.join(__dirname, '../../examples');
    for (const sub of fs.readdirSync(examples)) {
      const folder = path.join(examples, sub);
      if (!fs.statSync(folder).isDirectory()) continue;
      for (const f of fs.readdirSync(folder).filter((n) => /\.circuit\.ya?ml$/.test(n)).slice(0, 2)) bases.push(fs.readFileSync(path.join(folder, f), 'utf8'));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`${CASES} mutated hypotheses: diagnostics only (never a throw), each clean; every ${FULL_CHECK_EVERY}th checked against real files`, async () => {
    const rng = new Rng(0x4b9);
    const tally = newTally();
    let full = 0;
    for (let k = 0; k < CASES; k++) {
      const base = bases[k % bases.length]!;
      const { how, text } = mutateText(base, rng);
      const json = k % 5 === 4;
      const file = path.join(dir, `case-${k}.circuit.${json ? 'json' : 'yaml'}`);
      const source = json ? jsonish(text) : text;
      const where = `case ${k} (${how})`;
      const checked = k % FULL_CHECK_EVERY === 0;
      if (checked) full++;
      await outcome(tally, where, async () => {
        try {
          const r = checked ? await checkHypothesisText(source, file) : parseHypothesis(source, file);
          return r.diagnostics;
        } catch (e) {
          // The checker reports; it never throws. A throw is a plain failure here, whatever its class.
          throw new Error(`threw ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}\n${e.stack}` : String(e)}`);
        }
      }, (d) => assertDiagnostics(d, where));
    }
    console.log(`      ${report('hypotheses', tally)}; ${full} checked against the files`);
    assert.equal(tally.ok, CASES, 'every case answered with diagnostics');
  });
});

/** The YAML text's JSON form when it parses as YAML (mutants that do not stay text: JSON's own syntax errors). */
function jsonish(text: string): string {
  if (nestingProblem(text, 64, true)) return text; // the yaml library itself runs out of memory on deep brackets
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('yaml') as typeof import('yaml');
    return JSON.stringify(yaml.parse(text, { maxAliasCount: 100 }), null, 2) ?? text;
  } catch {
    return text;
  }
}
