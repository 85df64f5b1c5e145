// The sampler dashboard of a real (small) sgld sweep of the planted network: every chain's traces, per-level
// convergence, acceptance and step size, and unconverged levels drawn apart.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Data } from 'plotly.js-dist';
import { chartPageHtml } from '../../../src/chart/page';
import { buildSamplerDashboard, DASHBOARD_TRACE, hasSamplerDashboard } from '../../../src/chart/samplerDashboard';
import { worstRhat } from '../../../src/chart/format';
import { lightTheme } from '../../../src/chart/theme';
import { runSweep } from '../../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../../src/hypothesis';
import type { ResultsDocument } from '../../../src/protocol/results';

type Scatter = Omit<Data, 'x' | 'y'> & { uid?: string; x: number[]; y: (number | null)[]; yaxis?: string; line?: { color?: string; width?: number }; marker?: { color?: string[] } };

describe('chart: sampler dashboard', function () {
  this.timeout(60_000);
  let doc: ResultsDocument;
  before(async () => {
    const h = (await checkHypothesisFile(path.resolve(__dirname, '../../../examples/planted/kappa-1.circuit.yaml'))).hypothesis!;
    doc = await runSweep({
      ...h, controls: { count: 0, match: 'size' },
      degradation: { ...h.degradation, dial: 'sgld', temperatures: { levels: [0.3, 3], scale: 'log' }, sgld: { ...h.degradation.sgld, stepSize: 'auto', chains: 2, draws: 24, burnIn: 0, thin: 1, batchSize: 64 } },
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

  it('the HTML page shows it for sgld sweeps only', () => {
    const page = chartPageHtml(doc, { plotlySource: '/* plotly */' });
    assert.match(page, /data-testid="sampler-dashboard"/);
    const noise = chartPageHtml({ ...doc, dial: 'weight-noise', levels: doc.levels.map((l) => ({ ...l, chains: [] })) }, { plotlySource: '' });
    assert.doesNotMatch(noise, /data-testid="sampler-dashboard"/);
  });
});
