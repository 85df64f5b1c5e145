// `circuit-thermometer calibrate`: the ε × nβ grid on the planted network's sgld hypothesis, end to end.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';

const PLANTED = path.resolve(__dirname, '../../../examples/planted');

describe('cli: calibrate', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-calibrate-'));
    const text = fs.readFileSync(path.join(PLANTED, 'kappa-1.circuit.yaml'), 'utf8')
      .replace('./planted-kappa-1.onnx', path.join(PLANTED, 'planted-kappa-1.onnx')).replaceAll('./data/', `${PLANTED}/data/`)
      .replace('dial: weight-noise', 'dial: sgld').replace('temperatures: { from: 0.001, to: 3, count: 12 }', 'temperatures: [0.1, 10]\n  sgld: { batchSize: 64 }');
    fs.writeFileSync(path.join(dir, 'sgld.circuit.yaml'), text);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    let out = '', err = '';
    const code = await main(['calibrate', ...argv], { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, cwd: dir });
    return { code, out, err };
  }

  it('measures every cell and recommends the largest ε with acceptance ≥ 0.9 at each level, the smallest of those overall', async () => {
    const r = await run('sgld.circuit.yaml', '--step-sizes', '1e-4,3e-2', '--chains', '2', '--steps', '40', '--json');
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.equal(doc.n, 128);
    assert.deepEqual(doc.rows.map((row: { level: number; nbeta: number }) => [row.level, row.nbeta]), [[0.1, 1280], [10, 12.8]]);
    for (const row of doc.rows) {
      assert.deepEqual(row.cells.map((c: { stepSize: number }) => c.stepSize), [3e-2, 1e-4], 'largest first');
      const qualifying = row.cells.filter((c: { diverged: boolean; acceptance: number }) => !c.diverged && c.acceptance >= 0.9).map((c: { stepSize: number }) => c.stepSize);
      assert.equal(row.recommended, qualifying.length ? Math.max(...qualifying) : null);
      // ε = 1e-4 is the sampler's default, well inside the stable range on this network.
      const small = row.cells[1];
      assert.ok(!small.diverged && small.acceptance > 0.9 && small.rhat !== null && Number.isFinite(small.llc), JSON.stringify(small));
    }
    assert.equal(doc.recommended, Math.min(...doc.rows.map((row: { recommended: number }) => row.recommended)));
    const text = await run('sgld.circuit.yaml', '--step-sizes', '1e-4', '--chains', '2', '--steps', '20', '--html', 'grid.html');
    assert.match(text.out, /recommended: sgld: \{ stepSize: 0\.0001 \}/);
    assert.match(text.out, /heatmap: grid\.html/);
    const page = fs.readFileSync(path.join(dir, 'grid.html'), 'utf8');
    assert.match(page, /data-testid="calibration-heatmap"/);
    assert.match(page, /"type":"heatmap"/);
  });

  it('says what is wrong with its flags', async () => {
    const r = await run('sgld.circuit.yaml', '--step-sizes', '1e-4,-1');
    assert.equal(r.code, 2);
    assert.match(r.err, /--step-sizes takes positive numbers separated by commas, not '1e-4,-1'/);
  });
});
