// Two dials at once (docs/method.md, "Two dials at once"): a dial whose levels are the cells of a checkpoints ×
// levels map, row by row. Cell (r, c) is the second dial at its level c applied around checkpoint r's weights (sgld
// samples the local posterior localized there, weight noise perturbs them, activation noise runs that network), so
// the one sweep path (plan → units → merge) runs a map as it runs a curve; the trained network stays the baseline.
import type { CheckpointRows } from '../../protocol/hypothesis';
import { checkpointWeights } from '../dials/checkpoints';
import type { Dial, DialDraw, DialFactory } from '../dials/dial';

/** The row and column of a flat level index of a map with `columns` levels per row. */
export function cellOf(levelIndex: number, columns: number): { row: number; column: number } {
  return { row: Math.floor(levelIndex / columns), column: levelIndex % columns };
}

/** The map's dial: `inner` built once per row (one row at a time: the runner goes level by level). */
export function gridDialFactory(inner: DialFactory, rows: CheckpointRows): DialFactory {
  return async (ctx) => {
    const columns = ctx.degradation.levels;
    if (rows.checkpoints.length === 0) throw new Error('degradation.grid lists no checkpoints');
    // Every checkpoint checked before the first cell, so a bad file fails in seconds, not at its row.
    rows.checkpoints.forEach((f, i) => checkpointWeights(f, ctx, i));
    const build = async (row: number) => {
      const weights = checkpointWeights(rows.checkpoints[row]!, ctx, row);
      return { row, weights, dial: await inner({ ...ctx, initialWeights: weights }) };
    };
    let current = await build(0);
    const first = current.dial;
    // The trained network's draw and the evaluation model do not depend on the row (activation noise: zero noise).
    const baseline = first.baseline?.();
    const rewrite = first.rewriteModel?.bind(first);
    const at = async (levelIndex: number) => {
      const { row, column } = cellOf(levelIndex, columns.length);
      if (current.row !== row) {
        await current.dial.dispose();
        current = await build(row);
      }
      return { dial: current.dial, weights: current.weights, column };
    };
    const ofCurrent = <T>(levelIndex: number, f: (d: Dial, column: number) => T | undefined): T | undefined => {
      const { row, column } = cellOf(levelIndex, columns.length);
      return current.row === row ? f(current.dial, column) : undefined;
    };
    const dial: Dial = {
      kind: first.kind,
      levels: rows.checkpoints.flatMap(() => columns),
      chains: first.chains,
      drawsPerChain: first.drawsPerChain,
      independentDraws: first.independentDraws,
      deterministic: first.deterministic,
      // What the dial records about a level (sgld: nβ, ε, burn-in, thin) is asked right after its draws, while its
      // row is current.
      levelRecord: (li) => ofCurrent(li, (d, c) => d.levelRecord?.(c)) ?? {},
      ...(first.watanabeTemperature ? { watanabeTemperature: first.watanabeTemperature.bind(first) } : {}),
      ...(baseline ? { baseline: () => baseline } : {}),
      ...(rewrite ? { rewriteModel: rewrite } : {}),
      async *draws(levelIndex, chain, signal): AsyncIterable<DialDraw> {
        const { dial: d, weights, column } = await at(levelIndex);
        // A dial that leaves the weights alone (activation noise) runs on the row's checkpoint, not on w*.
        for await (const draw of d.draws(column, chain, signal)) yield draw.weights ? draw : { ...draw, weights };
      },
      async dispose() { await current.dial.dispose(); },
    };
    return dial;
  };
}
