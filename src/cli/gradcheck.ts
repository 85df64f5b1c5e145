// `gradcheck MODEL [--input NAME=SPEC]... [--seed N] [--json]`: verifies the engine's gradient graph of a model
// against central finite differences computed by onnxruntime on the original model.
import { safeName } from '../engine/util/readGate';
import * as nodePath from 'node:path';
import { GradientError } from '../engine/autodiff';
import { gradcheck, GRADCHECK_TOLERANCE, GradcheckReport, InputSpec } from '../engine/autodiff/gradcheck';
import { loadModel } from '../engine/onnx';
import { UsageError } from './args';
import { CliIO, Command, EXIT } from './command';
import { displayPath, table } from './format';

/** Parses `float:2x3x32x32` or `int:LOW:HIGH:4x16`; empty DIMS is a scalar (`int:16000:16001:` for a sample rate). */
export function parseInputSpec(text: string): { name: string; spec: InputSpec } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--input '${text}' is not NAME=SPEC`, 'e.g. --input x=float:2x8 or --input ids=int:0:256:1x16');
  const name = text.slice(0, eq), spec = text.slice(eq + 1);
  const dims = (s: string): number[] => {
    if (s === '') return [];
    if (!/^\d+(x\d+)*$/.test(s)) throw new UsageError(`--input ${name}: '${s}' is not a shape like 2x3x32x32`);
    return s.split('x').map(Number);
  };
  const parts = spec.split(':');
  if (parts[0] === 'float' && parts.length === 2) return { name, spec: { kind: 'float', dims: dims(parts[1]) } };
  if (parts[0] === 'int' && parts.length === 4) {
    const [low, high] = [Number(parts[1]), Number(parts[2])];
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new UsageError(`--input ${name}: int range [${parts[1]}, ${parts[2]}) is empty or not integer`);
    return { name, spec: { kind: 'int', low, high, dims: dims(parts[3]) } };
  }
  throw new UsageError(`--input ${name}: '${spec}' is neither float:DIMS nor int:LOW:HIGH:DIMS`);
}

const exp = (x: number | undefined) => (x === undefined ? '' : x.toExponential(2));

function formatReport(r: GradcheckReport, file: string): string {
  const both = r.maxRelError32 !== undefined && r.maxRelError64 !== undefined;
  const rows = r.tensors.map((t) => [
    t.pass ? 'ok' : 'FAIL', safeName(t.name), `[${t.shape.join(', ')}]`,
    ...(both ? [exp(t.relError64), exp(t.relError32)] : [exp(t.relError)]),
    t.belowResolution ? `(below ${r.reference} resolution)` : '',
  ]);
  const lines = [`${file}: inputs ${Object.entries(r.inputs).map(([k, d]) => `${k}[${d.join('x')}]`).join(', ') || '(none)'}`];
  lines.push(...table([['', 'parameter', 'shape', ...(both ? ['vs float64', 'vs float32'] : [`vs ${r.reference}`])], ...rows], '  '));
  for (const s of r.skipped) lines.push(`  skipped ${safeName(s.name)}: ${safeName(s.reason, 300)}`);
  for (const i of r.inlined) lines.push(`  inlined If '${safeName(i.node)}': its ${i.branch}${i.pinned.length ? ` (decided at ${i.pinned.join(', ')})` : ''}`);
  if (r.float64?.float32Ops.length) lines.push(`  note: the float64 copy runs ${r.float64.float32Ops.join(', ')} in float32 (no float64 kernel in onnxruntime and no float64 spelling)`);
  const against = both ? `max relative error ${exp(r.maxRelError64)} against float64 differences (${exp(r.maxRelError32)} against float32)` : `max relative error ${exp(r.maxRelError)} against ${r.reference} differences`;
  lines.push(`${r.pass ? 'pass' : 'FAIL'}: ${r.checked} of ${r.parameters} parameter tensors checked, ${against} (tolerance ${GRADCHECK_TOLERANCE.relative})`);
  return lines.join('\n');
}

const t = GRADCHECK_TOLERANCE;

export const gradcheckCommand: Command = {
  name: 'gradcheck',
  summary: 'Check the engine\'s gradient of a model against finite differences.',
  description: [
    'The loss is L = Σ over float outputs of ⟨R, output⟩ with fixed random R ~ N(0, 1). For every float parameter tensor w '
      + '(the weights and running statistics of the weights rule, docs/method.md), the directional derivative gᵀΔ from the gradient graph is compared with the central '
      + 'difference (L(w + hd) − L(w − hd))/2h run by onnxruntime on the original model, along random Gaussian directions d '
      + `scaled to the tensor's RMS, for steps h in ${t.steps.join(', ')} (tried in turn until one agrees within ρ/10; the best is kept). `
      + 'Δ is the rounded difference of the two perturbed tensors, so rounding of the weights cancels.',
    'The reference (--reference): by default both. float64 differences run on a float64 copy of the model (weights, inputs and every '
      + 'float tensor widened; ops without a float64 kernel in onnxruntime spelled in float64 ops, any other run in float32 and named), '
      + `at steps ${t.float64.steps.join(', ')}: their noise is of order 2⁻⁵³, so a tensor that fails against them has a wrong gradient rule, `
      + 'not float32 noise; they decide pass or fail. float32 differences run on the model itself and are reported beside them.',
    `Tolerances (float32): relative error ρ = ${t.relative}. With unit roundoff ε = 2⁻²⁴, L is known to δL = κ·ε·‖R∘y‖₂ (κ = ${t.roundoffFactor}), `
      + 'so a difference with step h carries noise δL/h; a direction passes when |gᵀΔ/2h − numeric| ≤ max(ρ·max(|gᵀΔ/2h|, |numeric|), δL/h). '
      + 'Truncation error is O(h²); ReLU/MaxPool kinks within a step make differences unreliable, hence the small steps. '
      + 'ρ lies between float32 agreement on correct gradients (about ε^(2/3) ≈ 3e-5 at the best step times the model\'s conditioning: '
      + '1e-5 to 3e-3 on the test models) and the errors of wrong rules (a wrong factor, a missing term: several percent or more).',
    'SPEC is float:DIMS (standard normal) or int:LOW:HIGH:DIMS (uniform integers in [LOW, HIGH)), DIMS like 2x3x32x32 (empty for a scalar: int:16000:16001:). '
      + 'Inputs not given use their declared static shapes (floats standard normal, integers 1, booleans true).',
    'Status 0 when every checked tensor passes, 1 when one fails or the gradient cannot be built (an op without a rule), or the model is invalid.',
    '--json prints {parameters, checked, maxRelError, pass, tensors: [{name, shape, relError, relError32, relError64, pass, belowResolution, directions}], '
      + 'maxRelError32, maxRelError64, reference, float64: {lowered, float32Ops}, inlined: [{node, branch, pinned}], skipped, inputs, tolerance, seed}.',
  ].join('\n'),
  args: [{ name: 'MODEL', description: 'path of an .onnx file', required: true }],
  flags: [
    { name: 'input', type: 'string', valueName: 'NAME=SPEC', repeatable: true, description: 'how to make a data input (repeatable)' },
    { name: 'seed', type: 'number', description: 'seed of inputs, R and directions (default 0)' },
    { name: 'directions', type: 'number', valueName: 'N', description: 'random directions per tensor (default 2)' },
    { name: 'output', type: 'string', valueName: 'TENSOR', repeatable: true, description: 'sum L over this tensor instead of every float output (repeatable; intermediate tensors allowed)' },
    { name: 'max-tensors', type: 'number', valueName: 'N', description: 'check a seeded sample of N tensors (default all)' },
    { name: 'reference', type: 'string', valueName: 'float64|float32|both', description: 'the finite differences to compare with (default both; float64 decides)' },
    { name: 'json', type: 'boolean', description: 'print the report as JSON' },
  ],
  async run(args, io: CliIO) {
    const file = args.positionals[0];
    const model = loadModel(nodePath.resolve(io.cwd, file));
    const inputs: Record<string, InputSpec> = {};
    for (const text of args.lists?.input ?? []) {
      const { name, spec } = parseInputSpec(text);
      inputs[name] = spec;
    }
    const seed = typeof args.flags.seed === 'number' ? args.flags.seed : 0;
    const count = (flag: string) => {
      const v = args.flags[flag];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`--${flag} needs a positive integer`);
      return v;
    };
    const reference = args.flags.reference ?? 'both';
    if (reference !== 'float64' && reference !== 'float32' && reference !== 'both') throw new UsageError(`--reference '${String(reference)}' is none of float64, float32, both`);
    let report: GradcheckReport;
    try {
      const outputs = args.lists?.output;
      report = await gradcheck(model.proto, { inputs, seed, directions: count('directions'), maxTensors: count('max-tensors'), outputs: outputs?.length ? outputs : undefined, reference });
    } catch (e) {
      if (e instanceof GradientError) {
        io.err(`circuit-thermometer: ${displayPath(model.path, io.cwd)}: ${e.message}`);
        return EXIT.problems;
      }
      if (e instanceof Error && /input '.*' has shape|has no input named|cannot fill|has no tensor named/.test(e.message)) throw new UsageError(e.message);
      throw e;
    }
    const { parameters, checked, maxRelError, maxRelError32, maxRelError64, pass, reference: decided, float64, inlined, tensors, skipped, inputs: used, tolerance } = report;
    io.out(args.flags.json ? JSON.stringify({ parameters, checked, maxRelError, pass, tensors, maxRelError32, maxRelError64, reference: decided, float64, inlined, skipped, inputs: used, tolerance, seed }, null, 2) : formatReport(report, displayPath(model.path, io.cwd)));
    return report.pass ? EXIT.ok : EXIT.problems;
  },
};
