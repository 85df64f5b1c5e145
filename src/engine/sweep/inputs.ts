// Loads what a sweep measures on: the model, its trained weights, all n examples and the target/control split.
import { createHash } from 'node:crypto';
import type { Hypothesis } from '../../protocol/hypothesis';
import { loadArray } from '../data/load';
import { NdArray, numExamples } from '../data/ndarray';
import { DataError } from '../data/errors';
import { selectExamples, TargetSpec } from '../data/select';
import { DEFAULT_IGNORE_INDEX, hasIgnoredLabels, isTokenMask, selectTokens, TokenSelection } from '../data/tokens';
import { dialParameters, parameterValues } from '../dials/parameters';
import { RESTRICTABLE_DIALS, selectParameters } from '../dials/parameterSelection';
import { GraphIndex, ParameterInfo } from '../onnx/graph';
import { loadModel, LoadedModel } from '../onnx/load';
import { READ_LIMITS, readFileGated } from '../util/readGate';

export interface SweepInputs {
  model: LoadedModel;
  hypothesisSha256: string;
  parameters: ParameterInfo[];
  /** `degradation.parameters` left some weights out (they stay at w*). */
  restricted: boolean;
  initialWeights: Float32Array[];
  data: { inputs: Record<string, NdArray>; labels: NdArray };
  n: number;
  /** 1 for target examples, 0 for control, per example (with per-position targets: examples holding a target token). */
  isTarget: Uint8Array;
  targetCount: number;
  /** Per-position targets (a mask in the labels' shape, or ignore-index labels): the kind of every token. */
  tokens?: TokenSelection;
  /** Labels equal to this are not scored. */
  ignoreIndex: number;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileGated(file, READ_LIMITS.hypothesis, 'hypothesis file')).digest('hex');
}

export async function loadSweepInputs(h: Hypothesis): Promise<SweepInputs> {
  const model = loadModel(h.model);
  let hypothesisSha256: string;
  try {
    hypothesisSha256 = sha256File(h.file);
  } catch {
    // A hypothesis built in memory (tests, API callers) has no file: hash its resolved form instead.
    hypothesisSha256 = createHash('sha256').update(JSON.stringify(h)).digest('hex');
  }
  const index = GraphIndex.of(model.proto);
  const inputs: Record<string, NdArray> = {};
  for (const name of index.graphInputs) {
    const file = h.data.inputs[name];
    if (!file) throw new Error(`the model input '${name}' has no data: add it under data.inputs`);
    inputs[name] = requireFinite(await loadArray(file), file);
  }
  const labels = requireFinite(await loadArray(h.data.labels), h.data.labels);
  const names = Object.keys(inputs);
  const n = numExamples(inputs[names[0]!]!, h.data.inputs[names[0]!]);
  for (const name of names) {
    const rows = numExamples(inputs[name]!, h.data.inputs[name]);
    if (rows !== n) throw new Error(`data.inputs.${name} has ${rows} examples but data.inputs.${names[0]} has ${n}`);
  }
  if (numExamples(labels, h.data.labels) !== n) throw new Error(`data.labels has ${labels.shape[0]} examples but the inputs have ${n}`);
  const t = h.data.target;
  const spec: TargetSpec = 'mask' in t ? { mask: await loadArray(t.mask) }
    : 'indices' in t ? { indices: await loadArray(t.indices) }
    : { labels: t.labels, labelArray: labels };
  const source = 'mask' in t ? t.mask : 'indices' in t ? t.indices : h.data.labels;
  // Per-position targets: a mask in the labels' shape, or labels that carry the ignore index (docs/pytorch.md).
  const ignoreIndex = h.data.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const tokenMask = 'mask' in spec && h.loss.kind === 'cross-entropy' && isTokenMask(spec.mask, labels);
  const ignored = h.loss.kind === 'cross-entropy' && labels.shape.length >= 2 && hasIgnoredLabels(labels, ignoreIndex);
  let tokens: TokenSelection | undefined;
  let isTarget: Uint8Array = new Uint8Array(n);
  let targetCount: number;
  if (tokenMask || ignored) {
    if (ignored && h.degradation.dial === 'sgld') {
      throw new Error(`${h.data.labels}: labels equal to the ignore index ${ignoreIndex} are not supported by the sgld dial yet (its loss scores every token); use weight-noise, activation-noise or checkpoints`);
    }
    const flags = new Uint8Array(n);
    if (!tokenMask) for (const i of selectExamples(n, spec, { source }).target) flags[i] = 1;
    tokens = selectTokens(labels, ignoreIndex, tokenMask ? { tokenMask: (spec as { mask: NdArray }).mask } : { exampleFlags: flags }, source);
    isTarget = tokens.exampleIsTarget;
    targetCount = isTarget.reduce((a, v) => a + v, 0);
  } else {
    const selection = selectExamples(n, spec, { source });
    for (const i of selection.target) isTarget[i] = 1;
    targetCount = selection.target.length;
  }
  const all = dialParameters(model.proto, h.degradation.dial);
  if (all.length === 0) throw new Error(`${h.model} has no float weights to degrade`);
  const restricted = RESTRICTABLE_DIALS.includes(h.degradation.dial) ? h.degradation.parameters : undefined;
  const { selected: parameters, unmatched } = selectParameters(all, restricted);
  if (unmatched.length > 0) {
    const u = unmatched[0]!;
    throw new Error(`degradation.parameters.${u.list}[${u.index}]: '${u.pattern}' matches no weight of ${h.model}; run \`circuit-thermometer inspect\` to list its weights`);
  }
  if (parameters.length === 0) throw new Error(`degradation.parameters selects none of the ${all.length} weights of ${h.model}`);
  return {
    model, hypothesisSha256, parameters, restricted: parameters.length < all.length, initialWeights: parameterValues(model.proto, parameters),
    data: { inputs, labels }, n, isTarget, targetCount, ...(tokens ? { tokens } : {}), ignoreIndex,
  };
}

/** A NaN or ±Inf in the data makes every loss non-finite: refused up front, naming the file and the element. */
function requireFinite(a: NdArray, file: string): NdArray {
  if (a.dtype !== 'float32' && a.dtype !== 'float64') return a;
  const data = a.data as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i]!)) continue;
    const index: number[] = [];
    for (let k = a.shape.length - 1, rest = i; k >= 0; k--) {
      index.unshift(rest % a.shape[k]!);
      rest = Math.floor(rest / a.shape[k]!);
    }
    throw new DataError('data/non-finite', file, `${data[i]} at [${index.join(', ')}] (row ${index[0] ?? 0})`, 'every model input and label must be finite: drop or impute that example');
  }
  return a;
}
