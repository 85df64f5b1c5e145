import * as assert from 'assert';
import type { Data, Shape } from 'plotly.js-dist';
import { ANNOTATION, buildFigure, type ChartOptions, interpolateLossGap, NULL_NAME, PANELS, SHAPE, TRACE, withHeadroom, Z95, type Figure } from '../../../src/chart/figure';
import { NO_NULL_V1, NO_NULL_V2, verdictExtras } from '../../../src/chart/format';
import { darkTheme, lightTheme, withAlpha } from '../../../src/chart/theme';
import type { LevelResult, ResultsDocument } from '../../../src/protocol/results';
import { type ChartDoc, chartDocOf } from '../../../src/protocol/webview';

/** The figure of a results document (or of one still running: verdict null), through the payload the chart takes. */
function figure(doc: Omit<ResultsDocument, 'verdict'> & { verdict: ResultsDocument['verdict'] | null }, options: ChartOptions): Figure {
  const payload = chartDocOf({ ...doc, verdict: doc.verdict ?? sampleDocument().verdict });
  return buildFigure({ ...payload, verdict: doc.verdict }, options);
}
import { failedCalibration, sampleDocument, sampleDocumentV1 } from '../../support/sampleDocument';

type Scatter = Extract<Data, { type?: 'scatter' }> & { uid?: string; x: number[]; y: (number | null)[] };

function trace(fig: Figure, uid: string): Scatter {
  const t = fig.data.find((d) => (d as { uid?: string }).uid === uid);
  assert.ok(t, `trace ${uid} present`);
  return t as Scatter;
}

function shape(fig: Figure, name: string): Partial<Shape> | undefined {
  return fig.layout.shapes?.find((s) => s.name === name);
}

function hasTrace(fig: Figure, uid: string): boolean {
  return fig.data.some((d) => (d as { uid?: string }).uid === uid);
}

function annotation(fig: Figure, name: string): NonNullable<Figure['layout']['annotations']>[number] | undefined {
  return fig.layout.annotations?.find((a) => a.name === name);
}

/** The levels the lines draw (diverged ones are marked apart). */
const drawn = (doc: ResultsDocument): LevelResult[] => doc.levels.filter((l) => !l.error);

function closeTo(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

describe('chart: buildFigure', () => {
  const doc = sampleDocument();

  it('uses only SVG scatter traces', () => {
    for (const d of [doc, sampleDocumentV1()]) {
      const fig = figure(d, { xAxis: 'temperature', theme: lightTheme });
      for (const t of fig.data) assert.strictEqual(t.type, 'scatter');
    }
  });

  it('without recorded intervals (a version-1 file), draws 95% bands as mean ± 1.96·se of every quantity, the lower edge filling to the upper', () => {
    const doc = sampleDocumentV1();
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
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

  it('draws every band of a version-2 document at the engine’s ci95 (Student t with the chains’ degrees of freedom)', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    for (const [up, lo, key] of [[TRACE.targetUpper, TRACE.targetLower, 'targetEffect'], [TRACE.collateralUpper, TRACE.collateralLower, 'collateralEffect'], [TRACE.lossGapUpper, TRACE.lossGapLower, 'lossGap'], [TRACE.llcUpper, TRACE.llcLower, 'llc']] as const) {
      assert.deepStrictEqual(trace(fig, up).y, doc.levels.map((l) => l[key]!.ci95![1]), up);
      assert.deepStrictEqual(trace(fig, lo).y, doc.levels.map((l) => l[key]!.ci95![0]), lo);
    }
  });

  it('draws a version-1 document’s ci95 and recorded thresholds when it has them', () => {
    const base = sampleDocumentV1();
    const t3 = 3.182446305284263; // t_{0.975} with 3 degrees of freedom (4 chains)
    const levels = base.levels.map((l, i) => ({
      ...l,
      targetEffect: { ...l.targetEffect, dof: 3, ci95: [l.targetEffect.mean - t3 * l.targetEffect.se, l.targetEffect.mean + t3 * l.targetEffect.se] as [number, number] },
      bounds: { collateralUpper: 0, collateralThreshold: 0.001 * (i + 1), targetLower: 0, targetThreshold: 0.2 },
    }));
    const doc2: ResultsDocument = { ...base, levels };
    const fig = figure(doc2, { xAxis: 'temperature', theme: lightTheme });
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
    const fig = figure(sampleDocumentV1(), { xAxis: 'temperature', theme: lightTheme });
    const text = trace(fig, TRACE.target).hovertext as string[];
    assert.match(text[0], /target effect E_T = 0\.8 ± 0\.02 \(95%: 0\.7608 … 0\.8392, n = 400\)/);
    assert.match(text[0], /^t = 0\.1 · ΔL = 0\.01 ± 0\.001/);
    assert.match(text[0], new RegExp(NO_NULL_V1.replace(/[()]/g, '\\$&')), 'a version-1 level says it has no null');
  });

  it('hover of every level shows the null, X_T with its bound and threshold, R̂, ESS per chain and the failed tests', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const target = trace(fig, TRACE.target).hovertext as string[];
    const bound = trace(fig, TRACE.excessBound).hovertext as string[];
    const fmt = (x: number) => String(Number(x.toPrecision(4)));
    doc.levels.forEach((l, i) => {
      for (const text of [target[i], bound[i]]) {
        assert.ok(text.includes(`null m_T = ${fmt(l.null!.mean)}`), text);
        assert.ok(text.includes(`over ${l.controls!.length} matched random sets`), text);
        assert.ok(text.includes(`excess X_T = ${fmt(l.excess!.mean)} ± `), text);
        assert.ok(text.includes(`lower bound ${fmt(l.excess!.bound)}`), text);
        assert.ok(text.includes(`threshold ρ·X_T(0) = ${fmt(l.excess!.threshold)}`), text);
        assert.ok(text.includes(`ESS/chain = ${l.convergence!.essPerChain}`), text);
        const rhat = Math.max(l.convergence!.rhat.loss!, l.convergence!.rhat.targetEffect!, l.convergence!.rhat.collateralEffect!);
        assert.ok(text.includes(`R̂ = ${rhat.toFixed(3)}`), text);
        assert.ok(text.includes(`failed: ${l.failed!.length ? l.failed!.join(', ') : 'none'}`), text);
      }
    });
    // The collateral's hover states the two-sided interval the verdict compared against ±τ.
    const collateral = trace(fig, TRACE.collateral).hovertext as string[];
    doc.levels.forEach((l, i) => {
      assert.ok(collateral[i].includes(`vs ±${fmt(l.bounds!.collateralThreshold)}`), collateral[i]);
      assert.ok(collateral[i].includes(`failed: `), collateral[i]);
    });
    // At t = 0.1 the excess persists (bound ≥ threshold); at t = 100 it does not.
    assert.match(target[0], /bound ≥ threshold, persists/);
    assert.match(target[3], /bound &lt; threshold, does not persist/);
  });

  it('hover of an sgld level shows the step size and burn-in it ran with and the chains’ mean MALA acceptance', () => {
    const base = sampleDocument();
    const levels = base.levels.map((l, i) => ({
      ...l, stepSize: 1.2345e-4 / (i + 1), burnIn: 486 * (i + 1), acceptance: 0.9 + 0.01 * i,
    }));
    const fig = figure({ ...base, levels }, { xAxis: 'temperature', theme: lightTheme });
    const target = trace(fig, TRACE.target).hovertext as string[];
    drawn({ ...base, levels }).forEach((l, i) => {
      assert.ok(target[i]!.includes(`sampler: ε = ${l.stepSize!.toExponential(2)} · burn-in ${l.burnIn} steps · MALA acceptance ${l.acceptance!.toFixed(2)}`), target[i]);
    });
    // Without sampler settings (noise dials) there is no such line.
    assert.ok(!(trace(figure(base, { xAxis: 'temperature', theme: lightTheme }), TRACE.target).hovertext as string[])[0]!.includes('sampler:'));
  });

  it('puts the x axis on a log scale of temperature, ΔL below, LLC on a right axis over it', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
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
    const narrow = figure({ ...doc, levels: doc.levels.slice(1, 3) }, { xAxis: 'temperature', theme: lightTheme });
    assert.strictEqual(narrow.layout.xaxis?.dtick, undefined, 'one decade: Plotly’s own ticks');
  });

  it('gives the collateral effect and its tolerance a panel of their own between E_T and ΔL', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    for (const uid of [TRACE.collateralUpper, TRACE.collateralLower, TRACE.collateral, TRACE.tolerance, TRACE.toleranceLower]) assert.strictEqual(trace(fig, uid).yaxis, 'y4', uid);
    for (const uid of [TRACE.targetUpper, TRACE.targetLower, TRACE.target, TRACE.persistence, TRACE.nullUpper, TRACE.nullLower, TRACE.null, TRACE.excessBound, TRACE.unconverged]) assert.strictEqual(trace(fig, uid).yaxis, 'y', uid);
    assert.deepStrictEqual(fig.layout.yaxis4?.domain, [...PANELS.collateral]);
    assert.strictEqual(fig.layout.yaxis4?.range, undefined, 'ranged by Plotly to the collateral data alone');
    const [top, middle, bottom] = [PANELS.target, PANELS.collateral, PANELS.lossGap];
    assert.ok(bottom[1] < middle[0] && middle[1] < top[0], 'three panels, top to bottom, not overlapping');
    // The top panel's range holds every target band end and the persistence line, with room above for labels.
    // The top panel's range holds the null's band and the excess's bounds too.
    const [lo, hi] = fig.layout.yaxis?.range as [number, number];
    const ends = doc.levels.flatMap((l) => [...l.targetEffect.ci95!, ...l.null!.band, l.null!.mean + l.excess!.bound]);
    assert.ok(lo <= Math.min(0, ...ends) && hi >= Math.max(...ends) + 0.2 * (Math.max(...ends) - Math.min(0, ...ends)), `${lo}…${hi}`);
    assert.strictEqual(withHeadroom([NaN]), undefined);
    // Shading and markers span all three panels.
    for (const name of [SHAPE.cleanWindow, SHAPE.tEnt, SHAPE.tSurv, SHAPE.watanabe]) assert.deepStrictEqual([shape(fig, name)!.yref, shape(fig, name)!.y0, shape(fig, name)!.y1], ['paper', 0, 1], name);
  });

  it('shades the clean window and marks t_ent, t_surv and the Watanabe temperature at the verdict values', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
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
    const fig = figure(doc, { xAxis: 'lossGap', theme: lightTheme });
    const gap = (t: number) => doc.levels.find((l) => l.level === t)!.lossGap.mean;
    assert.deepStrictEqual(trace(fig, TRACE.target).x, doc.levels.map((l) => l.lossGap.mean));
    const w = shape(fig, SHAPE.cleanWindow)!;
    assert.deepStrictEqual([w.x0, w.x1], [gap(1), gap(10)]);
    assert.strictEqual(shape(fig, SHAPE.tEnt)!.x0, gap(1));
    assert.strictEqual(shape(fig, SHAPE.tSurv)!.x0, gap(10));
    // t_W = log 200 ≈ 5.3 lies between levels 1 and 10: log-linear interpolation of ΔL.
    const f = Math.log(doc.watanabeTemperature / 1) / Math.log(10);
    closeTo(shape(fig, SHAPE.watanabe)!.x0 as number, gap(1) + f * (gap(10) - gap(1)), 'ΔL(t_W)');
    assert.strictEqual(interpolateLossGap(doc.levels, 10 * doc.levels[doc.levels.length - 1].level), null);
  });

  it('draws a version-1 file’s persistence line ρ·E_T(0) and its one-sided collateral tolerance', () => {
    const v1 = sampleDocumentV1();
    const fig = figure(v1, { xAxis: 'temperature', theme: lightTheme });
    const persistence = trace(fig, TRACE.persistence);
    for (const y of persistence.y) closeTo(y as number, v1.thresholds.persistence * v1.baseline.targetEffect, 'ρ·E_T(0)');
    const tolerance = trace(fig, TRACE.tolerance);
    v1.levels.forEach((l, i) => closeTo(tolerance.y[i] as number, v1.thresholds.collateralTolerance * Math.max(l.controlLossGap.mean, v1.thresholds.noiseFloor), `τ_C·max(ΔL_C, δ)[${i}]`));
    assert.ok(!hasTrace(fig, TRACE.toleranceLower), 'version 1 tested the upper end only');
  });

  it('draws the two-sided collateral tolerance ±τ_C·max(ΔL_C, δ) as dashed lines at the recorded thresholds', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const upper = trace(fig, TRACE.tolerance);
    const lower = trace(fig, TRACE.toleranceLower);
    doc.levels.forEach((l, i) => {
      assert.strictEqual(upper.y[i], l.bounds!.collateralThreshold);
      assert.strictEqual(lower.y[i], -l.bounds!.collateralThreshold);
      // The tested interval inside ±τ is exactly the levels where the collateral is negligible.
      const inside = l.bounds!.collateralLower! > (lower.y[i] as number) && l.bounds!.collateralUpper < (upper.y[i] as number);
      if (l.tests!.collateral !== null) assert.strictEqual(inside, l.tests!.collateral, `collateral test at t = ${l.level}`);
    });
    assert.deepStrictEqual([(upper.line as { dash?: string }).dash, (lower.line as { dash?: string }).dash], ['dash', 'dash']);
    assert.strictEqual(lower.legendgroup, upper.legendgroup, 'one legend entry for both');
    assert.strictEqual(lower.showlegend, false);
    assert.match(String(upper.name), /±τ_C/);
  });

  it('shades the null of matched random sets: the prediction band between band[0] and band[1], its mean dotted', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const upper = trace(fig, TRACE.nullUpper);
    const lower = trace(fig, TRACE.nullLower);
    const mean = trace(fig, TRACE.null);
    assert.deepStrictEqual(upper.y, doc.levels.map((l) => l.null!.band[1]));
    assert.deepStrictEqual(lower.y, doc.levels.map((l) => l.null!.band[0]));
    assert.deepStrictEqual(mean.y, doc.levels.map((l) => l.null!.mean));
    assert.deepStrictEqual(mean.x, doc.levels.map((l) => l.level));
    assert.strictEqual(lower.fill, 'tonexty');
    assert.strictEqual(fig.data.indexOf(lower), fig.data.indexOf(upper) + 1, 'the band fills between its own edges');
    assert.strictEqual((mean.line as { dash?: string }).dash, 'dot');
    assert.strictEqual(mean.name, NULL_NAME);
    assert.strictEqual(NULL_NAME, 'matched random sets (null)');
    assert.ok(upper.showlegend === false && lower.showlegend === false, 'one legend entry: the mean');
    // On the loss-gap axis the null sits at each level's ΔL like everything else.
    assert.deepStrictEqual(trace(figure(doc, { xAxis: 'lossGap', theme: lightTheme }), TRACE.null).x, doc.levels.map((l) => l.lossGap.mean));
  });

  it('draws the excess’s bound on the target scale against the persistence line m_T + ρ·X_T(0): above it exactly where the excess persists', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const bound = trace(fig, TRACE.excessBound);
    const persistence = trace(fig, TRACE.persistence);
    doc.levels.forEach((l, i) => {
      closeTo(bound.y[i] as number, l.null!.mean + l.excess!.bound, `m_T + X_T − q·se_X at t = ${l.level}`);
      closeTo(persistence.y[i] as number, l.null!.mean + l.excess!.threshold, `m_T + ρ·X_T(0) at t = ${l.level}`);
      // What the eye reads off the chart is what the verdict decided (at the levels that hold the test).
      if (l.tests!.persists !== null) assert.strictEqual((bound.y[i] as number) >= (persistence.y[i] as number), l.tests!.persists, `persists at t = ${l.level}`);
      if (l.tests!.specific !== null) assert.strictEqual((bound.y[i] as number) > l.null!.mean, l.tests!.specific, `specific at t = ${l.level}`);
    });
    assert.match(String(persistence.name), /m_T \+ ρ·X_T\(0\)/);
  });

  it('marks levels that did not converge with hollow points, and says so in their hover, without hiding them', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const notConverged = doc.levels.filter((l) => l.tests?.converged === false);
    assert.deepStrictEqual(notConverged.map((l) => l.level), [1000], 'the sample has one');
    for (const uid of [TRACE.target, TRACE.collateral, TRACE.lossGap, TRACE.llc]) {
      const t = trace(fig, uid);
      assert.deepStrictEqual(t.x, doc.levels.map((l) => l.level), `${uid}: every level drawn`);
      const symbols = (t.marker as { symbol: string[] }).symbol;
      assert.deepStrictEqual(symbols, doc.levels.map((l) => (l.tests?.converged === false ? 'circle-open' : 'circle')), uid);
    }
    const bound = (trace(fig, TRACE.excessBound).marker as { symbol: string[] }).symbol;
    assert.deepStrictEqual(bound, doc.levels.map((l) => (l.tests?.converged === false ? 'triangle-up-open' : 'triangle-up')));
    const hover = trace(fig, TRACE.target).hovertext as string[];
    doc.levels.forEach((l, i) => assert.strictEqual(/not converged/.test(hover[i]), l.tests?.converged === false, hover[i]));
    const ring = trace(fig, TRACE.unconverged);
    assert.deepStrictEqual(ring.x, notConverged.map((l) => l.level));
    assert.deepStrictEqual(ring.y, notConverged.map((l) => l.targetEffect.mean));
    assert.match((ring.hovertext as string[])[0], /not converged: R̂ = 1\.090 · ESS\/chain = 40/);
    assert.ok(!hasTrace(figure(sampleDocumentV1(), { xAxis: 'temperature', theme: lightTheme }), TRACE.unconverged), 'nothing to mark in version 1');
  });

  it('titles the chart with the verdict summary and the calibration, escaping the circuit name', () => {
    const fig = figure(doc, { xAxis: 'temperature', theme: lightTheme });
    const title = (fig.layout.title as { text: string }).text;
    assert.ok(title.includes(doc.verdict.summary), title);
    assert.ok(title.includes('planted &lt;circuit&gt; &amp; co'), title);
    assert.strictEqual(title.match(/decade/g)?.length, 1, 'the width in decades once: the summary states it');
    assert.strictEqual(title.match(/t_ent = 1\b/g)?.length, 1, 't_ent once: the summary states it');
    assert.ok(title.includes(doc.verdict.calibration!.summary), `the calibration line: ${title}`);
    assert.strictEqual(annotation(fig, ANNOTATION.calibrationWarning), undefined, 'no warning when the rate is within α');
    assert.strictEqual(annotation(fig, ANNOTATION.noNull), undefined);
    const v1 = (figure(sampleDocumentV1(), { xAxis: 'temperature', theme: lightTheme }).layout.title as { text: string }).text;
    assert.ok(v1.includes('(1 decade)') && v1.includes('t_ent = 1'), 'a version-1 summary without t_ent: the title adds it');
  });

  it('shows the calibration warning in the warning colour under the title', () => {
    const warned = sampleDocument();
    warned.verdict.calibration = failedCalibration();
    for (const theme of [lightTheme, darkTheme]) {
      const fig = figure(warned, { xAxis: 'temperature', theme });
      const a = annotation(fig, ANNOTATION.calibrationWarning);
      assert.ok(a, 'the warning is drawn');
      assert.strictEqual(a.font?.color, theme.warning);
      assert.notStrictEqual(theme.warning, theme.foreground);
      const text = String(a.text).replace(/<br>/g, ' ');
      assert.strictEqual(text, `⚠ ${warned.verdict.calibration!.warning!}`.replace(/>/g, '&gt;'), 'the whole warning, escaped');
      assert.deepStrictEqual([a.xref, a.yref, a.y, a.yanchor, a.showarrow], ['paper', 'paper', 1, 'bottom', false], 'above the plot, under the title');
      assert.ok((fig.layout.margin?.t ?? 0) > (figure(sampleDocument(), { xAxis: 'temperature', theme }).layout.margin?.t ?? 0), 'the top margin makes room for it');
      assert.ok(((fig.layout.title as { text: string }).text).includes(warned.verdict.calibration!.summary));
    }
  });

  it('renders a version-1 document with a "no null" note and no null, excess or convergence traces', () => {
    const v1 = sampleDocumentV1();
    const fig = figure(v1, { xAxis: 'temperature', theme: lightTheme });
    const note = annotation(fig, ANNOTATION.noNull);
    assert.ok(note, 'the note is drawn');
    assert.strictEqual(note.text, NO_NULL_V1);
    assert.strictEqual(NO_NULL_V1, 'no null (results version 1)');
    for (const uid of [TRACE.nullUpper, TRACE.nullLower, TRACE.null, TRACE.excessBound, TRACE.unconverged, TRACE.toleranceLower]) assert.ok(!hasTrace(fig, uid), `no ${uid}`);
    assert.deepStrictEqual(trace(fig, TRACE.target).y, v1.levels.map((l) => l.targetEffect.mean), 'the circuit’s own curves as before');
    assert.deepStrictEqual(shapeNames(fig), [SHAPE.cleanWindow, SHAPE.tEnt, SHAPE.tSurv, SHAPE.watanabe]);
    assert.ok(!String((fig.layout.title as { text: string }).text).includes('matched random sets'), 'no calibration in version 1');
    // The webview's payload carries the file's version across the wire.
    const wire = JSON.parse(JSON.stringify(chartDocOf(v1))) as ChartDoc;
    assert.strictEqual(annotation(buildFigure(wire, { xAxis: 'temperature', theme: lightTheme }), ANNOTATION.noNull)?.text, NO_NULL_V1);
  });

  it('says "no null" for a version-2 sweep with fewer than two matched random sets', () => {
    const base = sampleDocument();
    const levels = base.levels.map(({ null: _n, excess: _e, controls: _c, ...l }) => ({ ...l, tests: { ...l.tests, specific: null } }));
    const doc2: ResultsDocument = { ...base, levels, controls: { count: 0, match: 'size', sets: [] }, verdict: { ...base.verdict, calibration: null } };
    const fig = figure(doc2, { xAxis: 'temperature', theme: lightTheme });
    assert.strictEqual(annotation(fig, ANNOTATION.noNull)?.text, NO_NULL_V2);
    assert.ok(!hasTrace(fig, TRACE.null) && !hasTrace(fig, TRACE.excessBound));
    assert.ok(trace(fig, TRACE.persistence).y.every((y) => Number.isNaN(y)), 'nothing to persist against: no persistence line');
    assert.ok(hasTrace(fig, TRACE.toleranceLower), 'the collateral test is still two-sided');
  });

  it('draws a sufficiency question (scope: complement) against ±τ_T·max(ΔL_T, δ), the bound pointing down', () => {
    const base = sampleDocument();
    const levels = base.levels.map((l) => {
      const bound = l.excess!.mean + l.excess!.quantile * l.excess!.se;
      return {
        ...l,
        excess: { ...l.excess!, bound, threshold: 0 },
        tests: { converged: l.tests!.converged, specific: bound < 0, sufficient: false },
        failed: l.tests!.converged ? ['sufficient' as const] : ['converged' as const],
        bounds: { ...l.bounds!, targetLower: bound, targetThreshold: 0, targetInterval: [l.targetEffect.mean - 0.1, l.targetEffect.mean + 0.1] as [number, number], sufficiencyThreshold: 0.05 * (l.level + 1) },
      };
    });
    const fig = figure({ ...base, levels, verdict: { ...base.verdict, question: 'sufficiency', cleanWindow: null, tEnt: null, summary: 'not sufficient at any converged level' } }, { xAxis: 'temperature', theme: lightTheme });
    assert.deepStrictEqual(trace(fig, TRACE.sufficiencyUpper).y, levels.map((l) => l.bounds.sufficiencyThreshold));
    assert.deepStrictEqual(trace(fig, TRACE.sufficiencyLower).y, levels.map((l) => -l.bounds.sufficiencyThreshold));
    assert.ok(!hasTrace(fig, TRACE.persistence), 'no persistence line: sufficiency has none');
    const bound = trace(fig, TRACE.excessBound);
    levels.forEach((l, i) => closeTo(bound.y[i] as number, l.null!.mean + l.excess.bound, 'm_T + X_T + q·se_X'));
    assert.strictEqual((bound.marker as { symbol: string[] }).symbol[0], 'triangle-down');
    assert.match((trace(fig, TRACE.target).hovertext as string[])[0], /upper bound .*not sufficient/);
  });

  it('states each verdict number once: only what the summary does not already say (decades as the summary writes them)', () => {
    const full = { cleanWindow: [100, 1000] as [number, number], tEnt: 100, tSurv: 1000, cleanlinessDecades: 1, summary: 'clean from t = 100 to 1000 (1.00 decades): entanglement temperature t_ent = 100, target survives to t_surv = 1000' };
    assert.deepStrictEqual(verdictExtras(full), []);
    assert.deepStrictEqual(verdictExtras({ ...full, summary: 'clean' }), ['t_ent = 100', 't_surv = 1000', 'cleanliness 1.00 decades']);
    assert.deepStrictEqual(verdictExtras({ tEnt: null, tSurv: 0.1, cleanlinessDecades: 0, summary: 'entangled at every tested temperature; the target effect persists up to t = 0.1' }), ['cleanliness 0.00 decades']);
  });

  it('has no window or markers when the circuit is entangled everywhere; no LLC or t_W for noise dials', () => {
    const entangled: ResultsDocument = sampleDocument({
      dial: 'weight-noise',
      levels: sampleDocument().levels.map((l) => ({ ...l, llc: undefined, nbeta: undefined })),
      verdict: { cleanWindow: null, tEnt: null, tSurv: 0.1, cleanlinessDecades: 0, summary: 'entangled at every tested temperature' },
    });
    const fig = figure(entangled, { xAxis: 'temperature', theme: darkTheme });
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
    const levels = base.levels.map((l, i) => (i === 3 ? { ...l, error: 'loss became NaN at draw 12; try stepSize 1e-5', failed: ['diverged' as const] } : l));
    const fig = figure({ ...base, levels, verdict: null }, { xAxis: 'temperature', theme: lightTheme });
    assert.deepStrictEqual(trace(fig, TRACE.target).x, drawn({ ...base, levels }).map((l) => l.level));
    assert.deepStrictEqual(trace(fig, TRACE.null).x, [0.1, 1, 10, 1000], 'the null too');
    const diverged = trace(fig, TRACE.diverged);
    assert.deepStrictEqual(diverged.x, [100]);
    assert.match((diverged.hovertext as string[])[0], /try stepSize 1e-5/);
    assert.deepStrictEqual(fig.layout.shapes?.map((s) => s.name), [SHAPE.watanabe]);
    assert.match((fig.layout.title as { text: string }).text, /in progress/);
  });

  it('falls back to a linear axis when a level is not positive (checkpoint 0)', () => {
    const base = sampleDocument({ dial: 'checkpoints' });
    const levels = base.levels.map((l, i) => ({ ...l, level: i }));
    const fig = figure({ ...base, levels, verdict: { ...base.verdict, cleanWindow: [1, 2], tEnt: 1, tSurv: 2 } }, { xAxis: 'temperature', theme: lightTheme });
    assert.deepStrictEqual(trace(fig, TRACE.null).x, [0, 1, 2, 3, 4]);
    assert.strictEqual(fig.layout.xaxis?.type, 'linear');
    assert.deepStrictEqual([shape(fig, SHAPE.cleanWindow)!.x0, shape(fig, SHAPE.cleanWindow)!.x1], [1, 2]);
  });
});

function shapeNames(fig: Figure): string[] {
  return (fig.layout.shapes ?? []).map((s) => String(s.name));
}

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
