// Finite-difference verification of gradient graphs: for each parameter tensor, the directional derivative
// gᵀΔ of the gradient graph is compared with the central difference (L(w + Δ/2) − L(w − Δ/2)) measured by
// onnxruntime along random directions, at several step sizes: on the model's float64 copy (float64.ts; a miss
// there is a wrong rule), on the float32 model itself (float32 noise included), or both (the default).
// Ifs decided by constants, shapes and integer inputs are inlined first, as the gradient graph inlines them.
import type { DifferenceCheck, DirectionCheck, GradcheckOptions, GradcheckReport, GradcheckTolerance, InputSpec, TensorCheck } from '../../protocol/gradcheck';

export type { DifferenceCheck, DirectionCheck, GradcheckOptions, GradcheckReport, InputSpec, TensorCheck };
import { GraphIndex } from '../onnx/graph';
import { ModelProto } from '../onnx/proto';
import { parametersToInputs, restrictOutputs } from '../onnx/rewrite';
import { createSession, Feeds, ort } from '../onnx/runtime';
import { tensorToFloat32 } from '../onnx/tensor';
import { Rng } from '../util/random';
import { attrTensor } from '../onnx/attributes';
import { buildGradientGraph } from './gradientGraph';
import { GradientError } from './errors';
import { float64Session } from './float64';
import { probeTensors } from './probe';
import { inlineStaticIfs } from './staticIf';

/**
 * Float32 tolerances. With unit roundoff ε = 2⁻²⁴, the runtime's outputs y carry rounding errors of a few ε
 * relative to their size; the loss L = Σ⟨R, y⟩ is then known to δL = κ·ε·‖R∘y‖₂ (independent errors add in
 * quadrature; κ allows for rounding accumulated through the network's depth and reductions), and a central
 * difference with step h to δL/h. Truncation error is O(h²). A direction passes when
 * |analytic − numeric| ≤ max(ρ·max(|analytic|, |numeric|), δL/h) at one of the steps, tried in order.
 */
export const GRADCHECK_TOLERANCE = {
  /** ρ: relative error allowed between analytic and numeric directional derivatives. */
  relative: 1e-2,
  /** κ: rounding-noise multiplier on ε·‖R∘y‖₂. */
  roundoffFactor: 4,
  /** ε: float32 unit roundoff. */
  unitRoundoff: 2 ** -24,
  /** Steps h, relative to each tensor's RMS value (for all-zero tensors: the RMS of the tensors' RMS values),
   *  tried in order until one agrees within ρ/10; the best is reported. */
  steps: [1e-3, 3e-3, 1e-2, 3e-4, 1e-4, 3e-5, 3e-2],
  /** The float64 reference: unit roundoff 2⁻⁵³, so much smaller steps (fewer ReLU kinks inside a step, truncation
   *  error of order h² ≈ 1e-12); its floor is the float32 gradient graph's own rounding, κ·ε·Σ|gᵢΔᵢ|/2h. */
  float64: { unitRoundoff: 2 ** -53, steps: [1e-6, 1e-7, 1e-5] },
} as const satisfies GradcheckTolerance;

interface OutputInfo { name: string; weights: Float32Array }

/** A data input filled per its spec (floats standard normal, ints uniform in [low, high)). */
export function makeInput(spec: InputSpec, rng: Rng): ort.Tensor {
  const n = spec.dims.reduce((a, d) => a * d, 1);
  if (spec.kind === 'float') return new ort.Tensor('float32', rng.fillNormal(new Float32Array(n)), spec.dims);
  const data = new BigInt64Array(n);
  for (let i = 0; i < n; i++) data[i] = BigInt(spec.low + rng.int(spec.high - spec.low));
  return new ort.Tensor('int64', data, spec.dims);
}

function defaultInputs(model: ModelProto, given: Record<string, InputSpec>, rng: Rng): { feeds: Feeds; dims: Record<string, number[]> } {
  const index = GraphIndex.of(model);
  const feeds: Feeds = {};
  const dims: Record<string, number[]> = {};
  for (const name of Object.keys(given)) if (!index.graphInputs.includes(name)) throw new Error(`the model has no input named '${name}' (inputs: ${index.graphInputs.join(', ')})`);
  for (const name of index.graphInputs) {
    const t = index.types.get(name);
    const spec = given[name];
    if (spec) {
      if (spec.kind === 'int' && t?.dtype === 'int32') {
        const x = makeInput(spec, rng);
        feeds[name] = new ort.Tensor('int32', Int32Array.from(x.data as BigInt64Array, Number), spec.dims);
      } else {
        feeds[name] = makeInput(spec, rng);
      }
      dims[name] = spec.dims;
      continue;
    }
    const shape = t?.shape;
    if (!shape || shape.some((d) => typeof d !== 'number')) {
      throw new Error(`input '${name}' has shape [${(shape ?? []).map((d) => d ?? '?').join(', ')}]: give it with --input ${name}=float:DIMS or int:LOW:HIGH:DIMS`);
    }
    const d = shape as number[];
    const n = d.reduce((a, x) => a * x, 1);
    dims[name] = d;
    switch (t?.dtype) {
      case 'float32': feeds[name] = new ort.Tensor('float32', rng.fillNormal(new Float32Array(n)), d); break;
      // 1 is a valid token id and an all-ones mask attends everywhere.
      case 'int64': feeds[name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), d); break;
      case 'int32': feeds[name] = new ort.Tensor('int32', new Int32Array(n).fill(1), d); break;
      case 'bool': feeds[name] = new ort.Tensor('bool', new Uint8Array(n).fill(1), d); break;
      default: throw new Error(`input '${name}' has type ${t?.dtype ?? 'unknown'}, which gradcheck cannot fill`);
    }
  }
  return { feeds, dims };
}

/** Σ_o ⟨R_o, y_o⟩ in float64, and ‖R∘y‖₂. */
function weightedSum(result: Record<string, ort.Tensor>, outputs: readonly OutputInfo[]): { value: number; norm: number } {
  let value = 0, sq = 0;
  for (const o of outputs) {
    const y = result[o.name].data as Float32Array | Float64Array;
    const r = o.weights;
    for (let i = 0; i < y.length; i++) {
      const t = r[i] * y[i];
      value += t;
      sq += t * t;
    }
  }
  return { value, norm: Math.sqrt(sq) };
}

export async function gradcheck(whole: ModelProto, options: GradcheckOptions = {}): Promise<GradcheckReport> {
  const restricted = options.outputs?.length ? restrictOutputs(whole, options.outputs) : whole;
  const seed = options.seed ?? 0;
  const tol = GRADCHECK_TOLERANCE;
  const { feeds: dataFeeds, dims } = defaultInputs(restricted, options.inputs ?? {}, Rng.stream(seed, 1));
  // Ifs decided by constants, shapes and integer inputs are inlined: the check, like the gradient, sees the branch taken.
  const { model, inlined } = await inlineStaticIfs(restricted, dataFeeds);
  const index = GraphIndex.of(model);
  const all = index.parameters();
  const skipped: { name: string; reason: string }[] = [];
  // Stored float tensors that the weights rule leaves out are listed with its reason (scalars are too many to list).
  for (const t of index.storedTensors()) {
    if (t.reason && (t.role === 'mask' || t.role === 'index' || t.role === 'unused')) skipped.push({ name: t.name, reason: t.reason });
  }
  let candidates = all.filter((p) => {
    if (p.dtype !== 'float32') { skipped.push({ name: p.name, reason: `${p.dtype} parameters are not checked` }); return false; }
    return true;
  });
  if (options.maxTensors !== undefined && candidates.length > options.maxTensors) {
    const order = Rng.stream(seed, 3).permutation(candidates.length);
    const keep = new Set(Array.from(order.subarray(0, options.maxTensors)));
    candidates.forEach((p, i) => { if (!keep.has(i)) skipped.push({ name: p.name, reason: `not in the sample of ${options.maxTensors}` }); });
    candidates = candidates.filter((_, i) => keep.has(i));
  }
  if (candidates.length === 0) {
    const inside = model.graph.node.some((n) => n.attribute.some((a) => a.g || a.graphs?.length));
    throw new GradientError(`the model has no float32 weights to check${inside ? ' outside its control-flow subgraphs (If, Loop, Scan bodies hold its values, and control flow cannot be differentiated)' : ''}`);
  }
  const names = candidates.map((p) => p.name);
  const values = new Map(names.map((n) => [n, parameterValues(model, index, n)]));
  // All-zero tensors (fresh biases) are stepped at the typical scale of the model's weights.
  const globalRms = rmsOf(Float32Array.from([...values.values()].flatMap((v) => [rmsOf(v)]).filter((r) => r > 0))) || 1;

  const reference = options.reference ?? 'both';
  const fdModel = parametersToInputs(model, names);
  const session = await createSession(fdModel);
  let session64: ort.InferenceSession | undefined;
  try {
    const paramFeeds = (override?: { name: string; data: Float32Array }): Feeds => {
      const f: Feeds = { ...dataFeeds };
      for (const p of candidates) {
        const data = override && override.name === p.name ? override.data : values.get(p.name)!;
        f[p.name] = new ort.Tensor('float32', data, p.shape);
      }
      return f;
    };
    const base = await session.run(paramFeeds());
    const outputs: OutputInfo[] = [];
    const rr = Rng.stream(seed, 2);
    for (const o of model.graph.output) {
      const t = base[o.name];
      if (t.type !== 'float32') continue;
      outputs.push({ name: o.name, weights: rr.fillNormal(new Float32Array(t.size)) });
    }
    if (outputs.length === 0) throw new Error('the model has no float32 output to differentiate');
    const baseNorm = weightedSum(base, outputs).norm;

    // The gradient graph, with L = Σ⟨R, y⟩.
    const weightNames = Object.fromEntries(outputs.map((o, i) => [o.name, `gradcheck_R${i}`]));
    const graph = await buildGradientGraph({
      model, parameters: names, loss: { kind: 'weighted-sum', weights: weightNames }, feedShapes: dims, probeFeeds: dataFeeds,
    });
    const gradSession = await createSession(graph.model);
    let grads: Record<string, ort.Tensor>;
    try {
      const gf = paramFeeds();
      for (const o of outputs) gf[weightNames[o.name]] = new ort.Tensor('float32', o.weights, [...base[o.name].dims]);
      grads = await gradSession.run(gf);
    } finally {
      await gradSession.release();
    }

    // The float64 copy, fed the same data and weights widened to float64.
    let float64: GradcheckReport['float64'];
    const data64: Feeds = {};
    if (reference !== 'float32') {
      const made = await float64Session(fdModel, await probeTensors(model, dataFeeds));
      session64 = made.session;
      float64 = { lowered: made.copy.lowered, float32Ops: made.copy.float32Ops };
      for (const [k, t] of Object.entries(dataFeeds)) data64[k] = t.type === 'float32' ? new ort.Tensor('float64', Float64Array.from(t.data as Float32Array), t.dims) : t;
    }
    const loss32 = async (name: string, data: Float32Array) => weightedSum(await session.run(paramFeeds({ name, data })), outputs).value;
    const loss64 = async (name: string, data: Float64Array) => {
      const f: Feeds = { ...data64 };
      for (const p of candidates) f[p.name] = new ort.Tensor('float64', p.name === name ? data : Float64Array.from(values.get(p.name)!), p.shape);
      return weightedSum(await session64!.run(f), outputs).value;
    };

    /** Central differences of one precision along v, at its steps in turn until one agrees within ρ/10; the best. */
    const difference = async (name: string, w: Float32Array, g: Float32Array, v: Float32Array, rms: number, precision: 32 | 64) => {
      const steps = precision === 32 ? tol.steps : tol.float64.steps;
      const noiseL = tol.roundoffFactor * (precision === 32 ? tol.unitRoundoff : tol.float64.unitRoundoff) * baseNorm;
      let best: DifferenceCheck | null = null, bestBelow = false;
      for (const h of steps) {
        const plus = precision === 32 ? new Float32Array(w.length) : new Float64Array(w.length);
        const minus = precision === 32 ? new Float32Array(w.length) : new Float64Array(w.length);
        for (let i = 0; i < w.length; i++) {
          plus[i] = w[i] + h * rms * v[i];
          minus[i] = w[i] - h * rms * v[i];
        }
        // The step actually taken is the rounded difference, so weight rounding cancels out.
        let gd = 0, gdAbs = 0;
        for (let i = 0; i < w.length; i++) {
          const t = g[i] * (plus[i] - minus[i]);
          gd += t;
          gdAbs += Math.abs(t);
        }
        const analytic = gd / (2 * h);
        const numeric = precision === 32
          ? ((await loss32(name, plus as Float32Array)) - (await loss32(name, minus as Float32Array))) / (2 * h)
          : ((await loss64(name, plus as Float64Array)) - (await loss64(name, minus as Float64Array))) / (2 * h);
        // Against float64 differences the float32 gradient graph's own rounding is the floor: κ·ε₃₂ per term.
        const floor = precision === 32 ? noiseL / h : Math.max(noiseL / h, tol.roundoffFactor * tol.unitRoundoff * gdAbs / (2 * h));
        const err = Math.abs(analytic - numeric);
        const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
        const relError = err / Math.max(scale, floor / tol.relative);
        const check: DifferenceCheck = { analytic, numeric, step: h, relError: Number.isNaN(relError) ? Infinity : relError };
        if (!best || check.relError < best.relError) { best = check; bestBelow = scale < floor / tol.relative; }
        if (check.relError <= tol.relative / 10) break;
      }
      return { check: best!, below: bestBelow };
    };

    const tensors: TensorCheck[] = [];
    for (const [ti, p] of candidates.entries()) {
      const w = values.get(p.name)!;
      const g = grads[graph.gradOutputs[p.name]].data as Float32Array;
      const rms = rmsOf(w) || globalRms;
      const directions: DirectionCheck[] = [];
      let below = false;
      for (let d = 0; d < (options.directions ?? 2); d++) {
        const v = Rng.stream(seed, 4, ti, d).fillNormal(new Float32Array(w.length));
        const f32 = reference === 'float64' ? undefined : await difference(p.name, w, g, v, rms, 32);
        const f64 = reference === 'float32' ? undefined : await difference(p.name, w, g, v, rms, 64);
        const decides = (f64 ?? f32)!;
        directions.push({ ...decides.check, float32: f32?.check, float64: f64?.check });
        below ||= decides.below;
      }
      const worst = (k: 'float32' | 'float64') => (directions[0][k] ? Math.max(...directions.map((x) => x[k]!.relError)) : undefined);
      const relError = Math.max(...directions.map((x) => x.relError));
      tensors.push({ name: p.name, shape: p.shape, relError, pass: relError <= tol.relative, belowResolution: below, relError32: worst('float32'), relError64: worst('float64'), directions });
    }
    const maxOf = (k: 'relError' | 'relError32' | 'relError64') => (tensors[0]?.[k] === undefined ? undefined : tensors.reduce((m, t) => Math.max(m, t[k]!), 0));
    return {
      parameters: all.length, checked: tensors.length, maxRelError: maxOf('relError')!, pass: tensors.every((t) => t.pass),
      reference: reference === 'float32' ? 'float32' : 'float64', inlined, maxRelError32: maxOf('relError32'), maxRelError64: maxOf('relError64'), float64,
      inputs: dims, tolerance: tol, tensors, skipped,
    };
  } finally {
    await session.release();
    await session64?.release();
  }
}

function rmsOf(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return v.length ? Math.sqrt(s / v.length) : 0;
}

function parameterValues(model: ModelProto, index: GraphIndex, name: string): Float32Array {
  const init = index.initializers.get(name);
  if (init) return tensorToFloat32(init);
  const node = model.graph.node.find((n) => n.opType === 'Constant' && n.output[0] === name);
  const t = node ? attrTensor(node, 'value') : undefined;
  if (!t) throw new Error(`parameter '${name}' has no stored value`);
  return tensorToFloat32(t);
}
