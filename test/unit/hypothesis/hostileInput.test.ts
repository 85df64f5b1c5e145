// Issue 24, items 4 and 14: hostile hypothesis text in the editor's and the CLI's checker. Schema validation used to
// rebuild the set of present keys for every unknown key (10,000 unknown keys took 9 s in the extension host, 90,000
// over two minutes); `__proto__`, `constructor` and `toString` found Object.prototype's members instead of being
// reported unknown; a staircase of indented keys reached "Maximum call stack size exceeded" inside the YAML parser;
// the bracket-nesting error was placed on line 0 (the line counter was not filled yet).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseHypothesis } from '../../../src/hypothesis';
import { type MapNode, parseText } from '../../../src/hypothesis/parse';
import { HYPOTHESIS_SPEC } from '../../../src/protocol/hypothesisSchema';
import { Reporter, SpecValidator } from '../../../src/hypothesis/validate';
import { VALID_MLP } from '../../support/workspace';

const FILE = path.resolve('/ws/project/h.circuit.yaml');

/** Element reads of a mapping's entries while validating it: the work, counted exactly rather than timed. */
function entryReads(unknownKeys: number): { reads: number; reported: number } {
  const text = VALID_MLP + Array.from({ length: unknownKeys }, (_, i) => `zz${i}: 1`).join('\n') + '\n';
  const root = parseText(text, FILE).root as MapNode;
  let reads = 0;
  root.entries = new Proxy(root.entries, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const out = new Reporter(FILE);
  new SpecValidator(out).value(root, HYPOTHESIS_SPEC, []);
  return { reads, reported: out.diagnostics.filter((d) => d.code === 'hyp/unknown-key').length };
}

describe('security: hostile hypothesis text (issue 24, items 4 and 14)', () => {
  it('validation reads each key of a mapping a bounded number of times, however many keys are unknown', () => {
    const small = entryReads(1000);
    const large = entryReads(4000);
    assert.equal(small.reported, 1000);
    assert.equal(large.reported, 4000);
    // Linear: four times the keys, at most about four times the reads (the quadratic checker read 4000² ≈ 1.6e7).
    const keys = (n: number) => n + VALID_MLP.split('\n').filter((l) => /^\S[^:]*:/.test(l)).length;
    assert.ok(large.reads <= 4 * keys(4000), `${large.reads} reads for ${keys(4000)} keys`);
    assert.ok(large.reads / small.reads < 4.5, `reads grew ${large.reads / small.reads}× for 4× the keys`);
  });

  it('__proto__, constructor and toString are reported as unknown keys, each where it is written', () => {
    const text = `${VALID_MLP}__proto__: 1\nconstructor: 2\ntoString: 3\n`;
    const base = VALID_MLP.split('\n').length - 1;
    const r = parseHypothesis(text, FILE);
    const unknown = r.diagnostics.filter((d) => d.code === 'hyp/unknown-key');
    assert.deepEqual(unknown.map((d) => [d.range.start.line, d.message]), [
      [base, "unknown key '__proto__' at the top level"],
      [base + 1, "unknown key 'constructor' at the top level"],
      [base + 2, "unknown key 'toString' at the top level"],
    ]);
    // Inside a nested mapping too.
    const nested = parseHypothesis(VALID_MLP.replace(/^verdict:.*$/m, (l) => l) + 'controls: { count: 4, __proto__: { count: 9 } }\n', FILE);
    assert.ok(nested.diagnostics.some((d) => d.code === 'hyp/unknown-key' && /'__proto__' in controls/.test(d.message)), nested.diagnostics.map((d) => d.message).join(' | '));
  });

  it('a thousand levels of indentation, or of `- `, give a located error, not a stack overflow', () => {
    const stairs = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    const a = parseHypothesis(stairs, FILE);
    assert.equal(a.diagnostics.length, 1);
    assert.match(a.diagnostics[0]!.message, /nests more than 64 levels deep by indentation/);
    assert.equal(a.diagnostics[0]!.range.start.line, 64, 'the 65th level, where the cap is passed');
    const dashes = parseHypothesis(`model: m.onnx\nx:\n  ${'- '.repeat(1000)}1\n`, FILE);
    assert.equal(dashes.diagnostics.length, 1);
    assert.match(dashes.diagnostics[0]!.message, /nests more than 64 levels deep by indentation/);
    assert.equal(dashes.diagnostics[0]!.range.start.line, 2);
    // A deep but legal file is not refused, nor is a block scalar whose text is indented like a staircase.
    const ok = Array.from({ length: 30 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    assert.ok(!parseHypothesis(ok, FILE).diagnostics.some((d) => /levels deep/.test(d.message)));
    const block = `note: |\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 2)}line ${i}`).join('\n')}\n`;
    assert.ok(!parseHypothesis(block, FILE).diagnostics.some((d) => /levels deep/.test(d.message)));
  });

  it('the bracket-nesting error names the line and column of the 65th bracket', () => {
    const r = parseHypothesis(`model: m.onnx\n\n\nx: ${'['.repeat(70)}\n`, FILE);
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0]!.message, /nests brackets more than 64 levels deep/);
    assert.deepEqual(r.diagnostics[0]!.range.start, { line: 3, col: 3 + 64 });
  });
});
