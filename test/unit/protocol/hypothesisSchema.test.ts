// The shipped JSON Schema is generated from the spec the checker uses; this keeps them the same.
// Regenerate with: UPDATE_SCHEMA=1 npx mocha test/unit/protocol/hypothesisSchema.test.ts
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultAt, HYPOTHESIS_SPEC, numberDefault, toJsonSchema } from '../../../src/protocol/hypothesisSchema';
import { DEFAULT_VERDICT } from '../../../src/engine/sweep/verdict';

const SCHEMA_FILE = path.join(__dirname, '..', '..', '..', 'schemas', 'circuit-hypothesis.schema.json');

describe('hypothesis JSON Schema', () => {
  const generated = `${JSON.stringify(toJsonSchema(), null, 2)}\n`;

  it('matches schemas/circuit-hypothesis.schema.json', () => {
    if (process.env.UPDATE_SCHEMA) fs.writeFileSync(SCHEMA_FILE, generated);
    assert.equal(fs.readFileSync(SCHEMA_FILE, 'utf8'), generated, 'the schema is stale: run UPDATE_SCHEMA=1 npx mocha test/unit/protocol/hypothesisSchema.test.ts');
  });

  it('is draft-07 with descriptions and the documented defaults', () => {
    const s = JSON.parse(generated);
    assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(s.required, ['model', 'data', 'loss', 'degradation']);
    // A circuit, or the units to scan (docs/method.md, "The entanglement map"): exactly one.
    assert.deepEqual(s.oneOf, [{ required: ['circuit'] }, { required: ['scan'] }]);
    assert.equal(s.additionalProperties, false);
    const sgld = s.properties.degradation.properties.sgld.properties;
    assert.deepEqual(
      Object.fromEntries(Object.entries(sgld).map(([k, v]) => [k, (v as { default?: number }).default])),
      { stepSize: 'auto', localization: 100, chains: 4, draws: 'auto', maxDraws: undefined, burnIn: 'auto', thin: 'auto', batchSize: 256, nbeta: undefined, sampler: 'sgld' });
    const verdict = s.properties.verdict.properties;
    assert.equal(verdict.noiseFloor.default, 1e-3);
    assert.equal(verdict.collateralTolerance.default, 0.1);
    assert.equal(verdict.persistence.default, 0.25);
    // Every property, at every depth, says what it is.
    const walk = (node: Record<string, unknown>, where: string): void => {
      assert.ok(typeof node.description === 'string' && node.description.length > 0, `${where} has no description`);
      for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(v, `${where}.${k}`);
      if (node.items) walk(node.items as Record<string, unknown>, `${where}[]`);
    };
    walk(s, '$');
  });

  it('lists the unit forms: integers and "a:b" ranges', () => {
    const units = JSON.parse(generated).properties.circuit.properties.components.items.properties.units;
    const [int, range] = units.items.oneOf;
    assert.equal(int.type, 'integer');
    assert.ok(new RegExp(range.pattern).test('40:48'));
    assert.ok(!new RegExp(range.pattern).test('40-48'));
  });

  it('requires temperatures except on the checkpoints dial', () => {
    const d = JSON.parse(generated).properties.degradation;
    assert.deepEqual(d.then, { required: ['checkpoints'] });
    assert.deepEqual(d.else, { required: ['temperatures'] });
    assert.equal(HYPOTHESIS_SPEC.properties.degradation.type, 'object');
  });

  it('is where every default is read: defaultAt walks the spec, and a setting it lacks is an error', () => {
    assert.equal(numberDefault(['controls', 'count']), 39);
    assert.equal(defaultAt(['degradation', 'sgld', 'stepSize']), 'auto');
    assert.throws(() => numberDefault(['controls', 'cuont']), /no setting controls\.cuont/);
    assert.throws(() => numberDefault(['degradation', 'sgld', 'stepSize']), /no numeric default/);
    // The verdict settings of documents written before version 3: every key of VerdictSettings, from the schema.
    // (referenceLoss, optional and without a default, is the one setting a document may lack.)
    const verdictSpec = HYPOTHESIS_SPEC.properties.verdict!.type === 'object' ? (HYPOTHESIS_SPEC.properties.verdict as { properties: Record<string, object> }).properties : {};
    assert.deepEqual(Object.keys(DEFAULT_VERDICT).sort(), Object.keys(verdictSpec).filter((k) => 'default' in verdictSpec[k]!).sort());
    assert.deepEqual(Object.keys(verdictSpec).filter((k) => !('default' in verdictSpec[k]!)), ['referenceLoss']);
    assert.equal(DEFAULT_VERDICT.alpha, 0.05);
  });

  it("package.json's defaults for new hypotheses are the schema's", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
    const props = manifest.contributes.configuration.properties;
    for (const key of ['stepSize', 'localization', 'chains', 'draws']) {
      assert.deepEqual(props[`circuitThermometer.defaults.sgld.${key}`]?.default, defaultAt(['degradation', 'sgld', key]), key);
    }
  });
});
