// The runs list's pure pieces: grouping by hypothesis (newest first, live runs on top), the short verdict, the
// tooltip with the full name, the time and the one precision for decades.
import { strict as assert } from 'node:assert';
import { formatDecades, formatRunTime } from '../../../src/protocol/format';
import { recordFromDocument, summarize } from '../../../src/extension/runRecord';
import type { RunSummary } from '../../../src/protocol/webview';
import { groupRuns, runFacts, runTooltip, verdictWord } from '../../../webview/facts';
import { sampleDocument } from '../chart/sampleDocument';

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
});
