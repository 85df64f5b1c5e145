// L_n(w*): the loss over all n examples at the model's stored weights, with exactly the loss definition of the
// step graph (the autodiff module's, built with no parameters), evaluated in chunks so memory stays bounded.
import { buildGradientGraph } from '../autodiff';
import type { LossSpec } from '../autodiff/types';
import { NdArray, takeRows, toFloat32, toInt64 } from '../data/ndarray';
import { GraphIndex, valueInfoType } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { createSession, ort } from '../onnx/runtime';
import type { SgldLossKind } from './sgldSampler';

/** Mean loss over every example. Chunks hold `chunk` examples; a shorter last chunk gets its own graph. */
export async function fullDataLoss(
  model: ModelProto,
  loss: { kind: SgldLossKind; output: string },
  data: { inputs: Readonly<Record<string, NdArray>>; labels: NdArray },
  chunk = 1024,
): Promise<number> {
  const n = data.labels.shape[0] ?? 0;
  if (n === 0) throw new Error('the data set is empty');
  const taken = new Set(GraphIndex.of(model).tensorNames());
  let labels = 'labels';
  for (let i = 1; taken.has(labels); i++) labels = `labels_${i}`;
  const spec: LossSpec = loss.kind === 'cross-entropy' ? { kind: 'cross-entropy', output: loss.output, labels } : { kind: 'mse', output: loss.output, targets: labels };
  const size = Math.min(staticBatch(model) ?? chunk, n);
  if (staticBatch(model) !== undefined && n % size !== 0) {
    throw new Error(`the model's inputs have a static batch size of ${size}, which does not divide n = ${n}; `
      + 'export the model with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={...: {0: "batch"}}))');
  }
  const converted = new Map<string, NdArray>();
  const source = (name: string, dtype: string): NdArray => {
    let a = converted.get(name);
    if (!a) {
      const raw = name === labels ? data.labels : data.inputs[name];
      if (!raw) throw new Error(`no data for the model input '${name}'`);
      a = dtype === 'float32' ? toFloat32(raw) : dtype === 'int64' ? toInt64(raw, name) : raw;
      converted.set(name, a);
    }
    return a;
  };
  let total = 0;
  for (const [rows, starts] of chunkPlan(n, size)) {
    const feedShapes: Record<string, number[]> = {};
    for (const [name, a] of Object.entries(data.inputs)) feedShapes[name] = [rows, ...a.shape.slice(1)];
    const graph = await buildGradientGraph({ model, parameters: [], loss: spec, feedShapes });
    const declared = new Map(graph.model.graph.input.map((v) => [v.name, valueInfoType(v).dtype]));
    const session = await createSession(graph.model);
    try {
      for (const start of starts) {
        const index = Array.from({ length: rows }, (_, i) => start + i);
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, dtype] of declared) {
          const a = takeRows(source(name, dtype), index, name);
          feeds[name] = new ort.Tensor(a.dtype, a.data as Float32Array, [...a.shape]);
        }
        const out = await session.run(feeds);
        total += Number((out[graph.lossOutput]!.data as Float32Array)[0]) * rows;
      }
    } finally {
      await session.release();
    }
  }
  return total / n;
}

/** The batch size fixed by the model's declared input shapes, if any input's first dim is static. */
function staticBatch(model: ModelProto): number | undefined {
  const index = GraphIndex.of(model);
  for (const v of model.graph.input) {
    if (!index.graphInputs.includes(v.name)) continue;
    const first = valueInfoType(v).shape?.[0];
    if (typeof first === 'number') return first;
  }
  return undefined;
}

/** Groups chunk start offsets by chunk length: full chunks, then the remainder. */
function chunkPlan(n: number, size: number): [number, number[]][] {
  const full = Math.floor(n / size);
  const plan: [number, number[]][] = [[size, Array.from({ length: full }, (_, i) => i * size)]];
  if (n % size) plan.push([n % size, [full * size]]);
  return plan;
}
