// `circuit-thermometer demo` mechanics on a copy of examples/modular with a tiny SGLD grid (the real grid takes
// ~40 s; its numbers are in the README): both sweeps run in the worker, each writes its results and chart page to
// out/, and the side-by-side table names both hypotheses. Also: the demo finds the example from any folder.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEGRADATION } from '../../../examples/modular/scripts/analyze';
import type { CliIO } from '../../../src/cli/command';
import { DEMO_HYPOTHESES, DEMOS, findDemoExample, runDemo } from '../../../src/cli/demo';
import { checkHypothesisFile } from '../../../src/hypothesis';
import { degradationAs } from '../../../src/protocol/hypothesis';
import type { ResultsDocument } from '../../../src/protocol/results';

const EXAMPLE = path.resolve(__dirname, '../../../examples/modular');
const TINY = `degradation:
  dial: sgld
  temperatures: [100, 1000]
  sgld: { stepSize: 1e-3, localization: 10, chains: 2, draws: 3, burnIn: 2, thin: 1, batchSize: 256 }
  seed: 0`;

describe('cli: demo (modular example)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-demo-'));
    fs.cpSync(path.join(EXAMPLE, 'data'), path.join(dir, 'data'), { recursive: true });
    fs.copyFileSync(path.join(EXAMPLE, 'modular.onnx'), path.join(dir, 'modular.onnx'));
    for (const name of DEMO_HYPOTHESES) {
      const text = fs.readFileSync(path.join(EXAMPLE, `${name}.circuit.yaml`), 'utf8');
      assert.ok(text.includes(DEGRADATION), `${name}: the committed file carries the analysis's degradation block`);
      fs.writeFileSync(path.join(dir, `${name}.circuit.yaml`), text.replace(DEGRADATION, TINY));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds examples/modular from the repository root, from elsewhere (beside its own source), or as given', () => {
    const root = path.resolve(__dirname, '../../..');
    assert.equal(findDemoExample(root), EXAMPLE);
    assert.equal(findDemoExample(os.tmpdir()), EXAMPLE);
    assert.equal(findDemoExample(os.tmpdir(), dir), dir);
    assert.equal(findDemoExample(root, os.tmpdir()), undefined);
  });

  it('demo sgld: the addition circuit on the weight-noise dial, then on the sgld dial with every sampler setting at its default', async () => {
    const demo = DEMOS.sgld!;
    const folder = findDemoExample(path.resolve(__dirname, '../../..'), undefined, demo);
    assert.equal(folder, EXAMPLE);
    const [noise, sgld] = await Promise.all(demo.hypotheses.map(async (name) => {
      const r = await checkHypothesisFile(path.join(EXAMPLE, `${name}.circuit.yaml`));
      assert.ok(r.hypothesis, `${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
      return r.hypothesis;
    }));
    assert.equal(noise!.degradation.dial, 'weight-noise');
    const d = degradationAs(sgld!.degradation, 'sgld');
    assert.equal(noise!.circuit.components[0]!.units.length, sgld!.circuit.components[0]!.units.length, 'the same circuit');
    // Converged chains or an honest "inconclusive": every schedule setting is calibrated.
    assert.deepEqual([d.sgld.stepSize, d.sgld.burnIn, d.sgld.thin, d.sgld.draws], ['auto', 'auto', 'auto', 'auto']);
  });

  it('sweeps the addition circuit and the random units, writes results and charts to out/, prints both side by side', async () => {
    let out = '';
    let err = '';
    const io: CliIO = { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd: dir };
    const code = await runDemo(dir, DEMO_HYPOTHESES, io);
    assert.equal(code, 0, err);
    for (const name of DEMO_HYPOTHESES) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, 'out', `${name}.results.json`), 'utf8')) as ResultsDocument;
      assert.equal(doc.levels.length, 2);
      assert.equal(doc.data.target, doc.data.control, 'target = addition, control = subtraction: 3481 each');
      const html = fs.readFileSync(path.join(dir, 'out', `${name}.html`), 'utf8');
      assert.ok(html.startsWith('<!DOCTYPE html>') && html.includes(doc.hypothesis.resolved.circuit.name));
    }
    const side = out.slice(out.indexOf('== side by side =='));
    for (const name of DEMO_HYPOTHESES) assert.match(side, new RegExp(`^${name}\\s`, 'm'));
    assert.match(out, /charts: out\/addition-frequencies\.html, out\/random-neurons\.html/);
  });
});
