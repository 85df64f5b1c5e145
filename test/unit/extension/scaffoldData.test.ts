// New Hypothesis from Model on the shipped modular example: the data files the workspace holds are found by their
// real headers and names (tokens.npy for the input, y.npy for the labels, is_addition.npy for the mask, not a guess),
// shapes come from a real probe run, and the real checker accepts the scaffold against the real files.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readArrayInfo } from '../../../src/engine/data';
import { GraphIndex, loadModel, probeShapes, summarizeModel } from '../../../src/engine/onnx';
import { checkHypothesisText } from '../../../src/hypothesis';
import { chooseDataFiles, type DataCandidate, rankFiles } from '../../../src/extension/dataFiles';
import { scaffoldHypothesis } from '../../../src/extension/scaffold';

const ROOT = path.resolve(__dirname, '../../..');
const MODULAR = path.join(ROOT, 'examples/modular');

describe('extension: New Hypothesis from Model finds the data and measures the shapes', function () {
  this.timeout(60_000);

  it('on examples/modular: tokens.npy, y.npy and is_addition.npy, measured shapes, and a file the checker accepts', async () => {
    const files = fs.readdirSync(path.join(MODULAR, 'data')).map((f) => path.join(MODULAR, 'data', f));
    const candidates: DataCandidate[] = await Promise.all(rankFiles('input', files, MODULAR).map(async (rel) => {
      const info = await readArrayInfo(path.resolve(MODULAR, rel));
      return { rel, dtype: info.dtype, shape: info.shape };
    }));
    const loaded = loadModel(path.join(MODULAR, 'modular.onnx'));
    const summary = summarizeModel(loaded);
    const inputs = summary.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape }));
    const choice = chooseDataFiles({ inputs, classes: true }, candidates);
    assert.deepEqual(choice.inputs, { tokens: './data/tokens.npy' });
    assert.equal(choice.labels, './data/y.npy');
    // is_addition and is_test are both bool masks of one entry per example: the name decides nothing between them,
    // so the order does (both are offered in the file's comment).
    assert.ok(choice.mask === './data/is_addition.npy' || choice.mask === './data/is_test.npy', String(choice.mask));
    assert.ok([choice.mask, ...choice.alternatives.mask!].includes('./data/is_addition.npy'), 'is_addition.npy is offered');
    assert.equal(choice.examples, candidates.find((c) => c.rel === './data/tokens.npy')!.shape![0]);

    const index = GraphIndex.of(loaded.proto);
    const measured = await probeShapes(loaded.proto);
    const relu = '/mlp/relu/Relu_output_0';
    assert.ok(measured.get(relu), 'the probe measured the hidden layer');
    const activations = loaded.proto.graph.node.filter((n) => n.opType !== 'Constant')
      .flatMap((n) => n.output.filter((o) => o && !index.graphOutputs.includes(o)))
      .map((name) => ({ name, op: index.producer.get(name)?.opType, dtype: measured.get(name)?.dtype ?? 'float32', shape: measured.get(name)?.dims.map((d, k) => (k === 0 ? 'batch' : d)) ?? null }));
    const text = scaffoldHypothesis({
      modelPath: './modular.onnx', inputs,
      outputs: summary.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape })),
      activations, sgld: { stepSize: 1e-4, localization: 100, chains: 4, draws: 200 }, data: choice,
    }, 'scaffolded');
    assert.ok(!text.includes('[?]'), 'every listed shape is known');
    assert.ok(text.includes(`- tensor: ${relu}   # Relu → [batch, ${measured.get(relu)!.dims[1]}]`), 'the component names the hidden layer with its measured shape');
    assert.ok(text.includes('tokens: ./data/tokens.npy') && text.includes('labels: ./data/y.npy'), 'paths written plain');
    // Checked against the real model and data, from a file beside the model.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-scaffold-'));
    fs.cpSync(MODULAR, dir, { recursive: true, filter: (s) => !/[\\/](out|scripts)$/.test(s) });
    const r = await checkHypothesisText(text, path.join(dir, 'scaffolded.circuit.yaml'));
    fs.rmSync(dir, { recursive: true, force: true });
    const fileProblems = r.diagnostics.filter((d) => /not-found|unreadable|shape-mismatch|dtype-mismatch|length-mismatch|labels-mismatch/.test(d.code));
    assert.deepEqual(fileProblems, [], 'the chosen files fit the model');
  });

  it('among equally fitting files, picks the one nearest the new file (a copied example\'s data deeper down loses)', () => {
    const facts = (rel: string, dtype: string, shape: number[]): DataCandidate => ({ rel, dtype, shape });
    const files = (prefix: string) => [facts(`${prefix}data/x.npy`, 'float32', [256, 22]), facts(`${prefix}data/y.npy`, 'int64', [256]), facts(`${prefix}data/is_target.npy`, 'bool', [256])];
    const slots = { inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 22] }], classes: true };
    for (const deeper of ['./circuit-thermometer-example/', '../elsewhere/']) {
      const choice = chooseDataFiles(slots, [...files(deeper), ...files('./')]);
      assert.deepEqual([choice.inputs.x, choice.labels, choice.mask], ['./data/x.npy', './data/y.npy', './data/is_target.npy'], deeper);
      assert.deepEqual(choice.alternatives['input x'], [`${deeper}data/x.npy`]);
    }
  });
});
