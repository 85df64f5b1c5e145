// The panels' scales and the labels' placement: at least three ticks, the collateral's margin visible next to a value
// far outside it (the modular example's E_C ≈ 0.0043 against ±1e−4 must read as outside), labels that stay apart.
import * as assert from 'assert';
import { buildFigure, TRACE } from '../../../src/chart/figure';
import { labelWidth, placeLabels } from '../../../src/chart/labels';
import { collateralScale, linearScale, MIN_TICKS, niceTicks, symlog, wrapHover, visibleText } from '../../../src/chart/scale';
import { lightTheme } from '../../../src/chart/theme';
import type { ResultsDocument } from '../../../src/protocol/results';
import { chartDocOf } from '../../../src/protocol/webview';
import { sampleDocument } from '../../support/sampleDocument';

describe('chart: panel scales', () => {
  it('gives every linear panel at least three nice ticks inside its range, 0 included', () => {
    for (const [values, max] of [[[1.386, 1.39, 0.07], 2], [[0.0043, -0.0001], 3], [[-18.6, 19.6], 2], [[5e-7, 2e-6], 4]] as const) {
      const s = linearScale(values, max)!;
      assert.ok(s.tickvals.length >= MIN_TICKS, `${values}: ${s.tickvals}`);
      for (const t of s.tickvals) assert.ok(t >= s.range[0] && t <= s.range[1], `${t} inside ${s.range}`);
      assert.ok(s.range[0] <= 0 && s.range[1] >= Math.max(...values));
      const steps = s.tickvals.slice(1).map((t, i) => t - s.tickvals[i]!);
      for (const d of steps) assert.ok(Math.abs(d - steps[0]!) <= 1e-9 * Math.abs(steps[0]!), `evenly spaced: ${s.tickvals}`);
    }
    assert.deepStrictEqual(niceTicks(0, 10, 6), [0, 2, 4, 6, 8, 10]);
    // Crossing 0 from an awkward start: the tick at 0 is exactly 0 (a running sum would label it −2.78e−17).
    for (const [lo, hi] of [[-0.3177, 0.1385], [-0.07, 0.33], [-1.1e-3, 7.3e-3]]) {
      const t = niceTicks(lo!, hi!, 6);
      assert.ok(t.includes(0), `${lo}…${hi}: ${t}`);
      assert.ok(linearScale([lo!, hi!], 6)!.ticktext.includes('0'));
    }
  });

  it('draws a collateral of 0.0043 against ±1e−4 on a symlog scale where the interval stands clear of the band', () => {
    // The modular example at its lowest levels: the tested interval 0.0022 … 0.0064 against margins of 3e−6 … 1e−4.
    const margins = [3e-6, 5e-6, 7e-6, 2e-5, 5.5e-5, 1e-4, 3e-4];
    const values = [0.0022, 0.0064, 0.0043, ...margins.flatMap((m) => [m, -m])];
    const s = collateralScale(values, margins, 4)!;
    assert.strictEqual(s.kind, 'symlog');
    const span = s.range[1] - s.range[0];
    const gap = s.y(0.0022) - s.y(1e-4);
    assert.ok(gap >= 0.15 * span, `the interval's lower end is ${(100 * gap / span).toFixed(0)}% of the panel above the band's top`);
    // On a linear axis the same gap would be a sliver: that is what the symlog is for.
    const linear = linearScale(values, 4)!;
    assert.ok((0.0022 - 1e-4) / (linear.range[1] - linear.range[0]) > 0.15, 'a linear axis ranged to these values alone would also show it');
    assert.ok(s.tickvals.length >= MIN_TICKS, `ticks ${s.ticktext}`);
    assert.ok(s.ticktext.includes('0'));
    // Ticks are labelled in data units and sit where the data would.
    s.tickvals.forEach((t, i) => assert.ok(Math.abs(t - symlog(Number(s.ticktext[i]), s.constant!)) < 1e-12, `${s.ticktext[i]} at ${t}`));
    // Symmetric and monotone.
    assert.strictEqual(symlog(-0.01, 1e-4), -symlog(0.01, 1e-4));
    assert.ok(symlog(1e-3, 1e-4) < symlog(1e-2, 1e-4));
  });

  it('keeps a linear axis when the margin is not a hairline next to the values', () => {
    const s = collateralScale([0.2, -0.1, 0.05, -0.05], [0.05, 0.05], 4)!;
    assert.strictEqual(s.kind, 'linear');
    assert.strictEqual(s.y(0.123), 0.123);
  });

  it('in the figure: the collateral traces keep their values in customdata, the tested bars lie outside the shaded band exactly where the test failed', () => {
    const base = sampleDocument();
    // Margins 100× below the values: the collateral panel becomes symlog.
    const doc: ResultsDocument = { ...base, levels: base.levels.map((l) => ({ ...l, bounds: { ...l.bounds!, collateralThreshold: l.bounds!.collateralThreshold / 100 } })) };
    const fig = buildFigure(chartDocOf(doc), { xAxis: 'temperature', theme: lightTheme });
    const find = (uid: string) => fig.data.find((d) => (d as { uid?: string }).uid === uid) as unknown as { y: (number | null)[]; customdata?: (number | null)[]; fill?: string };
    assert.deepStrictEqual(find(TRACE.collateral).customdata, doc.levels.map((l) => l.collateralEffect.mean));
    assert.match(String((fig.layout.yaxis2?.title as { text: string }).text), /symlog/);
    const tested = find(TRACE.collateralTested);
    const band = find(TRACE.tolerance);
    assert.strictEqual(find(TRACE.toleranceLower).fill, 'tonexty', 'the band between −margin and +margin is shaded');
    doc.levels.forEach((l, i) => {
      const [lo, hi] = [tested.y[3 * i]!, tested.y[3 * i + 1]!];
      assert.deepStrictEqual([tested.customdata![3 * i], tested.customdata![3 * i + 1]], [l.bounds!.collateralLower, l.bounds!.collateralUpper]);
      const inside = lo > -band.y[i]! && hi < band.y[i]!;
      assert.strictEqual(inside, false, `t = ${l.level}: every interval is outside margins 100× smaller`);
    });
  });
});

describe('chart: labels and hovers fit', () => {
  it('places neighbouring marker labels apart, inside the plot, on a second row only when one row cannot hold them', () => {
    const width = 500;
    const place = (at: number[]) => placeLabels(at.map((a, i) => ({ at: a, text: i === 0 ? 't_ent = 0.01' : 't_surv = 0.633', fontSize: 11 })), width);
    const spans = (at: number[]) => place(at).map((p, i) => {
      const w = labelWidth(i === 0 ? 't_ent = 0.01' : 't_surv = 0.633', 11);
      const x = at[i]! * width;
      const lo = p.anchor === 'left' ? x : p.anchor === 'right' ? x - w : x - w / 2;
      return { lo, hi: lo + w, row: p.row };
    });
    for (const at of [[0.1, 0.9], [0.45, 0.55], [0.5, 0.52], [0, 1], [0.02, 0.05], [0.97, 0.99]]) {
      const s = spans(at);
      for (const x of s) assert.ok(x.lo >= 0 && x.hi <= width, `${at}: inside the plot ${JSON.stringify(s)}`);
      assert.ok(s[0]!.row !== s[1]!.row || s[0]!.hi <= s[1]!.lo || s[1]!.hi <= s[0]!.lo, `${at}: apart ${JSON.stringify(s)}`);
    }
    assert.deepStrictEqual(place([0.1, 0.9]).map((p) => p.row), [0, 0]);
    assert.deepStrictEqual(place([0.5, 0.52]).map((p) => p.row), [0, 0], 'grown apart on one row');
    assert.deepStrictEqual(place([0.5, 0.5]).map((p) => p.row), [0, 1], 'the same level: stacked');
  });

  it('wraps hover lines to a width, tags not counted, bold kept on each piece', () => {
    const line = `<b>${'word '.repeat(30).trim()}</b><br>short`;
    const wrapped = wrapHover(line, 40).split('<br>');
    assert.ok(wrapped.length > 3);
    for (const l of wrapped) assert.ok(visibleText(l).length <= 40, l);
    for (const l of wrapped.slice(0, -1)) assert.match(l, /^<b>.*<\/b>$/);
    assert.strictEqual(wrapped.at(-1), 'short');
    assert.strictEqual(wrapHover('a &lt; b', 5), 'a &lt; b', 'an entity counts as one character');
  });

  it('wraps every hover of a 500 px figure to the figure', () => {
    const fig = buildFigure(chartDocOf(sampleDocument()), { xAxis: 'temperature', theme: lightTheme, size: { width: 500, height: 700 } });
    const chars = Math.floor((500 - 30) / (11 * 0.58));
    for (const t of fig.data) {
      const h = (t as { hovertext?: string[] }).hovertext ?? [];
      for (const text of h) for (const l of text.split('<br>')) assert.ok(visibleText(l).replace(/^\u00a0+/, '').length <= chars, `"${l}" longer than ${chars}`);
    }
  });
});
