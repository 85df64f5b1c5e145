// The CLI through main(argv, io): exit codes, output formats, errors as one line. One test runs a real process.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { CliIO } from '../../../src/cli/command';
import { COMMANDS } from '../../../src/cli/commands';
import { exitCodeFor } from '../../../src/cli/sweep';
import { EXIT_STATUS_TEXT, exitStatusOf } from '../../../src/protocol/exitStatus';
import { main } from '../../../src/cli/main';
import { InspectReport } from '../../../src/cli/inspect';
import { ModelSummary, saveModel } from '../../../src/engine/onnx';
import { mlpModel } from '../../fixtures/models';
import { edit, makeWorkspace, VALID_MLP } from '../../support/workspace';
import { formatNumber, formatSe } from '../../../src/chart/format';
import { SUMMARY_HEADER, summaryRow } from '../../../src/cli/demo';
import { displayWidth } from '../../../src/cli/format';
import { formatVerdictTable, TABLE_WIDTH } from '../../../src/cli/table';
import type { ResultsDocument } from '../../../src/protocol/results';
import { failedCalibration, sampleDocument, sampleDocumentV1 } from '../../support/sampleDocument';

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
      // cnn.onnx: 299 stored floats, of which the 2 × 4 batch-norm running statistics are not weights.
      for (const [file, inputs, params] of [['mlp.onnx', 1, 212], ['cnn.onnx', 1, 291], ['transformer.onnx', 1, 736]] as const) {
        const r = await cli(['inspect', file, '--json'], dir);
        assert.equal(r.code, 0, r.err);
        const s = JSON.parse(r.out) as ModelSummary;
        assert.equal(s.inputs.length, inputs);
        assert.equal(s.parameters.count, params, file);
        assert.equal(s.parameters.count, s.parameters.tensors.filter((t) => t.role === 'weight').reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1), 0));
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

    it('--tensors lists every node output with its op and the shape measured with batch = 2', async () => {
      const m = mlpModel();
      const relu = m.graph.node.find((n) => n.opType === 'Relu')!;
      const hidden = m.graph.initializer.find((t) => t.name === 'fc1.weight')!.dims.map(Number)[0]!;
      const r = await cli(['inspect', 'mlp.onnx', '--tensors', '--json'], dir);
      assert.equal(r.code, 0, r.err);
      const rows = (JSON.parse(r.out) as InspectReport).tensors!;
      assert.deepEqual(rows.map((t) => [t.name, t.op]), m.graph.node.flatMap((n) => n.output.map((o) => [o, n.opType])));
      assert.deepEqual(rows.find((t) => t.name === relu.output[0])!, { name: relu.output[0], op: 'Relu', dtype: 'float32', shape: [2, hidden] });
      const text = await cli(['inspect', 'mlp.onnx', '--tensors'], dir);
      assert.ok(text.out.split('\n').some((l) => l.trim().split(/\s+/).join(' ') === `${relu.output[0]} Relu float32 [2, ${hidden}]`), text.out);
      assert.equal((JSON.parse((await cli(['inspect', 'mlp.onnx', '--json'], dir)).out) as InspectReport).tensors, undefined, 'only on request');
    });

    it('prints a readable table', async () => {
      const r = await cli(['inspect', 'mlp.onnx'], dir);
      assert.equal(r.code, 0);
      const lines = r.out.split('\n');
      assert.ok(lines.includes('  x  float32  [batch, 8]'), r.out);
      assert.ok(lines.includes('parameters: 212 weights in 4 tensors'), r.out);
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

describe('CLI: the verdict table', () => {
  const cells = (line: string) => line.split(/ {2,}/);
  const tableOf = (doc: ResultsDocument) => {
    const lines = formatVerdictTable(doc).split('\n');
    const blank = lines.indexOf('');
    return { head: cells(lines[0]), rows: lines.slice(1, blank).map(cells), facts: lines.slice(blank + 1), lines };
  };

  it('has the null, the excess, convergence and the failed tests as columns, each cell from the document', () => {
    const doc = sampleDocument();
    const { head, rows } = tableOf(doc);
    assert.deepEqual(head, ['t', 'ΔL', 'E_T±se', 'null m±sd', 'X_T±se', 'E_C±se', 'LLC±se', 'R̂/ESS', 'failed']);
    assert.equal(rows.length, doc.levels.length);
    doc.levels.forEach((l, i) => {
      const r = Object.fromEntries(head.map((h, k) => [h, rows[i][k]]));
      assert.equal(r.t, formatNumber(l.level));
      assert.equal(r['E_T±se'], `${formatNumber(l.targetEffect.mean)}±${formatSe(l.targetEffect.se)}`);
      assert.equal(r['null m±sd'], `${formatNumber(l.null!.mean)}±${formatSe(l.null!.sd)}`);
      assert.equal(r['X_T±se'], `${formatNumber(l.excess!.mean)}±${formatSe(l.excess!.se)}`);
      const c = l.convergence!;
      assert.equal(r['R̂/ESS'], `${Math.max(c.rhat.loss!, c.rhat.targetEffect!, c.rhat.collateralEffect!).toFixed(3)}/${c.essPerChain}`);
      assert.equal(r.failed, l.failed!.length ? l.failed!.join(',') : 'none');
    });
    assert.deepEqual(rows.map((r) => r[8]), ['collateral', 'none', 'none', 'persists', 'converged']);
  });

  it('fits 120 columns, also with four significant digits everywhere and negative effects', () => {
    const doc = sampleDocument();
    const wiggle = (x: number) => x * 1.0123457 - 1e-4;
    const e = <T extends { mean: number; se: number }>(v: T): T => ({ ...v, mean: wiggle(v.mean), se: v.se * 1.2345 });
    doc.levels = doc.levels.map((l, i) => ({
      ...l,
      level: l.level * 3.1623,
      lossGap: e(l.lossGap), targetEffect: e(l.targetEffect), collateralEffect: { ...e(l.collateralEffect), mean: -0.001234 * (i + 1) },
      llc: e({ ...l.llc!, mean: 123.45 * (i + 1) }),
      null: { ...l.null!, mean: wiggle(l.null!.mean), sd: l.null!.sd * 1.2345 },
      excess: e(l.excess!),
      failed: ['persists', 'collateral'],
    }));
    for (const d of [sampleDocument(), doc, sampleDocumentV1()]) {
      const { head, rows } = tableOf(d);
      for (const line of formatVerdictTable(d).split('\n')) {
        if (!line.startsWith('summary')) assert.ok(displayWidth(line) <= TABLE_WIDTH, `${displayWidth(line)} columns: ${line}`);
      }
      for (const r of rows) assert.equal(r.length, head.length, r.join(' | '));
    }
    // The columns line up (R̂ counts as one column: its hat is a combining mark).
    const { lines } = tableOf(doc);
    const at = (line: string, col: string) => [...line.replace(/\p{M}/gu, '')].join('').indexOf(col);
    const failedAt = at(lines[0], 'failed');
    for (const line of lines.slice(1, 1 + doc.levels.length)) assert.equal(at(line, 'persists,collateral'), failedAt, line);
  });

  it('states the verdict, the calibration and its warning, the inconclusive levels and the advice', () => {
    const doc = sampleDocument();
    const { facts } = tableOf(doc);
    assert.ok(facts.includes(`summary       ${doc.verdict.summary}`), 'the summary on one line');
    assert.ok(facts.includes(`calibration   ${doc.verdict.calibration!.summary}`), facts.join('\n'));
    assert.ok(facts.includes('inconclusive  t = 1000 (not converged: their tests are not used)'), facts.join('\n'));
    assert.ok(facts.some((f) => /^X_T\(0\) {8}0\.72 \(bound 0\.6421: specific at the trained network\)$/.test(f)), facts.join('\n'));
    assert.ok(!facts.some((f) => f.startsWith('warning')), 'no warning within α');
    // Each piece of advice is one item: its first line starts with "- ", its words wrap under it.
    const adviceAt = facts.findIndex((f) => f.startsWith('advice'));
    const items = facts.slice(adviceAt).map((f) => f.slice(14)).join('\n').split('\n- ').map((t) => t.replace(/^- /, '').replace(/\n {2}/g, ' '));
    assert.deepEqual(items, doc.verdict.advice);
    const order = ['summary', 'calibration', 'inconclusive', 'advice'].map((k) => facts.findIndex((f) => f.startsWith(k)));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'summary, calibration, inconclusive, advice');

    doc.verdict.calibration = failedCalibration();
    const warned = tableOf(doc).facts;
    const w = warned.findIndex((f) => f.startsWith('warning'));
    assert.ok(w > warned.findIndex((f) => f.startsWith('calibration')), 'the warning follows the calibration');
    const text = [warned[w].slice(14), ...warned.slice(w + 1).filter((f, i, all) => f.startsWith(' '.repeat(14)) && all.slice(0, i).every((g) => g.startsWith(' '.repeat(14)))).map((f) => f.trim())].join(' ');
    assert.equal(text, doc.verdict.calibration.warning);
  });

  it('opens a version-1 document: no null, no convergence, its two tests as the failed column', () => {
    const doc = sampleDocumentV1();
    const { head, rows, facts } = tableOf(doc);
    assert.equal(head.length, 9);
    for (const r of rows) {
      assert.equal(r[3], 'no null (v1)');
      assert.equal(r[4], '—');
      assert.equal(r[7], 'n/a');
    }
    assert.deepEqual(rows.map((r) => r[8]), doc.levels.map((l) => [...(l.targetPersists ? [] : ['persists']), ...(l.collateralNegligible ? [] : ['collateral'])].join(',') || 'none'));
    assert.ok(facts.includes('calibration   — no null (results version 1)'), facts.join('\n'));
  });

  it('prints a diverged level as its level and the error; a noise dial has no R̂ (n/a)', () => {
    const doc = sampleDocument({ dial: 'weight-noise' });
    doc.levels = doc.levels.map((l, i) => ({ ...l, llc: undefined, nbeta: undefined, convergence: undefined, tests: { ...l.tests, converged: null }, ...(i === 2 ? { error: 'loss became NaN', failed: ['diverged' as const] } : {}) }));
    const { head, rows } = tableOf(doc);
    assert.equal(head[0], 'σ');
    assert.ok(!head.includes('LLC±se'));
    assert.deepEqual(rows[2], ['10', 'diverged: loss became NaN']);
    assert.equal(rows[0][head.indexOf('R̂/ESS')], 'n/a');
  });

  it('demo: the side-by-side row has the calibration k/K ("> α" past it, "no null" for version 1)', () => {
    assert.equal(SUMMARY_HEADER[SUMMARY_HEADER.indexOf('cleanliness') + 1], 'calibration');
    const col = SUMMARY_HEADER.indexOf('calibration');
    const doc = sampleDocument();
    assert.equal(summaryRow('c', doc)[col], '0/8');
    doc.verdict.calibration = failedCalibration();
    assert.equal(summaryRow('c', doc)[col], '3/8 > α');
    assert.equal(summaryRow('old', sampleDocumentV1())[col], 'no null');
    assert.equal(summaryRow('c', doc).length, SUMMARY_HEADER.length);
    assert.equal(summaryRow('c', doc).at(-1), doc.verdict.summary);
  });
});

describe('exit statuses: one table for every command', () => {
  it('an engine error exits by what it means: unreadable 2, invalid content 1, anything else 3; a sweep whose run failed on its data exits 1', () => {
    assert.equal(exitStatusOf('data/not-found'), 2);
    assert.equal(exitStatusOf('onnx/truncated'), 2);
    assert.equal(exitStatusOf('read/too-large'), 2);
    assert.equal(exitStatusOf('data/non-finite'), 1);
    assert.equal(exitStatusOf('data/trailing-bytes'), 1);
    assert.equal(exitStatusOf('onnx/type-mismatch'), 1);
    assert.equal(exitStatusOf('onnx/runtime-rejected'), 1);
    assert.equal(exitStatusOf(undefined), 3);
    assert.equal(exitStatusOf('ENOSPC'), 3);
    // A NaN past the check's scan is found by the run: the same status as `check` gives it, not 3.
    assert.equal(exitCodeFor('run-failed', 'data/non-finite'), 1);
    assert.equal(exitCodeFor('run-failed', 'data/not-found'), 2);
    assert.equal(exitCodeFor('run-failed'), 3);
    assert.equal(exitCodeFor('hypothesis-invalid'), 1);
    assert.equal(exitCodeFor('unreadable'), 2);
    assert.equal(exitCodeFor('cancelled'), 130);
  });

  it('every command\'s --help states them', async () => {
    for (const c of COMMANDS) {
      const out: string[] = [];
      assert.equal(await main([c.name, '--help'], { out: (t) => out.push(t), err: (t) => out.push(t), cwd: ROOT }), 0);
      assert.ok(out.join('\n').includes(EXIT_STATUS_TEXT), `${c.name} --help`);
    }
  });
});
