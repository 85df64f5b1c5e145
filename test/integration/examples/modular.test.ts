// The modular-arithmetic example (examples/modular): the committed model generalizes, the committed hypotheses
// are what the analysis finds, and the addition circuit is a real finding: ablating it costs addition far more than
// ablating random units of the same count, and costs subtraction almost nothing.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ablatedScore, Activations, neuronMeans, readWeights, runNetwork } from '../../../examples/modular/scripts/circuits';
import { classifyUnits, HYPOTHESIS_FILES, keyFrequencies, SPECIFIC_FRACTION } from '../../../examples/modular/scripts/analyze';
import { loadDataset, rowsWhere } from '../../../examples/modular/scripts/data';
import { logitFrequencyShares } from '../../../examples/modular/scripts/circuits';
import { HIDDEN_TENSOR, LOGITS } from '../../../examples/modular/scripts/network';
import { Dataset, HIDDEN, makeDataset, P } from '../../../examples/modular/scripts/task';
import { buildPairedModel, referenceModel } from '../../../src/engine/interventions/paired';
import { loadModel } from '../../../src/engine/onnx/load';
import { ModelProto } from '../../../src/engine/onnx/proto';
import { createSession, ort } from '../../../src/engine/onnx/runtime';
import { Rng } from '../../../src/engine/util/random';
import { checkHypothesisFile } from '../../../src/hypothesis';

const DIR = path.resolve(__dirname, '../../../examples/modular');

/** Mean cross-entropy and accuracy of logits [n, P] over the given rows. */
function score(logits: Float32Array, labels: BigInt64Array, rows: readonly number[]): { loss: number; accuracy: number } {
  let loss = 0;
  let hits = 0;
  for (const i of rows) {
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < P; c++) if (logits[i * P + c]! > max) { max = logits[i * P + c]!; best = c; }
    let sum = 0;
    for (let c = 0; c < P; c++) sum += Math.exp(logits[i * P + c]! - max);
    const y = Number(labels[i]);
    loss += Math.log(sum) + max - logits[i * P + y]!;
    if (best === y) hits++;
  }
  return { loss: loss / rows.length, accuracy: hits / rows.length };
}

async function hypothesisUnits(file: string): Promise<number[]> {
  const r = await checkHypothesisFile(path.join(DIR, file));
  assert.ok(r.hypothesis, `${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  assert.equal(r.diagnostics.filter((d) => d.severity !== 'info').length, 0, `${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const [component] = r.hypothesis.circuit.components;
  assert.equal(component!.tensor, HIDDEN_TENSOR);
  return component!.units;
}

describe('modular example (two-task a ± b mod 59)', function () {
  this.timeout(30_000);
  let model: ModelProto;
  let data: Dataset;
  let act: Activations;
  const tasks: number[][] = [];

  before(async () => {
    model = loadModel(path.join(DIR, 'modular.onnx')).proto;
    data = loadDataset(DIR);
    act = await runNetwork(model, data);
    tasks.push(rowsWhere(data.n, (i) => data.isAddition[i] === 1), rowsWhere(data.n, (i) => data.isAddition[i] === 0));
  });

  it('the committed data is the seeded dataset the trainer builds (all p² pairs of each task, 80/20 split per task)', () => {
    const fresh = makeDataset(0);
    assert.equal(data.n, 2 * P * P);
    assert.deepEqual(data.tokens, fresh.tokens);
    assert.deepEqual(data.labels, fresh.labels);
    assert.deepEqual(data.isAddition, fresh.isAddition);
    assert.deepEqual(data.isTest, fresh.isTest);
    for (const rows of tasks) assert.equal(rows.filter((i) => data.isTest[i] === 1).length, Math.round(0.2 * P * P));
  });

  it('generalizes: ≥ 99% accuracy on the held-out pairs of both tasks (onnxruntime, committed model)', async () => {
    const session = await createSession(model);
    const out = await session.run({ tokens: new ort.Tensor('int64', data.tokens, [data.n, 3]) });
    const logits = out[LOGITS]!.data as Float32Array;
    await session.release();
    for (const [t, rows] of tasks.entries()) {
      const heldOut = rows.filter((i) => data.isTest[i] === 1);
      const s = score(logits, data.labels, heldOut);
      assert.ok(s.accuracy >= 0.99, `task ${t}: held-out accuracy ${s.accuracy}`);
    }
  });

  it('the committed hypotheses hold the units the analysis finds', async () => {
    const w = readWeights(model);
    const units = classifyUnits(w, act, data);
    const keys = [0, 1].map((t) => keyFrequencies(logitFrequencyShares(act.logits, data, tasks[t]!, t)));
    const addition = units.filter((u) => !u.idle && keys[0]!.includes(u.frequency) && u.additionFraction >= SPECIFIC_FRACTION).map((u) => u.unit);
    assert.deepEqual(await hypothesisUnits(HYPOTHESIS_FILES.addition), addition);
    const random = await hypothesisUnits(HYPOTHESIS_FILES.random);
    assert.equal(random.length, addition.length);
    const shared = await hypothesisUnits(HYPOTHESIS_FILES.shared);
    for (const n of shared) assert.ok(units[n]!.additionFraction > 0.25 && units[n]!.additionFraction < 0.75, `unit ${n}`);
    // The frequencies are a few, and the same for both tasks (they come from the shared 16-dim embedding: ≤ 8 fit).
    assert.ok(keys[0]!.length >= 3 && keys[0]!.length <= 8, `addition key frequencies ${keys[0]}`);
    assert.deepEqual([...keys[0]!].sort((a, b) => a - b), [...keys[1]!].sort((a, b) => a - b));
  });

  it('ablating the addition circuit costs addition more than any of 40 random unit sets of its size, and subtraction almost nothing', async () => {
    const w = readWeights(model);
    const means = neuronMeans(act.hidden, rowsWhere(data.n, () => true));
    const clean = [0, 1].map((t) => ablatedScore(act, w['fc2.weight'], data.labels, tasks[t]!, [], means).loss);
    const delta = (units: readonly number[], t: number) => ablatedScore(act, w['fc2.weight'], data.labels, tasks[t]!, units, means).loss - clean[t]!;
    const circuit = await hypothesisUnits(HYPOTHESIS_FILES.addition);
    const onAddition = delta(circuit, 0);
    const onSubtraction = delta(circuit, 1);
    const random: number[] = [];
    for (let draw = 0; draw < 40; draw++) random.push(delta([...Rng.stream(1234, draw).permutation(HIDDEN).slice(0, circuit.length)], 0));
    // A permutation test: if the circuit were no better than random units, beating all 40 draws has probability 1/41.
    assert.ok(onAddition > Math.max(...random), `circuit ${onAddition} vs random max ${Math.max(...random)}`);
    // And by a wide margin (measured: 0.84 nats vs a random median of about 0.05).
    const median = [...random].sort((a, b) => a - b)[20]!;
    assert.ok(onAddition > 5 * median, `circuit ${onAddition} vs random median ${median}`);
    // Selective: the control task barely notices (measured 0.004 nats).
    assert.ok(onSubtraction < 0.05 * onAddition, `subtraction ΔL ${onSubtraction}`);
    // The shared units carry both tasks: ablating them breaks both.
    const shared = await hypothesisUnits(HYPOTHESIS_FILES.shared);
    assert.ok(delta(shared, 0) > 1 && delta(shared, 1) > 1, `shared: ${delta(shared, 0)}, ${delta(shared, 1)}`);
  });

  it('the tool\'s own intervention (paired model, mean ablation, onnxruntime) agrees with the exact shortcut', async () => {
    const circuit = await hypothesisUnits(HYPOTHESIS_FILES.addition);
    const reference = await createSession(referenceModel(model, [HIDDEN_TENSOR]));
    const hidden = (await reference.run({ tokens: new ort.Tensor('int64', data.tokens, [data.n, 3]) }))[HIDDEN_TENSOR]!.data as Float32Array;
    await reference.release();
    const mean = new Float32Array(HIDDEN);
    for (let i = 0; i < data.n; i++) for (let u = 0; u < HIDDEN; u++) mean[u] += hidden[i * HIDDEN + u]! / data.n;
    const paired = buildPairedModel(model, { components: [{ tensor: HIDDEN_TENSOR, axis: -1, units: circuit }], kind: 'mean', scope: 'circuit' }, () => [data.n, HIDDEN], [LOGITS]);
    const session = await createSession(paired.model);
    const out = await session.run({
      tokens: new ort.Tensor('int64', data.tokens, [data.n, 3]),
      [paired.meanInputs[0]!.input]: new ort.Tensor('float32', mean, [1, HIDDEN]),
    });
    await session.release();
    const clean = out[paired.outputs[LOGITS]!.clean]!.data as Float32Array;
    const ablated = out[paired.outputs[LOGITS]!.ablated]!.data as Float32Array;
    const w = readWeights(model);
    const means = neuronMeans(act.hidden, rowsWhere(data.n, () => true));
    for (const [t, rows] of tasks.entries()) {
      const viaTool = score(ablated, data.labels, rows).loss - score(clean, data.labels, rows).loss;
      const exact = ablatedScore(act, w['fc2.weight'], data.labels, rows, circuit, means).loss - ablatedScore(act, w['fc2.weight'], data.labels, rows, [], means).loss;
      // float32 graph vs float64 sums: agree to 1e-3 relative (plus a tiny absolute floor for the ~0.004 control effect).
      assert.ok(Math.abs(viaTool - exact) <= 1e-3 * Math.abs(exact) + 1e-4, `task ${t}: tool ${viaTool} vs exact ${exact}`);
    }
  });
});
