// How a tensor's shape is written in messages and hovers alike. The check measures shapes by one run with a
// placeholder batch, so a measured leading size of an activation is not a fact of the model: where the model's
// batch is symbolic it is written `batch` (the number of examples), as the diagnostics and the hover both say.
import type { Dim } from '../engine/onnx';
import type { ModelFacts } from './cache';

/** Whether dim 0 of `tensor` is the example axis whose size the data decides (activations of a symbolic-batch model). */
export function hasBatchAxis(facts: ModelFacts, tensor: string): boolean {
  const { index } = facts;
  const batchIsSymbolic = index.graphInputs.some((name) => typeof index.types.get(name)?.shape?.[0] !== 'number');
  return batchIsSymbolic && !index.initializers.has(tensor) && !index.parameters().some((p) => p.name === tensor);
}

/** The dims as words: numbers, `batch` for the example axis, `?` for unknown. */
export function shownDims(facts: ModelFacts, tensor: string, dims: readonly (Dim | number)[]): string[] {
  const batch = hasBatchAxis(facts, tensor);
  return dims.map((d, k) => (k === 0 && batch ? 'batch' : d === null ? '?' : String(d)));
}

/** `[batch, 256]`. */
export function shownShape(facts: ModelFacts, tensor: string, dims: readonly (Dim | number)[]): string {
  return `[${shownDims(facts, tensor, dims).join(', ')}]`;
}
