// Shape facts for every tensor, measured by one run of the model on placeholder inputs.
import * as ort from 'onnxruntime-node';
import { Dim, GraphIndex, valueInfoType } from './graph';
import { ModelProto } from './proto';
import { exposeTensors } from './rewrite';
import { createSession, Feeds } from './runtime';
import { DTypeName, numElements } from './tensor';

export interface ProbedTensor {
  dtype: string;
  dims: number[];
}

/** Size given to symbolic dimensions when no feeds are supplied. */
export const PROBE_SYMBOLIC_SIZE = 2;

export function placeholderTensor(dtype: DTypeName, dims: number[]): ort.Tensor {
  const n = numElements(dims);
  switch (dtype) {
    case 'float32': return new ort.Tensor('float32', new Float32Array(n), dims);
    case 'float64': return new ort.Tensor('float64', new Float64Array(n), dims);
    case 'int64': return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case 'int32': return new ort.Tensor('int32', new Int32Array(n), dims);
    case 'bool': return new ort.Tensor('bool', new Uint8Array(n), dims);
    case 'uint8': return new ort.Tensor('uint8', new Uint8Array(n), dims);
    case 'int8': return new ort.Tensor('int8', new Int8Array(n), dims);
    default: throw new Error(`cannot make a placeholder input of type ${dtype}`);
  }
}

/** Zero-filled feeds for every graph input, symbolic dims set to `symbolic` (or a per-name size). */
export function placeholderFeeds(model: ModelProto, symbolic: number | Record<string, number> = PROBE_SYMBOLIC_SIZE): Feeds {
  const index = GraphIndex.of(model);
  const feeds: Feeds = {};
  for (const v of model.graph.input) {
    if (!index.graphInputs.includes(v.name)) continue;
    const t = valueInfoType(v);
    if (!t.shape) throw new Error(`input '${v.name}' has no declared shape; give its shape explicitly`);
    const dims = t.shape.map((d: Dim) => (typeof d === 'number' ? d : typeof symbolic === 'number' ? symbolic : symbolic[d ?? ''] ?? PROBE_SYMBOLIC_SIZE));
    feeds[v.name] = placeholderTensor(t.dtype, dims);
  }
  return feeds;
}

/** Zero-filled feeds of the given dims, each of its input's declared dtype (float32 when undeclared). */
export function feedsOfDims(model: ModelProto, feedDims: Record<string, number[]>): Feeds {
  const index = GraphIndex.of(model);
  return Object.fromEntries(Object.entries(feedDims).map(([name, dims]) => {
    const dtype = (index.types.get(name)?.dtype ?? 'float32') as DTypeName;
    return [name, placeholderTensor(dtype === 'undefined' ? 'float32' : dtype, dims)];
  }));
}

/** Runs the model once with every node output (or those in `only`) exposed and returns each tensor's dtype and dims. */
export async function probeShapes(model: ModelProto, feeds: Feeds = placeholderFeeds(model), only?: readonly string[]): Promise<Map<string, ProbedTensor>> {
  const index = GraphIndex.of(model);
  // `only`: the tensors a caller needs (onnxruntime's load time grows fast with the number of graph outputs).
  const wanted = only ? new Set(only) : undefined;
  const names = model.graph.node.flatMap((n) => n.output).filter((o) => o !== '' && (!wanted || wanted.has(o)));
  const exposed = exposeTensors(model, names);
  const session = await createSession(exposed, { optimization: 'disabled' });
  try {
    const result = await session.run(feeds);
    const out = new Map<string, ProbedTensor>();
    for (const [name, t] of Object.entries(feeds)) out.set(name, { dtype: t.type, dims: [...t.dims] });
    for (const [name, init] of index.initializers) out.set(name, { dtype: index.types.get(name)?.dtype ?? 'undefined', dims: init.dims.map(Number) });
    for (const [name, t] of Object.entries(result)) {
      out.set(name, { dtype: t.type, dims: [...t.dims] });
      t.dispose?.();
    }
    return out;
  } finally {
    await session.release();
  }
}
