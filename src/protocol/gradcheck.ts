// A gradient check's request and report: plain data, sent to the worker and back (src/protocol/worker.ts), printed
// by the CLI's `gradcheck` and shown by the editor's "Check gradients". The check itself is
// src/engine/autodiff/gradcheck.ts.

export type InputSpec =
  | { kind: 'float'; dims: number[] }
  | { kind: 'int'; low: number; high: number; dims: number[] };

export interface GradcheckOptions {
  /** How to make each data input; inputs not named here use their declared static shape. */
  inputs?: Record<string, InputSpec>;
  seed?: number;
  /** Random directions per parameter tensor (default 2). */
  directions?: number;
  /** Tensors L sums over (graph outputs or intermediate tensors; default: every float output of the model). */
  outputs?: string[];
  /** Check a seeded sample of at most this many parameter tensors (default: all). */
  maxTensors?: number;
  /** The finite differences the gradient graph is compared with: on a float64 copy of the model, on the float32
   *  model itself, or both (default; the float64 differences decide, the float32 ones are reported beside them). */
  reference?: GradcheckReference;
}

export type GradcheckReference = 'float64' | 'float32' | 'both';

/** One precision's finite difference along one direction. */
export interface DifferenceCheck {
  analytic: number;
  numeric: number;
  step: number;
  relError: number;
}

export interface DirectionCheck {
  /** gᵀΔ/2h: the directional derivative predicted by the gradient graph. */
  analytic: number;
  /** (L(w + hd) − L(w − hd))/2h measured by the runtime. */
  numeric: number;
  /** The relative step h (fraction of the tensor's RMS) that agreed best. */
  step: number;
  relError: number;
  /** The float32 and float64 differences, where computed (the fields above repeat the one that decides). */
  float32?: DifferenceCheck;
  float64?: DifferenceCheck;
}

export interface TensorCheck {
  name: string;
  shape: number[];
  relError: number;
  pass: boolean;
  /** True when the directional derivative is below the float32 resolution of the check (see GRADCHECK_TOLERANCE). */
  belowResolution: boolean;
  /** The largest relative error against each precision's differences, where computed. */
  relError32?: number;
  relError64?: number;
  directions: DirectionCheck[];
}

export interface GradcheckReport {
  /** Float parameter tensors of the model. */
  parameters: number;
  checked: number;
  maxRelError: number;
  pass: boolean;
  /** If nodes whose condition is decided by constants, shapes and integer inputs, inlined before the check: the
   *  branch taken and the integer inputs it was decided at. */
  inlined: { node: string; branch: 'then_branch' | 'else_branch'; pinned: string[] }[];
  /** The differences that decided pass or fail. */
  reference: 'float64' | 'float32';
  /** The largest relative error against each precision, where computed. */
  maxRelError32?: number;
  maxRelError64?: number;
  /** How the float64 copy was made: ops spelled in other float64 ops, and ops that ran in float32 inside it
   *  (neither a float64 kernel in onnxruntime nor a spelling; the copy is only float32-exact there). */
  float64?: { lowered: string[]; float32Ops: string[] };
  inputs: Record<string, number[]>;
  tolerance: GradcheckTolerance;
  tensors: TensorCheck[];
  skipped: { name: string; reason: string }[];
}

/** The float32 tolerances the check used (see GRADCHECK_TOLERANCE in the engine). */
export interface GradcheckTolerance {
  relative: number;
  roundoffFactor: number;
  unitRoundoff: number;
  steps: readonly number[];
  /** The float64 reference's steps and unit roundoff. */
  float64: { unitRoundoff: number; steps: readonly number[] };
}

/** A check of one model file, as the worker runs it. */
export interface GradcheckParams extends GradcheckOptions {
  /** Absolute path of the .onnx file. */
  model: string;
}
