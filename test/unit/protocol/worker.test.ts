import * as assert from 'assert';
import {
  clientNotification,
  isClientNotification,
  isRequest,
  isResponse,
  isWorkerNotification,
  keptJournalText,
  resumeAdvice,
  PROTOCOL_NAME,
  PROTOCOL_VERSION,
  request,
  respond,
  respondError,
  workerNotification,
} from '../../../src/protocol/worker';

describe('worker protocol: envelopes and guards', () => {
  it('builds each kind of message and recognises it, and only it', () => {
    const req = request(7, 'initialize', { protocolVersion: PROTOCOL_VERSION, client: 'test' });
    const ok = respond(7, 'initialize', { protocolVersion: PROTOCOL_VERSION, pid: 1, engine: { name: 'x', version: '0' } });
    const err = respondError(8, 'sweep/shard', { code: 'cancelled', message: 'the sweep was cancelled' });
    const prog = workerNotification('log', { level: 'info', message: 'hi' });
    const cancel = clientNotification('sweep/cancel', { runId: 'r' });
    const all = [req, ok, err, prog, cancel];
    const guards = [isRequest, isResponse, isResponse, isWorkerNotification, isClientNotification];
    all.forEach((m, i) => {
      assert.strictEqual(m.protocol, PROTOCOL_NAME);
      all.forEach((other, j) => assert.strictEqual(guards[i](other), guards[i] === guards[j], `${guards[i].name}(${JSON.stringify(other)})`));
    });
    // They survive the JSON round trip that IPC applies.
    for (const m of all) assert.deepStrictEqual(JSON.parse(JSON.stringify(m)), m);
  });

  it('rejects foreign, malformed and unknown messages', () => {
    const bad: unknown[] = [
      null,
      'initialize',
      { type: 'request', id: 1, method: 'initialize', params: {} }, // no protocol tag
      { protocol: PROTOCOL_NAME, type: 'request', id: 1.5, method: 'initialize', params: {} },
      { protocol: PROTOCOL_NAME, type: 'request', id: 1, method: 'format-disk', params: {} },
      { protocol: PROTOCOL_NAME, type: 'request', id: 1, method: 'initialize' },
      { protocol: PROTOCOL_NAME, type: 'response', id: 1, method: 'initialize', error: { message: 'no code' } },
      { protocol: PROTOCOL_NAME, type: 'notification', method: 'sweep/cancel', params: [] },
    ];
    for (const m of bad) {
      assert.ok(![isRequest, isResponse, isWorkerNotification, isClientNotification].some((g) => g(m)), JSON.stringify(m));
    }
  });

  it('says what resuming a kept journal does: finish the rest, or nothing new once every unit is kept', () => {
    const part = { kept: 5, of: 12, file: 's.results.journal.jsonl' };
    assert.equal(`${keptJournalText(part)}; ${resumeAdvice(part, '--resume')}`, '5 of 12 work units are kept in s.results.journal.jsonl; --resume finishes the rest');
    // Every level diverged: all units are done, and resuming would only refuse the same document again.
    const all = { kept: 12, of: 12, file: 's.results.journal.jsonl', hint: 'every level diverged; try stepSize 1e-5' };
    assert.equal(resumeAdvice(all, '--resume'), 'every unit is done, so --resume gives the same result: change the settings the hint names and run again');
    assert.doesNotMatch(resumeAdvice(all, 'Resume Sweep'), /finishes the rest/);
  });
});
