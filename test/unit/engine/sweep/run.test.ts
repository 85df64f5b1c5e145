// The sweep runner end to end on the planted networks (examples/planted), checked against an independent
// forward pass written here in plain TypeScript.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../../../../src/engine/data/errors';
import { loadArray, saveNpy } from '../../../../src/engine/data/load';
import { makeArray, toFloat32, toInt64 } from '../../../../src/engine/data/ndarray';
import { Dial, DialDivergence, DialFactory } from '../../../../src/engine/dials/dial';
import { degradableParameters, parameterValues } from '../../../../src/engine/dials/parameters';
import { loadModel, saveModel } from '../../../../src/engine/onnx/load';
import { runSweep, SweepProgressEvent } from '../../../../src/engine/sweep/run';
import { addActivationNoise, noiseInputName } from '../../../../src/engine/dials/activationNoise';
import { ort } from '../../../../src/engine/onnx/runtime';
import { writeResults } from '../../../../src/engine/sweep/writeResults';
import { checkHypothesisFile, type Hypothesis } from '../../../../src/hypothesis';
import type { LevelResult } from '../../../../src/protocol/results';
import { studentTQuantile } from '../../../../src/engine/sweep/stats';
import { HIDDEN_TENSOR, unitLayout } from '../../../../examples/planted/generate';
import { close as closeTo } from '../../../support/close';
import { watanabeTemperature } from '../../../../src/protocol/dials';
import { atLevels, sgldAt } from '../../../support/degradation';
import { degradationAs } from '../../../../src/protocol/hypothesis';

const DIR = path.resolve(__dirname, '../../../../examples/planted');
const CIRCUIT = unitLayout().circuit;

async function planted(file = 'kappa-1.circuit.yaml'): Promise<Hypothesis> {
  const r = await checkHypothesisFile(path.join(DIR, file));
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  // These tests compute zero and mean ablation by hand on all rows; the committed files resample from control rows.
  const { reference: _reference, ...rest } = r.hypothesis;
  return { ...rest, intervention: { kind: 'zero', scope: 'circuit' } };
}

/** Plain forward pass of the planted MLP: per-example logits with the given hidden units replaced. */
async function reference(modelFile: string) {
  const model = loadModel(path.join(DIR, modelFile)).proto;
  const params = degradableParameters(model);
  const [W1, b1, W2, b2] = ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias'].map((n) => parameterValues(model, params)[params.findIndex((p) => p.name === n)]!);
  const x = toFloat32(await loadArray(path.join(DIR, 'data/x.npy')));
  const y = Array.from(toInt64(await loadArray(path.join(DIR, 'data/y.npy'))).data, Number);
  const isTarget = Array.from((await loadArray(path.join(DIR, 'data/is_target.npy'))).data as Uint8Array);
  const [n, D] = x.shape as [number, number];
  const H = b1!.length, K = b2!.length;
  const hidden = (r: number) => Array.from({ length: H }, (_, h) => {
    let s = b1![h]!;
    for (let d = 0; d < D; d++) s += W1![h * D + d]! * x.data[r * D + d]!;
    return Math.max(0, s);
  });
  const logits = (h: number[]) => Array.from({ length: K }, (_, k) => h.reduce((s, v, j) => s + v * W2![k * H + j]!, b2![k]!));
  const ce = (z: number[], label: number) => Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[label]!;
  const rows = Array.from({ length: n }, (_, r) => hidden(r));
  const mean = Array.from({ length: H }, (_, j) => rows.reduce((s, h) => s + h[j]!, 0) / n);
  /** Means over target rows and control rows of f(row). */
  const split = (f: (r: number) => number) => {
    let t = 0, c = 0, nt = 0, nc = 0;
    for (let r = 0; r < n; r++) if (isTarget[r]) { t += f(r); nt++; } else { c += f(r); nc++; }
    return { target: t / nt, control: c / nc, all: (t + c) / n };
  };
  const replaced = (r: number, by: (j: number) => number) => rows[r]!.map((v, j) => (CIRCUIT.includes(j) ? by(j) : v));
  return { rows, y, logits, ce, split, replaced, mean };
}

const close = (a: number, b: number, what: string) => closeTo(a, b, (w) => 2e-5 * Math.max(1, Math.abs(w)), what);

describe('sweep/run', function () {
  this.timeout(30_000);

  it('baseline numbers equal a plain forward pass: zero and mean ablation, loss / accuracy / logit-diff metrics', async () => {
    const ref = await reference('planted-kappa-1.onnx');
    const clean = (r: number) => ref.ce(ref.logits(ref.rows[r]!), ref.y[r]!);
    const zero = (r: number) => ref.ce(ref.logits(ref.replaced(r, () => 0)), ref.y[r]!);
    const mean = (r: number) => ref.ce(ref.logits(ref.replaced(r, (j) => ref.mean[j]!)), ref.y[r]!);
    const base = await planted();
    const one = atLevels(base.degradation, [0.01], 'log', 2);

    const z = await runSweep({ ...base, degradation: one });
    close(z.baseline.loss, ref.split(clean).all, 'L_n');
    close(z.baseline.controlLoss, ref.split(clean).control, 'L_C');
    close(z.baseline.targetMetric, ref.split(clean).target, 'M_T = L_T');
    close(z.baseline.targetEffect, ref.split((r) => zero(r) - clean(r)).target, 'E_T zero');
    close(z.baseline.collateralEffect, ref.split((r) => zero(r) - clean(r)).control, 'E_C zero');
    assert.deepEqual(z.data, { n: 128, target: 64, control: 64 });
    assert.ok(Math.abs(z.watanabeTemperature - Math.log(128)) < 1e-12);

    const m = await runSweep({ ...base, intervention: { kind: 'mean', scope: 'circuit' }, degradation: one });
    close(m.baseline.targetEffect, ref.split((r) => mean(r) - clean(r)).target, 'E_T mean');
    close(m.baseline.collateralEffect, ref.split((r) => mean(r) - clean(r)).control, 'E_C mean');

    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    const acc = await runSweep({ ...base, metric: 'accuracy', degradation: one });
    const error = (z: number[], r: number) => (argmax(z) === ref.y[r] ? 0 : 1);
    close(acc.baseline.targetEffect, ref.split((r) => error(ref.logits(ref.replaced(r, () => 0)), r) - error(ref.logits(ref.rows[r]!), r)).target, 'E_T accuracy');

    const diff = (z: number[], r: number) => { const own = z[ref.y[r]!]!; return -(own - Math.max(...z.filter((_, k) => k !== ref.y[r]))); };
    const ld = await runSweep({ ...base, metric: 'logit-diff', degradation: one });
    close(ld.baseline.targetMetric, ref.split((r) => diff(ref.logits(ref.rows[r]!), r)).target, 'M_T logit-diff');
    close(ld.baseline.targetEffect, ref.split((r) => diff(ref.logits(ref.replaced(r, () => 0)), r) - diff(ref.logits(ref.rows[r]!), r)).target, 'E_T logit-diff');
  });

  it('resample ablation: each example takes its circuit units from another reference example of its batch', async () => {
    const ref = await reference('planted-kappa-0.onnx');
    const base = await planted('kappa-0.circuit.yaml');
    const one = atLevels(base.degradation, [0.01], 'log', 2);
    const resample = await runSweep({ ...base, intervention: { kind: 'resample', scope: 'circuit' }, reference: 'target', degradation: one });
    // Sources are other target rows (all 128 rows form one batch). A source of the same class changes nothing; one of
    // another class brings units that vote for that class. Expected E_T = P(other class)·D with P = 48/63 and
    // D the mean damage of another class's units; the draw's fraction has sd √(P(1−P)/64) ≈ 0.053: allow 3 sd.
    const targets = Array.from({ length: 64 }, (_, r) => r); // the data lists the 64 target rows first
    let damage = 0, pairs = 0;
    for (const r of targets) {
      const clean = ref.ce(ref.logits(ref.rows[r]!), ref.y[r]!);
      for (const s of targets) {
        if (ref.y[s] === ref.y[r]) continue;
        damage += ref.ce(ref.logits(ref.replaced(r, (j) => ref.rows[s]![j]!)), ref.y[r]!) - clean;
        pairs++;
      }
    }
    const D = damage / pairs, P = 48 / 63;
    const fraction = resample.baseline.targetEffect / D;
    assert.ok(Math.abs(fraction - P) < 3 * 0.053, `E_T / D = ${fraction}, expected ${P}`);
    // Control rows are never sources (reference: target) but receive target rows' active circuit units.
    assert.ok(resample.baseline.collateralEffect > 0);
  });

  it('batching does not change the numbers: small dynamic batches, and a static batch axis padded at the end', async () => {
    const h = await planted('kappa-0.3.circuit.yaml');
    const one = atLevels(h.degradation, [0.05], 'log', 3);
    const whole = await runSweep({ ...h, degradation: one });
    const small = await runSweep({ ...h, degradation: one }, { evalBatchSize: 50 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'static-'));
    try {
      // The same network exported with a fixed batch of 48: 128 rows = 48 + 48 + 32 (+16 padding rows).
      const model = loadModel(path.join(DIR, 'planted-kappa-0.3.onnx')).proto;
      model.graph.input = model.graph.input.map((v) => ({ ...v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 48 }, { dimValue: 22 }] } } } }));
      const file = path.join(dir, 'static.onnx');
      saveModel(model, file);
      const fixed = await runSweep({ ...h, model: file, degradation: one });
      for (const other of [small, fixed]) {
        for (const k of ['loss', 'controlLoss', 'targetEffect', 'collateralEffect'] as const) close(other.baseline[k], whole.baseline[k], k);
        close(other.levels[0]!.collateralEffect.mean, whole.levels[0]!.collateralEffect.mean, 'E_C at σ = 0.05');
        close(other.levels[0]!.lossGap.mean, whole.levels[0]!.lossGap.mean, 'ΔL at σ = 0.05');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('progress and per-level callbacks, the results document and its atomic write', async () => {
    const h = await planted('kappa-0.3.circuit.yaml');
    const events: SweepProgressEvent[] = [];
    const levels: [LevelResult, number][] = [];
    const doc = await runSweep({ ...h, degradation: atLevels(h.degradation, [0.01, 0.1, 1], 'log', 4) },
      { onProgress: (p) => events.push(p), onLevel: (l, i) => levels.push([l, i]) });
    assert.equal(events.length, 12);
    assert.deepEqual(events.map((e) => [e.levelIndex, e.draw]), [0, 1, 2].flatMap((l) => [0, 1, 2, 3].map((d) => [l, d])));
    assert.equal(events.at(-1)!.etaSeconds, 0);
    assert.deepEqual(levels.map(([l, i]) => [l.level, i]), [[0.01, 0], [0.1, 1], [1, 2]]);
    assert.equal(doc.status, 'complete');
    assert.equal(doc.dial, 'weight-noise');
    assert.match(doc.model.sha256, /^[0-9a-f]{64}$/);
    assert.match(doc.hypothesis.sha256, /^[0-9a-f]{64}$/);
    for (const l of doc.levels) {
      assert.equal(l.chains.length, 1);
      assert.equal(l.chains[0]!.targetEffect.length, 4);
      assert.equal(l.targetEffect.n, 4);
      assert.equal(l.targetEffect.dof, 3);
      // ΔL is the mean over draws of L_n(w) − L_n(w*), and the trace holds L_n(w) per draw.
      const mean = l.chains[0]!.loss.reduce((s, v) => s + v, 0) / 4 - doc.baseline.loss;
      assert.ok(Math.abs(l.lossGap.mean - mean) < 1e-9);
      // Two one-sided tests at α/L: the 1 − 2α/L interval, mean ± t_{1−α/L, dof}·√(se² + row se²) (the noise statistic).
      const se = Math.hypot(l.collateralEffect.se, l.paired!.rowSe[1]);
      const half = studentTQuantile(1 - 0.05 / doc.levels.length, l.collateralEffect.dof!) * se;
      assert.ok(Math.abs(l.bounds!.collateralUpper - (l.collateralEffect.mean + half)) < 1e-9);
      assert.ok(Math.abs(l.bounds!.collateralLower! - (l.collateralEffect.mean - half)) < 1e-9);
      assert.equal(l.bounds!.collateralThreshold, l.paired!.controlLossSpread);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'results-'));
    try {
      const file = path.join(dir, 'out.results.json');
      writeResults(file, doc);
      assert.deepEqual(fs.readdirSync(dir), ['out.results.json']);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).verdict, doc.verdict);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancel: an aborted sweep rejects with an AbortError within a second', async () => {
    const h = await planted();
    const controller = new AbortController();
    let abortedAt = 0;
    const started = runSweep({ ...h, degradation: atLevels(h.degradation, h.degradation.levels, h.degradation.scale, 100_000) }, {
      signal: controller.signal,
      onProgress: (p) => { if (p.draw === 5 && abortedAt === 0) { abortedAt = performance.now(); controller.abort(); } },
    });
    await assert.rejects(started, (e: Error) => e.name === 'AbortError');
    assert.ok(performance.now() - abortedAt < 1000, `stopped ${performance.now() - abortedAt} ms after the abort`);
  });

  it('checkpoints: exact levels (se = 0) that equal each checkpoint\'s own baseline', async () => {
    const h = await planted('kappa-0.circuit.yaml');
    const files = ['planted-kappa-0.3.onnx', 'planted-kappa-1.onnx'].map((f) => path.join(DIR, f));
    const doc = await runSweep({ ...h, degradation: { dial: 'checkpoints', checkpoints: files, levels: [0, 1], scale: 'linear', seed: h.degradation.seed } });
    for (const [i, kappa] of ['0.3', '1'].entries()) {
      const own = await runSweep({ ...(await planted(`kappa-${kappa}.circuit.yaml`)), degradation: atLevels(h.degradation, [0.01], 'log', 2) });
      const l = doc.levels[i]!;
      close(l.collateralEffect.mean, own.baseline.collateralEffect, `E_C at checkpoint ${i}`);
      close(l.lossGap.mean, own.baseline.loss - doc.baseline.loss, `ΔL at checkpoint ${i}`);
      assert.equal(l.collateralEffect.se, 0);
      assert.equal(l.collateralEffect.dof, null);
    }
  });

  it('a dial plugged in through the Dial interface (as SGLD is): nβ gives the LLC, a divergence stops its level only', async () => {
    const h = await planted();
    const sgldLike: DialFactory = async (ctx): Promise<Dial> => ({
      kind: 'sgld', levels: [1, 2, 4], chains: 2, drawsPerChain: 3, independentDraws: false, deterministic: false,
      levelRecord: (levelIndex) => ({ nbeta: ctx.n / [1, 2, 4][levelIndex]! }),
      // As the sgld dial does: a fixed nβ moves the Watanabe temperature (the runner asks the dial).
      watanabeTemperature: (n) => watanabeTemperature(n, degradationAs(ctx.degradation, 'sgld').sgld.nbeta),
      async *draws(levelIndex, chain) {
        for (let d = 0; d < 3; d++) {
          if (levelIndex === 1 && chain === 1 && d === 1) throw new DialDivergence('loss became NaN at step 7; try stepSize 5e-5', chain, d);
          // A small fixed shift of every weight, different per chain: L_n rises a little.
          yield { weights: ctx.initialWeights.map((w) => w.map((v) => v + 0.01 * (chain + 1))), loss: 0.5 + d, acceptance: 0.9 };
        }
      },
      async dispose() {},
    });
    const doc = await runSweep({ ...h, degradation: sgldAt(h.degradation) }, { sampler: sgldLike });
    assert.equal(doc.status, 'diverged');
    const [a, b, c] = doc.levels as [LevelResult, LevelResult, LevelResult];
    assert.match(b.error!, /try stepSize 5e-5/);
    assert.equal(b.chains[1]!.diverged, true);
    assert.equal(b.collateralNegligible || b.targetPersists, false);
    assert.equal(a.error, undefined);
    assert.deepEqual(a.chains[0]!.loss, [0.5, 1.5, 2.5]); // the dial's L_B trace
    assert.equal(a.chains[0]!.acceptance, 0.9);
    assert.equal(a.nbeta, 128);
    close(a.llc!.mean, 128 * a.lossGap.mean, 'λ̂ = nβ·ΔL');
    close(c.llc!.mean, 32 * c.lossGap.mean, 'λ̂ at t = 4');
    assert.equal(a.lossGap.dof, 1); // two chains: chain means
    // The diverged level reports no λ̂, and its statistics come from the chain that finished.
    assert.equal(b.llc, undefined);
    assert.equal(b.targetEffect.n, 3);
    // Watanabe's temperature: log n without nbeta.
    close(doc.watanabeTemperature, Math.log(128), 't_W = log n');
    const fixed = await runSweep({ ...h, degradation: sgldAt(h.degradation, { nbeta: 40 }) }, { sampler: sgldLike });
    close(fixed.watanabeTemperature, (40 * Math.log(128)) / 128, 't_W = nbeta·log n / n');
  });

  it('mean ablation under activation noise replaces units by the mean of the noised activations the copies see', async () => {
    const ref = await reference('planted-kappa-0.onnx');
    const h = await planted('kappa-0.circuit.yaml');
    // A dial that adds a known shift c_j to every hidden unit j (the same on every row): the noised mean of unit j is
    // mean_r(h_j) + c_j; the noise-free mean would be mean_r(h_j).
    const shift = Float32Array.from({ length: ref.rows[0]!.length }, (_, j) => 0.5 + 0.25 * (j % 3));
    const shifted: DialFactory = async (): Promise<Dial> => ({
      kind: 'activation-noise', levels: [1], chains: 1, drawsPerChain: 2, independentDraws: true, deterministic: false,
      rewriteModel: (m) => addActivationNoise(m, [HIDDEN_TENSOR]),
      baseline: () => ({ feeds: (batch) => ({ [noiseInputName(HIDDEN_TENSOR)]: new ort.Tensor('float32', new Float32Array(batch.dims(HIDDEN_TENSOR).reduce((a, d) => a * d, 1)), batch.dims(HIDDEN_TENSOR)) }) }),
      async *draws() {
        for (let d = 0; d < 2; d++) {
          yield {
            feeds: (batch) => {
              const dims = batch.dims(HIDDEN_TENSOR);
              const data = new Float32Array(dims.reduce((a, x) => a * x, 1)).map((_, i) => shift[i % shift.length]!);
              return { [noiseInputName(HIDDEN_TENSOR)]: new ort.Tensor('float32', data, dims) };
            },
          };
        }
      },
      async dispose() {},
    });
    const doc = await runSweep({ ...h, intervention: { kind: 'mean', scope: 'circuit' }, controls: { count: 0, match: 'size' } }, { dials: { 'weight-noise': shifted } });
    const noised = ref.rows.map((row) => row.map((v, j) => v + shift[j]!));
    const mean = noised[0]!.map((_, j) => noised.reduce((a, row) => a + row[j]!, 0) / noised.length);
    const effect = (r: number) => ref.ce(ref.logits(noised[r]!.map((v, j) => (CIRCUIT.includes(j) ? mean[j]! : v))), ref.y[r]!) - ref.ce(ref.logits(noised[r]!), ref.y[r]!);
    close(doc.levels[0]!.targetEffect.mean, ref.split(effect).target, 'E_T with the noised means');
    close(doc.levels[0]!.collateralEffect.mean, ref.split(effect).control, 'E_C with the noised means');
  });
});

describe('sweep/run: data the sweep refuses', () => {
  it('a NaN or Inf in the inputs or labels fails before any level, naming the file and the element', async () => {
    const h = await planted('kappa-0.circuit.yaml');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-nan-'));
    try {
      const x = toFloat32(await loadArray(path.join(DIR, 'data/x.npy')));
      const width = x.shape[1]!;
      const data = Float32Array.from(x.data);
      data[5 * width + 2] = NaN;
      const file = path.join(dir, 'x.npy');
      saveNpy(file, makeArray('float32', [...x.shape], data));
      await assert.rejects(runSweep({ ...h, data: { ...h.data, inputs: { x: file } } }), (e: Error) =>
        e instanceof DataError && e.code === 'data/non-finite' && e.message.startsWith(`${file}: NaN at [5, 2] (row 5)`));
      data[5 * width + 2] = Infinity;
      saveNpy(file, makeArray('float32', [...x.shape], data));
      await assert.rejects(runSweep({ ...h, data: { ...h.data, inputs: { x: file } } }), /Infinity at \[5, 2\]/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
