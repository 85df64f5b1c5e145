// The host ↔ webview protocol: envelopes are checked before anything else, and every command's payload is
// validated (a webview is untrusted input); replies carry the request's id and a validated result.
import * as assert from 'node:assert/strict';
import {
  ChartOptionsCommand,
  ChartStateNotification,
  ExportCommand,
  ImageRequest,
  isIpcMessage,
  message,
  ReadyCommand,
  SelectRunCommand,
  WEBVIEW_PROTOCOL_NAME,
  WEBVIEW_PROTOCOL_VERSION,
  WriteStepSizeCommand,
  type IpcMessage,
} from '../../../src/protocol/webview';

const raw = (method: string, params: unknown, extra: Record<string, unknown> = {}): IpcMessage =>
  ({ protocol: WEBVIEW_PROTOCOL_NAME, version: WEBVIEW_PROTOCOL_VERSION, id: 1, method, params, ...extra }) as IpcMessage;

describe('extension: webview protocol', () => {
  it('builds envelopes that pass the envelope guard', () => {
    const m = message(ReadyCommand, 7, { view: 'chart' });
    assert.ok(isIpcMessage(m));
    assert.equal(m.method, 'webview/ready');
    assert.equal(m.id, 7);
    assert.ok(!('completionId' in m));
    assert.equal(message(ImageRequest.response, 8, { ok: true, result: { dataUrl: 'data:image/png;base64,AA' } }, 3).completionId, 3);
  });

  it('rejects envelopes of another protocol, version, or without id, method or params', () => {
    assert.ok(!isIpcMessage(null));
    assert.ok(!isIpcMessage('webview/ready'));
    assert.ok(!isIpcMessage({ ...raw('webview/ready', {}), protocol: 'other' }));
    assert.ok(!isIpcMessage({ ...raw('webview/ready', {}), version: WEBVIEW_PROTOCOL_VERSION + 1 }));
    assert.ok(!isIpcMessage({ ...raw('webview/ready', {}), id: 1.5 }));
    assert.ok(!isIpcMessage({ protocol: WEBVIEW_PROTOCOL_NAME, version: WEBVIEW_PROTOCOL_VERSION, id: 1, method: 'webview/ready' }));
    assert.ok(!isIpcMessage(raw('webview/ready', {}, { completionId: 'x' })));
  });

  it('matches a command by method and validates its payload', () => {
    assert.ok(ReadyCommand.is(raw('webview/ready', { view: 'calibration' })));
    assert.ok(!ReadyCommand.is(raw('webview/ready', { view: 'runs' })), 'the Runs list is a native tree, not a webview');
    assert.ok(!ReadyCommand.is(raw('webview/ready', { view: 'other' })));
    assert.ok(!ReadyCommand.is(raw('chart/options', { view: 'chart' })));
    assert.ok(ChartOptionsCommand.is(raw('chart/options', { xAxis: 'lossGap', metrics: ['target', 'llc'] })));
    assert.ok(!ChartOptionsCommand.is(raw('chart/options', { xAxis: 'time', metrics: [] })));
    assert.ok(!ChartOptionsCommand.is(raw('chart/options', { xAxis: 'temperature', metrics: ['target', 'eval'] })));
    assert.ok(ExportCommand.is(raw('chart/export', { format: 'svg' })));
    assert.ok(!ExportCommand.is(raw('chart/export', { format: 'exe' })));
    assert.ok(ReadyCommand.is(raw('webview/ready', { view: 'calibration' })));
    assert.ok(SelectRunCommand.is(raw('chart/selectRun', { runId: '/w/a.results.json' })));
    for (const bad of [{ runId: '' }, { runId: 42 }, null]) assert.ok(!SelectRunCommand.is(raw('chart/selectRun', bad)), JSON.stringify(bad));
    assert.ok(WriteStepSizeCommand.is(raw('calibration/writeStepSize', { stepSize: 0.000123 })));
    for (const bad of [{ stepSize: 0 }, { stepSize: -1e-4 }, { stepSize: 'auto' }, { stepSize: null }, {}]) {
      assert.ok(!WriteStepSizeCommand.is(raw('calibration/writeStepSize', bad)), JSON.stringify(bad));
    }
  });

  it('validates replies: ok with a data: image URL, or an error string', () => {
    const reply = ImageRequest.response;
    assert.equal(reply.method, 'chart/image/reply');
    assert.ok(reply.is(raw('chart/image/reply', { ok: true, result: { dataUrl: 'data:image/svg+xml,%3Csvg' } })));
    assert.ok(reply.is(raw('chart/image/reply', { ok: false, error: 'nothing to draw' })));
    assert.ok(!reply.is(raw('chart/image/reply', { ok: true, result: { dataUrl: 'https://example.invalid/x.png' } })));
    assert.ok(!reply.is(raw('chart/image/reply', { ok: false })));
    assert.ok(!reply.is(raw('chart/image/reply', { result: { dataUrl: 'data:image/png;base64,' } })));
  });

  it('notifications without a validator match by method only (the host is the trusted side)', () => {
    assert.ok(ChartStateNotification.is(raw('chart/state', {})));
    assert.ok(!ChartStateNotification.is(raw('runs/state', {})));
  });
});
