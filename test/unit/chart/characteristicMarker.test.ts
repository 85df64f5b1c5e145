// The characteristic temperature on the chart: a dash-dot line at t_c beside the Watanabe temperature, and a point on
// the ΔL panel at (t_c, g) whose hover explains it; nothing drawn when t_c lies outside the swept range.
import * as assert from 'assert';
import type { Data, Shape } from 'plotly.js-dist';
import { buildFigure, PANEL_AXIS, SHAPE, TRACE, type Figure } from '../../../src/chart/figure';
import { lightTheme } from '../../../src/chart/theme';
import { characteristicTemperature } from '../../../src/engine/sweep/characteristic';
import type { ResultsDocument } from '../../../src/protocol/results';
import { chartDocOf } from '../../../src/protocol/webview';
import { sampleDocument } from '../../support/sampleDocument';

const shape = (fig: Figure, name: string): Partial<Shape> | undefined => fig.layout.shapes?.find((s) => s.name === name);
const trace = (fig: Figure, uid: string) => fig.data.find((d) => (d as { uid?: string }).uid === uid) as (Data & { x: number[]; y: number[]; hovertext: string[] }) | undefined;

function withReference(referenceLoss: number): ResultsDocument {
  const doc = sampleDocument();
  const characteristic = characteristicTemperature(doc.levels, doc.baseline.loss, referenceLoss, { scale: 'log' });
  return { ...doc, verdict: { ...doc.verdict, characteristic } };
}

describe('chart: the characteristic temperature marker', () => {
  it('marks t_c on the temperature axis and g on the ΔL axis, with a hover at (t_c, g)', () => {
    const doc = sampleDocument();
    const [a, b] = [doc.levels[1]!, doc.levels[2]!];
    // A gap halfway between two levels' ΔL: t_c is their geometric mean on the log grid.
    const gap = (a.lossGap.mean + b.lossGap.mean) / 2;
    const ref = withReference(doc.baseline.loss - gap);
    const tc = ref.verdict.characteristic!;
    assert.equal(tc.position, 'within');
    const fig = buildFigure(chartDocOf(ref), { xAxis: 'temperature', theme: lightTheme });
    const line = shape(fig, SHAPE.characteristic)!;
    assert.ok(Math.abs((line.x0 as number) - Math.sqrt(a.level * b.level)) < 1e-9 * b.level, `x0 = ${line.x0}`);
    assert.equal(line.line?.dash, 'dashdot');
    assert.ok(shape(fig, SHAPE.watanabe), 'beside the Watanabe temperature');
    const point = trace(fig, TRACE.characteristic)!;
    assert.deepEqual(point.y, [tc.gap]);
    assert.equal((point as { yaxis?: string }).yaxis, PANEL_AXIS.lossGap);
    assert.match(point.hovertext[0]!.replace(/<br>/g, ' '), /characteristic temperature t_c ≈ .*as much loss as the network lacks against the reference/);
    const byLoss = buildFigure(chartDocOf(ref), { xAxis: 'lossGap', theme: lightTheme });
    assert.ok(Math.abs((shape(byLoss, SHAPE.characteristic)!.x0 as number) - tc.gap) < 1e-12);
  });

  it('draws nothing for a t_c outside the swept range, or without a reference loss', () => {
    const doc = sampleDocument();
    const beyond = withReference(doc.baseline.loss - 1e6);
    assert.equal(beyond.verdict.characteristic!.position, 'more-degraded');
    for (const d of [beyond, doc]) {
      const fig = buildFigure(chartDocOf(d), { xAxis: 'temperature', theme: lightTheme });
      assert.equal(shape(fig, SHAPE.characteristic), undefined);
      assert.equal(trace(fig, TRACE.characteristic), undefined);
    }
  });
});
