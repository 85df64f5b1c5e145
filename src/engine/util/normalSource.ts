// Where a chain's fed SGLD noise comes from: the ziggurat stream of its key, drawn on the calling thread just
// before each step needs it. (A worker thread drawing a step ahead was measured and removed: a sweep runs one
// process per core, so there is no idle core for it to overlap the draw with — bench/README.md.)
import { compileFill, normalStreamState, type FillKernel } from './ziggurat';

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

export function openNormalSource(keys: readonly number[], size: number, scale: number): NormalSource {
  return new InlineNormals(keys, size, scale);
}

// Each open source holds a kernel of its own and hands out the kernel's output area itself (no copy).
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
