// Where a chain's fed SGLD noise comes from: the ziggurat stream of its key, drawn either inline (on the calling
// thread, just before it is needed) or one step ahead in a worker thread, so that drawing the next step's normals
// overlaps the current step's graph run (onnxruntime-node runs a session synchronously on the main thread).
// Both give the same numbers for the same key: the worker runs the same kernel source on the same state.
import { Worker } from 'node:worker_threads';
import { compileFill, FILL_FACTORY_SOURCE, normalStreamState, zigguratTables, zigguratWasm, type FillKernel } from './ziggurat';

/** One draw of a source: the values and Σ values² (the MALA diagnostics' |√ε·ξ|², computed on the way). */
export interface Normals {
  values: Float32Array;
  squaredNorm: number;
}

export interface NormalSource {
  /** The next `size` values of scale·N(0, 1); the array is the caller's until the following `next()`. */
  next(): Promise<Normals>;
  close(): void;
}

export type NormalSourceKind = 'inline' | 'worker';

export function openNormalSource(kind: NormalSourceKind, keys: readonly number[], size: number, scale: number): NormalSource {
  return kind === 'worker' ? new PrefetchedNormals(keys, size, scale) : new InlineNormals(keys, size, scale);
}

// Inline: each open source holds a kernel of its own and hands out the kernel's output area itself (no copy).
// Closed sources return their kernels here, so a sweep's chains, one after another, reuse one instance and its
// memory instead of leaving one per chain to the collector.
const idleKernels: FillKernel[] = [];

class InlineNormals implements NormalSource {
  private readonly state: Int32Array;
  private kernel?: FillKernel;

  constructor(keys: readonly number[], private readonly size: number, private readonly scale: number) {
    this.state = normalStreamState(keys);
    this.kernel = idleKernels.pop() ?? compileFill();
  }

  next(): Promise<Normals> {
    if (!this.kernel) return Promise.reject(new Error('the noise source is closed'));
    const squaredNorm = this.kernel.fill(this.state, this.size, this.scale);
    return Promise.resolve({ values: this.kernel.values(this.size), squaredNorm });
  }

  close(): void {
    if (this.kernel) idleKernels.push(this.kernel);
    this.kernel = undefined;
  }
}

// The worker: one per process, shared by every open stream, each stream's state kept there by id. Buffers travel
// as transferred ArrayBuffers (no copies).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const kernel = new Function('wasm', 'edge', 'ratio', workerData.factory)(workerData.wasm, workerData.edge, workerData.ratio);
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.kind === 'open') streams.set(m.stream, { state: m.state, scale: m.scale });
  else if (m.kind === 'close') streams.delete(m.stream);
  else {
    const s = streams.get(m.stream);
    const out = new Float32Array(m.buffer);
    const squaredNorm = s ? kernel.fill(s.state, out.length, s.scale, out) : NaN;
    parentPort.postMessage({ stream: m.stream, request: m.request, buffer: m.buffer, squaredNorm }, [m.buffer]);
  }
});
`;

interface Reply { stream: number; request: number; buffer: ArrayBuffer; squaredNorm: number }

class NoiseWorker {
  private static shared?: NoiseWorker;
  private readonly worker: Worker;
  private readonly waiting = new Map<string, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextStream = 0;

  static acquire(): NoiseWorker {
    return (NoiseWorker.shared ??= new NoiseWorker());
  }

  private constructor() {
    const { edge, ratio } = zigguratTables();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { factory: FILL_FACTORY_SOURCE, wasm: zigguratWasm(), edge, ratio } });
    // The thread keeps the process alive only while a fill is awaited (a chain abandoned mid-way leaks nothing that
    // blocks exit).
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const key = `${r.stream}:${r.request}`;
      this.waiting.get(key)?.resolve(r);
      this.waiting.delete(key);
      if (this.waiting.size === 0) this.worker.unref();
    });
    const fail = (e: Error) => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
      if (NoiseWorker.shared === this) NoiseWorker.shared = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the noise worker thread exited (${code})`)));
  }

  open(state: Int32Array, scale: number): number {
    const stream = this.nextStream++;
    this.worker.postMessage({ kind: 'open', stream, state, scale });
    return stream;
  }

  fill(stream: number, request: number, buffer: ArrayBuffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(`${stream}:${request}`, { resolve, reject });
      this.worker.postMessage({ kind: 'fill', stream, request, buffer }, [buffer]);
    });
  }

  release(stream: number): void {
    this.worker.postMessage({ kind: 'close', stream });
  }
}

class PrefetchedNormals implements NormalSource {
  private readonly worker = NoiseWorker.acquire();
  private readonly stream: number;
  private readonly pending: Promise<Reply>[] = [];
  private lent?: ArrayBuffer;
  private requests = 0;
  private closed = false;

  /** `ahead` steps are drawn before they are asked for (1: the next step's noise overlaps this step's run). */
  constructor(keys: readonly number[], private readonly size: number, scale: number, ahead = 1) {
    this.stream = this.worker.open(normalStreamState(keys), scale);
    for (let i = 0; i <= ahead; i++) this.request(new ArrayBuffer(4 * size));
  }

  private request(buffer: ArrayBuffer): void {
    this.pending.push(this.worker.fill(this.stream, this.requests++, buffer));
  }

  async next(): Promise<Normals> {
    if (this.closed) throw new Error('the noise source is closed');
    // The previous step's buffer is free again (its run has finished): it goes back to be refilled.
    if (this.lent) this.request(this.lent);
    const reply = await this.pending.shift()!;
    this.lent = reply.buffer;
    return { values: new Float32Array(reply.buffer, 0, this.size), squaredNorm: reply.squaredNorm };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Requests still in flight resolve into nothing; the worker drops the stream's state after them.
    for (const p of this.pending) p.catch(() => undefined);
    this.worker.release(this.stream);
  }
}
