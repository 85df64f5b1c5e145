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
}

export interface DirectionCheck {
  /** gᵀΔ/2h: the directional derivative predicted by the gradient graph. */
  analytic: number;
  /** (L(w + hd) − L(w − hd))/2h measured by the runtime. */
  numeric: number;
  /** The relative step h (fraction of the tensor's RMS) that agreed best. */
  step: number;
  relError: number;
}

export interface TensorCheck {
  name: string;
  shape: number[];
  relError: number;
  pass: boolean;
  /** True when the directional derivative is below the float32 resolution of the check (see GRADCHECK_TOLERANCE). */
  belowResolution: boolean;
  directions: DirectionCheck[];
}

export interface GradcheckReport {
  /** Float parameter tensors of the model. */
  parameters: number;
  checked: number;
  maxRelError: number;
  pass: boolean;
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
}

/** A check of one model file, as the worker runs it. */
export interface GradcheckParams extends GradcheckOptions {
  /** Absolute path of the .onnx file. */
  model: string;
}
