/**
 * Two dials at once (docs/method.md, "Two dials at once"): the checkpoints of a training run (rows) crossed with a
 * second dial's levels (columns). The map runs as one sweep whose levels are its cells (gridDial.ts), so every cell
 * is judged against the same baseline (the trained network) and the same null, with persistence and collateral at
 * α/(rows · columns): Bonferroni over the whole map, so the chance of any false "persists" or "negligible" anywhere
 * in it is at most α. Each row is then read as a one-dial sweep (its window, t_ent, t_surv) at that level. The
 * document, its file and its assembly from the cells' work units live in gridFile.ts (no model code: the editor
 * and the merge of a cluster's shards read them).
 */
import type { Hypothesis } from '../../protocol/hypothesis';
import type { GridDocument } from '../../protocol/grid';
import { gridFromSweep } from './gridFile';
import { runSweep, type SweepOptions } from './run';

export { defaultGridPath, gridFromSweep, portableGrid, readGridFile, writeGrid } from './gridFile';

/** Runs the whole map in this process. */
export async function runGrid(h: Hypothesis, options: SweepOptions = {}): Promise<GridDocument> {
  if (!h.degradation.grid) throw new Error('this hypothesis has no degradation.grid: run it with `circuit-thermometer sweep`');
  if (h.degradation.dial === 'checkpoints') throw new Error('degradation.grid crosses the checkpoints with sgld, weight-noise or activation-noise, not with checkpoints');
  // runUnits (run.ts) runs a hypothesis with degradation.grid on its map's dial (gridDial.ts): levels are cells.
  const flat = await runSweep(h, { ...options, grid: true });
  return gridFromSweep(flat);
}

