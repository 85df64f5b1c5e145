// The figure's layout for its size and while a sweep fills in: the axis type follows the grid from the first level
// (ΔL too), levels a log ΔL axis cannot place are named, narrow figures get fewer ticks and short y titles, and the
// panel's own figure (no title) keeps the marker labels below the mode bar.
import * as assert from 'assert';
import { ANNOTATION, buildFigure, MODE_BAR_CLEARANCE, NARROW_WIDTH } from '../../../src/chart/figure';
import { lightTheme } from '../../../src/chart/theme';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHypothesis } from '../../../src/hypothesis';
import { chartDocOf, type ChartDoc, levelScaleOf } from '../../../src/protocol/webview';
import { sampleDocument } from '../../support/sampleDocument';

const doc = sampleDocument();
/** The sample sweep on a log grid (as its levels are: 0.1 … 1000), as the host sends it. */
const full: ChartDoc = { ...chartDocOf(doc), levelScale: 'log' };

/** The live chart after `k` levels: what chartDocFor sends while the sweep runs (no verdict yet). */
function live(k: number, change: (d: ChartDoc) => void = () => undefined): ChartDoc {
  const d: ChartDoc = { ...full, levels: full.levels.slice(0, k), verdict: null };
  change(d);
  return d;
}

describe('chart: layout for the size and while the sweep fills', () => {
  it('the x axis keeps the grid\'s type from the first level on, in ΔL mode too', () => {
    // The host reads the grid's spacing from the hypothesis: the shipped example's log grid, a linear one, checkpoints.
    const file = path.resolve(__dirname, '../../../examples/modular/addition-frequencies.circuit.yaml');
    const h = parseHypothesis(fs.readFileSync(file, 'utf8'), file).draft as Parameters<typeof levelScaleOf>[0];
    assert.deepStrictEqual(levelScaleOf(h), { levelScale: 'log' });
    assert.deepStrictEqual(levelScaleOf({ degradation: { ...h.degradation, levels: [0, 1, 2], scale: 'linear' } }), { levelScale: 'linear' });
    assert.deepStrictEqual(levelScaleOf({ degradation: { ...h.degradation, dial: 'checkpoints' } as typeof h.degradation }), {});
    for (const xAxis of ['temperature', 'lossGap'] as const) {
      const types = [1, 2, full.levels.length].map((k) => buildFigure(live(k), { xAxis, theme: lightTheme }).layout.xaxis?.type);
      assert.deepStrictEqual(types, ['log', 'log', 'log'], `${xAxis}: one point, two, all`);
    }
    // A level whose ΔL is ≤ 0 (noise at the lowest temperature) has no place on a log axis: left out, and named.
    const noisy = live(full.levels.length, (d) => {
      d.levels = d.levels.map((l, i) => (i === 0 ? { ...l, lossGap: { ...l.lossGap, mean: -1e-4 } } : l));
    });
    const fig = buildFigure(noisy, { xAxis: 'lossGap', theme: lightTheme });
    assert.strictEqual(fig.layout.xaxis?.type, 'log', 'still log at the end');
    const lossGap = fig.data.find((t) => (t as { uid?: string }).uid === 'loss-gap') as { x: number[] };
    assert.strictEqual(lossGap.x.length, full.levels.length - 1);
    const note = fig.layout.annotations?.find((a) => a.name === ANNOTATION.notOnLogAxis);
    assert.ok(note && String(note.text).includes(`t = ${Number(full.levels[0]!.level.toPrecision(3))}`), `the note names the level: ${note?.text}`);
    // A linear grid stays linear.
    assert.strictEqual(buildFigure(live(1, (d) => (d.levelScale = 'linear')), { xAxis: 'temperature', theme: lightTheme }).layout.xaxis?.type, 'linear');
  });

  it('fits titles, ticks and the legend to 400 px, half and full width', () => {
    const at = (width: number, height = 600) => buildFigure(full, { xAxis: 'temperature', theme: lightTheme, size: { width, height }, withTitle: false }).layout;
    const [narrow, half, wide] = [400, 800, 1600].map((w) => at(w, 730));
    // Ticks: about one x label per 80 px of plot.
    const xTicks = (l: typeof narrow) => l.xaxis?.dtick as number | undefined;
    const decades = Math.log10(full.levels.at(-1)!.level / full.levels[0]!.level);
    assert.ok(decades >= 2, 'the sample grid spans decades');
    assert.ok((xTicks(narrow) ?? 1) > (xTicks(wide) ?? 1), `a narrow column labels fewer decades (dtick ${xTicks(narrow)} vs ${xTicks(wide)})`);
    assert.ok((decades + 1) / (xTicks(narrow) ?? 1) <= Math.floor((400 - 2 * 52) / 80) + 1, 'no more labels than fit');
    // Rotated y titles: full words where the panel is tall enough, symbols where it is not.
    assert.match((wide.yaxis2?.title as { text: string }).text, /^collateral E_C/);
    const short = at(400, 380);
    assert.strictEqual((short.yaxis2?.title as { text: string }).text, 'E_C', 'a short panel gets the symbol');
    const ticks = (l: typeof wide) => (l.yaxis?.tickvals as number[]).length;
    assert.ok(ticks(short) <= ticks(wide), 'and no more y ticks');
    assert.ok(ticks(short) >= 3, `at least three y ticks on a short panel (${ticks(short)})`);
    assert.ok((narrow.legend?.font?.size ?? 12) < (wide.legend?.font?.size ?? 12), 'a smaller legend in a narrow column');
    assert.ok(Number(narrow.margin?.l) < Number(wide.margin?.l));
    assert.strictEqual(half.margin?.l, NARROW_WIDTH <= 800 ? 72 : 52);
    // The panel's figure has no title; its top margin holds the mode bar above the marker labels.
    assert.strictEqual(narrow.title, undefined);
    assert.strictEqual(narrow.margin?.t, MODE_BAR_CLEARANCE);
    assert.ok(MODE_BAR_CLEARANCE >= 27 + 16, 'mode bar (27 px) plus a label line (16 px)');
    // A marker label over the last (first) level grows inwards, so a narrow plot does not cut it at its edge.
    const anchors = (tEnt: number, tSurv: number, width?: number) => {
      const shapes = buildFigure({ ...full, verdict: { ...full.verdict!, tEnt, tSurv, cleanWindow: [tEnt, tSurv] } }, { xAxis: 'temperature', theme: lightTheme, ...(width ? { size: { width, height: 700 } } : {}) }).layout.shapes ?? [];
      return ['marker-t-ent', 'marker-t-surv'].map((n) => (shapes.find((x) => x.name === n)?.label as { xanchor?: string } | undefined)?.xanchor);
    };
    const grid = full.levels.map((l) => l.level);
    assert.deepStrictEqual(anchors(grid[0]!, grid.at(-1)!), ['left', 'right']);
    assert.deepStrictEqual(anchors(grid[1]!, grid[2]!), ['center', 'center'], 'room for both, centred on their lines');
    // Neighbouring levels in a 400 px column: centred, they would merge; t_surv grows rightwards, away from t_ent.
    assert.notDeepStrictEqual(anchors(grid[1]!, grid[2]!, 400), ['center', 'center']);
    assert.strictEqual(anchors(grid[1]!, grid[2]!, 400)[1], 'left');
    // Without a size (the CLI page, exports) the layout is the full one.
    const page = buildFigure(full, { xAxis: 'temperature', theme: lightTheme }).layout;
    assert.match((page.yaxis2?.title as { text: string }).text, /^collateral E_C/);
    assert.strictEqual(page.margin?.l, 72);
  });
});
