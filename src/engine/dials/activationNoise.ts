/**
 * activation-noise: y ← y + σ·ξ on each named tensor, ξ ~ N(0, I) fresh per draw and per example; level t = σ.
 *
 * The rewrite renames the producer's output and lets the noisy sum take the tensor's name, so everything that
 * names the tensor (consumers, circuit components, probes) sees the degraded activation: an intervention on a
 * noised tensor replaces noisy values. The noise is a fed input, shared by the clean and the ablated copy of the
 * paired model, so both see the same noise sample.
 */
import { builderFor, GraphIndex } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { cloneModel, insertAfter, makeValueInfo } from '../onnx/rewrite';
import { ort } from '../onnx/runtime';
import { Rng } from '../util/random';
import { type Dial, type DialContext, type DialDraw, type EvalBatch, degradationFor } from './dial';

export const ACTIVATION_NOISE_STREAM = 2;
export const noiseInputName = (tensor: string): string => `activation-noise/${tensor}`;

/** Inserts y + noise after each tensor, noise fed as `activation-noise/<tensor>`. */
export function addActivationNoise(model: ModelProto, tensors: readonly string[]): ModelProto {
  let m = cloneModel(model);
  for (const t of tensors) {
    const index = GraphIndex.of(m);
    const input = noiseInputName(t);
    const producer = index.producer.get(t);
    if (producer) {
      const b = builderFor(m, `activation-noise/${t}/`);
      const pre = b.name(`${t}/noise-free`);
      producer.output = producer.output.map((o) => (o === t ? pre : o));
      b.op('Add', [pre, input], {}, t);
      m.graph.node.splice(m.graph.node.indexOf(producer) + 1, 0, ...b.nodes);
    } else if (index.graphInputs.includes(t)) {
      m = insertAfter(m, t, (b, y) => b.add(y, input), `activation-noise/${t}/`);
    } else {
      throw new Error(`activation-noise: the model has no tensor named '${t}'`);
    }
    m.graph.input.push(makeValueInfo(input, 'float32', null));
  }
  return m;
}

export async function createActivationNoiseDial(ctx: DialContext): Promise<Dial> {
  const { levels, noise: { samples, tensors: written } } = degradationFor(ctx, 'activation-noise');
  const tensors = [...new Set(written)];
  if (tensors.length === 0) throw new Error('activation-noise needs degradation.noise.tensors: the tensors noise is added to');
  if (!(samples >= 2)) throw new Error(`activation-noise needs at least 2 samples per level to estimate a standard error (noise.samples = ${samples})`);
  const feedsFor = (sigma: number, key: number[]) => (batch: EvalBatch) => {
    const feeds: Record<string, ort.Tensor> = {};
    tensors.forEach((t, i) => {
      const dims = batch.dims(t);
      const data = new Float32Array(dims.reduce((a, d) => a * d, 1));
      // Keyed by batch and tensor too, so the noise does not depend on the order batches are evaluated in.
      if (sigma > 0) Rng.stream(...key, batch.index, i, ACTIVATION_NOISE_STREAM).fillNormal(data, sigma);
      feeds[noiseInputName(t)] = new ort.Tensor('float32', data, dims);
    });
    return feeds;
  };
  return {
    kind: 'activation-noise',
    levels,
    chains: 1,
    drawsPerChain: samples,
    independentDraws: true,
    deterministic: false,
    baseline: () => ({ feeds: feedsFor(0, []) }),
    rewriteModel: (model) => addActivationNoise(model, tensors),
    async *draws(levelIndex: number, chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      const sigma = levels[levelIndex]!;
      for (let d = 0; d < samples; d++) {
        signal?.throwIfAborted();
        yield { feeds: feedsFor(sigma, [ctx.seed, sigma, chain, d]) };
      }
    },
    async dispose() {},
  };
}
