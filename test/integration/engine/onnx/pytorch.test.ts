// A researcher's own PyTorch models, exported by torch.onnx.export (test/fixtures/pytorch/, written with the known
// answers by scripts/fixtures/pytorch_models.py in PyTorch 1.13): the tool must reproduce PyTorch's per-head and
// per-unit zero and mean ablation effects to 1e-4, address heads on the [batch, seq, heads, d_head] tensor (by the
// framework's names, through `names`) and on the merged [batch, seq, heads·d_head] tensor (groupSize), and refuse
// nn.MultiheadAttention's batch-mixed head tensors with a located error, in `check` and in the sweep.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from '../../../../src/cli/command';
import { main } from '../../../../src/cli/main';
import { loadArraySync, saveNpy } from '../../../../src/engine/data/load';
import { readNpz } from '../../../../src/engine/data/npz';
import { loadModel, matchCacheNames } from '../../../../src/engine/onnx';
import { runUnits } from '../../../../src/engine/sweep/run';
import { checkHypothesisText, type Hypothesis } from '../../../../src/hypothesis';
import type { Baseline } from '../../../../src/protocol/results';
import { writeNpz } from '../../../fixtures/npzWriter';

const DIR = path.resolve(__dirname, '../../../fixtures/pytorch');
const data = (f: string): string => JSON.stringify(path.join(DIR, 'data', f));
const TOLERANCE = 1e-4;

interface Effect { targetEffect: number; collateralEffect: number }
const known = JSON.parse(fs.readFileSync(path.join(DIR, 'known.json'), 'utf8')) as {
  attn2l: { heads: Record<string, Effect>; perPosition: Record<string, Effect> };
  mlp2task: { units: Record<string, Effect> };
};

/** A hypothesis on the transformer with a two-level weight-noise grid (only the trained network's numbers are read). */
function transformerYaml(model: string, component: string, kind: string, extra = ''): string {
  return [
    `model: ${JSON.stringify(model)}`,
    `data: { inputs: { tokens: ${data('tokens.npy')} }, labels: ${data('labels.npy')}, target: { mask: ${data('is_target.npy')} } }`,
    'loss: { output: logits, kind: cross-entropy }',
    `circuit: { components: [ ${component} ] }`,
    `intervention: { kind: ${kind}, scope: circuit }`,
    'degradation: { dial: weight-noise, temperatures: { from: 0.001, to: 0.002, count: 2 }, noise: { samples: 2 }, seed: 0 }',
    'controls: { count: 0 }',
    extra,
  ].join('\n');
}

async function check(yaml: string, dir: string, name = 'h.circuit.yaml') {
  const file = path.join(dir, name);
  fs.writeFileSync(file, yaml);
  return checkHypothesisText(yaml, file);
}

async function resolved(yaml: string, dir: string): Promise<Hypothesis> {
  const r = await check(yaml, dir);
  assert.ok(r.hypothesis, r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; '));
  return r.hypothesis;
}

/** The trained network's numbers: the baseline alone (no work unit is run). */
async function baseline(h: Hypothesis): Promise<Baseline> {
  const { header } = await runUnits(h, { units: [] });
  return header.document.baseline;
}

function close(got: Effect, want: Effect, what: string): void {
  assert.ok(Math.abs(got.targetEffect - want.targetEffect) <= TOLERANCE, `${what} E_T: tool ${got.targetEffect}, PyTorch ${want.targetEffect}`);
  assert.ok(Math.abs(got.collateralEffect - want.collateralEffect) <= TOLERANCE, `${what} E_C: tool ${got.collateralEffect}, PyTorch ${want.collateralEffect}`);
}

function captureIO(cwd: string): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd, stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('PyTorch exports: known answers from PyTorch', function () {
  this.timeout(300_000);
  let tmp: string;
  let named: string;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-pytorch-'));
    // The framework-named copy the per-head tests address (the names test checks the command that writes it).
    named = path.join(tmp, 'attn2l.named.onnx');
    const io = captureIO(tmp);
    assert.equal(await main(['names', path.join(DIR, 'attn2l.onnx'), path.join(DIR, 'attn2l.cache.npz'), '--out', named], io), 0, io.stderr.join('\n'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('names: the activation cache\'s hook_z and the output projection\'s input are found by value, and renamed', async () => {
    const cache = readNpz(fs.readFileSync(path.join(DIR, 'attn2l.cache.npz')));
    const matches = await matchCacheNames(loadModel(path.join(DIR, 'attn2l.onnx')).proto, cache);
    assert.deepEqual(matches.map((m) => [m.name, m.tensor]), [
      ['blocks.0.attn.hook_z', '/blocks.0/attn/Transpose_3_output_0'],
      ['blocks.0.attn.hook_z_flat', '/blocks.0/attn/Reshape_3_output_0'],
      ['blocks.1.attn.hook_z', '/blocks.1/attn/Transpose_3_output_0'],
      ['blocks.1.attn.hook_z_flat', '/blocks.1/attn/Reshape_3_output_0'],
    ]);
    for (const m of matches) assert.ok(m.maxAbsDiff! < 1e-4, `${m.name}: ${m.maxAbsDiff}`);
    const io = captureIO(tmp);
    const out = path.join(tmp, 'names-test.onnx');
    const code = await main(['names', path.join(DIR, 'attn2l.onnx'), path.join(DIR, 'attn2l.cache.npz'), '--out', out], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.match(io.stdout.join('\n'), /blocks\.0\.attn\.hook_z\s+\/blocks\.0\/attn\/Transpose_3_output_0\s+\[8, 8, 4, 8\]/);
    const names = loadModel(out).proto.graph.node.flatMap((n) => n.output);
    for (const m of matches) assert.ok(names.includes(m.name), `${m.name} in the renamed copy`);
    assert.match(io.stderr.join('\n'), /5 weights named like 'onnx::MatMul_\d+'.*do_constant_folding=False/);
  });

  it('names: a cache without the model\'s input is a usage error that says what to save', async () => {
    const cache = path.join(tmp, 'no-input.npz');
    // An .npz whose only member is an activation (copied from the fixture's member bytes through the tool's own reader).
    const full = readNpz(fs.readFileSync(path.join(DIR, 'attn2l.cache.npz')));
    fs.writeFileSync(cache, writeNpz({ 'blocks.0.attn.hook_z': full.get('blocks.0.attn.hook_z')! }));
    const io = captureIO(tmp);
    assert.equal(await main(['names', path.join(DIR, 'attn2l.onnx'), cache], io), 2);
    assert.match(io.stderr.join('\n'), /no entry for the model input 'tokens'.*np\.savez/);
  });

  for (const kind of ['zero', 'mean']) {
    it(`${kind} ablation of each head, by its hook name (axis 2) and on the merged axis (groupSize 8), matches PyTorch to 1e-4`, async () => {
      for (const layer of [0, 1]) {
        for (const head of [0, 1, 2, 3]) {
          const want = known.attn2l.heads[`L${layer}H${head}/${kind}`]!;
          const byHook = await baseline(await resolved(transformerYaml(named, `{ tensor: blocks.${layer}.attn.hook_z, axis: 2, units: [${head}] }`, kind), tmp));
          close(byHook, want, `L${layer}H${head} ${kind} on hook_z`);
          const merged = await baseline(await resolved(transformerYaml(path.join(DIR, 'attn2l.onnx'),
            `{ tensor: /blocks.${layer}/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [${head}] }`, kind), tmp));
          close(merged, want, `L${layer}H${head} ${kind} on the merged axis`);
        }
      }
    });
  }

  it('per-position targets: labels with -100 and a target mask per token give PyTorch\'s token-mean effects to 1e-4', async () => {
    const perPosition = (y: string) => y.replace(data('labels.npy'), data('labels_second_half.npy')).replace(data('is_target.npy'), data('is_target_token.npy'));
    for (const kind of ['zero', 'mean']) {
      for (const layer of [0, 1]) {
        for (const head of [0, 1, 2, 3]) {
          const yaml = perPosition(transformerYaml(path.join(DIR, 'attn2l.onnx'), `{ tensor: /blocks.${layer}/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [${head}] }`, kind));
          close(await baseline(await resolved(yaml, tmp)), known.attn2l.perPosition[`L${layer}H${head}/${kind}`]!, `L${layer}H${head} ${kind} per position`);
        }
      }
    }
    // The clean target and control losses are the token means too.
    const b = await baseline(await resolved(perPosition(transformerYaml(path.join(DIR, 'attn2l.onnx'), '{ tensor: /blocks.0/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [0] }', 'zero')), tmp));
    const clean = (known.attn2l.perPosition as unknown as Record<string, { targetLoss: number; controlLoss: number }>).clean!;
    assert.ok(Math.abs(b.targetLoss! - clean.targetLoss) <= TOLERANCE && Math.abs(b.controlLoss - clean.controlLoss) <= TOLERANCE, JSON.stringify(b));
  });

  it('per-position targets: another ignore label through data.ignoreIndex gives the same numbers; without it, check says what the label is', async () => {
    const labels = loadArraySync(path.join(DIR, 'data', 'labels_second_half.npy'));
    const data64 = labels.data as BigInt64Array;
    const copy = { ...labels, data: BigInt64Array.from(data64, (v) => (v === -100n ? -1n : v)) };
    const file = path.join(tmp, 'labels_minus1.npy');
    saveNpy(file, copy as typeof labels);
    const yaml = transformerYaml(path.join(DIR, 'attn2l.onnx'), '{ tensor: /blocks.1/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [2] }', 'mean')
      .replace(data('labels.npy'), JSON.stringify(file)).replace(data('is_target.npy'), data('is_target_token.npy'));
    const r = await check(yaml, tmp);
    const d = r.diagnostics.find((x) => x.code === 'hyp/label-out-of-range');
    assert.ok(d, r.diagnostics.map((x) => x.code).join(', '));
    assert.match(d.hint ?? '', /data\.ignoreIndex \(-100\)/);
    const withIndex = yaml.replace(/^data: \{ /m, 'data: { ignoreIndex: -1, ');
    close(await baseline(await resolved(withIndex, tmp)), known.attn2l.perPosition['L1H2/mean']!, 'L1H2 mean, ignoreIndex -1');
    // The sgld dial's loss scores every token: check says so instead of sampling on labels of -1.
    const sgld = await check(withIndex.replace(/^degradation: .*$/m, 'degradation: { dial: sgld, temperatures: { from: 1, to: 10, count: 2 }, seed: 0 }'), tmp);
    assert.ok(sgld.diagnostics.some((d) => d.code === 'hyp/labels-mismatch' && /ignore index -1 are not supported by the sgld dial/.test(d.message)), sgld.diagnostics.map((d) => d.message).join('; '));
  });

  it('new: scaffolds a hypothesis from the export that check accepts, with the data beside it; refuses to overwrite', async () => {
    const dir = path.join(tmp, 'new');
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.copyFileSync(path.join(DIR, 'attn2l_unfolded.onnx'), path.join(dir, 'model.onnx'));
    for (const f of ['tokens.npy', 'labels.npy', 'is_target.npy']) fs.copyFileSync(path.join(DIR, 'data', f), path.join(dir, 'data', f));
    const io = captureIO(dir);
    assert.equal(await main(['new', 'model.onnx'], io), 0, io.stderr.join('\n'));
    const text = fs.readFileSync(path.join(dir, 'model.circuit.yaml'), 'utf8');
    assert.match(text, /tokens: \.\/data\/tokens\.npy/);
    assert.match(text, /target: \{ mask: \.\/data\/is_target\.npy \}/);
    const r = await checkHypothesisText(text, path.join(dir, 'model.circuit.yaml'));
    // The scaffold's placeholder circuit (2 of 8 units) is small enough that method v3's null cannot reject at α = 0.05:
    // check says so, naming N, before any work — the only error, and the user picks the real units anyway.
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['hyp/null-cannot-reject']);
    assert.equal(await main(['new', 'model.onnx'], captureIO(dir)), 2, 'an existing file is not overwritten');
  });

  it('check knows groups: a groupSize that does not divide the axis, and a group index beyond the groups, are located errors', async () => {
    const model = path.join(DIR, 'attn2l.onnx');
    const bad = await check(transformerYaml(model, '{ tensor: /blocks.0/attn/Reshape_3_output_0, axis: -1, groupSize: 5, units: [0] }', 'zero'), tmp);
    const g = bad.diagnostics.find((d) => d.code === 'hyp/group-size');
    assert.ok(g, bad.diagnostics.map((d) => d.message).join('; '));
    assert.match(g.message, /groupSize 5 does not divide axis -1 of '\/blocks\.0\/attn\/Reshape_3_output_0' \(32 entries/);
    assert.match(g.hint ?? '', /one of 2, 4, 8, 16/);
    const far = await check(transformerYaml(model, '{ tensor: /blocks.0/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [4] }', 'zero'), tmp);
    const u = far.diagnostics.find((d) => d.code === 'hyp/unit-out-of-range');
    assert.ok(u, far.diagnostics.map((d) => d.message).join('; '));
    assert.match(u.message, /has 4 groups of 8 along axis -1/);
  });

  it('zero and mean ablation of single hidden units of the two-task MLP match PyTorch to 1e-4', async () => {
    for (const unit of [0, 1, 7, 12, 23]) {
      for (const kind of ['zero', 'mean']) {
        const yaml = [
          `model: ${JSON.stringify(path.join(DIR, 'mlp2task.onnx'))}`,
          `data: { inputs: { x: ${data('mlp_x.npy')} }, labels: ${data('mlp_y.npy')}, target: { mask: ${data('mlp_is_target.npy')} } }`,
          'loss: { output: logits, kind: cross-entropy }',
          `circuit: { components: [ { tensor: /Relu_output_0, units: [${unit}] } ] }`,
          `intervention: { kind: ${kind}, scope: circuit }`,
          'degradation: { dial: weight-noise, temperatures: { from: 0.001, to: 0.002, count: 2 }, noise: { samples: 2 }, seed: 0 }',
          'controls: { count: 0 }',
        ].join('\n');
        close(await baseline(await resolved(yaml, tmp)), known.mlp2task.units[`${unit}/${kind}`]!, `unit ${unit} ${kind}`);
      }
    }
  });

  it('nn.MultiheadAttention: its batch-mixed head tensors are refused by check (located, both shapes, the fix) and by the sweep', async () => {
    const mha = path.join(DIR, 'attn2l_mha.onnx');
    const cases: [string, string, string][] = [
      // [batch·heads, seq, d_head], [seq, batch·heads, d_head] and [seq·batch, heads·d_head], 4 heads, 8 positions
      ['/blocks.0/attn/mha/MatMul_2_output_0', '[8, 8, 8] at batch 2 and [12, 8, 8] at batch 3', 'axis 0 holds batch × 4'],
      ['/blocks.0/attn/mha/Transpose_4_output_0', '[8, 8, 8] at batch 2 and [8, 12, 8] at batch 3', 'axis 1 grows with the batch (batch × 4)'],
      ['/blocks.0/attn/mha/Reshape_3_output_0', '[16, 32] at batch 2 and [24, 32] at batch 3', 'axis 0 holds batch × 8'],
    ];
    for (const [tensor, shapes, why] of cases) {
      const yaml = transformerYaml(mha, `{ tensor: ${tensor}, axis: -1, units: ["0:8"] }`, 'mean');
      const r = await check(yaml, tmp);
      const d = r.diagnostics.find((x) => x.code === 'hyp/not-per-example');
      assert.ok(d, `${tensor}: ${r.diagnostics.map((x) => x.message).join('; ')}`);
      assert.equal(d.severity, 'error');
      assert.ok(d.message.includes(`'${tensor}' is ${shapes}`) && d.message.includes(why), d.message);
      assert.match(d.hint ?? '', /hand-written attention.*docs\/pytorch\.md/);
      assert.equal(d.range.start.line, 3, 'at the component\'s line');
      // The sweep, given the same component without the check, refuses it too (no silent numbers).
      const h = { ...(await resolved(transformerYaml(mha, '{ tensor: /blocks.0/attn/mha/Transpose_5_output_0, axis: -1, units: ["0:8"] }', 'mean'), tmp)) };
      h.circuit = { ...h.circuit, components: [{ tensor, axis: -1, units: [0, 1, 2, 3, 4, 5, 6, 7] }] };
      await assert.rejects(baseline(h), (e: Error) => e.message.includes(`'${tensor}' is`) && /mix examples/.test(e.message));
    }
  });

  it('a batch-independent tensor (the positional embedding) is refused for mean ablation and accepted for zero ablation', async () => {
    const model = path.join(DIR, 'attn2l.onnx');
    const component = '{ tensor: /wpe/Gather_output_0, axis: -1, units: [0] }';
    const mean = await check(transformerYaml(model, component, 'mean'), tmp);
    const d = mean.diagnostics.find((x) => x.code === 'hyp/not-per-example');
    assert.ok(d && /'\/wpe\/Gather_output_0' is \[8, 32\] at batch 2 and at batch 3: it does not depend on the examples/.test(d.message), mean.diagnostics.map((x) => x.message).join('; '));
    const zero = await check(transformerYaml(model, component, 'zero'), tmp);
    assert.deepEqual(zero.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), []);
  });

  it('degradation.parameters on an export with folded weight names warns and says do_constant_folding=False; the unfolded export keeps the names', async () => {
    const sel = 'degradation: { dial: weight-noise, temperatures: { from: 0.001, to: 0.002, count: 2 }, noise: { samples: 2 }, seed: 0, parameters: { include: ["blocks.1.attn.**"] } }';
    const yaml = (model: string) => transformerYaml(path.join(DIR, model), '{ tensor: /blocks.1/attn/Reshape_3_output_0, axis: -1, groupSize: 8, units: [0] }', 'zero')
      .replace(/^degradation: .*$/m, sel);
    const folded = await check(yaml('attn2l.onnx'), tmp);
    const w = folded.diagnostics.find((d) => d.code === 'hyp/folded-weight-names');
    assert.ok(w && w.severity === 'warning', folded.diagnostics.map((d) => d.code).join(', '));
    assert.match(w.hint ?? '', /do_constant_folding=False/);
    const unfolded = await check(yaml('attn2l_unfolded.onnx'), tmp);
    assert.deepEqual(unfolded.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code), []);
    assert.ok(unfolded.hypothesis);
  });
});
