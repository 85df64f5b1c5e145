// The sampler dashboard of a real (small) sgld sweep of the planted network: every chain's traces, per-level
// convergence, acceptance and step size, and unconverged levels drawn apart.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Data } from 'plotly.js-dist';
import { chartPageHtml } from '../../../src/chart/page';
import { buildSamplerDashboard, convergedLine, convergenceLine, DASHBOARD_TRACE, hasSamplerDashboard, levelColour, negativeLlcLine, noChainsReason } from '../../../src/chart/samplerDashboard';
import { formatLevel, formatNumber, worstRhat } from '../../../src/chart/format';
import { darkTheme, lightTheme } from '../../../src/chart/theme';
import { runSweep } from '../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../src/hypothesis';
import type { Convergence, LevelResult, ResultsDocument } from '../../../src/protocol/results';
import { chainsOf, chartDocOf, MAX_TRACE_POINTS } from '../../../src/protocol/webview';
import { samplerLevels } from '../../../webview/chartDocument';
import { sgldAt } from '../../support/degradation';

type Scatter = Omit<Data, 'x' | 'y'> & { uid?: string; x: number[]; y: (number | null)[]; yaxis?: string; line?: { color?: string; width?: number }; marker?: { color?: string[] } };

describe('chart: sampler dashboard', function () {
  this.timeout(60_000);
  let doc: ResultsDocument;
  before(async () => {
    const h = (await checkHypothesisFile(path.resolve(__dirname, '../../../examples/planted/kappa-1.circuit.yaml'))).hypothesis!;
    doc = await runSweep({
      ...h, controls: { count: 0, match: 'size' },
      degradation: sgldAt({ ...h.degradation, levels: [0.3, 3], scale: 'log' }, { stepSize: 'auto', chains: 2, draws: 24, burnIn: 0, thin: 1, batchSize: 64 }),
    });
  });

  it('draws every chain\'s loss and distance from w* per kept draw; R̂, ESS, acceptance and ε per level', () => {
    assert.ok(hasSamplerDashboard(doc));
    const fig = buildSamplerDashboard(doc, lightTheme);
    const traces = fig.data as Scatter[];
    const losses = traces.filter((t) => t.yaxis === 'y');
    const distances = traces.filter((t) => t.yaxis === 'y2');
    assert.equal(losses.length, 4);
    assert.equal(distances.length, 4);
    doc.levels.forEach((l, i) => l.chains.forEach((c, k) => {
      assert.deepEqual(losses[2 * i + k]!.y, c.loss);
      // Burn-in 0: the first kept draw is w* itself.
      assert.equal(distances[2 * i + k]!.y[0], 0);
      assert.ok((distances[2 * i + k]!.y as number[]).slice(1).every((d) => d > 0));
    }));
    const byUid = (uid: string) => traces.find((t) => t.uid === uid)!;
    assert.deepEqual(byUid(DASHBOARD_TRACE.rhat).y, doc.levels.map((l) => worstRhat(l.convergence!)));
    assert.deepEqual(byUid(DASHBOARD_TRACE.acceptance).y, doc.levels.map((l) => l.acceptance));
    assert.deepEqual(byUid(DASHBOARD_TRACE.stepSize).y, doc.levels.map((l) => l.stepSize));
    assert.equal(fig.layout.shapes![0]!.y0, doc.thresholds.rhat);
  });

  it('an unconverged level stands out: thick traces and markers in the warning colour', () => {
    const levels = doc.levels.map((l, i) => (i === 1 ? { ...l, tests: { ...l.tests, converged: false } } : { ...l, tests: { ...l.tests, converged: true } }));
    const traces = buildSamplerDashboard({ ...doc, levels }, lightTheme).data as Scatter[];
    const losses = traces.filter((t) => t.yaxis === 'y');
    assert.deepEqual(losses.map((t) => [t.line!.color === lightTheme.warning, t.line!.width]), [[false, 1], [false, 1], [true, 2], [true, 2]]);
    const marks = traces.find((t) => t.uid === DASHBOARD_TRACE.rhat)!.marker!.color!;
    assert.equal(marks[1], lightTheme.warning);
    assert.notEqual(marks[0], lightTheme.warning);
  });

  it('says when every level converged, notes a negative λ̂, and states each point\'s threshold and verdict in its hover', () => {
    const ok = doc.levels.map((l) => ({ ...l, tests: { ...l.tests, converged: true } }));
    assert.equal(convergenceLine(ok, doc.thresholds), null);
    const rhats = ok.map((l) => worstRhat(l.convergence!)!);
    const ess = ok.map((l) => l.convergence!.essPerChain!);
    assert.equal(convergedLine(ok, doc.thresholds), `all 2 levels converged: worst R̂ ${formatNumber(Math.max(...rhats))} ≤ ${doc.thresholds.rhat ?? 1.01}, bulk ESS per chain ≥ ${Math.round(Math.min(...ess))} (≥ ${doc.thresholds.essPerChain ?? 100} needed)`);
    const one = ok.map((l, i) => (i === 0 ? { ...l, tests: { ...l.tests, converged: false } } : l));
    assert.equal(convergedLine(one, doc.thresholds), null, 'not while a level did not converge');
    // λ̂ < 0 (the chains found a lower loss than w*): noted with its level and value.
    const neg = doc.levels.map((l, i) => (i === 0 ? { ...l, llc: { ...l.llc!, mean: -6.7 } } : { ...l, llc: { ...l.llc!, mean: Math.abs(l.llc!.mean) } }));
    assert.match(negativeLlcLine(neg)!, /^λ̂ < 0 at t = 0\.3 \(-6\.7\): the chains found a lower loss than w\*/);
    assert.equal(negativeLlcLine(doc.levels.map((l) => ({ ...l, llc: { ...l.llc!, mean: 1 } }))), null);
    // Hovers: value, threshold, verdict.
    const traces = buildSamplerDashboard({ ...doc, levels: ok }, lightTheme).data as (Scatter & { customdata: string[] })[];
    const hover = (uid: string) => traces.find((t) => t.uid === uid)!.customdata;
    hover(DASHBOARD_TRACE.rhat).forEach((h, i) => assert.match(h, new RegExp(`^t = ${formatLevel(ok[i]!.level)}<br>worst split-R̂ ${rhats[i]!.toFixed(4)} \\((≤ 1\\.01: converged|> 1\\.01: not converged)\\)$`)));
    hover(DASHBOARD_TRACE.ess).forEach((h, i) => assert.match(h, new RegExp(`bulk ESS per chain ${Math.round(ess[i]!)} \\((≥ 100: enough|< 100: too few)\\)$`)));
    assert.ok(hover(DASHBOARD_TRACE.acceptance).every((h) => /MALA acceptance [\d.]+ \((≥ 0\.9: the step is small enough|< 0\.9: the step is large for this level)\)$/.test(h)));
  });

  it('the HTML page shows it for sgld sweeps only', () => {
    const page = chartPageHtml(doc, { plotlySource: '/* plotly */' });
    assert.match(page, /data-testid="sampler-dashboard"/);
    const noise = chartPageHtml({ ...doc, dial: 'weight-noise', levels: doc.levels.map((l) => ({ ...l, chains: [] })) }, { plotlySource: '' });
    assert.doesNotMatch(noise, /data-testid="sampler-dashboard"/);
  });

  it('the chart panel\'s Sampler tab draws the same figure from the payload the host sends (traces only, JSON)', () => {
    const payload = JSON.parse(JSON.stringify(chartDocOf(doc))) as ReturnType<typeof chartDocOf>;
    // The Entanglement chart's levels carry no traces; the Sampler tab's are put back from `chains`.
    assert.ok(payload.levels.every((l) => l.chains.length === 0));
    const levels = samplerLevels(payload)!;
    assert.ok(levels);
    const fromPanel = buildSamplerDashboard({ levels, thresholds: payload.thresholds }, lightTheme).data as Scatter[];
    const fromFile = buildSamplerDashboard(doc, lightTheme).data as Scatter[];
    assert.deepEqual(fromPanel.map((t) => [t.yaxis, t.y]), fromFile.map((t) => [t.yaxis, t.y]));
    // Other dials send no chains: the tab says why instead of drawing.
    const noise = chartDocOf({ ...doc, dial: 'weight-noise' });
    assert.equal(noise.chains, undefined);
    assert.equal(samplerLevels(noise), null);
  });

  it('long chains reach the panel thinned to a few hundred draws, drawn at their draw numbers', () => {
    const draws = 1000;
    const long = doc.levels.map((l) => ({ ...l, chains: l.chains.map((c) => ({ ...c, loss: Array.from({ length: draws }, (_, d) => d), distance: Array.from({ length: draws }, (_, d) => (d === 6 ? NaN : 2 * d)) })) }));
    const sent = chainsOf('sgld', long).chains!;
    const c = sent[0]!.chains[0]!;
    assert.equal(c.stride, 3);
    assert.ok(c.loss.length <= MAX_TRACE_POINTS);
    assert.deepEqual(c.loss.slice(0, 4), [0, 3, 6, 9]);
    assert.equal(c.loss.at(-1), 999);
    const traces = buildSamplerDashboard({ levels: long.map((l, i) => ({ ...l, chains: sent[i]!.chains })), thresholds: doc.thresholds }, lightTheme).data as Scatter[];
    const loss = traces.find((t) => t.yaxis === 'y')!;
    assert.deepEqual(loss.x.slice(0, 4), [0, 3, 6, 9], 'x is the draw number, not the index');
    assert.deepEqual(loss.y, loss.x, 'each value at its own draw');
    assert.deepEqual(sent[0]!.chains[0]!.distance!.slice(0, 4), [0, 6, null, 18], 'a value that is not finite is null (JSON)');
    assert.ok(!JSON.stringify(sent).includes('NaN'));
    // Short chains go whole.
    assert.equal(chainsOf('sgld', doc.levels).chains![0]!.chains[0]!.stride, undefined);
  });
});

describe('chart: the sampler\'s convergence line', () => {
  const convergence = (rhat: number | null, essPerChain: number | null): Convergence => ({
    rhat: { loss: rhat, targetEffect: rhat === null ? null : 1, collateralEffect: null }, essBulk: { loss: null, targetEffect: null, collateralEffect: null }, essPerChain,
  });
  const level = (t: number, converged: boolean, rhat: number | null, ess: number | null, error?: string): Pick<LevelResult, 'level' | 'tests' | 'convergence' | 'error'> => ({
    level: t, tests: { converged }, convergence: convergence(rhat, ess), ...(error ? { error } : {}),
  });

  it('names the levels that did not converge with their worst R̂, and is null when all did', () => {
    assert.equal(convergenceLine([level(0.1, true, 1.004, 300), level(1, true, 1.002, 250)], {}), null);
    assert.equal(convergenceLine([level(0.1, false, 1.0412, 300), level(0.3, false, 1.18, 120), level(1, true, 1.001, 400)], { essPerChain: 100 }), 'not converged at t = 0.1, 0.3 (R̂ 1.041, 1.18)');
  });

  it('adds the bulk ESS per chain when it is short too, and names diverged levels apart', () => {
    assert.equal(convergenceLine([level(0.1, false, 1.005, 41.6), level(3, false, 1.02, 150)], { essPerChain: 100 }), 'not converged at t = 0.1, 3 (R̂ 1.005, 1.02; bulk ESS per chain 42, 150)');
    assert.equal(convergenceLine([level(0.1, false, null, null), level(10, false, null, null, 'diverged at draw 3')], {}), 'not converged at t = 0.1 (R̂ —) · diverged at t = 10');
  });

  it('says plainly why a run has no chains', () => {
    assert.equal(noChainsReason('weight-noise'), 'weight-noise draws are independent: there are no chains to show');
    assert.equal(noChainsReason('activation-noise'), 'activation-noise draws are independent: there are no chains to show');
    assert.match(noChainsReason('checkpoints'), /no chains to show/);
  });

  it('gives a long grid distinct level colours, ordered, none the warning colour, readable on light and dark', () => {
    for (const theme of [lightTheme, darkTheme]) {
      const colours = Array.from({ length: 13 }, (_, i) => levelColour(theme, i, 13));
      assert.equal(new Set(colours).size, 13);
      assert.ok(!colours.includes(theme.warning));
      const rgb = (h: string) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));
      // Neighbours differ visibly (RGB distance), and every colour stands off the background.
      for (let i = 1; i < 13; i++) {
        const [a, b] = [rgb(colours[i - 1]!), rgb(colours[i]!)];
        assert.ok(Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!) > 25, `${colours[i - 1]} vs ${colours[i]}`);
      }
      const lum = (h: string) => { const [r, g, b] = rgb(h).map((x) => x / 255); return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!; };
      for (const c of colours) assert.ok(Math.abs(lum(c) - lum(theme.background)) > 0.25, `${c} on ${theme.background}`);
    }
  });
});
