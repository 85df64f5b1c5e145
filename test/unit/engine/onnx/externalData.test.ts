// ONNX external data (weights in side files, data_location = EXTERNAL): loaded confined to the model's folder,
// offsets and lengths checked against the file, and the model then checked, inspected, gradient-checked and swept
// like a self-contained one. Hostile cases: symlinks out of the folder, absolute and `..` paths, devices, FIFOs,
// offsets `-8` / `abc`, lengths past the end of the file.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeGradientSupport } from '../../../../src/engine/autodiff';
import { gradcheck } from '../../../../src/engine/autodiff/gradcheck';
import { GraphIndex, loadModel, ModelError, ModelProto, saveModel, summarizeModel, tensorToFloat32 } from '../../../../src/engine/onnx';
import { saveModelWithExternalData } from '../../../../src/engine/onnx/load';
import { runSweep } from '../../../../src/engine/sweep/run';
import { checkHypothesisText, type Hypothesis } from '../../../../src/hypothesis';
import { resultsProblem } from '../../../../src/protocol/results';
import { mlpModel } from '../../../fixtures/models';
import { codes, makeWorkspace, VALID_MLP } from '../../../support/workspace';

interface Layout {
  /** `location` of every tensor (default `mlp.weights`). */
  location?: (name: string) => string;
  /** `offset` / `length` entries as written (default: the true ones). */
  offset?: (name: string, true_: number) => string | undefined;
  length?: (name: string, true_: number) => string | undefined;
  /** Bytes of the weights file (default: all tensors, in order). */
  truncateTo?: number;
}

/** Writes `<folder>/<file>` with every initializer of the MLP in `<folder>/mlp.weights`; returns the model's path. */
function writeExternal(folder: string, layout: Layout = {}, file = 'mlp.onnx'): string {
  fs.mkdirSync(folder, { recursive: true });
  const model = mlpModel();
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const t of model.graph.initializer) {
    const bytes = Buffer.from(tensorToFloat32(t).buffer.slice(0));
    chunks.push(bytes);
    const entries = [{ key: 'location', value: layout.location?.(t.name) ?? 'mlp.weights' }];
    const off = layout.offset ? layout.offset(t.name, offset) : String(offset);
    const len = layout.length ? layout.length(t.name, bytes.length) : String(bytes.length);
    if (off !== undefined) entries.push({ key: 'offset', value: off });
    if (len !== undefined) entries.push({ key: 'length', value: len });
    t.externalData = entries;
    t.dataLocation = 1;
    t.rawData = new Uint8Array(0);
    offset += bytes.length;
  }
  const all = Buffer.concat(chunks);
  fs.writeFileSync(path.join(folder, 'mlp.weights'), layout.truncateTo === undefined ? all : all.subarray(0, layout.truncateTo));
  const out = path.join(folder, file);
  saveModel(model, out);
  return out;
}

function refused(file: string, code: string, message: RegExp): void {
  assert.throws(() => loadModel(file), (e: unknown) => {
    assert.ok(e instanceof ModelError, `a ModelError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('ONNX external data', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await makeWorkspace();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saveModelWithExternalData writes the weights beside the model, and loading gives the same tensors', () => {
    const folder = path.join(dir, 'saved-external');
    fs.mkdirSync(folder, { recursive: true });
    const original = mlpModel();
    const file = path.join(folder, 'mlp.onnx');
    saveModelWithExternalData(original, file, 'mlp.weights', 0);
    const inline = path.join(folder, 'inline.onnx');
    saveModel(original, inline);
    const bytes = original.graph.initializer.reduce((n, t) => n + 4 * tensorToFloat32(t).length, 0);
    assert.equal(fs.statSync(path.join(folder, 'mlp.weights')).size, bytes);
    // The .onnx file keeps the graph and, per tensor, a short reference instead of its bytes.
    assert.ok(fs.statSync(file).size < fs.statSync(inline).size - bytes + 64 * original.graph.initializer.length, `${fs.statSync(file).size} vs ${fs.statSync(inline).size} − ${bytes}`);
    const loaded = loadModel(file).proto;
    for (const t of original.graph.initializer) {
      const back = loaded.graph.initializer.find((u) => u.name === t.name)!;
      assert.deepEqual(tensorToFloat32(back), tensorToFloat32(t), t.name);
    }
    assert.ok(original.graph.initializer.every((t) => t.dataLocation !== 1), 'the model passed in is left as it was');
  });

  describe('a model with its weights beside it works like the self-contained one', () => {
    let model: ModelProto;
    before(() => {
      // The workspace's mlp.onnx, re-saved with external weights: the hypotheses below read it as ./mlp.onnx.
      writeExternal(dir);
      assert.ok(fs.statSync(path.join(dir, 'mlp.onnx')).size < 1000, 'the weights are not in the .onnx file');
      model = loadModel(path.join(dir, 'mlp.onnx')).proto;
    });

    it('loads the same weights, and inspect reports the same model', () => {
      const reference = mlpModel();
      model.graph.initializer.forEach((t, i) => assert.deepEqual(tensorToFloat32(t), tensorToFloat32(reference.graph.initializer[i]!)));
      const summary = summarizeModel(loadModel(path.join(dir, 'mlp.onnx')));
      assert.equal(summary.parameters.count, GraphIndex.of(reference).parameters().reduce((a, p) => a + p.size, 0));
      assert.deepEqual(analyzeGradientSupport(model, GraphIndex.of(model).parameters().map((p) => p.name), 'logits').missing, []);
    });

    it('hashes the external bytes too: other weights in the side file, another sha256', () => {
      const a = loadModel(path.join(dir, 'mlp.onnx')).sha256;
      const other = path.join(dir, 'other');
      writeExternal(other);
      const weights = fs.readFileSync(path.join(other, 'mlp.weights'));
      weights[0] ^= 0x40;
      fs.writeFileSync(path.join(other, 'mlp.weights'), weights);
      assert.notEqual(loadModel(path.join(other, 'mlp.onnx')).sha256, a);
    });

    it('passes check (the shape probe runs it on onnxruntime) and gradcheck', async () => {
      const r = await checkHypothesisText(VALID_MLP, path.join(dir, 'h.circuit.yaml'));
      assert.deepEqual(codes(r.diagnostics), []);
      const report = await gradcheck(model, { inputs: { x: { kind: 'float', dims: [3, 8] } } });
      assert.ok(report.pass, `max relative error ${report.maxRelError}`);
      assert.equal(report.checked, report.parameters);
    });

    it('sweeps', async () => {
      const r = await checkHypothesisText(VALID_MLP, path.join(dir, 'h.circuit.yaml'));
      const h = r.hypothesis as Hypothesis;
      const doc = await runSweep({ ...h, degradation: { dial: 'weight-noise', levels: [0.01, 0.1], scale: 'log', noise: { samples: 2 }, seed: h.degradation.seed } });
      assert.equal(doc.levels.length, 2);
      assert.ok(doc.levels.every((l) => l.error === undefined && Number.isFinite(l.targetEffect.mean)));
      // What the sweep writes, the readers accept (the field-by-field shape check of results files).
      assert.equal(resultsProblem(JSON.parse(JSON.stringify(doc))), null);
    });
  });

  describe('refused, in one located line', () => {
    it('a symlink beside the model that points outside its folder', () => {
      const folder = path.join(dir, 'escape-link');
      const file = writeExternal(folder);
      const outside = path.join(dir, 'outside.weights');
      fs.renameSync(path.join(folder, 'mlp.weights'), outside);
      fs.symlinkSync(outside, path.join(folder, 'mlp.weights'));
      refused(file, 'onnx/external-data', /tensor 'fc1\.weight': external data 'mlp\.weights' leads outside the model's folder \(through a symbolic link\)/);
      // The classic: a link to a system file. Its bytes are never read as weights.
      fs.rmSync(path.join(folder, 'mlp.weights'));
      fs.symlinkSync('/etc/passwd', path.join(folder, 'mlp.weights'));
      refused(file, 'onnx/external-data', /leads outside the model's folder/);
    });

    it('a symlink to a file inside the folder is followed', () => {
      const folder = path.join(dir, 'inner-link');
      const file = writeExternal(folder, { location: () => 'link.weights' });
      fs.symlinkSync('mlp.weights', path.join(folder, 'link.weights'));
      assert.equal(loadModel(file).proto.graph.initializer.length, 4);
    });

    it('absolute paths, `..`, devices', () => {
      refused(writeExternal(path.join(dir, 'abs'), { location: () => path.join(dir, 'abs', 'mlp.weights') }), 'onnx/external-data', /is absolute; it must be relative/);
      refused(writeExternal(path.join(dir, 'dotdot'), { location: () => '../dotdot/mlp.weights' }), 'onnx/external-data', /climbs out of the model's folder \('\.\.'\)/);
      refused(writeExternal(path.join(dir, 'dev'), { location: () => '/dev/zero' }), 'onnx/external-data', /is absolute/);
      const folder = path.join(dir, 'devlink');
      const file = writeExternal(folder, { location: () => 'zero' });
      fs.symlinkSync('/dev/zero', path.join(folder, 'zero'));
      refused(file, 'onnx/external-data', /leads outside the model's folder/);
    });

    it('a FIFO, without blocking on it', () => {
      const folder = path.join(dir, 'fifo');
      const file = writeExternal(folder);
      fs.rmSync(path.join(folder, 'mlp.weights'));
      execFileSync('mkfifo', [path.join(folder, 'mlp.weights')]);
      // Nothing writes to the FIFO: opening it for reading would block forever.
      refused(file, 'onnx/external-data', /'mlp\.weights' is a FIFO \(named pipe\), not an external data file/);
    });

    it('offsets that are not whole numbers', () => {
      for (const bad of ['-8', 'abc', '1.5', '1e3', '']) {
        const file = writeExternal(path.join(dir, `offset-${bad || 'empty'}`), { offset: (name, o) => (name === 'fc1.bias' ? bad : String(o)) });
        refused(file, 'onnx/external-data', /tensor 'fc1\.bias': its external data offset '.*' is not a whole number of bytes/);
      }
    });

    it('lengths that are not whole numbers, disagree with the shape, or run past the end of the file', () => {
      refused(writeExternal(path.join(dir, 'len-abc'), { length: () => 'abc' }), 'onnx/external-data', /external data length 'abc' is not a whole number/);
      refused(writeExternal(path.join(dir, 'len-short'), { length: (name, l) => String(name === 'fc2.weight' ? l - 4 : l) }), 'onnx/external-data',
        /tensor 'fc2\.weight': its external data length is \d+ bytes; its shape \[16, 4\] needs \d+/);
      refused(writeExternal(path.join(dir, 'truncated'), { truncateTo: 540 }), 'onnx/external-data',
        /tensor 'fc1\.bias': its external data \(64 bytes at offset 512\) runs past the end of 'mlp\.weights' \(540 bytes\)/);
      refused(writeExternal(path.join(dir, 'far'), { offset: (name, o) => (name === 'fc2.bias' ? String(2 ** 40) : String(o)) }), 'onnx/external-data', /runs past the end/);
    });

    it('a missing side file', () => {
      const folder = path.join(dir, 'missing');
      const file = writeExternal(folder);
      fs.rmSync(path.join(folder, 'mlp.weights'));
      refused(file, 'onnx/external-data-missing', /external data file 'mlp\.weights' for tensor 'fc1\.weight' is missing/);
    });
  });
});
