// `circuit-thermometer gradcheck` through main(): specs, exit codes, JSON shape.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../../src/cli/args';
import { CliIO } from '../../../src/cli/command';
import { parseInputSpec } from '../../../src/cli/gradcheck';
import { main } from '../../../src/cli/main';
import { saveModel } from '../../../src/engine/onnx';
import { mlpModel } from '../../fixtures/models';
import { opModel } from '../../support/opModel';

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI gradcheck', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradcheck-'));
    saveModel(mlpModel(), path.join(dir, 'mlp.onnx'));
    saveModel(opModel(17, (o) => o.b.op('Mod', [o.p([2, 3]), o.b.scalarFloat(0.7)], { fmod: 1 })), path.join(dir, 'mod.onnx'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('parses float:DIMS and int:LOW:HIGH:DIMS, and refuses malformed specs', () => {
    assert.deepEqual(parseInputSpec('x=float:2x3x32x32'), { name: 'x', spec: { kind: 'float', dims: [2, 3, 32, 32] } });
    assert.deepEqual(parseInputSpec('ids=int:0:256:4x16'), { name: 'ids', spec: { kind: 'int', low: 0, high: 256, dims: [4, 16] } });
    assert.deepEqual(parseInputSpec('sr=int:16000:16001:'), { name: 'sr', spec: { kind: 'int', low: 16000, high: 16001, dims: [] } }, 'empty DIMS: a scalar');
    for (const bad of ['x', 'x=float:2x', 'x=int:5:5:3', 'x=double:3', 'x=int:0:9']) assert.throws(() => parseInputSpec(bad), UsageError, bad);
  });

  it('MLP: exit 0, JSON {parameters, checked, maxRelError, pass, tensors}', async () => {
    const r = await cli(['gradcheck', 'mlp.onnx', '--input', 'x=float:4x8', '--seed', '3', '--json'], dir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j).slice(0, 5), ['parameters', 'checked', 'maxRelError', 'pass', 'tensors']);
    assert.equal(j.parameters, 4);
    assert.equal(j.checked, 4);
    assert.equal(j.pass, true);
    assert.ok(j.maxRelError < 1e-2);
    assert.deepEqual(j.tensors.map((t: { name: string }) => t.name), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });

  it('a symbolic input dim without --input is a usage error naming the input; text output lists every tensor', async () => {
    const r = await cli(['gradcheck', 'mlp.onnx'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /input 'x' has shape \[batch, 8\]/);
    const ok = await cli(['gradcheck', 'mlp.onnx', '--input', 'x=float:2x8'], dir);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /fc2\.bias/);
    assert.match(ok.out, /^pass: 4 of 4/m);
  });

  it('--output sums L over an intermediate tensor only: the weights after it get no gradient, the others pass', async () => {
    const r = await cli(['gradcheck', 'mlp.onnx', '--input', 'x=float:4x8', '--output', '/relu/Relu_output_0', '--json'], dir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    // The cut model holds only what the ReLU needs: fc2 is not a weight of it (its weights are read by no node).
    assert.deepEqual(j.tensors.map((t: { name: string }) => t.name), ['fc1.weight', 'fc1.bias']);
    assert.equal(j.pass, true);
    const bad = await cli(['gradcheck', 'mlp.onnx', '--input', 'x=float:4x8', '--output', 'nope'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no tensor named 'nope'/);
  });

  it('an op without a gradient rule on the path: exit 1 with the op named', async () => {
    const r = await cli(['gradcheck', 'mod.onnx'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /Mod/);
  });
});
