// Real third-party models (test/corpus/models.json, fetched by `npm run corpus`): each is inspected, and every weight
// tensor gradchecked on a small input against float64 finite differences. A model the engine cannot differentiate must
// be refused with the diagnostic the manifest records (op, node, opset), never with an internal error. test/corpus/README.md lists what each model is and its result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeGradientSupport, GradientError } from '../../src/engine/autodiff';
import { gradcheck } from '../../src/engine/autodiff/gradcheck';
import { defaultOpset } from '../../src/engine/onnx/graph';
import { loadModel } from '../../src/engine/onnx/load';
import { summarizeModel } from '../../src/engine/onnx/summary';
import { parseInputSpec } from '../../src/cli/gradcheck';
import type { InputSpec } from '../../src/protocol/gradcheck';

interface CorpusModel {
  id: string; package: string; version: string; file: string; sha256: string; task: string; exporter: string; opset: number;
  inputs: Record<string, string>;
  /** The one tensor L sums over, where the model's own outputs are out of float32 reach (see the README). */
  output?: string;
  expect: 'pass' | { refused: string };
  /** Tensors that must be among the checked ones. */
  mustCheck?: string[];
}

const root = path.join(__dirname, '..', '..');
const { models } = JSON.parse(fs.readFileSync(path.join(__dirname, 'models.json'), 'utf8')) as { models: CorpusModel[] };
const cached = (m: CorpusModel) => path.join(root, '.corpus-cache', `${m.id}.onnx`);

/** Every float32 weight tensor of each model is checked, along one seeded random direction, against finite
 *  differences on the model's float64 copy (a failure there is a wrong rule, not float32 noise). */
const CHECK = { directions: 1, seed: 7, reference: 'float64' as const };

describe('corpus: real models from npm packages', () => {
  before(() => {
    const missing = models.filter((m) => !fs.existsSync(cached(m))).map((m) => m.id);
    assert.deepEqual(missing, [], 'run `npm run corpus` first: these models are not in .corpus-cache/');
  });

  it('holds at least 12 models from at least four exporters', () => {
    assert.ok(models.length >= 12, `${models.length} models`);
    const exporters = new Set(models.map((m) => m.exporter.replace(/ .*TorchScript$/, ' TorchScript').replace(/^PyTorch [\d.]+ dynamo$/, 'PyTorch dynamo').replace(/ [\d.]+$/, '')));
    assert.ok(exporters.size >= 4, [...exporters].join(', '));
  });

  for (const m of models) {
    describe(`${m.id} (${m.package}@${m.version}, ${m.exporter}, opset ${m.opset})`, () => {
      it('inspects: the manifest\'s opset, its weights, and what blocks the gradient if anything', () => {
        const loaded = loadModel(cached(m));
        assert.equal(loaded.sha256, m.sha256);
        assert.equal(defaultOpset(loaded.proto), m.opset);
        const s = summarizeModel(loaded);
        const weights = s.parameters.tensors.map((t) => t.name);
        // Every running mean and variance of a BatchNormalization is a statistic, whatever its values (PaddleOCR's
        // detector has variances of 10⁷), and nothing else is.
        const stored = new Set(loaded.proto.graph.initializer.map((t) => t.name).concat(loaded.proto.graph.node.filter((n) => n.opType === 'Constant').map((n) => n.output[0])));
        const statistics = new Set(loaded.proto.graph.node.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => [n.input[3], n.input[4]]).filter((x) => x && stored.has(x)));
        assert.deepEqual(s.parameters.tensors.filter((t) => t.role === 'statistic').map((t) => t.name).sort(), [...statistics].sort());
        const support = analyzeGradientSupport(loaded.proto, weights, s.outputs.map((o) => o.name));
        if (m.expect === 'pass') assert.deepEqual(support.missing, []);
        else if (weights.length > 0) assert.match(support.missing.map((x) => `${x.op} (node '${x.node}'): ${x.reason}`).join('; '), new RegExp(m.expect.refused));
      });

      it(m.expect === 'pass' ? 'gradchecks on a small input' : 'is refused with a located diagnostic', async () => {
        const inputs: Record<string, InputSpec> = {};
        for (const [name, text] of Object.entries(m.inputs)) inputs[name] = parseInputSpec(`${name}=${text}`).spec;
        const run = gradcheck(loadModel(cached(m)).proto, { ...CHECK, inputs, outputs: m.output ? [m.output] : undefined });
        if (m.expect !== 'pass') {
          const pattern = new RegExp(m.expect.refused);
          await assert.rejects(run, (e: unknown) => e instanceof GradientError && pattern.test(e.message));
          return;
        }
        const report = await run;
        assert.ok(report.checked > 0, 'nothing was checked');
        // Every tensor: all float32 parameters of the model (after its static Ifs are inlined) are checked.
        assert.deepEqual(report.skipped.filter((x) => /float32|sample/.test(x.reason)), []);
        assert.equal(report.checked, report.parameters);
        assert.deepEqual(report.float64?.float32Ops, [], 'the float64 copy is float64 throughout');
        const bad = report.tensors.filter((t) => !t.pass).map((t) => `${t.name}: ${t.relError.toExponential(2)}`);
        assert.deepEqual(bad, []);
        for (const name of m.mustCheck ?? []) assert.ok(report.tensors.some((t) => t.name === name), `${name} was not checked`);
      });
    });
  }
});
