// Two dials at once (docs/method.md, "Two dials at once"), on ground truth by construction: checkpoints of the planted
// networks (the trained weights with the output layer scaled down, as earlier in training: the same circuit, smaller
// margins) crossed with weight noise and activation noise.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plantedModel } from '../../../../examples/planted/generate';
import { main } from '../../../../src/cli/main';
import { saveModel } from '../../../../src/engine/onnx/load';
import { floatTensor, tensorToFloat32 } from '../../../../src/engine/onnx/tensor';
import { readGridFile, runGrid, writeGrid } from '../../../../src/engine/sweep/grid';
import { runSweep } from '../../../../src/engine/sweep/run';
import { studentTQuantile } from '../../../../src/engine/sweep/stats';
import { checkHypothesisFile, parseHypothesis, type Hypothesis } from '../../../../src/hypothesis';
import { degradationAs, type WeightNoiseDegradation } from '../../../../src/protocol/hypothesis';
import { cellState, gridProblem } from '../../../../src/protocol/grid';
import { edit, lineOf, VALID_MLP } from '../../../support/workspace';

const PLANTED = path.resolve(__dirname, '../../../../examples/planted');
const SCALES = [0.5, 1];
const SIGMAS = [0.001, 0.01, 0.03, 0.1, 0.3];

/** The planted κ network with its output weights times `scale` (scale 1: the model itself). */
function checkpoints(dir: string, kappa: number): string[] {
  return SCALES.map((s) => {
    const m = plantedModel(kappa);
    m.graph.initializer = m.graph.initializer.map((t) => (t.name === 'out.weight' ? floatTensor('out.weight', t.dims.map(Number), tensorToFloat32(t).map((v) => v * s)) : t));
    const f = path.join(dir, `kappa-${kappa}-scale-${s}.onnx`);
    saveModel(m, f);
    return f;
  });
}

async function planted(file: string): Promise<Hypothesis> {
  const r = await checkHypothesisFile(path.join(PLANTED, file));
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  return r.hypothesis;
}

const withGrid = (h: Hypothesis, files: string[], extra: Partial<WeightNoiseDegradation> = {}): Hypothesis => ({
  ...h, degradation: { ...degradationAs(h.degradation, 'weight-noise'), levels: SIGMAS, scale: 'log', noise: { samples: 16 }, grid: { checkpoints: files, steps: [100, 200] }, ...extra },
});

describe('two dials at once: degradation.grid', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-grid-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves checkpoints and steps; refuses the checkpoints dial, degradation.parameters and a steps count that does not match, each located', () => {
    const file = '/ws/project/h.circuit.yaml';
    const text = edit(VALID_MLP, '  seed: 0\n', '  grid: { checkpoints: [./a.onnx, ./b.onnx], steps: [10, 20] }\n  seed: 0\n');
    const ok = parseHypothesis(text, file);
    assert.deepEqual(ok.hypothesis!.degradation.grid, { checkpoints: ['/ws/project/a.onnx', '/ws/project/b.onnx'], steps: [10, 20] });
    const positions = parseHypothesis(edit(VALID_MLP, '  seed: 0\n', '  grid: { checkpoints: [./a.onnx, ./b.onnx] }\n  seed: 0\n'), file);
    assert.deepEqual(positions.hypothesis!.degradation.grid!.steps, [0, 1]);
    const mismatch = edit(VALID_MLP, '  seed: 0\n', '  grid: { checkpoints: [./a.onnx, ./b.onnx], steps: [10] }\n  seed: 0\n');
    const m = parseHypothesis(mismatch, file).diagnostics.find((d) => d.message.includes('steps lists 1 values for 2 checkpoints'));
    assert.equal(m?.range.start.line, lineOf(mismatch, 'grid:'));
    const onCheckpoints = edit(edit(VALID_MLP, 'dial: sgld', 'dial: checkpoints\n  checkpoints: [./a.onnx]'), '  seed: 0\n', '  grid: { checkpoints: [./b.onnx] }\n  seed: 0\n');
    const c = parseHypothesis(onCheckpoints, file).diagnostics.find((d) => d.message.includes('the checkpoints dial cannot be that dial'));
    assert.equal(c?.severity, 'error');
    assert.equal(c!.range.start.line, lineOf(onCheckpoints, 'dial: checkpoints'));
    const restricted = edit(VALID_MLP, '  seed: 0\n', '  parameters: { include: ["hidden.*"] }\n  grid: { checkpoints: [./a.onnx] }\n  seed: 0\n');
    const p = parseHypothesis(restricted, file).diagnostics.find((d) => d.message.includes('cannot be combined with degradation.parameters'));
    assert.equal(p!.range.start.line, lineOf(restricted, 'grid:'));
  });

  it('planted κ = 0 × weight noise: clean in every cell where both tasks work; the trained row has the one-dial sweep\'s numbers; Bonferroni over the map', async () => {
    const h = withGrid(await planted('kappa-0.circuit.yaml'), checkpoints(dir, 0));
    const grid = await runGrid(h);
    assert.equal(gridProblem(JSON.parse(JSON.stringify(grid))), null);
    const cells = SCALES.length * SIGMAS.length;
    assert.deepEqual(grid.correction, { method: 'bonferroni', alpha: 0.05, cells, perCell: 0.05 / cells, specificity: 'once at w*' });
    let working = 0;
    for (const row of grid.rows) {
      for (const cell of row.cells) {
        const tasks = cell.v3!.behaviour!.present && cell.v3!.behaviour!.control!.present;
        if (tasks) { working++; assert.equal(cell.clean, true, `step ${row.step}, σ = ${cell.level}: ${cell.failed}`); }
        // The excess interval's quantile is t at 1 − α/(rows · columns), not at 1 − α/columns.
        if (cell.v3!.targetExcess!.se > 0) assert.ok(Math.abs(cell.v3!.quantile - studentTQuantile(1 - 0.05 / cells, cell.v3!.targetExcess!.dof ?? Infinity)) < 1e-9);
      }
      assert.ok(row.verdict.tEnt === SIGMAS[0], `row ${row.step}: ${row.verdict.summary}`);
    }
    assert.ok(working >= SIGMAS.length, `${working} cells where both tasks work`);
    assert.equal(grid.clean, working);
    assert.match(grid.summary, new RegExp(`^clean in ${working} of ${cells} cells of the 2 checkpoints × 5 levels map`));
    // The row whose checkpoint is the model itself: the noise streams are keyed by σ, so the one-dial sweep draws
    // the same weights and gives the same numbers (judged at α/5 there, α/10 here).
    const one = await runSweep({ ...h, degradation: { ...h.degradation, grid: undefined } });
    assert.deepEqual(grid.rows[1]!.cells.map((c) => [c.targetEffect.mean, c.collateralEffect.mean, c.lossGap.mean]), one.levels.map((c) => [c.targetEffect.mean, c.collateralEffect.mean, c.lossGap.mean]));
    // The earlier checkpoint has its own loss: its cells' ΔL carry its gap to the trained network.
    assert.ok(grid.rows[0]!.cells[0]!.lossGap.mean > grid.rows[1]!.cells[0]!.lossGap.mean + 0.01);
  });

  it('shared units (planted κ = 1) are clean in no cell; a one-dial sweep of a grid hypothesis is refused', async () => {
    const h = withGrid(await planted('shared-units.circuit.yaml'), checkpoints(dir, 1));
    const grid = await runGrid(h);
    assert.equal(grid.clean, 0);
    assert.ok(grid.rows.every((r) => r.cells.every((c) => cellState(c) !== 'clean')));
    await assert.rejects(runSweep(h), /two-dial grid .*circuit-thermometer grid/);
  });

  it('activation noise runs on each row\'s checkpoint, not on w*: at σ = 1e−6 a row is its checkpoint', async () => {
    const files = checkpoints(dir, 0);
    const base = await planted('kappa-0.circuit.yaml');
    const h: Hypothesis = {
      ...base,
      degradation: { dial: 'activation-noise', levels: [1e-6], scale: 'log', noise: { samples: 2, tensors: ['/relu/Relu_output_0'] }, grid: { checkpoints: files, steps: [0, 1] }, seed: base.degradation.seed },
    };
    const grid = await runGrid(h);
    const exact = await runSweep({ ...base, degradation: { dial: 'checkpoints', checkpoints: files, levels: [0, 1], scale: 'linear', seed: base.degradation.seed } });
    for (let r = 0; r < 2; r++) {
      const [a, b] = [grid.rows[r]!.cells[0]!, exact.levels[r]!];
      assert.ok(Math.abs(a.lossGap.mean - b.lossGap.mean) < 1e-4, `row ${r}: ΔL ${a.lossGap.mean} vs the checkpoint's ${b.lossGap.mean}`);
      assert.ok(Math.abs(a.targetEffect.mean - b.targetEffect.mean) < 1e-3, `row ${r}: E_T ${a.targetEffect.mean} vs ${b.targetEffect.mean}`);
    }
    assert.ok(Math.abs(grid.rows[0]!.cells[0]!.lossGap.mean) > 0.01, 'the scaled checkpoint is not w*');
  });

  it('the CLI prints the maps and writes the file with relative paths, which reads back; a damaged file is refused at its field', async () => {
    const ws = fs.mkdtempSync(path.join(dir, 'cli-'));
    for (const f of fs.readdirSync(PLANTED)) if (f.endsWith('.onnx')) fs.copyFileSync(path.join(PLANTED, f), path.join(ws, f));
    fs.cpSync(path.join(PLANTED, 'data'), path.join(ws, 'data'), { recursive: true });
    const files = checkpoints(ws, 0).map((f) => `./${path.basename(f)}`);
    const text = fs.readFileSync(path.join(PLANTED, 'kappa-0.circuit.yaml'), 'utf8')
      .replace('temperatures: { from: 0.001, to: 3, count: 12 }', 'temperatures: [0.01, 0.1]')
      .replace('noise: { samples: 64 }', `noise: { samples: 8 }\n  grid: { checkpoints: [${files.join(', ')}], steps: [100, 200] }`);
    fs.writeFileSync(path.join(ws, 'map.circuit.yaml'), text);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['grid', 'map.circuit.yaml'], { out: (t) => out.push(t), err: (t) => err.push(t), cwd: ws });
    assert.equal(code, 0, err.join('\n'));
    const printed = out.join('\n');
    assert.match(printed, /clean cells \(■ clean/);
    assert.match(printed, /step \\ σ\s+0\.01\s+0\.1\n\s+100\s+■\s+■\n\s+200\s+■\s+■/);
    assert.match(printed.replace(/\n +/g, ' '), /persistence and collateral at α\/4 = 0\.0125 in every cell \(Bonferroni over the whole map\)/);
    const doc = readGridFile(path.join(ws, 'map.grid.json'));
    assert.equal(doc.rows[0]!.checkpoint, 'kappa-0-scale-0.5.onnx');
    assert.equal(doc.sweep.hypothesis.resolved.degradation.grid!.checkpoints[1], 'kappa-0-scale-1.onnx');
    const damaged = { ...doc, rows: [{ ...doc.rows[0]!, cells: [{ ...doc.rows[0]!.cells[0]!, targetEffect: 'big' }, doc.rows[0]!.cells[1]!] }] };
    writeGrid(damaged as never, path.join(ws, 'bad.grid.json'));
    assert.throws(() => readGridFile(path.join(ws, 'bad.grid.json')), /at \.rows\[0\]\.cells\[0\]\.targetEffect/);
    // A hypothesis without a grid is a usage error that says what to add.
    assert.equal(await main(['grid', path.join(PLANTED, 'kappa-0.circuit.yaml')], { out: () => {}, err: (t) => err.push(t), cwd: ws }), 2);
    assert.match(err.join('\n'), /has no degradation\.grid/);
  });
});
