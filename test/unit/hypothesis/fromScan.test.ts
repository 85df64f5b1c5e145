// Scan files (hypothesis `scan:`, docs/method.md "The entanglement map"): checked with located diagnostics against
// the real planted model, and turned into a circuit hypothesis for picked units that checks clean and keeps every
// other setting of the file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHypothesisText, type Diagnostic } from '../../../src/hypothesis';
import { hypothesisFromScan, pickedFileName } from '../../../src/hypothesis/fromScan';
import { degradationAs } from '../../../src/protocol/hypothesis';

const PLANTED = path.resolve(__dirname, '../../../examples/planted');
const TENSOR = '/relu/Relu_output_0';

const scanText = (components: string, verdict = '') => `# a scan of the planted hidden layer
model: ${PLANTED}/planted-kappa-1.onnx
data:
  inputs: { x: ${PLANTED}/data/x.npy }
  labels: ${PLANTED}/data/y.npy
  target: { mask: ${PLANTED}/data/is_target.npy }
loss: { output: logits, kind: cross-entropy }
scan:
  name: hidden
  components:
${components}
intervention: { kind: resample, scope: circuit }
reference: control
degradation:
  dial: weight-noise
  temperatures: { from: 0.001, to: 3, count: 5 }
  noise: { samples: 4 }
  seed: 0
${verdict}`;

const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

describe('scan files', function () {
  this.timeout(60_000);
  const file = path.join(os.tmpdir(), 'ct-scan-check', 'hidden.circuit.yaml');

  it('a scan of every unit checks clean; its components and the checks\' circuit view resolve', async () => {
    const r = await checkHypothesisText(scanText(`    - { tensor: ${TENSOR}, axis: -1, label: hidden }`), file);
    assert.deepEqual(errors(r.diagnostics), []);
    assert.deepEqual(r.hypothesis!.scan, { name: 'hidden', components: [{ tensor: TENSOR, axis: -1, label: 'hidden' }] });
  });

  it('too few units for α is hyp/null-cannot-reject at the units, naming 1/m', async () => {
    const text = scanText(`    - { tensor: ${TENSOR}, axis: -1, units: ["0:10"] }`);
    const r = await checkHypothesisText(text, file);
    const e = errors(r.diagnostics);
    assert.equal(e.length, 1, e.map((d) => d.message).join(' | '));
    assert.equal(e[0]!.code, 'hyp/null-cannot-reject');
    assert.equal(e[0]!.range.start.line, lineOf(text, 'units: ["0:10"]'));
    assert.match(e[0]!.message, /1\/10 = 0\.10 > α = 0\.05/);
    // The same units at α = 0.1 can reject.
    assert.deepEqual(errors((await checkHypothesisText(scanText(`    - { tensor: ${TENSOR}, axis: -1, units: ["0:10"] }`, 'verdict: { alpha: 0.1 }'), file)).diagnostics), []);
  });

  it('an unknown tensor is reported on the scan\'s own line; a file with both circuit and scan is refused', async () => {
    const text = scanText('    - { tensor: /relu/Relu_output_9, axis: -1 }');
    const r = await checkHypothesisText(text, file);
    const unknown = errors(r.diagnostics).find((d) => d.code === 'hyp/unknown-tensor');
    assert.ok(unknown, r.diagnostics.map((d) => d.message).join(' | '));
    assert.equal(unknown.range.start.line, lineOf(text, 'Relu_output_9'));
    const both = `${scanText(`    - { tensor: ${TENSOR}, axis: -1 }`)}circuit:\n  components:\n    - { tensor: ${TENSOR}, units: [0] }\n`;
    const b = await checkHypothesisText(both, file);
    assert.ok(errors(b.diagnostics).some((d) => /one of 'circuit', 'scan'/.test(d.message)), b.diagnostics.map((d) => d.message).join(' | '));
  });

  it('picked units become a circuit hypothesis that checks clean and keeps every other setting', async () => {
    const text = scanText(`    - { tensor: ${TENSOR}, axis: -1, label: hidden }`, 'verdict: { alpha: 0.05, persistence: 0.3 }  # kept\n');
    const out = hypothesisFromScan(text, [{ component: { tensor: TENSOR, axis: -1 }, units: [83, 0, 21, 0] }], 'picked');
    assert.doesNotMatch(out, /^scan:/m);
    assert.match(out, /persistence: 0\.3 \}\s+# kept/);
    const r = await checkHypothesisText(out, file);
    assert.deepEqual(errors(r.diagnostics), []);
    const h = r.hypothesis!;
    assert.equal(h.scan, undefined);
    assert.deepEqual(h.circuit, { name: 'picked', components: [{ tensor: TENSOR, axis: -1, units: [0, 21, 83] }] });
    assert.equal(h.verdict.persistence, 0.3);
    assert.deepEqual(degradationAs(h.degradation, 'weight-noise').noise.samples, 4);
    assert.throws(() => hypothesisFromScan(text, [], 'none'), /no unit is selected/);
  });

  it('names the new file after the picked units, beside the scan file, never over an existing one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-pick-'));
    try {
      const scan = path.join(dir, 'heads.circuit.yaml');
      const picked = [{ component: { tensor: 'blocks.0.attn.hook_z', axis: 2 }, units: [3] }, { component: { tensor: 'blocks.1.attn.hook_z', axis: 2 }, units: [4, 6] }];
      const first = pickedFileName(scan, picked, (f) => fs.existsSync(f));
      assert.equal(path.dirname(first), dir);
      assert.match(path.basename(first), /^heads\..*hook_z-3_.*hook_z-4-6\.circuit\.yaml$/);
      fs.writeFileSync(first, '');
      const second = pickedFileName(scan, picked, (f) => fs.existsSync(f));
      assert.notEqual(second, first);
      assert.match(second, /-2\.circuit\.yaml$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
