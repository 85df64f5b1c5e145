// A regular model with a closed-form tempered posterior: linear regression y = x·W + b with MSE loss, as a real
// ONNX MatMul + Add model whose weights are the exact least-squares fit w0 (float64, rounded to float32).
//
// L(w) = mean_i (x_iᵀW + b − y_i)² is quadratic in w = (W, b): with Z = [x, 1] (n × (k+1)),
// L(w) = L(w0) + ½(w − w0)ᵀ·H·(w − w0), H = 2·ZᵀZ/n  (the factor 2: MSE here has no ½, as in torch/devinterp).
import { makeArray, NdArray } from '../../src/engine/data/ndarray';
import { GraphBuilder } from '../../src/engine/onnx/builder';
import { assembleModel } from '../../src/engine/onnx/modelFactory';
import { ModelProto } from '../../src/engine/onnx/proto';
import { makeValueInfo } from '../../src/engine/onnx/rewrite';
import { floatTensor } from '../../src/engine/onnx/tensor';
import { Rng } from '../../src/engine/util/random';

export type Matrix = number[][];

export interface LinearProblem {
  model: ModelProto;
  data: { inputs: Record<string, NdArray>; labels: NdArray };
  /** Parameter names in the order of w = (W row-major, b). */
  parameters: string[];
  /** The float32 weights stored in the model (the anchor w*), flattened in parameter order. */
  anchor: number[];
  /** The exact minimizer of L (float64). */
  w0: number[];
  /** Hessian of L (constant). */
  hessian: Matrix;
  n: number;
  d: number;
}

export function linearProblem(n: number, features: number, noise: number, seed: number): LinearProblem {
  const rng = Rng.stream(seed, 17);
  const x = new Float32Array(n * features);
  const y = new Float32Array(n);
  const trueW = Array.from({ length: features }, (_, j) => 0.5 - 0.3 * j);
  for (let i = 0; i < n; i++) {
    let s = 0.25;
    for (let j = 0; j < features; j++) {
      x[i * features + j] = rng.normal();
      s += x[i * features + j]! * trueW[j]!;
    }
    y[i] = s + noise * rng.normal();
  }
  // Least squares on Z = [x, 1] with the float32 data the model sees, in float64.
  const d = features + 1;
  const ztz: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const zty = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const z = [...Array.from(x.subarray(i * features, (i + 1) * features)), 1];
    for (let a = 0; a < d; a++) {
      zty[a]! += z[a]! * y[i]!;
      for (let b = 0; b < d; b++) ztz[a]![b]! += z[a]! * z[b]!;
    }
  }
  const w0 = solve(ztz, zty);
  const hessian = ztz.map((row) => row.map((v) => (2 * v) / n));
  const anchor = Array.from(Float32Array.from(w0));

  const b = new GraphBuilder(17);
  b.initializer(floatTensor('W', [features, 1], anchor.slice(0, features)));
  b.initializer(floatTensor('b', [1], anchor.slice(features)));
  b.op('Add', [b.op('MatMul', ['x', 'W']), 'b'], {}, 'y');
  const model = assembleModel({
    name: 'linear', builder: b,
    inputs: [makeValueInfo('x', 'float32', ['batch', features])],
    outputs: [makeValueInfo('y', 'float32', ['batch', 1])],
  });
  return {
    model, parameters: ['W', 'b'], anchor, w0, hessian, n, d,
    data: { inputs: { x: makeArray('float32', [n, features], x) }, labels: makeArray('float32', [n, 1], y) },
  };
}

/** The tempered local posterior's precision A = nβ·H + γI (a Gaussian here) and the exact E_q[L_n] − L_n(w0) =
 *  ½·tr(H·A⁻¹) (column j of A⁻¹H solves A·x = H·e_j). */
export function temperedPosterior(p: LinearProblem, nbeta: number, gamma: number): { precision: Matrix; lossGap: number } {
  const precision = p.hessian.map((row, i) => row.map((v, j) => nbeta * v + (i === j ? gamma : 0)));
  const lossGap = 0.5 * p.hessian.reduce((s, _, j) => s + solve(precision, p.hessian.map((row) => row[j]!))[j]!, 0);
  return { precision, lossGap };
}

// Small dense linear algebra in float64 (d ≤ 10).

export function solve(a: Matrix, rhs: number[]): number[] {
  const d = rhs.length;
  const m = a.map((row, i) => [...row, rhs[i]!]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= d; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[d]! / row[i]!);
}

export function inverse(a: Matrix): Matrix {
  const d = a.length;
  const cols = Array.from({ length: d }, (_, j) => solve(a, Array.from({ length: d }, (_, i) => (i === j ? 1 : 0))));
  return Array.from({ length: d }, (_, i) => cols.map((col) => col[i]!));
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

export const identityMatrix = (d: number): Matrix => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
export const scale = (a: Matrix, s: number): Matrix => a.map((row) => row.map((v) => v * s));
export const addMatrices = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));
export const trace = (a: Matrix): number => a.reduce((s, row, i) => s + row[i]!, 0);
