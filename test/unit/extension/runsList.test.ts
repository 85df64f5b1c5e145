// The Runs tree's pure pieces: grouping by hypothesis (newest first, live runs on top), the short verdict, the icon
// that matches it, the context value the menus key on, the tooltip with the full name, the time and the one
// precision for decades.
import { strict as assert } from 'node:assert';
import { formatDecades, formatRunTime } from '../../../src/protocol/format';
import { recordFromDocument, summarize } from '../../../src/extension/runRecord';
import type { RunSummary } from '../../../src/protocol/webview';
import { groupRuns, runContext, runDescription, runFacts, runIcon, runOutcome, runTooltip, verdictWord } from '../../../src/extension/runItems';
import { sampleDocument } from '../../support/sampleDocument';

function run(id: string, file: string, time: string | null, status: RunSummary['status'] = 'complete', name = 'planted circuit κ = 0.5'): RunSummary {
  const s = summarize(recordFromDocument(sampleDocument(), id, file));
  return { ...s, id, hypothesisFile: file, label: file, status, time, circuitName: name };
}

describe('extension: the runs list', () => {
  it('groups runs by hypothesis file, newest first, live runs and their group on top', () => {
    const a1 = run('/w/a.results.json', '/w/a.circuit.yaml', '2026-12-01T10:00:00Z');
    const a2 = run('/w/out/a.results.json', '/w/a.circuit.yaml', '2026-12-01T12:00:00Z');
    const a3 = run('/w/a.results.json#1', '/w/a.circuit.yaml', '2026-12-01T11:00:00Z', 'cancelled');
    const b = run('/w/b.results.json', '/w/b.circuit.yaml', '2026-12-01T13:00:00Z');
    const c = run('/w/c.results.json', '/w/c.circuit.yaml', null, 'running');
    const groups = groupRuns([a1, b, a2, a3, c]);
    assert.deepEqual(groups.map((g) => g.hypothesisFile), ['/w/c.circuit.yaml', '/w/b.circuit.yaml', '/w/a.circuit.yaml']);
    assert.deepEqual(groups[2]!.runs.map((r) => r.id), [a2.id, a3.id, a1.id], 'newest first within a hypothesis');
  });

  it('says the verdict in a word, and the full name, file, dial and time in the tooltip', () => {
    const doc = sampleDocument();
    const done = run('/w/a.results.json', 'a.circuit.yaml', doc.createdAt);
    assert.equal(verdictWord(done), doc.verdict.tEnt === null ? 'entangled' : `clean from t_ent ${Number(doc.verdict.tEnt.toPrecision(3))}`);
    assert.equal(verdictWord({ ...done, tEnt: null, inconclusive: [] }), 'entangled');
    assert.equal(verdictWord({ ...done, tEnt: null, inconclusive: [3] }), 'inconclusive');
    assert.equal(verdictWord({ ...done, status: 'cancelled' }), 'cancelled');
    assert.equal(verdictWord({ ...done, status: 'running', progress: 0.404 }), 'running 40%');
    const now = new Date(doc.createdAt);
    const tip = runTooltip(done, now).split('\n');
    assert.equal(tip[0], 'planted circuit κ = 0.5', 'the full name, never cut');
    assert.equal(tip[1], `a.circuit.yaml · ${done.dial} dial · ${formatRunTime(doc.createdAt, now)}`);
    assert.ok(tip.includes('/w/a.results.json'));
  });

  it('writes times for a list and decades with the summary\'s precision', () => {
    const now = new Date(2026, 11, 1, 18, 0);
    assert.equal(formatRunTime(new Date(2026, 11, 1, 9, 5).toISOString(), now), '09:05');
    assert.equal(formatRunTime(new Date(2026, 10, 30, 23, 59).toISOString(), now), 'Nov 30 23:59');
    assert.equal(formatRunTime(new Date(2025, 0, 2, 3, 4).toISOString(), now), '2025-01-02 03:04');
    assert.equal(formatRunTime(null, now), '—');
    assert.equal(formatRunTime('not a time', now), '—');
    assert.equal(formatDecades(0.9008), '0.90 decades');
    assert.equal(formatDecades(1.5), '1.50 decades');
    const facts = runFacts({ ...run('/w/a.results.json', 'a', null), cleanlinessDecades: 0.9008 });
    assert.equal(facts.cleanliness, 'cleanliness 0.90 decades', 'as the verdict summary writes it');
  });

  it('a circuit that is not specific at the trained network is "not specific", never "entangled", whatever its window', () => {
    const doc = sampleDocument();
    assert.ok(doc.verdict.baselineExcess, 'the sample records X_T(0)');
    // The summary read from the results: a document whose baseline excess is not specific.
    const notSpecific = summarize(recordFromDocument({ ...doc, verdict: { ...doc.verdict, tEnt: null, cleanWindow: null, baselineExcess: { ...doc.verdict.baselineExcess!, specific: false } } }, '/w/n.results.json', 'n'));
    assert.equal(notSpecific.specific, false);
    assert.equal(runOutcome(notSpecific), 'not-specific');
    assert.equal(verdictWord(notSpecific), 'not specific');
    assert.deepEqual(runIcon(notSpecific), { id: 'circle-slash', color: 'charts.yellow' });
    // A window does not make a non-specific circuit clean either; inconclusive levels do not hide it.
    assert.equal(verdictWord({ ...notSpecific, tEnt: 3, inconclusive: [1] }), 'not specific');
    const specific = summarize(recordFromDocument({ ...doc, verdict: { ...doc.verdict, tEnt: null, cleanWindow: null, baselineExcess: { ...doc.verdict.baselineExcess!, specific: true } } }, '/w/s.results.json', 's'));
    assert.equal(verdictWord({ ...specific, inconclusive: [] }), 'entangled');
    // Unknown (a version-1 file, no X_T(0)): judged by its window as before.
    const v1 = summarize(recordFromDocument({ ...doc, verdict: { ...doc.verdict, tEnt: null, baselineExcess: undefined } }, '/w/o.results.json', 'o'));
    assert.equal(v1.specific, null);
    assert.equal(verdictWord({ ...v1, inconclusive: [] }), 'entangled');
  });

  it('reads a version-3 verdict\'s specificity (the rank test at w*), and calls a sufficiency run sufficient or not, never clean or entangled', () => {
    const doc = sampleDocument();
    const rank = { p: 0.4, alpha: 0.05, specific: false, atLeast: 3, of: 8, percentile: 0.6, excessOverMedian: 0.01, detectableExcess: 0.2 };
    // A version-3 file records specificity, not baselineExcess: the tree must still say "not specific".
    const v3 = summarize(recordFromDocument({ ...doc, verdict: { ...doc.verdict, tEnt: null, cleanWindow: null, baselineExcess: undefined, specificity: rank } }, '/w/v3.results.json', 'v3'));
    assert.equal(v3.specific, false);
    assert.equal(runOutcome(v3), 'not-specific');
    const v3Specific = summarize(recordFromDocument({ ...doc, verdict: { ...doc.verdict, tEnt: null, cleanWindow: null, inconclusive: [], baselineExcess: undefined, specificity: { ...rank, specific: true, p: 0.01 } } }, '/w/v3s.results.json', 'v3s'));
    assert.equal(runOutcome(v3Specific), 'entangled');
    // Keeping only the circuit: a window is "sufficient", none is "not sufficient", whatever the rank test says.
    const keep = { ...doc.verdict, question: 'sufficiency' as const, baselineExcess: undefined, specificity: rank };
    const sufficient = summarize(recordFromDocument({ ...doc, verdict: { ...keep, tEnt: 0.3, cleanWindow: [0.3, 1] as [number, number] } }, '/w/k.results.json', 'k'));
    assert.equal(sufficient.question, 'sufficiency');
    assert.equal(runOutcome(sufficient), 'sufficient');
    assert.equal(verdictWord(sufficient), 'sufficient from 0.3');
    assert.deepEqual(runIcon(sufficient), { id: 'pass-filled', color: 'testing.iconPassed' });
    const notSufficient = summarize(recordFromDocument({ ...doc, verdict: { ...keep, tEnt: null, cleanWindow: null, inconclusive: [0.1] } }, '/w/n.results.json', 'n'));
    assert.equal(runOutcome(notSufficient), 'not-sufficient');
    assert.equal(verdictWord(notSufficient), 'not sufficient');
  });

  it('gives each verdict and each status its own icon, and the description the dial, time and verdict', () => {
    const base = run('/w/a.results.json', 'a.circuit.yaml', '2026-12-01T10:00:00Z');
    const cases: [RunSummary, string][] = [
      [{ ...base, tEnt: 0.3, specific: true, inconclusive: [] }, 'pass-filled'],
      [{ ...base, tEnt: null, specific: true, inconclusive: [] }, 'link'],
      [{ ...base, tEnt: null, specific: false, inconclusive: [] }, 'circle-slash'],
      [{ ...base, tEnt: null, specific: true, inconclusive: [0.1] }, 'question'],
      [{ ...base, status: 'running', progress: 0.5 }, 'sync~spin'],
      [{ ...base, status: 'queued' }, 'clock'],
      [{ ...base, status: 'cancelled' }, 'debug-stop'],
      [{ ...base, status: 'failed' }, 'error'],
    ];
    assert.deepEqual(cases.map(([r]) => runIcon(r).id), cases.map(([, id]) => id));
    assert.equal(new Set(cases.map(([r]) => runIcon(r).id)).size, cases.length, 'no two cases share an icon');
    const now = new Date('2026-12-01T12:00:00Z');
    const d = runDescription({ ...base, tEnt: 0.3, specific: true, inconclusive: [], calibration: { clean: 1, of: 16, summary: '1 of 16', warning: null } }, now);
    assert.equal(d, `${base.dial} · ${formatRunTime(base.time, now)} · clean from t_ent 0.3 · 1/16 random clean`);
    assert.equal(runDescription({ ...base, status: 'cancelled' }, now), `${base.dial} · ${formatRunTime(base.time, now)} · cancelled`, 'no verdict facts for a run that has none');
  });

  it('tells the menus what a run allows: Cancel while live, Rerun and Remove once ended, Resume with a journal, results actions with a file', () => {
    const base = run('/w/a.results.json', 'a.circuit.yaml', null);
    const words = (r: RunSummary, results: boolean, resumable: boolean) => runContext(r, { results, resumable }).split(' ');
    assert.deepEqual(words({ ...base, status: 'running' }, false, true), ['run', 'live', 'status-running'], 'a live run is never resumable');
    assert.deepEqual(words({ ...base, status: 'cancelled' }, false, true), ['run', 'ended', 'status-cancelled', 'resumable']);
    assert.deepEqual(words(base, true, false), ['run', 'ended', 'status-complete', 'results']);
    // The package.json menus match these words with regular expressions: each must select exactly its runs.
    const manifest = require('../../../package.json') as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const items = manifest.contributes.menus['view/item/context']!;
    const shown = (ctx: string) => new Set(items.filter((m) => {
      const re = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(m.when ?? '');
      const eq = /viewItem == (\S+)/.exec(m.when ?? '');
      return re ? new RegExp(re[1]!).test(ctx) : eq ? eq[1] === ctx : false;
    }).map((m) => m.command.replace('circuitThermometer.', '')));
    assert.deepEqual([...shown(runContext({ ...base, status: 'running' }, { results: false, resumable: false }))].sort(), ['cancelSweep', 'showChart']);
    assert.deepEqual([...shown(runContext({ ...base, status: 'cancelled' }, { results: false, resumable: true }))].sort(), ['removeRun', 'rerunSweep', 'resumeSweep', 'showChart']);
    assert.deepEqual([...shown(runContext(base, { results: true, resumable: false }))].sort(), ['exportResults', 'openResults', 'removeRun', 'rerunSweep', 'revealResults', 'showChart']);
    assert.deepEqual([...shown('hypothesis')], ['runSweep']);
  });
});
