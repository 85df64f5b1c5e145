// The reference peak: one 1024×1024×1024 float32 MatMul on onnxruntime with the bench's thread count,
// 2·1024³ FLOPs per run; the median of several timed batches of runs. Spinning threads (onnxruntime's own
// default) so that the peak is the highest the runtime reaches: utilizations against it are not flattered.
import { assembleModel, createSession, GraphBuilder, makeValueInfo, ort } from '../src/engine/onnx';
import { Rng } from '../src/engine/util/random';
import { median } from './stats';

export interface GemmResult {
  size: number;
  threads: number;
  gflops: number;
  samples: number[];
}

export async function measureGemmPeak(threads: number, repeats = 7, size = 1024): Promise<GemmResult> {
  const b = new GraphBuilder(17);
  b.op('MatMul', ['a', 'b'], {}, 'c');
  const model = assembleModel({
    name: 'gemm', builder: b,
    inputs: [makeValueInfo('a', 'float32', [size, size]), makeValueInfo('b', 'float32', [size, size])],
    outputs: [makeValueInfo('c', 'float32', [size, size])],
  });
  const session = await createSession(model, { threads, spinning: true });
  try {
    const rng = Rng.stream(8, 0);
    const feeds = {
      a: new ort.Tensor('float32', rng.fillNormal(new Float32Array(size * size)), [size, size]),
      b: new ort.Tensor('float32', rng.fillNormal(new Float32Array(size * size)), [size, size]),
    };
    const out = { c: new ort.Tensor('float32', new Float32Array(size * size), [size, size]) };
    for (let i = 0; i < 3; i++) await session.run(feeds, out);
    const flops = 2 * size ** 3;
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const runs = 5;
      const t = performance.now();
      for (let i = 0; i < runs; i++) await session.run(feeds, out);
      samples.push((runs * flops) / ((performance.now() - t) / 1000) / 1e9);
    }
    return { size, threads, gflops: median(samples), samples };
  } finally {
    await session.release();
  }
}
