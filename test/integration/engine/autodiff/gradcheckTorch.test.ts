// gradcheck on every model PyTorch's exporters produced for us (test/fixtures/torch/*.onnx, see its README):
// TorchScript opset 17 (CNN, GPT-2, BERT, Llama, MobileNetV3) and dynamo opset 18 (GPT-2).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gradcheck, GRADCHECK_TOLERANCE, GradcheckOptions } from '../../../../src/engine/autodiff/gradcheck';
import { loadModel } from '../../../../src/engine/onnx';

const DIR = path.join(__dirname, '../../../fixtures/torch');

/** Per-model options: token ids over the whole vocabulary (256 in every fixture), and a sample of MobileNet's 203 tensors. */
const OPTIONS: Record<string, GradcheckOptions> = {
  'gpt2_tiny.onnx': { inputs: { input_ids: { kind: 'int', low: 0, high: 256, dims: [1, 16] } } },
  'gpt2_tiny_dynamo.onnx': { inputs: { input_ids: { kind: 'int', low: 0, high: 256, dims: [1, 16] } } },
  'llama_tiny.onnx': { inputs: { input_ids: { kind: 'int', low: 0, high: 256, dims: [1, 16] } } },
  // BERT's pad id 0 is avoided, as in the export.
  'bert_tiny.onnx': { inputs: { input_ids: { kind: 'int', low: 1, high: 256, dims: [1, 16] } } },
  'mobilenetv3_tiny.onnx': { maxTensors: 48 },
};

describe('gradcheck on PyTorch-exported models', function () {
  this.timeout(60000);
  const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort() : [];
  it('the fixtures are present', () => assert.ok(files.length >= 6, `found ${files.join(', ')}`));
  for (const file of files) {
    it(file, async () => {
      const report = await gradcheck(loadModel(path.join(DIR, file)).proto, { seed: 0, directions: 1, ...OPTIONS[file] });
      assert.ok(report.checked > 0, 'nothing was checked');
      const bad = report.tensors.filter((t) => !t.pass).map((t) => `${t.name}: ${t.relError.toExponential(2)}`);
      assert.deepEqual(bad, [], `tolerance ${GRADCHECK_TOLERANCE.relative}`);
    });
  }
});
