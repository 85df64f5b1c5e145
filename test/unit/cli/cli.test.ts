// The CLI through main(argv, io): exit codes, output formats, errors as one line. One test runs a real process.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { CliIO } from '../../../src/cli/command';
import { COMMANDS } from '../../../src/cli/commands';
import { main } from '../../../src/cli/main';
import { InspectReport } from '../../../src/cli/inspect';
import { ModelSummary, saveModel } from '../../../src/engine/onnx';
import { mlpModel } from '../../fixtures/models';
import { edit, makeWorkspace, VALID_MLP } from '../hypothesis/workspace';

const ROOT = path.join(__dirname, '..', '..', '..');

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every line of stderr is a single `circuit-thermometer: …` line: no stack trace. */
function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.err.split('\n').length, 1, r.err);
  assert.match(r.err, /^circuit-thermometer: /);
  assert.match(r.err, pattern);
  assert.ok(!/\bat .*\.ts:\d+/.test(r.err), 'no stack trace');
}

describe('CLI', () => {
  let dir: string;
  before(async () => {
    dir = await makeWorkspace();
    fs.writeFileSync(path.join(dir, 'good.circuit.yaml'), VALID_MLP);
    fs.writeFileSync(path.join(dir, 'bad.circuit.yaml'), edit(edit(VALID_MLP, 'units: [3, 7, "10:12"]', 'units: [3, 16]'), 'chains: 2', 'chians: 2'));
    fs.writeFileSync(path.join(dir, 'warn.circuit.yaml'), edit(VALID_MLP, 'batchSize: 20', 'batchSize: 100'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('inspect', () => {
    it('prints the JSON summary of each fixture', async () => {
      for (const [file, inputs, params] of [['mlp.onnx', 1, 212], ['cnn.onnx', 1, 299], ['transformer.onnx', 1, 736]] as const) {
        const r = await cli(['inspect', file, '--json'], dir);
        assert.equal(r.code, 0, r.err);
        const s = JSON.parse(r.out) as ModelSummary;
        assert.equal(s.inputs.length, inputs);
        assert.equal(s.parameters.count, params, file);
        assert.equal(s.parameters.count, s.parameters.tensors.reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1), 0));
        for (const key of ['inputs', 'outputs', 'parameters', 'ops', 'opset'] as const) assert.ok(key in s, key);
        for (const io of [...s.inputs, ...s.outputs]) assert.deepEqual(Object.keys(io), ['name', 'dtype', 'shape']);
        assert.deepEqual((s as InspectReport).gradient, { supported: true, missingOps: [] }, file);
      }
    });

    it('reports ops without a gradient rule on the path from parameters to outputs', async () => {
      // The MLP with a float Mod (no gradient rule) between its hidden layer and its logits.
      const m = mlpModel();
      const relu = m.graph.node.find((n) => n.opType === 'Relu')!;
      const matmul = m.graph.node.find((n) => n.opType === 'MatMul')!;
      m.graph.node.splice(m.graph.node.indexOf(relu) + 1, 0, { opType: 'Mod', input: [relu.output[0], 'fc1.bias'], output: ['rounded'], name: 'mod_node', domain: '', attribute: [{ name: 'fmod', type: 2, i: 1 }] });
      matmul.input[0] = 'rounded';
      saveModel(m, path.join(dir, 'mlp_round.onnx'));
      const r = await cli(['inspect', 'mlp_round.onnx', '--json'], dir);
      assert.equal(r.code, 0, r.err);
      const g = (JSON.parse(r.out) as InspectReport).gradient;
      assert.equal(g.supported, false);
      assert.deepEqual(g.missingOps.map((x) => [x.op, x.node]), [['Mod', 'mod_node']]);
      const text = await cli(['inspect', 'mlp_round.onnx'], dir);
      assert.match(text.out, /gradient: NOT supported/);
    });

    it('prints a readable table', async () => {
      const r = await cli(['inspect', 'mlp.onnx'], dir);
      assert.equal(r.code, 0);
      const lines = r.out.split('\n');
      assert.ok(lines.includes('  x  float32  [batch, 8]'), r.out);
      assert.ok(lines.includes('parameters: 212 scalars in 4 tensors'));
      assert.ok(lines.includes('  fc1.weight  float32  [16, 8]  128'), r.out);
      assert.ok(lines.some((l) => /^opset\s+17 \(ir 8\)$/.test(l)));
      assert.ok(lines.includes('model     mlp.onnx'), 'paths below the current folder are shown relative');
    });

    it('fails with one line and exit 2 on unreadable models', async () => {
      fs.writeFileSync(path.join(dir, 'empty.onnx'), '');
      assertOneLineError(await cli(['inspect', 'empty.onnx'], dir), /empty\.onnx: the file is empty/);
      assert.equal((await cli(['inspect', 'empty.onnx'], dir)).code, 2);
      const missing = await cli(['inspect', 'missing.onnx'], dir);
      assert.equal(missing.code, 2);
      assertOneLineError(missing, /missing\.onnx: no such file/);
      assertOneLineError(await cli(['inspect', '.'], dir), /is a directory/);
      assertOneLineError(await cli(['inspect', 'notes.onnx'], dir), /not a readable ONNX model/);
    });
  });

  describe('check', () => {
    it('exits 0 and prints nothing on stdout for a clean file', async () => {
      const r = await cli(['check', 'good.circuit.yaml'], dir);
      assert.equal(r.code, 0);
      assert.equal(r.out, '');
      assert.equal(r.err, 'good.circuit.yaml: no problems');
    });

    it('exits 1 and prints path:line:col: severity: message [code], 1-based', async () => {
      const r = await cli(['check', 'bad.circuit.yaml'], dir);
      assert.equal(r.code, 1);
      const lines = r.out.split('\n');
      const text = fs.readFileSync(path.join(dir, 'bad.circuit.yaml'), 'utf8').split('\n');
      const unitLine = text.findIndex((l) => l.includes('units: [3, 16]'));
      const chiansLine = text.findIndex((l) => l.includes('chians'));
      assert.deepEqual(lines, [
        `bad.circuit.yaml:${unitLine + 1}:${text[unitLine].indexOf('16') + 1}: error: unit 16 is out of range: '/relu/Relu_output_0' has 16 units along axis -1 (shape [batch, 16]) (valid units are 0…15) [hyp/unit-out-of-range]`,
        `bad.circuit.yaml:${chiansLine + 1}:${text[chiansLine].indexOf('chians') + 1}: error: unknown key 'chians' in degradation.sgld (did you mean 'chains'?) [hyp/unknown-key]`,
      ]);
      assert.equal(r.err, '2 errors, 0 warnings');
    });

    it('exits 0 with warnings only', async () => {
      const r = await cli(['check', 'warn.circuit.yaml'], dir);
      assert.equal(r.code, 0);
      assert.match(r.out, /^warn\.circuit\.yaml:\d+:\d+: warning: the SGLD batch size \(100\) exceeds the 40 examples.*\[hyp\/batch-larger-than-data\]$/);
    });

    it('prints JSON with 0-based ranges, codes, fixes and the resolved hypothesis', async () => {
      const bad = JSON.parse((await cli(['check', 'bad.circuit.yaml', '--json'], dir)).out);
      assert.equal(bad.ok, false);
      assert.equal(bad.errors, 2);
      assert.equal(bad.hypothesis, null);
      const unknown = bad.diagnostics.find((d: { code: string }) => d.code === 'hyp/unknown-key');
      assert.equal(unknown.fix.newText, 'chains');
      assert.equal(unknown.file, path.join(dir, 'bad.circuit.yaml'));
      const good = JSON.parse((await cli(['check', '--json', 'good.circuit.yaml'], dir)).out);
      assert.equal(good.ok, true);
      assert.deepEqual(good.hypothesis.circuit.components[0].units, [3, 7, 10, 11]);
    });

    it('exits 2 with one line when the file cannot be read', async () => {
      const missing = await cli(['check', 'nope.circuit.yaml'], dir);
      assert.equal(missing.code, 2);
      assertOneLineError(missing, /nope\.circuit\.yaml: no such file/);
      assertOneLineError(await cli(['check', '.'], dir), /is a directory/);
      assertOneLineError(await cli(['check', 'mlp.onnx'], dir), /is a binary file, not a hypothesis/);
    });

    it('takes --workspace for the .. rule', async () => {
      fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
      const text = VALID_MLP.replace(/\.\/(mlp\.onnx|x\.npy|y\.npy|mask\.npy)/g, '../$1');
      fs.writeFileSync(path.join(dir, 'sub', 'h.circuit.yaml'), text);
      const inside = await cli(['check', 'sub/h.circuit.yaml', '--workspace', dir], dir);
      assert.equal(inside.code, 0, inside.out);
      const outside = await cli(['check', 'sub/h.circuit.yaml'], dir);
      assert.equal(outside.code, 1);
      assert.equal(outside.out.split('\n').filter((l) => l.endsWith('[hyp/path-outside-workspace]')).length, 4);
    });
  });

  describe('usage', () => {
    it('rejects unknown flags with a did-you-mean, and unknown commands', async () => {
      const r = await cli(['inspect', 'mlp.onnx', '--jsn'], dir);
      assert.equal(r.code, 2);
      assert.equal(r.err, "circuit-thermometer: unknown option '--jsn' for inspect (did you mean '--json'? see `circuit-thermometer inspect --help`)");
      assertOneLineError(await cli(['chekc', 'x'], dir), /unknown command 'chekc' \(did you mean 'check'\?/);
      assertOneLineError(await cli(['check'], dir), /check: missing HYPOTHESIS/);
      assertOneLineError(await cli(['inspect', 'a.onnx', 'b.onnx'], dir), /unexpected argument 'b\.onnx'/);
      assertOneLineError(await cli(['check', 'x', '--workspace'], dir), /'--workspace' needs a value/);
      assertOneLineError(await cli(['check', 'x', '--json=yes'], dir), /'--json' takes no value/);
    });

    it('prints help for every command, and the command list', async () => {
      for (const c of COMMANDS) {
        const r = await cli([c.name, '--help'], dir);
        assert.equal(r.code, 0);
        assert.match(r.out, new RegExp(`^usage: circuit-thermometer ${c.name} `));
        for (const f of c.flags) assert.ok(r.out.includes(`--${f.name}`), `${c.name} --help lists --${f.name}`);
      }
      const top = await cli(['--help'], dir);
      assert.equal(top.code, 0);
      for (const c of COMMANDS) assert.ok(top.out.includes(`  ${c.name}`));
      assert.equal((await cli([], dir)).code, 2);
      assert.equal((await cli(['help', 'check'], dir)).out.split('\n')[0], 'usage: circuit-thermometer check HYPOTHESIS [--json] [--workspace DIR]');
    });

    it('parses --flag=value, --flag value, numbers, and -- before positionals', () => {
      const flags = [{ name: 'n', type: 'number' as const, description: '' }, { name: 'out', type: 'string' as const, description: '' }];
      const args = [{ name: 'A', description: '', required: true }, { name: 'B', description: '', required: false }];
      assert.deepEqual(parseArgs(['--n=3', 'a', '--out', 'o.json', '--', '--b'], flags, args, 't'), { positionals: ['a', '--b'], flags: { n: 3, out: 'o.json' }, help: false });
      assert.throws(() => parseArgs(['a', '--n', 'many'], flags, args, 't'), (e: unknown) => e instanceof UsageError && /needs a number, not 'many'/.test(e.message));
      assert.throws(() => parseArgs(['a', '-x'], flags, args, 't'), UsageError);
    });
  });

  it('runs as a real process with the exit code of main', function () {
    // The built bundle when present (npm test builds first), else the TypeScript entry through tsx.
    const bundle = path.join(ROOT, 'dist', 'cli.js');
    const run = (args: string[]) => fs.existsSync(bundle)
      ? spawnSync(process.execPath, [path.join(ROOT, 'bin', 'circuit-thermometer.js'), ...args], { cwd: dir, encoding: 'utf8' })
      : spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
    const bad = run(['check', 'bad.circuit.yaml']);
    assert.equal(bad.status, 1, bad.stderr);
    assert.equal(bad.stdout.trim().split('\n').length, 2);
    const missing = run(['inspect', 'missing.onnx']);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  });
});
