// "New Hypothesis from Model": a hypothesis file that already names the model's real inputs, output and an
// activation tensor (with shapes measured by one run where the workspace is trusted), the workspace's data files
// that fit (dataFiles.ts), and the sweep defaults from the settings. The user picks the units; the checker shows
// what is still missing. It starts with the weight-noise dial (a sweep that finishes), the sgld settings written
// below it as a comment. Pure: the caller supplies the model facts.
import type { GraphIndex, ModelProto, ProbedTensor } from '../engine/onnx';
import type { DataChoice } from './dataFiles';

export interface ScaffoldTensor {
  name: string;
  /** Producing op, e.g. `Relu`. */
  op?: string;
  dtype: string;
  shape: (number | string | null)[] | null;
}

export interface ScaffoldInput {
  /** Model path relative to the new file (POSIX separators). */
  modelPath: string;
  inputs: ScaffoldTensor[];
  outputs: ScaffoldTensor[];
  /** Intermediate tensors in graph order. */
  activations: ScaffoldTensor[];
  sgld: { stepSize: number | 'auto'; localization: number; chains: number; draws: number | 'auto' };
  /** Data files found in the workspace for each slot (absent: placeholders under ./data/). */
  data?: DataChoice;
}

/**
 * Each tensor's op, dtype and shape for the scaffold (measured shapes where a probe ran, the first axis written
 * `batch` when the model's batch is symbolic; declared ones otherwise), and the intermediate tensors in graph order.
 * The CLI's `new` and the editor's command both read the model through this.
 */
export function modelTensors(model: ModelProto, index: GraphIndex, batchIsSymbolic: boolean, measured?: ReadonlyMap<string, ProbedTensor>) {
  const tensorOf = (tensor: string): ScaffoldTensor => {
    const t = index.types.get(tensor);
    const op = index.producer.get(tensor)?.opType;
    const probed = measured?.get(tensor);
    const shape = probed ? probed.dims.map((d, k) => (k === 0 && batchIsSymbolic ? 'batch' : d)) : t?.shape ?? null;
    return { name: tensor, ...(op ? { op } : {}), dtype: probed?.dtype ?? t?.dtype ?? 'float32', shape };
  };
  const activations = model.graph.node
    .filter((n) => n.opType !== 'Constant')
    .flatMap((n) => n.output.filter((o) => o && !index.graphOutputs.includes(o)))
    .map(tensorOf);
  return { tensorOf, activations };
}

/** Ops whose outputs are the usual places to look for circuit units. */
const NONLINEAR = new Set(['Relu', 'Gelu', 'FastGelu', 'Sigmoid', 'Tanh', 'Softmax', 'LeakyRelu', 'Elu', 'Selu', 'Softplus', 'HardSigmoid', 'HardSwish', 'Mish', 'Erf']);
const MAX_LISTED = 30;

export function scaffoldHypothesis(m: ScaffoldInput, circuitName = 'my circuit'): string {
  const y = (s: string) => (/^(?:[A-Za-z_/]|\.{1,2}\/)[A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|null|yes|no|on|off)$/i.test(s) ? s : JSON.stringify(s));
  const shape = (t: ScaffoldTensor) => (t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[?]');
  const candidates = [...m.activations.filter((t) => t.op && NONLINEAR.has(t.op)), ...m.activations.filter((t) => !t.op || !NONLINEAR.has(t.op))];
  const chosen = candidates[0];
  const output = m.outputs[0];
  const lastDim = output?.shape?.[output.shape.length - 1];
  const classes = output && (output.shape?.length ?? 0) >= 2 && (typeof lastDim !== 'number' || lastDim > 1);
  const units = chosen?.shape && typeof chosen.shape[chosen.shape.length - 1] === 'number' ? Math.min(2, chosen.shape[chosen.shape.length - 1] as number) : 2;

  const lines: string[] = [];
  lines.push(`# Circuit hypothesis for ${m.modelPath}, scaffolded by Circuit Thermometer.`);
  lines.push(m.data
    ? '# The data files are the workspace\'s that fit the model (check them); pick the circuit\'s units. Problems show as you type.'
    : '# Fill in the data files and the circuit\'s units; problems show in the Problems panel as you type.');
  lines.push(`model: ${y(m.modelPath)}`);
  lines.push('data:');
  lines.push('  inputs:');
  if (m.inputs.length === 0) lines.push('    {}');
  const found = (slot: string, file: string | undefined) => {
    const others = m.data?.alternatives[slot] ?? [];
    if (!m.data) return '';
    if (!file) return ' · no file in the workspace fits: write its path';
    return others.length > 0 ? ` · also: ${others.join(', ')}` : '';
  };
  for (const i of m.inputs) {
    const file = m.data?.inputs[i.name];
    lines.push(`    ${y(i.name)}: ${y(file ?? `./data/${safeFile(i.name)}.npy`)}   # ${i.dtype} ${shape(i)}, first axis = examples${found(`input ${i.name}`, file)}`);
  }
  lines.push(`  labels: ${y(m.data?.labels ?? './data/labels.npy')}${m.data ? `   #${found('labels', m.data.labels).replace(/^ ·/, '') || ' one per example'}` : ''}`);
  lines.push(`  target: { mask: ${y(m.data?.mask ?? './data/target_mask.npy')} }   # or { indices: file.npy } or { labels: [...] }; control = the rest${found('mask', m.data?.mask)}`);
  lines.push(`loss: { output: ${y(output?.name ?? 'output')}, kind: ${classes ? 'cross-entropy' : 'mse'} }`);
  lines.push('circuit:');
  lines.push(`  name: ${JSON.stringify(circuitName)}`);
  lines.push('  components:');
  lines.push(`    - tensor: ${y(chosen?.name ?? m.inputs[0]?.name ?? 'tensor')}   # ${chosen ? `${chosen.op ?? 'tensor'} → ${shape(chosen)}` : 'no intermediate tensor found'}`);
  lines.push('      axis: -1');
  lines.push(`      units: [${Array.from({ length: units }, (_, k) => k).join(', ')}]`);
  const others = candidates.slice(1, 1 + MAX_LISTED);
  if (others.length > 0) {
    lines.push('# Other tensors a component can name (hover a name for its op and shape):');
    for (const t of others) lines.push(`#   ${t.name}   ${t.op ?? ''} ${shape(t)}`.trimEnd());
    if (candidates.length - 1 > others.length) lines.push(`#   … and ${candidates.length - 1 - others.length} more (completion lists them all)`);
  }
  lines.push('intervention: { kind: mean, scope: circuit }');
  // Weight noise first: independent draws, no chains to converge, a sweep that finishes in seconds to minutes.
  lines.push('degradation:');
  lines.push('  dial: weight-noise   # w = w* + σ·ξ, level = σ (absolute): from barely noticed to destroyed');
  lines.push('  temperatures: { from: 0.001, to: 1, count: 10 }');
  lines.push('  noise: { samples: 16 }');
  lines.push('  seed: 0');
  lines.push('# The tempered local posterior instead (slower; check its chains on the chart\'s Sampler tab):');
  lines.push('#   dial: sgld');
  lines.push('#   temperatures: { from: 0.1, to: 1000, count: 9 }');
  lines.push(`#   sgld: { stepSize: ${m.sgld.stepSize}, localization: ${m.sgld.localization}, chains: ${m.sgld.chains}, draws: ${m.sgld.draws}, burnIn: auto, batchSize: 256 }`);
  lines.push('verdict: { collateralTolerance: 0.1, persistence: 0.25 }');
  return lines.join('\n') + '\n';
}

function safeFile(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'input';
}

/** The file name of a hypothesis called `name`: whitespace runs become "-" (a name with spaces stays the circuit's
 *  name on charts; paths with spaces are a nuisance in shells and Slurm scripts). */
export function hypothesisFileName(name: string): string {
  return `${name.trim().replace(/\s+/g, '-')}.circuit.yaml`;
}
