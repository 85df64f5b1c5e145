// The editor's semantic checks measure tensor shapes in a worker process, not in the extension host: the probe
// runs in a child whose pid is not ours, a kill -9 of that child mid-session costs one warning (the check still
// completes), and the next check starts a fresh worker and measures again.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { checkHypothesisText } from '../../../src/hypothesis';
import { EditorCheckCache } from '../../../src/extension/editorCache';
import { codes, edit, makeWorkspace, VALID_MLP } from '../../support/workspace';

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'timed out waiting');
}

describe('extension: shape probes run in a worker process', function () {
  this.timeout(120_000);
  let dir: string;
  let cache: EditorCheckCache;
  before(async () => {
    dir = await makeWorkspace();
    cache = new EditorCheckCache(() => true);
  });
  after(() => cache.dispose());

  const check = (text: string) => checkHypothesisText(text, path.join(dir, 'h.circuit.yaml'), { cache });

  it('measures shapes in a child process, survives its SIGKILL with a warning, and restarts it', async () => {
    // An out-of-range unit is only found with the probed shape of the hidden layer: proof the probe answered.
    const outOfRange = edit(VALID_MLP, '[3, 7, "10:12"]', '[3, 700]');
    assert.deepEqual(codes((await check(outOfRange)).diagnostics), ['hyp/unit-out-of-range']);
    const pid = cache.probePid;
    assert.ok(pid !== undefined && pid !== process.pid, `the probe ran in process ${pid}, the host is ${process.pid}`);

    // A worker that dies between probes (gone when the next one comes) is replaced.
    process.kill(pid, 'SIGKILL');
    await until(() => cache.probePid === undefined);
    cache.clear();
    assert.deepEqual(codes((await check(outOfRange)).diagnostics), ['hyp/unit-out-of-range']);
    const second = cache.probePid;
    assert.ok(second !== undefined && second !== pid);

    // A worker that dies while a probe waits on it (what a native crash in onnxruntime looks like from outside):
    // the check completes without shapes and says so; the editor's process is untouched.
    process.kill(second, 'SIGKILL');
    await until(() => cache.probePid === undefined);
    cache.clear();
    const pending = check(outOfRange);
    await until(() => cache.probePid !== undefined);
    process.kill(cache.probePid!, 'SIGKILL');
    const crashed = await pending;
    assert.deepEqual(codes(crashed.diagnostics), ['hyp/probe-failed']);
    assert.match(crashed.diagnostics[0]!.message, /could not be run to measure tensor shapes \(the worker process was killed \(SIGKILL\)\)/);

    // The crash is not remembered as the model's fault: the next check (no cache clear) probes again.
    assert.deepEqual(codes((await check(outOfRange)).diagnostics), ['hyp/unit-out-of-range'], 'a fresh worker measures again');
  });

  it('refuses to probe in an untrusted workspace (no worker started)', async () => {
    const untrusted = new EditorCheckCache(() => false);
    const r = await checkHypothesisText(VALID_MLP, path.join(dir, 'h.circuit.yaml'), { cache: untrusted });
    assert.ok(codes(r.diagnostics).includes('hyp/probe-failed'));
    assert.equal(untrusted.probePid, undefined);
    await untrusted.dispose();
  });
});
