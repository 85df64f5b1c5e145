// A small results document for figure tests. Its numbers are arbitrary but internally consistent (a clean
// window over levels 1…10); the tests derive every expectation from the document, never from constants.
import type { Estimate, LevelResult, ResultsDocument } from '../../../src/protocol/results';
import { RESULTS_VERSION } from '../../../src/protocol/results';
import type { Hypothesis } from '../../../src/hypothesis/types';

const est = (mean: number, se: number, n = 400): Estimate => ({ mean, se, n });

export function sampleDocument(overrides: Partial<ResultsDocument> = {}): ResultsDocument {
  const temps = [0.1, 1, 10, 100];
  const levels: LevelResult[] = temps.map((t, i) => ({
    level: t,
    lossGap: est(0.01 * (i + 1) ** 2, 0.001 * (i + 1)),
    controlLossGap: est(0.012 * (i + 1) ** 2, 0.0012 * (i + 1)),
    targetEffect: est(0.8 - 0.15 * i, 0.02 + 0.01 * i),
    collateralEffect: est(i === 0 ? 0.05 : 0.001 * i, 0.002),
    llc: est(3 + i, 0.2),
    nbeta: 200 / t,
    collateralNegligible: i > 0,
    targetPersists: i < 3,
    chains: [],
    seconds: 0.5,
  }));
  const resolved = { circuit: { name: 'planted <circuit> & co', components: [] } } as unknown as Hypothesis;
  return {
    version: RESULTS_VERSION,
    kind: 'circuit-thermometer/results',
    engine: { name: 'circuit-thermometer', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    status: 'complete',
    hypothesis: { file: '/tmp/x.circuit.yaml', sha256: '0'.repeat(64), resolved },
    model: { path: '/tmp/x.onnx', sha256: 'f'.repeat(64) },
    dial: 'sgld',
    seed: 0,
    data: { n: 200, target: 100, control: 100 },
    baseline: { loss: 0.1, controlLoss: 0.1, targetMetric: 0.1, targetEffect: 0.8, collateralEffect: 0.05 },
    watanabeTemperature: Math.log(200),
    thresholds: { collateralTolerance: 0.1, persistence: 0.25, noiseFloor: 0.01 },
    levels,
    verdict: { cleanWindow: [1, 10], tEnt: 1, tSurv: 10, cleanlinessDecades: 1, summary: 'clean from t = 1 to 10 (1 decade)' },
    timings: { totalSeconds: 2, setupSeconds: 0.1 },
    ...overrides,
  };
}
