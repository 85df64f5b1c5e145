// What holds exponential-sgld's step down (docs/method.md, "Exponential SGLD"): the largest eigenvalues of the
// potential's Hessian A = nβ·∇²L_n + γI scaled by a Gaussian reference R, λ(R^(−1/2)·A·R^(−1/2)). A reference step
// `(1 − ρ)·R⁻¹` is stable while (1 − ρ)·λ_max < 2, so λ_max ≫ 1 means the reference misses curvature that only a
// smaller ε can absorb. Read on the modular sgld example at one level, by Lanczos on full-data Hessian-vector products
// (central differences of the full-data gradient), at w* and at a posterior point, for three references:
//   pilot         the sweep's own: the metric pilot's diagonal (sgldMetric.ts), read from w*
//   diagonal      E_q[(∂_iU)²] over posterior draws (at equilibrium this is the Hessian's diagonal, noise-free)
//   kronecker     per weight matrix, the eigenbases of E_q[G·Gᵀ] and E_q[Gᵀ·G] (G = ∂U/∂W), and the diagonal of
//                 E_q[(Uᵀ·G·V)²] in them (eigenvalue-corrected Kronecker factors, George et al. 2018); biases diagonal
// If a structured reference brought λ_max near 1, a sampler about it could take steps ×λ_max longer.
import * as path from 'node:path';
import { calibrateStepSize } from '../src/engine/dials/sgld';
import { fullDataLoss } from '../src/engine/dials/sgldLoss';
import { estimateMetric } from '../src/engine/dials/sgldMetric';
import { samplerGradient, SgldSampler, type SgldSamplerSpec } from '../src/engine/dials/sgldSampler';
import { toFloat32, toInt64 } from '../src/engine/data/ndarray';
import { valueInfoType } from '../src/engine/onnx/graph';
import { createSession, ort } from '../src/engine/onnx/runtime';
import { loadSweepInputs } from '../src/engine/sweep/inputs';
import { checkHypothesisFile } from '../src/hypothesis';
import { round } from './stats';

const MODULAR_SGLD = path.resolve(__dirname, '..', 'examples', 'modular', 'addition-frequencies.sgld.circuit.yaml');
/** Lanczos iterations (full reorthogonalization): the top few eigenvalues converge to every printed digit. */
const LANCZOS_STEPS = 60;
/** Posterior draws for the diagonal and Kronecker references, and the sgld steps between them. */
const DRAWS = 200;
const THIN = 100;
/** Steps from w* before the first draw: ≈ 18 of the pull's relaxation times at t = 0.3. */
const BURN_IN = 3000;
/** Central differences' step, along the unit vector. */
const DIFFERENCE_STEP = 1e-3;

export interface ReferenceSpectrum {
  example: string;
  level: number;
  weights: number;
  stepSize: number;
  /** ‖w − w*‖ at the posterior point the spectra are read at. */
  distance: number;
  /** The top eigenvalues, largest first, and how many of the LANCZOS_STEPS Ritz values lie above half the largest. */
  spectra: { reference: string; at: 'w*' | 'posterior'; top: number[]; aboveHalf: number }[];
  seconds: number;
}

/** Symmetric eigenvalues and eigenvectors (cyclic Jacobi) of an n × n row-major matrix; eigenvectors are V's columns. */
export function symmetricEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    }
    if (off <= 1e-24 * diag) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = a[p * n + q]!;
      if (apq === 0) continue;
      const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
      const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      const rotate = (x: Float64Array, i: number, j: number) => { const xi = x[i]!, xj = x[j]!; x[i] = c * xi - s * xj; x[j] = s * xi + c * xj; };
      for (let k = 0; k < n; k++) rotate(a, k * n + p, k * n + q);
      for (let k = 0; k < n; k++) rotate(a, p * n + k, q * n + k);
      for (let k = 0; k < n; k++) rotate(v, k * n + p, k * n + q);
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

const dot = (x: Float64Array, y: Float64Array) => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!; return s; };

/** The Ritz values of a symmetric operator after `steps` Lanczos steps with full reorthogonalization, largest first. */
export async function lanczosTop(apply: (v: Float64Array) => Promise<Float64Array>, size: number, steps: number): Promise<number[]> {
  const basis: Float64Array[] = [];
  const alpha: number[] = [], beta: number[] = [];
  // A fixed, dense start vector (deterministic, not aligned with any coordinate).
  let q = Float64Array.from({ length: size }, (_, i) => Math.sin(12.9898 * i + 78.233));
  q = q.map((x) => x / Math.sqrt(dot(q, q)));
  for (let k = 0; k < steps; k++) {
    basis.push(q);
    const w = await apply(q);
    alpha.push(dot(w, q));
    for (let pass = 0; pass < 2; pass++) for (const b of basis) { const c = dot(w, b); for (let i = 0; i < size; i++) w[i] -= c * b[i]!; }
    const norm = Math.sqrt(dot(w, w));
    beta.push(norm);
    if (!(norm > 1e-12)) break;
    q = w.map((x) => x / norm);
  }
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
  }
  return Array.from(symmetricEigen(t, m).values).sort((x, y) => y - x);
}

/** A weight matrix's rotation into the eigenbases of its gradient's row and column second moments. */
interface KroneckerBasis { offset: number; rows: number; cols: number; left: Float64Array; right: Float64Array }

/** y = Uᵀ·X·V (to the eigenbasis) or U·X·Vᵀ (back), for each matrix; other weights pass through. */
function rotate(x: Float64Array, bases: readonly KroneckerBasis[], back: boolean): Float64Array {
  const y = Float64Array.from(x);
  for (const { offset, rows: r, cols: c, left: u, right: v } of bases) {
    const t = new Float64Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
      let s = 0;
      for (let m = 0; m < r; m++) s += (back ? u[i * r + m]! : u[m * r + i]!) * x[offset + m * c + j]!;
      t[i * c + j] = s;
    }
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
      let s = 0;
      for (let m = 0; m < c; m++) s += t[i * c + m]! * (back ? v[j * c + m]! : v[m * c + j]!);
      y[offset + i * c + j] = s;
    }
  }
  return y;
}

export async function measureReferenceSpectrum(level: number, threads: number): Promise<ReferenceSpectrum> {
  const started = performance.now();
  const checked = await checkHypothesisFile(MODULAR_SGLD);
  const h = checked.hypothesis;
  if (!h || h.degradation.dial !== 'sgld') throw new Error(`${MODULAR_SGLD}: ${checked.diagnostics.map((d) => d.message).join('; ')}`);
  const inputs = await loadSweepInputs(h);
  const names = inputs.parameters.map((p) => p.name);
  const shapes = inputs.parameters.map((p) => [...p.shape]);
  const anchor = inputs.initialWeights;
  const sizes = anchor.map((a) => a.length);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const size = sizes.reduce((a, b) => a + b, 0);
  const flat = (ws: readonly Float32Array[]) => { const x = new Float64Array(size); ws.forEach((w, i) => x.set(w, offsets[i]!)); return x; };
  const loss = { kind: h.loss.kind, output: h.loss.output };
  const { localization: gamma, batchSize } = h.degradation.sgld;
  const nbeta = inputs.n / level;
  const spec: SgldSamplerSpec = { model: inputs.model.proto, parameters: names, anchor, loss, data: inputs.data, batchSize, threads, sampler: 'exponential-sgld' };
  const sampler = await SgldSampler.create(spec);
  const wStar = flat(anchor);
  try {
    const initial = await fullDataLoss(inputs.model.proto, loss, inputs.data);
    const divergenceLoss = initial + 100 * Math.max(Math.abs(initial), 1);
    const chain = { nbeta, localization: gamma, divergenceLoss, level };
    const pilot = (metric?: readonly Float32Array[]) => (stepSize: number, key: number[]) =>
      sampler.chain({ ...chain, stepSize, burnIn: 0, draws: 100, thin: 1, key: [0, level, ...key], chain: -1, malaEvery: 1, ...(metric ? { metric } : {}) });
    // The sweep's calibration: plain SGLD's ε, then the metric pilot's reference (stepSize auto, sgld.ts).
    const stepSize = await calibrateStepSize(pilot(), level);
    const m = await estimateMetric({ sampler, stepSize, nbeta, localization: gamma, key: [0, level, -3], divergenceLoss, level, recalibrate: (metric) => calibrateStepSize(pilot(metric), level, stepSize) });
    // Posterior draws: plain SGLD (no metric) at that ε.
    const draws: Float64Array[] = [];
    for await (const d of sampler.chain({ ...chain, stepSize, burnIn: BURN_IN, draws: DRAWS, thin: THIN, key: [0, level, 7], chain: 0, malaEvery: 0 })) draws.push(flat(d.weights));
    const center = draws[0]!;

    const { gradient, labelsInput } = await samplerGradient(spec, inputs.n);
    const session = await createSession(gradient.model);
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const v of gradient.model.graph.input) {
        if (names.includes(v.name)) continue;
        const raw = v.name === labelsInput ? inputs.data.labels : inputs.data.inputs[v.name]!;
        const dtype = valueInfoType(v).dtype;
        const a = dtype === 'float32' ? toFloat32(raw) : dtype === 'int64' ? toInt64(raw, v.name) : raw;
        feeds[v.name] = new ort.Tensor(a.dtype as 'float32', a.data as Float32Array, [...a.shape]);
      }
      const gradientOfL = async (w: Float64Array) => {
        names.forEach((name, i) => { feeds[name] = new ort.Tensor('float32', Float32Array.from(w.subarray(offsets[i]!, offsets[i]! + sizes[i]!)), shapes[i]!); });
        const out = await session.run(feeds);
        const g = new Float64Array(size);
        names.forEach((name, i) => g.set(out[gradient.gradOutputs[name]!]!.data as Float32Array, offsets[i]!));
        return g;
      };
      const gradientOfU = async (w: Float64Array) => (await gradientOfL(w)).map((g, i) => nbeta * g + gamma * (w[i]! - wStar[i]!));
      const hessianTimes = (at: Float64Array) => async (u: Float64Array) => {
        const h = DIFFERENCE_STEP / Math.sqrt(dot(u, u));
        const plus = await gradientOfL(at.map((w, i) => w + h * u[i]!)), minus = await gradientOfL(at.map((w, i) => w - h * u[i]!));
        return u.map((x, i) => (nbeta * (plus[i]! - minus[i]!)) / (2 * h) + gamma * x);
      };

      // The references, each as x ↦ R^(−1/2)·x.
      const gradients: Float64Array[] = [];
      for (const w of draws) gradients.push(await gradientOfU(w));
      const meanSquares = (transform: (g: Float64Array) => Float64Array) => {
        const s = new Float64Array(size);
        for (const g of gradients) { const z = transform(g); for (let i = 0; i < size; i++) s[i] += z[i]! ** 2 / gradients.length; }
        return s.map((v) => Math.max(v, gamma));
      };
      const bases: KroneckerBasis[] = shapes.flatMap((shape, k) => {
        if (shape.length !== 2) return [];
        const [rows, cols] = shape as [number, number];
        const rowMoments = new Float64Array(rows * rows), colMoments = new Float64Array(cols * cols);
        for (const g of gradients) {
          const w = g.subarray(offsets[k]!, offsets[k]! + rows * cols);
          for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) { let s = 0; for (let c = 0; c < cols; c++) s += w[i * cols + c]! * w[j * cols + c]!; rowMoments[i * rows + j] += s; }
          for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) { let s = 0; for (let r = 0; r < rows; r++) s += w[r * cols + i]! * w[r * cols + j]!; colMoments[i * cols + j] += s; }
        }
        return [{ offset: offsets[k]!, rows, cols, left: symmetricEigen(rowMoments, rows).vectors, right: symmetricEigen(colMoments, cols).vectors }];
      });
      const pilotReference = flat(m.reference);
      const diagonal = meanSquares((g) => g);
      const rotated = meanSquares((g) => rotate(g, bases, false));
      const scaleBy = (r: Float64Array) => (x: Float64Array) => x.map((v, i) => v / Math.sqrt(r[i]!));
      const references: [string, (x: Float64Array) => Float64Array][] = [
        ['pilot', scaleBy(pilotReference)],
        ['diagonal', scaleBy(diagonal)],
        ['kronecker', (x) => rotate(scaleBy(rotated)(rotate(x, bases, false)), bases, true)],
      ];
      const spectra: ReferenceSpectrum['spectra'] = [];
      const read = async (reference: string, at: 'w*' | 'posterior', halfInverse: (x: Float64Array) => Float64Array) => {
        const times = hessianTimes(at === 'w*' ? wStar : center);
        const ritz = await lanczosTop(async (v) => halfInverse(await times(halfInverse(v))), size, LANCZOS_STEPS);
        spectra.push({ reference, at, top: ritz.slice(0, 5).map((x) => Number(x.toPrecision(3))), aboveHalf: ritz.filter((x) => x > ritz[0]! / 2).length });
      };
      await read('pilot', 'w*', references[0]![1]);
      for (const [name, halfInverse] of references) await read(name, 'posterior', halfInverse);
      return {
        example: 'modular', level, weights: size, stepSize, distance: round(Math.sqrt(center.reduce((a, x, i) => a + (x - wStar[i]!) ** 2, 0)), 2),
        spectra, seconds: round((performance.now() - started) / 1000),
      };
    } finally {
      await session.release();
    }
  } finally {
    await sampler.dispose();
  }
}
