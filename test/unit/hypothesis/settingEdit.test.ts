// Writing a calibrated step size into a hypothesis: the edit, applied, parses back to the value, layout kept.
import { strict as assert } from 'node:assert';
import { parseHypothesis } from '../../../src/hypothesis';
import { stepSizeEdit } from '../../../src/hypothesis/settingEdit';
import { VALID_MLP } from '../../support/workspace';
import { degradationAs } from '../../../src/protocol/hypothesis';

function apply(text: string, e: NonNullable<ReturnType<typeof stepSizeEdit>>): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; col: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.col;
  return text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
}

const FILE = '/w/h.circuit.yaml';

describe('hypothesis: the step-size edit of Calibrate Sampler', () => {
  it('replaces an existing stepSize, inserts one into a flow or block sgld map, or adds the sgld map', () => {
    const cases = [
      VALID_MLP,
      VALID_MLP.replace('stepSize: 1e-4, ', ''),
      VALID_MLP.replace('  sgld: { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20 }\n', '  sgld:\n    chains: 2\n    batchSize: 20\n'),
      VALID_MLP.replace('  sgld: { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20 }\n', ''),
    ];
    for (const text of cases) {
      const e = stepSizeEdit(text, FILE, 1.2345e-4)!;
      const edited = apply(text, e);
      const r = parseHypothesis(edited, FILE);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], edited);
      assert.equal(degradationAs(r.hypothesis!.degradation, 'sgld').sgld.stepSize, 0.000123, edited);
      // Nothing else changed: the other settings parse as before.
      const before = degradationAs(parseHypothesis(text, FILE).hypothesis!.degradation, 'sgld').sgld;
      assert.deepEqual({ ...degradationAs(r.hypothesis!.degradation, 'sgld').sgld, stepSize: 0 }, { ...before, stepSize: 0 });
    }
  });

  it('has nothing to edit without a degradation map', () => {
    assert.equal(stepSizeEdit('model: ./m.onnx\n', FILE, 1e-4), undefined);
  });
});
