// The numeric half of "Check gradients": the engine's gradient check (finite differences on onnxruntime against
// the gradient graph) in the worker process, over the worker protocol like sweeps, so the model runs outside the
// extension host. Inputs are shaped like the hypothesis's data (a few examples), integer inputs drawn from the
// data's range.
import type { GradcheckReport, InputSpec } from '../protocol/gradcheck';
import { WorkerClient } from '../worker/client';

/** Examples per gradcheck run: enough for every op's broadcasting, few enough to be quick. */
const EXAMPLES = 4;
/** A sample of parameter tensors keeps big models' checks short; the seed makes it the same sample each time. */
const MAX_TENSORS = 12;

/** How to make each data input, from the data arrays' dtype, shape and integer range (floats: standard normal). */
export function inputSpecs(inputs: Record<string, { dtype: string; shape: number[]; range?: [number, number] }>): Record<string, InputSpec> {
  const out: Record<string, InputSpec> = {};
  for (const [name, a] of Object.entries(inputs)) {
    if (a.shape.length === 0) continue;
    const dims = [Math.min(a.shape[0]!, EXAMPLES), ...a.shape.slice(1)];
    if (/^float|^bfloat/.test(a.dtype)) out[name] = { kind: 'float', dims };
    else if (/^u?int/.test(a.dtype) && a.range) out[name] = { kind: 'int', low: a.range[0], high: a.range[1] + 1, dims };
  }
  return out;
}

/** Checks `model` in a worker of its own (`workerPath`: dist/worker.js), ended when the check settles or aborts. */
export async function runGradcheck(workerPath: string, model: string, inputs: Record<string, InputSpec>, signal: AbortSignal): Promise<GradcheckReport> {
  const client = new WorkerClient({ workerPath });
  try {
    return await client.gradcheck({ model, inputs, maxTensors: MAX_TENSORS }, signal);
  } finally {
    await client.dispose();
  }
}
