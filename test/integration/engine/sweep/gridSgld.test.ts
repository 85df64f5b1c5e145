// Two dials at once with sgld as the column dial (docs/method.md, "Two dials at once"), on ground truth by
// construction: the planted κ = 0 network is the trained model, the same network with its output weights halved (as
// earlier in training: the same circuit, smaller margins, a higher loss) an earlier checkpoint. Cell (r, c) is sgld at temperature c localized at checkpoint r's weights, its chains keyed by
// (seed, t, chain) alone, and judged against the trained network: so the model's own row is the one-dial sgld sweep,
// and the earlier row's chains are those of a one-dial sweep whose model is that checkpoint, their loss gaps shifted
// by exactly the two networks' baseline loss difference.
import { sgldAt } from '../../../support/degradation';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plantedModel } from '../../../../examples/planted/generate';
import { saveModel } from '../../../../src/engine/onnx/load';
import { floatTensor, tensorToFloat32 } from '../../../../src/engine/onnx/tensor';
import { runGrid } from '../../../../src/engine/sweep/grid';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisFile, type Hypothesis } from '../../../../src/hypothesis';
import type { LevelResult } from '../../../../src/protocol/results';

const PLANTED = path.resolve(__dirname, '../../../../examples/planted');
const TEMPERATURES = [1, 100];

/** The per-draw series of a cell, and what the dial recorded about it. */
const chainsOf = (l: LevelResult) => l.chains.map((c) => ({ chain: c.chain, loss: c.loss, distance: c.distance }));
const recordOf = (l: LevelResult) => ({ nbeta: l.nbeta, stepSize: l.stepSize, burnIn: l.burnIn, thin: l.thin });

describe('two dials at once: checkpoints × sgld', function () {
  this.timeout(180_000);
  let h: Hypothesis;
  let dir: string;
  let EARLIER: string;
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-grid-sgld-'));
    const m = plantedModel(0);
    m.graph.initializer = m.graph.initializer.map((t) => (t.name === 'out.weight' ? floatTensor('out.weight', t.dims.map(Number), tensorToFloat32(t).map((v) => v * 0.5)) : t));
    EARLIER = path.join(dir, 'kappa-0-halved.onnx');
    saveModel(m, EARLIER);
    const r = await checkHypothesisFile(path.join(PLANTED, 'kappa-0.circuit.yaml'));
    assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
    const base = r.hypothesis;
    h = {
      ...base,
      degradation: {
        ...sgldAt(base.degradation, { stepSize: 1e-4, localization: 100, chains: 2, draws: 8, burnIn: 5, thin: 1, batchSize: 32 }),
        levels: TEMPERATURES,
        scale: 'log',
        seed: 3,
        grid: { checkpoints: [EARLIER, base.model], steps: [100, 200] },
      },
    };
  });

  it('the model\'s row is the one-dial sgld sweep; the earlier row is sgld localized at that checkpoint; nβ = n/t per column', async () => {
    const grid = await runGrid(h);
    const cells = 2 * TEMPERATURES.length;
    assert.equal(grid.correction.cells, cells);
    assert.equal(grid.sweep.dial, 'sgld');
    const n = grid.sweep.data.n;
    for (const row of grid.rows) assert.deepEqual(row.cells.map((c) => c.nbeta), TEMPERATURES.map((t) => n / t));

    // Row 1 (the trained network): the same chains, the same numbers as the one-dial sweep (judged at α/2 there).
    const one = await runSweep({ ...h, degradation: { ...h.degradation, grid: undefined } });
    const trained = grid.rows[1]!.cells;
    assert.deepEqual(trained.map(chainsOf), one.levels.map(chainsOf));
    assert.deepEqual(trained.map(recordOf), one.levels.map(recordOf));
    assert.deepEqual(trained.map((c) => [c.targetEffect.mean, c.collateralEffect.mean, c.lossGap.mean]), one.levels.map((c) => [c.targetEffect.mean, c.collateralEffect.mean, c.lossGap.mean]));

    // Row 0: the draws of a one-dial sweep whose model is the earlier checkpoint (same streams, same anchor), but
    // measured against the trained network: ΔL shifted by L(checkpoint) − L(w*) at every cell.
    const atCheckpoint = await runSweep({ ...h, model: EARLIER, degradation: { ...h.degradation, grid: undefined } });
    const earlier = grid.rows[0]!.cells;
    assert.deepEqual(earlier.map(chainsOf), atCheckpoint.levels.map(chainsOf));
    const shift = atCheckpoint.baseline.loss - grid.sweep.baseline.loss;
    assert.ok(shift > 0.01, `the earlier checkpoint has the higher loss (by ${shift})`);
    for (let c = 0; c < TEMPERATURES.length; c++) {
      const got = earlier[c]!.lossGap.mean - atCheckpoint.levels[c]!.lossGap.mean;
      assert.ok(Math.abs(got - shift) <= 1e-5 * Math.max(1, Math.abs(shift)), `t = ${TEMPERATURES[c]}: ΔL shifted by ${got}, the baselines differ by ${shift}`);
    }
    // Localized at their own checkpoint: every draw of the earlier row is nearer to it than w* is (‖w_r − w*‖ is half
    // the output weights' norm), so the chains did not drift to the trained network.
    const out = plantedModel(0).graph.initializer.find((t) => t.name === 'out.weight')!;
    const apart = 0.5 * Math.hypot(...tensorToFloat32(out));
    const farthest = Math.max(...earlier.flatMap((cell) => cell.chains.flatMap((ch) => ch.distance ?? [Infinity])));
    assert.ok(farthest < apart / 2, `draws at most ${farthest} from the checkpoint, which is ${apart} from w*`);
  });
});
