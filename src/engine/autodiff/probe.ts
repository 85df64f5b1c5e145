// Facts about every forward tensor at the feed shapes the gradient graph is built for: dtype, dims, and the
// values of small integer tensors (shapes, axes, slice bounds computed by Shape → Gather → … chains).
import { GraphIndex } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { exposeTensors } from '../onnx/rewrite';
import { createSession, Feeds } from '../onnx/runtime';
import { dataTypeOf, DTypeName } from '../onnx/tensor';

export interface TensorFacts {
  dataType: number;
  dims: number[];
  /** Values of integer and boolean tensors of at most MAX_VALUE_ELEMENTS elements. */
  values?: number[];
}

const MAX_VALUE_ELEMENTS = 4096;
const INTEGER_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']);

/** Runs `model` once on `feeds` with every node output exposed. */
export async function probeTensors(model: ModelProto, feeds: Feeds): Promise<Map<string, TensorFacts>> {
  const index = GraphIndex.of(model);
  const names = model.graph.node.flatMap((n) => n.output).filter((o) => o !== '');
  const session = await createSession(exposeTensors(model, names), { optimization: 'disabled' });
  const out = new Map<string, TensorFacts>();
  try {
    const result = await session.run(feeds);
    for (const [name, t] of Object.entries(feeds)) out.set(name, { dataType: dataTypeOf(t.type as DTypeName), dims: [...t.dims] });
    for (const [name, init] of index.initializers) out.set(name, { dataType: init.dataType, dims: init.dims.map(Number) });
    for (const [name, t] of Object.entries(result)) {
      const facts: TensorFacts = { dataType: dataTypeOf(t.type as DTypeName), dims: [...t.dims] };
      if (INTEGER_TYPES.has(t.type) && t.size <= MAX_VALUE_ELEMENTS) {
        facts.values = Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
      }
      out.set(name, facts);
      t.dispose?.();
    }
    return out;
  } finally {
    await session.release();
  }
}
