// The README's walkthrough and the READMEs of examples/modular and examples/planted state the verdicts of the committed
// hypotheses: a fresh sweep of each must give the numbers and verdicts they print (a stale README fails here), and each
// generated table is exactly what `npm run docs` writes from fresh sweeps (scripts/docs/tables.ts).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../../src/hypothesis';
import type { ResultsDocument } from '../../../../src/protocol/results';
import { blockOf, DOCS_TABLES } from '../../../../scripts/docs/tables';

const ROOT = path.resolve(__dirname, '../../../..');

/** The shown number equals the value rounded to as many decimals as it shows. */
function shows(text: string, value: number, what: string): void {
  const decimals = (text.split('.')[1] ?? '').length;
  assert.ok(Math.abs(value - Number(text)) <= 0.5 * 10 ** -decimals + 1e-12, `${what}: README shows ${text}, a fresh sweep gives ${value}`);
}

/** The table row of a markdown file that starts with `start`, as cells. */
function row(file: string, start: string): string[] {
  const line = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').find((l) => l.startsWith(start));
  assert.ok(line, `${file} has no row starting with ${start}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

describe('README numbers are what the code gives now', function () {
  // Thirteen real sweeps (the modular ones ~20 s each on 2 cores, longer on a shared machine).
  this.timeout(1_800_000);
  const docs = new Map<string, ResultsDocument>();
  before(async () => {
    for (const name of ['addition-frequencies', 'random-neurons', 'shared-neurons']) {
      const r = await checkHypothesisFile(path.join(ROOT, 'examples/modular', `${name}.circuit.yaml`));
      assert.ok(r.hypothesis, name);
      docs.set(name, await runSweep(r.hypothesis));
    }
  });

  it('every generated README table is what `npm run docs` writes from fresh sweeps now', async () => {
    for (const t of DOCS_TABLES) {
      const sweeps: ResultsDocument[] = [];
      for (const h of t.hypotheses) {
        const name = path.basename(h).replace(/\.circuit\.yaml$/, '');
        if (!docs.has(name)) {
          const r = await checkHypothesisFile(path.join(ROOT, h));
          docs.set(name, await runSweep(r.hypothesis!));
        }
        sweeps.push(docs.get(name)!);
      }
      const shown = blockOf(fs.readFileSync(path.join(ROOT, t.file), 'utf8'), t.name);
      assert.ok(shown !== undefined, `${t.file} has the '${t.name}' block`);
      assert.equal(shown, t.render(sweeps), `${t.file} (${t.name}) is stale: run \`npm run docs -- --tables\``);
    }
  });

  it('README.md walkthrough: ablation at σ = 0 and the verdict of each hypothesis', () => {
    const cases: [string, string, RegExp][] = [
      ['| (a) `addition-frequencies`', 'addition-frequencies', /^entangled at every tested temperature/],
      ['| (b) `random-neurons`', 'random-neurons', /^not specific at the trained network/],
      ['| (c) `shared-neurons`', 'shared-neurons', /^no null/],
    ];
    for (const [start, name, summary] of cases) {
      const doc = docs.get(name)!;
      const [, effects, verdict] = row('README.md', start);
      const [t, c] = effects!.split('/').map((x) => x.trim().replace(/^\+/, ''));
      shows(t!, doc.baseline.targetEffect, `${name} E_T(0)`);
      shows(c!, doc.baseline.collateralEffect, `${name} E_C(0)`);
      assert.match(doc.verdict.summary, summary);
      assert.ok(new RegExp(summary.source.replace(/^\^/, '')).test(verdict!), `${name}: README '${verdict}'`);
      // (c) covers 154 of 256 units: no disjoint null, so no calibration either.
      if (name === 'shared-neurons') { assert.equal(doc.verdict.calibration, null); continue; }
      assert.equal(doc.verdict.calibration!.clean, 0, `${name}: README says 0 of 39`);
      assert.equal(doc.verdict.calibration!.of, 39);
    }
  });

  it('examples/modular/README.md: E_T(0), E_C(0), the rank test at w*, and the calibration', () => {
    for (const [start, name] of [['| (a)', 'addition-frequencies'], ['| (b)', 'random-neurons'], ['| (c)', 'shared-neurons']] as const) {
      const doc = docs.get(name)!;
      const [, et, ec, excess, , calibration] = row('examples/modular/README.md', start);
      shows(et!, doc.baseline.targetEffect, `${name} E_T(0)`);
      shows(ec!, doc.baseline.collateralEffect, `${name} E_C(0)`);
      if (name === 'shared-neurons') { assert.equal(excess, '—'); assert.equal(calibration, 'no null'); continue; }
      // "0.03 (0.82)", with typographic minus signs.
      const m = /^(-?[\d.]+) \((-?[\d.]+)\)$/.exec(excess!.replace(/−/g, '-'));
      assert.ok(m, `${name}: rank p (excess over median) cell '${excess}'`);
      shows(m[1]!, doc.verdict.specificity!.p, `${name} rank p at w*`);
      shows(m[2]!, doc.verdict.specificity!.excessOverMedian, `${name} excess over the null's median`);
      assert.equal(calibration, `${doc.verdict.calibration!.clean} of ${doc.verdict.calibration!.of}`);
    }
  });

  it('examples/planted/README.md: E_C(0), the window or the verdict, and the calibration of every hypothesis', async () => {
    const files: [string, string][] = [
      ['| κ = 0 |', 'kappa-0'], ['| κ = 0.03 |', 'kappa-0.03'], ['| κ = 0.1 |', 'kappa-0.1'], ['| κ = 0.3 |', 'kappa-0.3'], ['| κ = 1 |', 'kappa-1'],
      ['| shared units', 'shared-units'], ['| random units', 'random-units'], ['| control units', 'non-circuit-units'],
    ];
    for (const [start, name] of files) {
      const r = await checkHypothesisFile(path.join(ROOT, 'examples/planted', `${name}.circuit.yaml`));
      const doc = await runSweep(r.hypothesis!);
      const [, ec, verdict, calibration] = row('examples/planted/README.md', start);
      shows(ec!, doc.baseline.collateralEffect, `${name} E_C(0)`);
      const window = /^clean from σ = ([\d.]+) to ([\d.]+)/.exec(verdict!);
      if (window) {
        assert.ok(doc.verdict.cleanWindow, `${name}: README shows a window, the sweep has none (${doc.verdict.summary})`);
        shows(window[1]!, doc.verdict.cleanWindow[0], `${name} t_ent`);
        shows(window[2]!, doc.verdict.cleanWindow[1], `${name} window end`);
      } else {
        assert.equal(doc.verdict.cleanWindow, null, `${name}: ${doc.verdict.summary}`);
        assert.ok(doc.verdict.summary.startsWith(verdict!.split(/[;:]/)[0]!), `${name}: README '${verdict}', sweep '${doc.verdict.summary}'`);
      }
      assert.equal(calibration, `${doc.verdict.calibration!.clean} of ${doc.verdict.calibration!.of}`);
    }
  });
});
