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

/** A 1024³ MatMul session kept open, so that the peak can be sampled between other measurements. */
export class GemmProbe {
  private constructor(readonly size: number, readonly threads: number, private readonly session: ort.InferenceSession, private readonly feeds: Record<string, ort.Tensor>, private readonly out: Record<string, ort.Tensor>) {}

  static async create(threads: number, size = 1024): Promise<GemmProbe> {
    const b = new GraphBuilder(17);
    b.op('MatMul', ['a', 'b'], {}, 'c');
    const model = assembleModel({
      name: 'gemm', builder: b,
      inputs: [makeValueInfo('a', 'float32', [size, size]), makeValueInfo('b', 'float32', [size, size])],
      outputs: [makeValueInfo('c', 'float32', [size, size])],
    });
    const session = await createSession(model, { threads, spinning: true });
    const rng = Rng.stream(8, 0);
    const feeds = {
      a: new ort.Tensor('float32', rng.fillNormal(new Float32Array(size * size)), [size, size]),
      b: new ort.Tensor('float32', rng.fillNormal(new Float32Array(size * size)), [size, size]),
    };
    const out = { c: new ort.Tensor('float32', new Float32Array(size * size), [size, size]) };
    const probe = new GemmProbe(size, threads, session, feeds, out);
    await probe.measure(3);
    return probe;
  }

  /** GFLOP/s over `runs` back-to-back products. */
  async measure(runs = 5): Promise<number> {
    const t = performance.now();
    for (let i = 0; i < runs; i++) await this.session.run(this.feeds, this.out);
    return (runs * 2 * this.size ** 3) / ((performance.now() - t) / 1000) / 1e9;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export async function measureGemmPeak(threads: number, repeats = 7, size = 1024): Promise<GemmResult> {
  const probe = await GemmProbe.create(threads, size);
  try {
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++) samples.push(await probe.measure());
    return { size, threads, gflops: median(samples), samples };
  } finally {
    await probe.release();
  }
}
