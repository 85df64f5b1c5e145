// The sgld dial's level calibration, on a potential built to break a metric pilot that does not recalibrate: a stiff
// quadratic weight a beside a quartic one q (L = mean((a·x₀)² + (q²·x₁)²)/2, both at 0). The first window, at plain
// SGLD's ε (set by a), sees q nearly flat, so the metric lengthens q's step by ~10³; at that metric and that ε the
// second window throws q into the quartic's wall within a few steps. Recalibrated, the window runs at a smaller ε.
import { strict as assert } from 'node:assert';
import { makeArray } from '../../../../src/engine/data/ndarray';
import { DialDivergence, type DialContext } from '../../../../src/engine/dials/dial';
import { dialParameters, parameterValues } from '../../../../src/engine/dials/parameters';
import { calibrateStepSize, createSgldDial, PILOT_STEPS } from '../../../../src/engine/dials/sgld';
import { estimateMetric, METRIC_PILOT_KEY, METRIC_WINDOWS } from '../../../../src/engine/dials/sgldMetric';
import { SgldSampler } from '../../../../src/engine/dials/sgldSampler';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import type { ModelProto } from '../../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../../src/engine/onnx/tensor';
import { Rng } from '../../../../src/engine/util/random';
import { tagDegradation, type SgldSettings } from '../../../../src/protocol/hypothesis';
import { defaultAt } from '../../../../src/protocol/hypothesisSchema';

/** n examples, x₀ ~ N(0, 100), x₁ ~ N(0, 1), labels 0: nβ·L has curvature ≈ 100·nβ along a and 6·nβ·q² along q. */
function quarticProblem(n: number): { model: ModelProto; data: DialContext['data'] } {
  const rng = Rng.stream(3, 1);
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) { x[2 * i] = 10 * rng.normal(); x[2 * i + 1] = rng.normal(); }
  const b = new GraphBuilder(17);
  b.initializer(floatTensor('a', [1], [0]));
  b.initializer(floatTensor('q', [1], [0]));
  b.op('Mul', ['x', b.op('Concat', ['a', b.op('Mul', ['q', 'q'])], { axis: 0 })], {}, 'y');
  const model = assembleModel({ name: 'quartic', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 2])], outputs: [makeValueInfo('y', 'float32', ['batch', 2])] });
  return { model, data: { inputs: { x: makeArray('float32', [n, 2], x) }, labels: makeArray('float32', [n, 2], new Float32Array(2 * n)) } };
}

const N = 64, NBETA = 100, GAMMA = 1, SEED = 0, LEVEL = 1;
const LOSS = { kind: 'mse', output: 'y' } as const;

describe('sgld dial: the metric pilot recalibrates ε between its windows', function () {
  this.timeout(120_000);

  it('the potential: at the first window\'s metric and ε the second window diverges; recalibrated, it finishes finite', async () => {
    const p = quarticProblem(N);
    const sampler = await SgldSampler.create({ model: p.model, parameters: ['a', 'q'], anchor: [new Float32Array(1), new Float32Array(1)], loss: LOSS, data: p.data, batchSize: N, threads: 1, sampler: 'preconditioned-sgld' });
    try {
      const calibrate = (metric: readonly Float32Array[] | undefined, largest?: number) => calibrateStepSize((stepSize, key) => sampler.chain({
        stepSize, nbeta: NBETA, localization: GAMMA, burnIn: 0, draws: PILOT_STEPS, thin: 1, key: [SEED, LEVEL, ...key], chain: -1, divergenceLoss: 100, malaEvery: 1, metric,
      }), LEVEL, largest);
      const plain = await calibrate(undefined);
      const pilot = { sampler, stepSize: plain, nbeta: NBETA, localization: GAMMA, key: [SEED, LEVEL, METRIC_PILOT_KEY], divergenceLoss: 100 };
      // The first window alone: q's metric is ≥ 100 (its step ≥ 100 times a's).
      const first = await estimateMetric({ ...pilot, windows: METRIC_WINDOWS.slice(0, 1) });
      assert.equal(first.metric[0]![0], 1, 'a is the stiffest weight');
      assert.ok(first.metric[1]![0]! >= 100, `q's metric ${first.metric[1]![0]}`);
      await assert.rejects(estimateMetric(pilot), (e: unknown) => e instanceof DialDivergence, 'the second window at plain SGLD\'s ε diverges');
      const m = await estimateMetric({ ...pilot, recalibrate: (next) => calibrate(next, plain) });
      assert.ok(m.stepSize < plain, `recalibrated ε ${m.stepSize} vs ${plain}`);
      assert.ok(m.metric.every((t) => t.every(Number.isFinite)) && Number.isFinite(m.relaxationSteps), 'a finite metric');
    } finally {
      await sampler.dispose();
    }
  });

  /** One level of `sampler` on the quartic potential: its first draws and what the level records. */
  async function level(settings: Partial<SgldSettings>) {
    const p = quarticProblem(N);
    const degradation = tagDegradation({
      dial: 'sgld', levels: [LEVEL], scale: 'log', seed: SEED, noise: { samples: 1 },
      sgld: { ...(defaultAt(['degradation', 'sgld']) as SgldSettings), nbeta: NBETA, localization: GAMMA, batchSize: N, chains: 1, draws: 3, burnIn: 5, thin: 1, ...settings },
    });
    const parameters = dialParameters(p.model, 'sgld');
    const dial = await createSgldDial({ degradation, loss: LOSS, model: p.model, parameters, initialWeights: parameterValues(p.model, parameters), data: p.data, n: N, seed: SEED, threads: 1 });
    try {
      const losses: number[] = [];
      for await (const d of dial.draws(0, 0)) losses.push(d.loss ?? NaN);
      return { losses, record: dial.levelRecord!(0) };
    } finally {
      await dial.dispose?.();
    }
  }

  // Before the recalibration hmc's pilot ran its second window at the first window's ε and diverged here.
  for (const stepSize of ['auto', Math.sqrt(1e-2 / 3 ** 4)] as const) {
    it(`hmc (stepSize ${stepSize === 'auto' ? 'auto' : 'given, the pilot at ε²'}): the level calibrates and draws finite, its passes counting the recalibrations`, async () => {
      const { losses, record } = await level({ sampler: 'hmc', stepSize });
      assert.equal(losses.length, 3);
      assert.ok(losses.every(Number.isFinite), `losses ${losses.join(', ')}`);
      if (stepSize !== 'auto') assert.equal(record.stepSize, stepSize, 'a given leapfrog step is used as is');
      const c = record.calibration!;
      assert.ok(c.gradients !== undefined && c.gradients > 0, 'the warm-up\'s full-data gradients are counted');
      // Step-graph passes: the windows' 600 and, after each window, at least the accepted rung's 100-step MALA pilot
      // (two passes a step); with auto also plain SGLD's ladder before them.
      const windows = METRIC_WINDOWS.reduce((a, w) => a + w, 0);
      const least = windows + METRIC_WINDOWS.length * 2 * PILOT_STEPS + (stepSize === 'auto' ? 2 * PILOT_STEPS : 0);
      assert.ok(c.passes - c.gradients >= least, `${c.passes - c.gradients} step-graph passes, at least ${least}`);
    });
  }
});
