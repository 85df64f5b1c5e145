// The "Inspect ONNX Model" page: the model summary and its gradient support as Markdown (shown in the preview).
import { escapeMarkdown, markdownCode } from '../protocol/escape';
import type { ModelSummary } from '../engine/onnx';

export interface GradientFacts {
  supported: boolean;
  missing: { op: string; node: string; reason: string }[];
  /** Ops on the gradient path that the autodiff module covers. */
  outputs: string[];
}

const MAX_PARAMETERS = 60;

export function modelMarkdown(s: ModelSummary, gradients: GradientFacts | { error: string }, displayPath: string): string {
  // Names, producers and reasons come from the model; the page is rendered with HTML enabled, so nothing of theirs
  // may be markup (issue 24: a `|` in a parameter name opened a table cell holding a live command link).
  const esc = escapeMarkdown;
  const code = (x: string) => markdownCode(x, { table: true });
  const shape = (d: (number | string | null)[] | null) => (d === null ? 'unknown' : code(`[${d.map((x) => (x === null ? '?' : String(x))).join(', ')}]`));
  const out: string[] = [];
  out.push(`# ${esc(displayPath.split(/[\\/]/).pop() ?? displayPath)}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| file | ${code(displayPath)} |`);
  out.push(`| sha256 | ${code(s.sha256)} |`);
  out.push(`| producer | ${esc(s.producer || '(none)')} |`);
  out.push(`| opset | ${s.opset} (IR ${s.irVersion}) |`);
  out.push(`| nodes | ${s.nodes} |`);
  const weightTensors = s.parameters.tensors.filter((p) => p.role === 'weight').length;
  out.push(`| weights | ${s.parameters.count.toLocaleString('en-US')} in ${weightTensors} tensors |`, '');

  out.push('## Inputs', '', '| name | dtype | shape |', '|---|---|---|');
  for (const i of s.inputs) out.push(`| ${code(i.name)} | ${esc(i.dtype)} | ${shape(i.shape)} |`);
  out.push('', '## Outputs', '', '| name | dtype | shape |', '|---|---|---|');
  for (const o of s.outputs) out.push(`| ${code(o.name)} | ${esc(o.dtype)} | ${shape(o.shape)} |`);

  out.push('', '## Gradient support', '');
  if ('error' in gradients) {
    out.push(`Could not analyse the gradient path: ${esc(gradients.error)}`);
  } else if (gradients.supported) {
    out.push(`Every op between the parameters and the outputs (${gradients.outputs.map(code).join(', ')}) has a gradient rule: the **sgld** dial can run on this model.`);
  } else {
    out.push(`**${gradients.missing.length} node(s) on the gradient path have no gradient rule**, so the sgld dial cannot run; the noise and checkpoint dials can.`, '');
    out.push('| op | node | why |', '|---|---|---|');
    for (const m of gradients.missing) out.push(`| ${code(m.op)} | ${code(m.node)} | ${esc(m.reason)} |`);
  }

  out.push('', '## Ops', '', '| op | count |', '|---|---|');
  for (const [op, n] of Object.entries(s.ops)) out.push(`| ${code(op)} | ${n} |`);

  out.push('', '## Parameters', '', '| name | dtype | shape | size |', '|---|---|---|---|');
  for (const p of s.parameters.tensors.slice(0, MAX_PARAMETERS)) out.push(`| ${code(p.name)} | ${esc(p.dtype)} | ${shape(p.shape)} | ${p.size.toLocaleString('en-US')}${p.source === 'constant' ? ' (Constant)' : ''}${p.role === 'statistic' ? ' (running statistic)' : ''} |`);
  if (s.parameters.tensors.length > MAX_PARAMETERS) out.push('', `… and ${s.parameters.tensors.length - MAX_PARAMETERS} more.`);
  out.push('');
  return out.join('\n');
}
