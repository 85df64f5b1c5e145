// Builds one-op (or few-op) ONNX models whose float initializers are the parameters a gradcheck perturbs.
import { GraphBuilder } from '../../src/engine/onnx/builder';
import { assembleModel } from '../../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../../src/engine/onnx/proto';
import { makeValueInfo } from '../../src/engine/onnx/rewrite';
import { floatTensor, makeTensor } from '../../src/engine/onnx/tensor';
import { seededValues } from '../fixtures/models';

export interface OpBuilder {
  b: GraphBuilder;
  /** A float parameter with seeded values in [−scale, scale), or in [lo, hi) when `positive` bounds are given. */
  p(dims: number[], opts?: { scale?: number; range?: [number, number] }): string;
  /** An int64 constant initializer. */
  ints(values: number[], dims?: number[]): string;
  /** A bool constant initializer. */
  bools(values: boolean[], dims: number[]): string;
}

/** A seed from a text (FNV-1a): a test table's row seeds its inputs from its own name, whatever ran before it. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** `seed` decides every parameter's values (a number, or a text such as the test's name), so models never depend on build order. */
export function opModel(opset: number, build: (o: OpBuilder) => string | string[], seed: number | string = 0): ModelProto {
  const base = typeof seed === 'string' ? seedOf(seed) : seed;
  const b = new GraphBuilder(opset);
  let k = 0;
  const o: OpBuilder = {
    b,
    p(dims, opts = {}) {
      const n = dims.reduce((a, d) => a * d, 1);
      const raw = seededValues(n, (base + 1000 + ++k) >>> 0, 1);
      const [lo, hi] = opts.range ?? [-(opts.scale ?? 1), opts.scale ?? 1];
      const values = raw.map((u) => lo + ((u + 1) / 2) * (hi - lo));
      return b.initializer(floatTensor(b.name(`w${k}`), dims, values));
    },
    ints: (values, dims = [values.length]) => b.constInt64(values, dims),
    bools: (values, dims) => b.initializer(makeTensor(b.name('mask'), dims, values.map(Number), DataType.BOOL)),
  };
  const outs = build(o);
  const outputs = (Array.isArray(outs) ? outs : [outs]).map((name) => makeValueInfo(name, 'float32', null));
  return assembleModel({ name: 'op', builder: b, inputs: [], outputs });
}
