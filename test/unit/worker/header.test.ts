// The plan's header crosses the worker channel with a fingerprint in place of the hypothesis (src/worker/header.ts):
// nothing of the resolved hypothesis goes over the wire, and the client's copy put back gives the header the engine
// made, key for key and byte for byte as JSON (journals, shards and results files hold it).
import * as assert from 'assert';
import { createHash } from 'node:crypto';
import type { SweepHeader } from '../../../src/protocol/shard';
import { WorkerRunError } from '../../../src/worker/errors';
import { fromWireHeader, resolvedSha256, toWireHeader } from '../../../src/worker/header';
import { sampleDocument } from '../../support/sampleDocument';

function header(): SweepHeader {
  const { levels: _l, verdict: _v, timings: _t, status: _s, ...document } = sampleDocument();
  return { plan: 'p', levels: 5, chains: 4, draws: { independent: false, deterministic: false }, setupSeconds: 0.5, document };
}

describe('worker: the header on the wire', () => {
  it('names the hypothesis by file, file sha256 and the sha256 of its JSON, and carries nothing else of it', () => {
    const h = header();
    const wire = toWireHeader(h);
    const resolved = h.document.hypothesis.resolved;
    assert.deepStrictEqual(wire.document.hypothesis, {
      file: h.document.hypothesis.file,
      sha256: h.document.hypothesis.sha256,
      resolvedSha256: createHash('sha256').update(JSON.stringify(resolved)).digest('hex'),
    });
    assert.ok(!JSON.stringify(wire).includes('"resolved"'), 'the resolved hypothesis does not cross');
    // Everything else of the header crosses as it is.
    const { document: { hypothesis: _a, ...restWire }, ...topWire } = wire;
    const { document: { hypothesis: _b, ...restHeader }, ...topHeader } = h;
    assert.deepStrictEqual(restWire, restHeader);
    assert.deepStrictEqual(topWire, topHeader);
  });

  it('the client puts the hypothesis it sent back: the same JSON text as the header the worker made', () => {
    const h = header();
    const sent = h.document.hypothesis.resolved;
    // What the worker got is the JSON of what was sent; what comes back is JSON too.
    const wire = JSON.parse(JSON.stringify(toWireHeader(JSON.parse(JSON.stringify(h)) as SweepHeader)));
    const back = fromWireHeader(wire, sent);
    assert.strictEqual(JSON.stringify(back), JSON.stringify(h));
    assert.deepStrictEqual(back, JSON.parse(JSON.stringify(h)));
  });

  it('refuses a header for another hypothesis (its fingerprint differs)', () => {
    const h = header();
    const other = { ...h.document.hypothesis.resolved, degradation: { ...h.document.hypothesis.resolved.degradation, seed: 99 } };
    assert.notStrictEqual(resolvedSha256(other), resolvedSha256(h.document.hypothesis.resolved));
    assert.throws(() => fromWireHeader(toWireHeader(h), other), (e: unknown) => e instanceof WorkerRunError && e.code === 'internal' && /another hypothesis/.test(e.message));
  });
});
