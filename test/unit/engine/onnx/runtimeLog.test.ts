// Issue 24, item 7 (the native half): onnxruntime's own logger wrote node names raw to stderr, so a Reshape named
// with an OSC title change, a screen clear and an OSC 8 link put them on the user's terminal when it failed. A real
// model whose Reshape fails at run time is run in a child process here; its stderr must carry no control character,
// while the error still comes back to the caller, cleaned.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveModel } from '../../../../src/engine/onnx';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { int64Tensor } from '../../../../src/engine/onnx/tensor';

const EVIL = 'r\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07';

describe('security: onnxruntime\'s logger writes nothing raw to the terminal (issue 24, item 7)', () => {
  it('a failing Reshape named with escapes: stderr is clean, the error is returned escaped', function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-ortlog-'));
    try {
      const b = new GraphBuilder(17);
      const shape = b.initializer(int64Tensor('shape', [2], [3, 5]));
      b.op('Reshape', ['x', shape], {}, 'y');
      const model = assembleModel({ name: 'reshape', builder: b, inputs: [makeValueInfo('x', 'float32', [4])], outputs: [makeValueInfo('y', 'float32', [3, 5])] });
      model.graph.node[0]!.name = EVIL;
      const file = path.join(dir, 'r.onnx');
      saveModel(model, file);
      const script = path.join(dir, 'run.ts');
      fs.writeFileSync(script, [
        `import { createSession, ort } from ${JSON.stringify(path.resolve(__dirname, '../../../../src/engine/onnx/runtime'))};`,
        `import { runtimeMessage } from ${JSON.stringify(path.resolve(__dirname, '../../../../src/engine/onnx/runtimeMessage'))};`,
        'import * as fs from "node:fs";',
        `void (async () => {`,
        `  const s = await createSession(fs.readFileSync(${JSON.stringify(file)}));`,
        `  try { await s.run({ x: new ort.Tensor('float32', new Float32Array(4), [4]) }); console.log('ran'); }`,
        `  catch (e) { console.log('error: ' + runtimeMessage((e as Error).message)); }`,
        `})();`,
      ].join('\n'));
      const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), script], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^error: .*Reshape/m, 'the failure still comes back');
      assert.ok(r.stdout.includes('\\x1b]0;pwned'), 'its node name escaped');
      assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f]/, JSON.stringify(r.stderr));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
