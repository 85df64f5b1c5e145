import * as assert from 'assert';
import type { Data, Shape } from 'plotly.js-dist';
import { buildFigure, interpolateLossGap, PANELS, SHAPE, TRACE, withHeadroom, Z95, type Figure } from '../../../src/chart/figure';
import { verdictExtras } from '../../../src/chart/format';
import { darkTheme, lightTheme, withAlpha } from '../../../src/chart/theme';
import type { ResultsDocument } from '../../../src/protocol/results';
import { sampleDocument } from './sampleDocument';

type Scatter = Extract<Data, { type?: 'scatter' }> & { uid?: string; x: number[]; y: (number | null)[] };

function trace(fig: Figure, uid: string): Scatter {
  const t = fig.data.find((d) => (d as { uid?: string }).uid === uid);
  assert.ok(t, `trace ${uid} present`);
  return t as Scatter;
}

function shape(fig: Figure, name: string): Partial<Shape> | undefined {
  return fig.layout.shapes?.find((s) => s.name === name);
}

function closeTo(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

describe('chart: buildFigure', () => {
  const doc = sampleDocument();

  it('uses only SVG scatter traces', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    for (const d of fig.data) assert.strictEqual(d.type, 'scatter');
  });

  it('without recorded intervals, draws 95% bands as mean ± 1.96·se of every quantity, the lower edge filling to the upper', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    const quantities = [
      [TRACE.targetUpper, TRACE.targetLower, TRACE.target, 'targetEffect'],
      [TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral, 'collateralEffect'],
      [TRACE.lossGapUpper, TRACE.lossGapLower, TRACE.lossGap, 'lossGap'],
      [TRACE.llcUpper, TRACE.llcLower, TRACE.llc, 'llc'],
    ] as const;
    for (const [up, lo, mid, key] of quantities) {
      const upper = trace(fig, up);
      const lower = trace(fig, lo);
      const mean = trace(fig, mid);
      assert.strictEqual(lower.fill, 'tonexty');
      assert.strictEqual(fig.data.indexOf(lower), fig.data.indexOf(upper) + 1, 'tonexty fills to the trace just before');
      doc.levels.forEach((l, i) => {
        const e = l[key]!;
        closeTo(upper.y[i] as number, e.mean + Z95 * e.se, `${up}[${i}]`);
        closeTo(lower.y[i] as number, e.mean - Z95 * e.se, `${lo}[${i}]`);
        closeTo(mean.y[i] as number, e.mean, `${mid}[${i}]`);
        assert.strictEqual(mean.x[i], l.level);
      });
    }
    assert.strictEqual(Z95, 1.96);
  });

  it('draws the engine’s ci95 (Student t, what the verdict compares) and recorded thresholds when the document has them', () => {
    const base = sampleDocument();
    const t3 = 3.182446305284263; // t_{0.975} with 3 degrees of freedom (4 chains)
    const levels = base.levels.map((l, i) => ({
      ...l,
      targetEffect: { ...l.targetEffect, dof: 3, ci95: [l.targetEffect.mean - t3 * l.targetEffect.se, l.targetEffect.mean + t3 * l.targetEffect.se] as [number, number] },
      bounds: { collateralUpper: 0, collateralThreshold: 0.001 * (i + 1), targetLower: 0, targetThreshold: 0.2 },
    }));
    const doc2: ResultsDocument = { ...base, levels };
    const fig = buildFigure(doc2, { xAxis: 'temperature', theme: lightTheme });
    doc2.levels.forEach((l, i) => {
      assert.strictEqual(trace(fig, TRACE.targetUpper).y[i], l.targetEffect.ci95![1]);
      assert.strictEqual(trace(fig, TRACE.targetLower).y[i], l.targetEffect.ci95![0]);
      closeTo(trace(fig, TRACE.collateralUpper).y[i] as number, l.collateralEffect.mean + Z95 * l.collateralEffect.se, 'no ci95: 1.96·se');
      assert.strictEqual(trace(fig, TRACE.tolerance).y[i], l.bounds!.collateralThreshold);
      assert.strictEqual(trace(fig, TRACE.persistence).y[i], l.bounds!.targetThreshold);
    });
    assert.match((trace(fig, TRACE.target).hovertext as string[])[0], /dof 3/);
  });

  it('hover shows the exact mean ± se and n', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    const text = trace(fig, TRACE.target).hovertext as string[];
    assert.match(text[0], /target effect E_T = 0\.8 ± 0\.02 \(95%: 0\.7608 … 0\.8392, n = 400\)/);
    assert.match(text[0], /^t = 0\.1 · ΔL = 0\.01 ± 0\.001/);
  });

  it('puts the x axis on a log scale of temperature, ΔL below, LLC on a right axis over it', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    assert.strictEqual(fig.layout.xaxis?.type, 'log');
    assert.strictEqual(trace(fig, TRACE.lossGap).yaxis, 'y2');
    assert.strictEqual(trace(fig, TRACE.llc).yaxis, 'y3');
    assert.strictEqual(fig.layout.yaxis3?.overlaying, 'y2');
    assert.strictEqual(fig.layout.yaxis3?.side, 'right');
    const [top, bottom] = [fig.layout.yaxis?.domain as number[], fig.layout.yaxis2?.domain as number[]];
    assert.ok(bottom[1] < top[0], 'panels do not overlap');
    // The LLC axis keeps its own round ticks and draws no grid of its own over the ΔL grid.
    assert.deepStrictEqual([fig.layout.yaxis3?.showgrid, fig.layout.yaxis3?.tickmode, fig.layout.yaxis3?.nticks], [false, 'auto', 5]);
    // 0.1 … 100 spans three decades: only decades are labelled.
    assert.strictEqual(fig.layout.xaxis?.dtick, 1);
    const narrow = buildFigure({ ...doc, levels: doc.levels.slice(1, 3) }, { xAxis: 'temperature', theme: lightTheme });
    assert.strictEqual(narrow.layout.xaxis?.dtick, undefined, 'one decade: Plotly’s own ticks');
  });

  it('gives the collateral effect and its tolerance a panel of their own between E_T and ΔL', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    for (const uid of [TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral, TRACE.tolerance]) assert.strictEqual(trace(fig, uid).yaxis, 'y4', uid);
    for (const uid of [TRACE.targetUpper, TRACE.targetLower, TRACE.target, TRACE.persistence]) assert.strictEqual(trace(fig, uid).yaxis, 'y', uid);
    assert.deepStrictEqual(fig.layout.yaxis4?.domain, [...PANELS.collateral]);
    assert.strictEqual(fig.layout.yaxis4?.range, undefined, 'ranged by Plotly to the collateral data alone');
    const [top, middle, bottom] = [PANELS.target, PANELS.collateral, PANELS.lossGap];
    assert.ok(bottom[1] < middle[0] && middle[1] < top[0], 'three panels, top to bottom, not overlapping');
    // The top panel's range holds every target band end and the persistence line, with room above for labels.
    const [lo, hi] = fig.layout.yaxis?.range as [number, number];
    const ends = doc.levels.flatMap((l) => [l.targetEffect.mean - Z95 * l.targetEffect.se, l.targetEffect.mean + Z95 * l.targetEffect.se]);
    assert.ok(lo <= Math.min(0, ...ends) && hi >= Math.max(...ends) + 0.2 * (Math.max(...ends) - Math.min(0, ...ends)), `${lo}…${hi}`);
    assert.strictEqual(withHeadroom([NaN]), undefined);
    // Shading and markers span all three panels.
    for (const name of [SHAPE.cleanWindow, SHAPE.tEnt, SHAPE.tSurv, SHAPE.watanabe]) assert.deepStrictEqual([shape(fig, name)!.yref, shape(fig, name)!.y0, shape(fig, name)!.y1], ['paper', 0, 1], name);
  });

  it('shades the clean window and marks t_ent, t_surv and the Watanabe temperature at the verdict values', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    const w = shape(fig, SHAPE.cleanWindow)!;
    assert.deepStrictEqual([w.type, w.xref, w.yref, w.x0, w.x1, w.y0, w.y1], ['rect', 'x', 'paper', doc.verdict.cleanWindow![0], doc.verdict.cleanWindow![1], 0, 1]);
    const ent = shape(fig, SHAPE.tEnt)!;
    assert.deepStrictEqual([ent.type, ent.x0, ent.x1], ['line', doc.verdict.tEnt, doc.verdict.tEnt]);
    const surv = shape(fig, SHAPE.tSurv)!;
    assert.deepStrictEqual([surv.x0, surv.x1], [doc.verdict.tSurv, doc.verdict.tSurv]);
    const tw = shape(fig, SHAPE.watanabe)!;
    assert.deepStrictEqual([tw.x0, tw.x1], [doc.watanabeTemperature, doc.watanabeTemperature]);
    assert.match(String(ent.label?.text), /t_ent = 1/);
    assert.match(String(tw.label?.text), /t_W = log n = 5\.298/);
  });

  it('on the loss-gap axis, places each level and marker at that level’s ΔL', () => {
    const fig = buildFigure(doc, { xAxis: 'lossGap', theme: lightTheme });
    const gap = (t: number) => doc.levels.find((l) => l.level === t)!.lossGap.mean;
    assert.deepStrictEqual(trace(fig, TRACE.target).x, doc.levels.map((l) => l.lossGap.mean));
    const w = shape(fig, SHAPE.cleanWindow)!;
    assert.deepStrictEqual([w.x0, w.x1], [gap(1), gap(10)]);
    assert.strictEqual(shape(fig, SHAPE.tEnt)!.x0, gap(1));
    assert.strictEqual(shape(fig, SHAPE.tSurv)!.x0, gap(10));
    // t_W = log 200 ≈ 5.3 lies between levels 1 and 10: log-linear interpolation of ΔL.
    const f = Math.log(doc.watanabeTemperature / 1) / Math.log(10);
    closeTo(shape(fig, SHAPE.watanabe)!.x0 as number, gap(1) + f * (gap(10) - gap(1)), 'ΔL(t_W)');
    assert.strictEqual(interpolateLossGap(doc.levels, 1000), null);
  });

  it('draws the persistence and collateral-tolerance thresholds of the verdict', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    const persistence = trace(fig, TRACE.persistence);
    for (const y of persistence.y) closeTo(y as number, doc.thresholds.persistence * doc.baseline.targetEffect, 'ρ·E_T(0)');
    const tolerance = trace(fig, TRACE.tolerance);
    doc.levels.forEach((l, i) => closeTo(tolerance.y[i] as number, doc.thresholds.collateralTolerance * Math.max(l.controlLossGap.mean, doc.thresholds.noiseFloor), `τ_C·max(ΔL_C, δ)[${i}]`));
  });

  it('titles the chart with the verdict summary, escaping the circuit name', () => {
    const fig = buildFigure(doc, { xAxis: 'temperature', theme: lightTheme });
    const title = (fig.layout.title as { text: string }).text;
    assert.ok(title.includes(doc.verdict.summary), title);
    assert.ok(title.includes('planted &lt;circuit&gt; &amp; co'), title);
    assert.ok(title.includes('(1 decade)'), title);
    assert.strictEqual(title.match(/decade/g)?.length, 1, 'the width in decades once: the summary states it');
    assert.ok(title.includes(`t_ent = ${doc.verdict.tEnt}`), 'the summary does not state t_ent: the title adds it');
  });

  it('states each verdict number once: only what the summary does not already say', () => {
    const full = { cleanWindow: [100, 1000] as [number, number], tEnt: 100, tSurv: 1000, cleanlinessDecades: 1, summary: 'clean from t = 100 to 1000 (1.00 decades): entanglement temperature t_ent = 100, target survives to t_surv = 1000' };
    assert.deepStrictEqual(verdictExtras(full), []);
    assert.deepStrictEqual(verdictExtras({ ...full, summary: 'clean' }), ['t_ent = 100', 't_surv = 1000', 'cleanliness 1 decade']);
    assert.deepStrictEqual(verdictExtras({ tEnt: null, tSurv: 0.1, cleanlinessDecades: 0, summary: 'entangled at every tested temperature; the target effect persists up to t = 0.1' }), ['cleanliness 0 decades']);
  });

  it('has no window or markers when the circuit is entangled everywhere; no LLC or t_W for noise dials', () => {
    const entangled: ResultsDocument = sampleDocument({
      dial: 'weight-noise',
      levels: sampleDocument().levels.map((l) => ({ ...l, llc: undefined, nbeta: undefined })),
      verdict: { cleanWindow: null, tEnt: null, tSurv: 0.1, cleanlinessDecades: 0, summary: 'entangled at every tested temperature' },
    });
    const fig = buildFigure(entangled, { xAxis: 'temperature', theme: darkTheme });
    assert.strictEqual(shape(fig, SHAPE.cleanWindow), undefined);
    assert.strictEqual(shape(fig, SHAPE.tEnt), undefined);
    assert.strictEqual(shape(fig, SHAPE.watanabe), undefined);
    assert.strictEqual(shape(fig, SHAPE.tSurv)!.x0, 0.1);
    assert.ok(!fig.data.some((d) => (d as { uid?: string }).uid === TRACE.llc));
    assert.strictEqual(fig.layout.yaxis3, undefined);
    assert.strictEqual(fig.layout.paper_bgcolor, darkTheme.background);
  });

  it('leaves diverged levels out of the lines and marks them; a live view without a verdict has no markers', () => {
    const base = sampleDocument();
    const levels = base.levels.map((l, i) => (i === 3 ? { ...l, error: 'loss became NaN at draw 12; try stepSize 1e-5' } : l));
    const fig = buildFigure({ ...base, levels, verdict: null }, { xAxis: 'temperature', theme: lightTheme });
    assert.deepStrictEqual(trace(fig, TRACE.target).x, [0.1, 1, 10]);
    const diverged = trace(fig, TRACE.diverged);
    assert.deepStrictEqual(diverged.x, [100]);
    assert.match((diverged.hovertext as string[])[0], /try stepSize 1e-5/);
    assert.deepStrictEqual(fig.layout.shapes?.map((s) => s.name), [SHAPE.watanabe]);
    assert.match((fig.layout.title as { text: string }).text, /in progress/);
  });

  it('falls back to a linear axis when a level is not positive (checkpoint 0)', () => {
    const base = sampleDocument({ dial: 'checkpoints' });
    const levels = base.levels.map((l, i) => ({ ...l, level: i }));
    const fig = buildFigure({ ...base, levels, verdict: { ...base.verdict, cleanWindow: [1, 2], tEnt: 1, tSurv: 2 } }, { xAxis: 'temperature', theme: lightTheme });
    assert.strictEqual(fig.layout.xaxis?.type, 'linear');
    assert.deepStrictEqual([shape(fig, SHAPE.cleanWindow)!.x0, shape(fig, SHAPE.cleanWindow)!.x1], [1, 2]);
  });
});

describe('chart: withAlpha', () => {
  it('reads the colour forms VS Code themes use', () => {
    assert.strictEqual(withAlpha('#0969da', 0.2), 'rgba(9, 105, 218, 0.2)');
    assert.strictEqual(withAlpha('#fff', 0.5), 'rgba(255, 255, 255, 0.5)');
    assert.strictEqual(withAlpha('#00000080', 0.5), 'rgba(0, 0, 0, 0.251)');
    assert.strictEqual(withAlpha('rgb(1, 2, 3)', 0.3), 'rgba(1, 2, 3, 0.3)');
    assert.strictEqual(withAlpha('rgba(1, 2, 3, 0.5)', 0.5), 'rgba(1, 2, 3, 0.25)');
    assert.strictEqual(withAlpha('red', 0.5), 'red');
  });
});
