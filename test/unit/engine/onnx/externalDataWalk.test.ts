// Issue 24, item 8: external data escaped the read gate through tensors the loader did not walk: a Constant in a
// model-local function's body, and a `sparse_value` attribute. onnxruntime then resolved their locations itself,
// against the process's working folder (`openat(AT_FDCWD, ".hidden/key")`). Real ONNX files written here: every such
// reference now goes through the gate (confined to the model's folder) and, when allowed, is inlined before
// onnxruntime sees the model.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, ModelError, saveModel } from '../../../../src/engine/onnx';
import { allTensors } from '../../../../src/engine/onnx/load';
import { decodeModelProto, type FunctionProto, type ModelProto, type TensorProto } from '../../../../src/engine/onnx/proto';
import { mlpModel } from '../../../fixtures/models';

const external = (name: string, location: string, n = 4): TensorProto => ({
  name, dims: [n], dataType: 1, dataLocation: 1, rawData: new Uint8Array(0),
  externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: String(4 * n) }],
});

/** The MLP plus a local function whose body holds a Constant with `value`, and a Constant with `sparse_value`. */
function hostileModel(functionLocation: string, sparseLocation: string): ModelProto {
  const m = mlpModel();
  const fn: FunctionProto = {
    name: 'leak', domain: 'local',
    node: [{ input: [], output: ['y'], name: 'c', opType: 'Constant', domain: '', attribute: [{ name: 'value', type: 4, t: external('k', functionLocation) }] }],
  };
  (m.functions as FunctionProto[]).push(fn);
  m.graph.node.push({
    input: [], output: ['sparse'], name: 'sparse_const', opType: 'Constant', domain: '',
    attribute: [{ name: 'sparse_value', type: 11, sparseTensor: { values: external('sv', sparseLocation, 2), indices: { name: 'si', dims: [2], dataType: 7, int64Data: [0, 3] }, dims: [4] } }],
  });
  return m;
}

describe('security: every tensor\'s external data passes the gate (issue 24, item 8)', () => {
  let root: string;
  let folder: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-extwalk-'));
    folder = path.join(root, 'model');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(root, 'secret.bin'), Buffer.alloc(64, 7));
    fs.writeFileSync(path.join(folder, 'ok.bin'), Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('walks function bodies and sparse tensors of a decoded file', () => {
    const file = path.join(folder, 'm.onnx');
    saveModel(hostileModel('ok.bin', 'ok.bin'), file);
    const names = [...allTensors(loadModelProtoOnly(file))].map((t) => t.name);
    assert.ok(names.includes('k') && names.includes('sv') && names.includes('si'), names.join(', '));
  });

  it('a function body\'s tensor pointing out of the folder is refused, as is a sparse_value\'s', () => {
    const a = path.join(folder, 'a.onnx');
    saveModel(hostileModel('../secret.bin', 'ok.bin'), a);
    assert.throws(() => loadModel(a), (e: unknown) => e instanceof ModelError && /tensor 'k': external data '\.\.\/secret\.bin'/.test(e.message));
    const b = path.join(folder, 'b.onnx');
    saveModel(hostileModel('ok.bin', '../secret.bin'), b);
    assert.throws(() => loadModel(b), (e: unknown) => e instanceof ModelError && /tensor 'sv': external data '\.\.\/secret\.bin'/.test(e.message));
    // A location that is not in the model's folder is missing, never looked up in the working folder.
    const c = path.join(folder, 'c.onnx');
    saveModel(hostileModel('.hidden/key', 'ok.bin'), c);
    assert.throws(() => loadModel(c), (e: unknown) => e instanceof ModelError && e.code === 'onnx/external-data-missing');
  });
});

/** The decoded proto of a file, without loading its external data (to see what the walk finds). */
function loadModelProtoOnly(file: string): ModelProto {
  return decodeModelProto(fs.readFileSync(file));
}
