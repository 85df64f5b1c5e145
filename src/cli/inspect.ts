// `inspect MODEL [--tensors] [--json]`: inputs, outputs, parameters, ops and opset of an ONNX model; --tensors also
// lists every node output with its op and measured shape (the names a circuit's components are written on).
import { safeName } from '../engine/util/readGate';
import * as nodePath from 'node:path';
import { analyzeGradientSupport, MissingGradient } from '../engine/autodiff';
import { FOLDED_NAMES_HINT, loadModel, ModelSummary, summarizeModel } from '../engine/onnx';
import { placeholderFeeds, probeShapes, PROBE_SYMBOLIC_SIZE } from '../engine/onnx/shapes';
import { CliIO, Command, EXIT } from './command';
import { displayPath, table } from './format';

/** Parameter tensors listed in the text view before "… and N more". */
const MAX_LISTED = 40;

function shapeText(shape: (number | string | null)[] | null): string {
  return shape === null ? '(unknown)' : `[${shape.map((d) => (d === null ? '?' : safeName(String(d), 40))).join(', ')}]`;
}

/** What `inspect` reports: the model summary plus whether gradients w.r.t. every parameter can be built. */
export interface InspectReport extends ModelSummary {
  gradient: { supported: boolean; missingOps: MissingGradient[] };
  /** With --tensors: every node output in graph order, its op and its shape measured on placeholder inputs. */
  tensors?: TensorRow[];
}

export interface TensorRow { name: string; op: string; dtype: string; shape: number[] }

/** Every node output with its op, dtype and dims from one run on zero inputs (symbolic dims = PROBE_SYMBOLIC_SIZE). */
export async function listTensors(file: string): Promise<TensorRow[]> {
  const model = loadModel(file).proto;
  const shapes = await probeShapes(model, placeholderFeeds(model));
  return model.graph.node.flatMap((n) => n.output.filter((o) => o !== '').map((name) => {
    const t = shapes.get(name);
    return { name, op: n.opType, dtype: t?.dtype ?? 'undefined', shape: t?.dims ?? [] };
  }));
}

export function inspectModel(file: string): InspectReport {
  const model = loadModel(file);
  const summary = summarizeModel(model);
  // Gradient support of every parameter towards every output: what SGLD on this model would need.
  const support = analyzeGradientSupport(model.proto, summary.parameters.tensors.map((t) => t.name), summary.outputs.map((o) => o.name));
  return { ...summary, gradient: { supported: support.supported, missingOps: support.missing } };
}

export function formatSummary(s: InspectReport, io: CliIO): string {
  const lines: string[] = [];
  lines.push(...table([
    ['model', displayPath(s.path, io.cwd)],
    ['sha256', s.sha256],
    ['producer', safeName(s.producer) || '(none)'],
    ['opset', `${s.opset} (ir ${s.irVersion}${Object.keys(s.opsets).length > 1 ? `; ${Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ')}` : ''})`],
    ['nodes', String(s.nodes)],
  ]));
  lines.push('', 'inputs');
  lines.push(...table(s.inputs.map((i) => [safeName(i.name), i.dtype, shapeText(i.shape)]), '  '));
  lines.push('', 'outputs');
  lines.push(...table(s.outputs.map((o) => [safeName(o.name), o.dtype, shapeText(o.shape)]), '  '));
  const { count, tensors, excluded } = s.parameters;
  const weights = tensors.filter((p) => p.role === 'weight').length;
  const statistics = tensors.length - weights;
  lines.push('', `parameters: ${count.toLocaleString('en-US')} weights in ${weights} tensor${weights === 1 ? '' : 's'}`
    + (statistics ? `, and ${statistics} running-statistic tensor${statistics === 1 ? '' : 's'} (not weights)` : ''));
  const note = (p: (typeof tensors)[number]) => [p.source === 'constant' ? '(Constant node)' : '', p.role === 'statistic' ? '(running statistic)' : ''].filter(Boolean).join(' ');
  lines.push(...table(tensors.slice(0, MAX_LISTED).map((p) => [safeName(p.name), p.dtype, shapeText(p.shape), p.size.toLocaleString('en-US'), note(p)]), '  '));
  if (tensors.length > MAX_LISTED) lines.push(`  … and ${tensors.length - MAX_LISTED} more (--json lists all)`);
  const folded = tensors.filter((p) => /^onnx::/.test(p.name));
  if (folded.length > 0) lines.push(`  warning: ${folded.length} weight${folded.length === 1 ? '' : 's'} named like '${safeName(folded[0]!.name)}': ${FOLDED_NAMES_HINT}`);
  if (excluded.length) {
    lines.push('', `not weights: ${excluded.length} float tensor${excluded.length === 1 ? '' : 's'}`);
    lines.push(...table(excluded.slice(0, MAX_LISTED).map((t) => [safeName(t.name), shapeText(t.shape), t.reason]), '  '));
    if (excluded.length > MAX_LISTED) lines.push(`  … and ${excluded.length - MAX_LISTED} more (--json lists all)`);
  }
  lines.push('', 'ops');
  lines.push(...table(Object.entries(s.ops).map(([op, k]) => [safeName(op), String(k)]), '  '));
  lines.push('', s.gradient.supported ? 'gradient: supported (every op between the parameters and the outputs has a rule)'
    : `gradient: NOT supported; ops without a gradient rule on the path:`);
  lines.push(...table(s.gradient.missingOps.map((m) => [safeName(m.op), safeName(m.node), safeName(m.reason, 300)]), '  '));
  if (s.tensors) {
    lines.push('', `tensors: ${s.tensors.length} node outputs (shapes from one run with every symbolic dimension = ${PROBE_SYMBOLIC_SIZE})`);
    lines.push(...table(s.tensors.map((t) => [safeName(t.name), safeName(t.op), t.dtype, `[${t.shape.join(', ')}]`]), '  '));
  }
  return lines.join('\n');
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show an ONNX model\'s inputs, outputs, parameters, ops and opset.',
  description: 'Dims are numbers when static and names when symbolic. Weights follow one rule (docs/method.md, "Which tensors are weights"):\n'
    + 'float initializers and Constant values that are not scalars, masks, or read only as shapes and indices.\n'
    + '--tensors runs the model once on zero inputs and lists every node output (the names circuit components are written on)\n'
    + 'with its op and shape. --json prints {path, sha256, producer, irVersion, opset, opsets, inputs, outputs,\n'
    + 'parameters: {count, tensors: [{…, role}], excluded}, ops, nodes, gradient: {supported, missingOps: [{op, node, reason}]}, tensors (with --tensors)}.',
  args: [{ name: 'MODEL', description: 'path of an .onnx file', required: true }],
  flags: [
    { name: 'json', type: 'boolean', description: 'print the summary as JSON' },
    { name: 'tensors', type: 'boolean', description: 'also list every node output with its op and shape (runs the model once)' },
  ],
  async run(args, io) {
    const file = nodePath.resolve(io.cwd, args.positionals[0]);
    const summary: InspectReport = inspectModel(file);
    if (args.flags.tensors === true) summary.tensors = await listTensors(file);
    io.out(args.flags.json ? JSON.stringify(summary, null, 2) : formatSummary(summary, io));
    return EXIT.ok;
  },
};
