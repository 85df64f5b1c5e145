// What the editor says about a tensor of the model: where it comes from (op, node), its shape and dtype.
// Shapes come from the check's probe run when there was one, else from the graph's declared types.
import { escapeMarkdown, markdownCode } from '../protocol/escape';
import type { ProbedTensor } from '../engine/onnx';
import type { ModelFacts } from '../hypothesis';
// The module itself, not the package index: the index loads the checker and the engine, which activation must not.
import { shownDims } from '../hypothesis/shownShape';


export type TensorRole = 'input' | 'output' | 'parameter' | 'activation';

export interface TensorDescription {
  name: string;
  role: TensorRole;
  /** The producing node's op type and name (activations and outputs). */
  op?: string;
  node?: string;
  dtype: string;
  /** Dims as text: numbers, symbolic names, '?' for unknown; undefined when nothing is known. */
  shape?: string[];
  /** Where the shape comes from. */
  shapeSource?: 'measured' | 'declared';
  consumers: string[];
}

export function describeTensor(facts: ModelFacts, shapes: Map<string, ProbedTensor> | undefined, name: string): TensorDescription | undefined {
  const { index } = facts;
  const producer = index.producer.get(name);
  const isInput = index.graphInputs.includes(name);
  if (!producer && !isInput && !index.initializers.has(name)) return undefined;
  const role: TensorRole = isInput ? 'input' : index.graphOutputs.includes(name) ? 'output' : index.initializers.has(name) || producer?.opType === 'Constant' ? 'parameter' : 'activation';
  const probed = shapes?.get(name);
  const declared = index.types.get(name);
  // Measured shapes are written as the diagnostics write them: the example axis is `batch`, not the probe's size.
  const shape = probed ? shownDims(facts, name, probed.dims) : declared?.shape ? declared.shape.map((d) => (d === null ? '?' : String(d))) : undefined;
  return {
    name,
    role,
    ...(producer ? { op: producer.domain && producer.domain !== 'ai.onnx' ? `${producer.domain}.${producer.opType}` : producer.opType, node: producer.name || producer.output[0] } : {}),
    dtype: probed?.dtype ?? declared?.dtype ?? 'unknown',
    ...(shape ? { shape, shapeSource: probed ? 'measured' as const : 'declared' as const } : {}),
    consumers: index.consumersOf(name).map((n) => `${n.opType} ${n.name || n.output[0]}`),
  };
}

/** One line for a completion item's detail: `Relu → [8, 64] float32`. */
export function tensorDetail(d: TensorDescription): string {
  const from = d.op ?? d.role;
  return `${from} → ${d.shape ? `[${d.shape.join(', ')}]` : '[?]'} ${d.dtype}`;
}

/** Markdown for a hover: name, role, op and node, shape and dtype, consumers. */
export function tensorMarkdown(d: TensorDescription): string {
  // Every name comes from the model: code spans that nothing in a name can close (issue 24: a blank line in a node
  // name ended the span and an image after it loaded from the network on hover).
  const code = (s: string) => markdownCode(s);
  const lines = [`**${code(d.name)}** — ${escapeMarkdown(d.role)}`, ''];
  if (d.op) lines.push(`- op: ${code(d.op)} (node ${code(d.node ?? '?')})`);
  lines.push(`- shape: ${d.shape ? code(`[${d.shape.join(', ')}]`) : 'unknown'}${d.shapeSource === 'measured' ? ` (measured by one run${d.shape?.[0] === 'batch' ? '; batch: the number of examples' : ''})` : d.shapeSource === 'declared' ? ' (declared in the model)' : ''}`);
  lines.push(`- dtype: ${code(d.dtype)}`);
  if (d.consumers.length > 0) {
    const shown = d.consumers.slice(0, 4).map(code).join(', ');
    lines.push(`- used by: ${shown}${d.consumers.length > 4 ? `, … ${d.consumers.length - 4} more` : ''}`);
  }
  return lines.join('\n');
}

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/**
 * Completion order: what a circuit is made of first. 0: float activations (and float outputs); 1: activations whose
 * dtype is not known yet (before the check's probe run); 2: parameters; 3: other activations (int64 / bool index
 * tensors, shapes, masks); 4: model inputs.
 */
export function tensorRank(d: TensorDescription | undefined): number {
  if (!d) return 1;
  if (d.role === 'input') return 4;
  if (d.role === 'parameter') return 2;
  return FLOAT_DTYPES.has(d.dtype) ? 0 : d.dtype === 'unknown' ? 1 : 3;
}
