// A shape probe's request and answer: one run of a model on zero-filled inputs of the given dims, every node output
// measured (the hypothesis checks compare units, axes and labels with these shapes). Plain data sent to the worker
// and back (src/protocol/worker.ts), so the editor never runs onnxruntime in its own process.

export interface ProbeParams {
  /** Absolute path of the .onnx file; the worker reads and validates it itself. */
  model: string;
  /** The sha256 the client saw (LoadedModel.sha256): a model that changed on disk since is refused, not probed. */
  sha256: string;
  /** Dims of every graph input; dtypes are the model's declared ones. */
  feedDims: Record<string, number[]>;
  /** Measure only these tensors (large graphs); default every one. */
  only?: string[];
}

export interface ProbedShape {
  dtype: string;
  dims: number[];
}

export interface ProbeResult {
  /** Every graph input, initializer and node output, by name. */
  tensors: Record<string, ProbedShape>;
}
