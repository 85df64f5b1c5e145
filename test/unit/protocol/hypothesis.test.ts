import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGridFile } from '../../../src/engine/sweep/grid';
import { readResultsFile } from '../../../src/engine/sweep/readResults';
import { parseHypothesis } from '../../../src/hypothesis';
import { DIAL_KINDS } from '../../../src/protocol/dials';
import { degradationAs, type DegradationV3, degradationFromV3, type Hypothesis, hypothesisFromV3, tagDegradation, type UntaggedDegradation } from '../../../src/protocol/hypothesis';
import { currentResults, RESULTS_VERSION } from '../../../src/protocol/results';

const ROOT = path.resolve(__dirname, '../../..');
const SGLD = { stepSize: 1e-4, localization: 100, chains: 2, draws: 10, burnIn: 5, thin: 1, batchSize: 8 };
const every = (dial: UntaggedDegradation['dial']): UntaggedDegradation => ({
  dial, levels: [1, 2], scale: 'log', sgld: SGLD, noise: { samples: 4, tensors: ['h'] }, parameters: { include: ['fc*'] }, checkpoints: ['/a.onnx', '/b.onnx'], seed: 7,
});

describe('protocol: the tagged degradation', () => {
  it('keeps only the chosen dial\'s settings, beside the levels and the seed', () => {
    assert.deepEqual(tagDegradation(every('sgld')), { dial: 'sgld', levels: [1, 2], scale: 'log', sgld: SGLD, parameters: { include: ['fc*'] }, seed: 7 });
    assert.deepEqual(tagDegradation(every('weight-noise')), { dial: 'weight-noise', levels: [1, 2], scale: 'log', noise: { samples: 4 }, parameters: { include: ['fc*'] }, seed: 7 });
    assert.deepEqual(tagDegradation(every('activation-noise')), { dial: 'activation-noise', levels: [1, 2], scale: 'log', noise: { samples: 4, tensors: ['h'] }, seed: 7 });
    assert.deepEqual(tagDegradation(every('checkpoints')), { dial: 'checkpoints', levels: [1, 2], scale: 'log', checkpoints: ['/a.onnx', '/b.onnx'], seed: 7 });
    for (const dial of DIAL_KINDS) assert.equal(tagDegradation(every(dial)).dial, dial);
    assert.throws(() => degradationAs(tagDegradation(every('sgld')), 'checkpoints'), /expected the checkpoints dial's settings, not the sgld dial's/);
  });

  it('a hypothesis file resolves to the same tagged form its keys describe (the file format is unchanged)', () => {
    const file = path.join(ROOT, 'examples/planted/kappa-0.circuit.yaml');
    const h = parseHypothesis(fs.readFileSync(file, 'utf8'), file).hypothesis!;
    assert.deepEqual(h.degradation, { dial: 'weight-noise', levels: h.degradation.levels, scale: 'log', noise: { samples: 64 }, parameters: {}, seed: 0 });
    assert.equal(h.degradation.levels.length, 12);
    // Keys keep the order a version-3 file wrote them in, the degradation in its place.
    assert.deepEqual(Object.keys(h).indexOf('degradation'), Object.keys(parseHypothesis(fs.readFileSync(file, 'utf8'), file).draft).indexOf('degradation'));
  });

  it('converts a version 1–3 file\'s degradation on read; leaves a tagged or damaged one as it is', () => {
    const v3: DegradationV3 = { dial: 'weight-noise', temperatures: { levels: [0.1, 1], scale: 'log' }, sgld: SGLD, noise: { samples: 3 }, seed: 1 };
    assert.deepEqual(degradationFromV3(v3), { dial: 'weight-noise', levels: [0.1, 1], scale: 'log', noise: { samples: 3 }, seed: 1 });
    const h = { file: '/x', degradation: v3, controls: { count: 0 } } as unknown as Hypothesis;
    const converted = hypothesisFromV3(h);
    assert.deepEqual(Object.keys(converted), ['file', 'degradation', 'controls']);
    assert.deepEqual(converted.degradation, degradationFromV3(v3));
    assert.equal(hypothesisFromV3(converted), converted, 'a tagged one is returned as it is');
    const damaged = { file: '/x', degradation: { dial: 'sgld', temperatures: 3 } } as unknown as Hypothesis;
    assert.equal(hypothesisFromV3(damaged), damaged);
    const doc = { version: 3, hypothesis: { file: '/x', sha256: '', resolved: h } } as const;
    assert.deepEqual(currentResults(doc).hypothesis.resolved.degradation, degradationFromV3(v3));
    assert.equal(currentResults({ ...doc, version: RESULTS_VERSION }).hypothesis.resolved, h, 'a current file is not touched');
  });

  it('the committed example results (versions 2 and 3) open with their degradation tagged', () => {
    const sgld = readResultsFile(path.join(ROOT, 'examples/planted/kappa-1.sgld.results.json'));
    assert.ok(sgld.version < 4);
    const d = degradationAs(sgld.hypothesis.resolved.degradation, 'sgld');
    assert.equal(d.levels.length, sgld.levels.length);
    assert.deepEqual(d.levels, sgld.levels.map((l) => l.level));
    assert.equal('noise' in d, false);
    const grid = readGridFile(path.join(ROOT, 'examples/modular/addition-frequencies.grid.json'));
    const g = degradationAs(grid.sweep.hypothesis.resolved.degradation, 'weight-noise');
    assert.deepEqual(g.levels, grid.columns);
    assert.equal(g.grid!.checkpoints.length, grid.rows.length);
  });
});
