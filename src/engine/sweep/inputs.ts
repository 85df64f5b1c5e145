// Loads what a sweep measures on: the model, its trained weights, all n examples and the target/control split.
import { createHash } from 'node:crypto';
import { chainsPerLevel, type Hypothesis } from '../../protocol/hypothesis';
import type { PlanBinding } from '../../protocol/shard';
import { ENGINE_VERSION } from '../version';
import { planFingerprint, planLevels } from './units';
import { loadArray } from '../data/load';
import { NdArray, numExamples } from '../data/ndarray';
import { requireFinite } from '../data/finite';
import { selectExamples, TargetSpec } from '../data/select';
import { DEFAULT_IGNORE_INDEX, hasIgnoredLabels, isTokenMask, selectTokens, TokenSelection } from '../data/tokens';
import { dialParameters, parameterValues } from '../dials/parameters';
import { selectParameters } from '../dials/parameterSelection';
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

/** The hypothesis's sha256: of its file, or of its resolved form when it was built in memory (tests, API callers). */
export function hypothesisSha256Of(h: Hypothesis): string {
  try {
    return sha256File(h.file);
  } catch {
    return createHash('sha256').update(JSON.stringify(h)).digest('hex');
  }
}

/** What a run of `h` is bound to, from its files as they are now: a journal to resume must have been written for it. */
export function planBindingOf(h: Hypothesis): PlanBinding {
  const modelSha256 = loadModel(h.model).sha256;
  const hypothesisSha256 = hypothesisSha256Of(h);
  const grid = planLevels(h);
  const chains = chainsPerLevel(h);
  return {
    plan: planFingerprint({ engineVersion: ENGINE_VERSION, hypothesisSha256, modelSha256, grid, chains, seed: h.degradation.seed }),
    engineVersion: ENGINE_VERSION, hypothesisSha256, modelSha256, seed: h.degradation.seed, levels: grid.length, chains,
  };
}

export async function loadSweepInputs(h: Hypothesis): Promise<SweepInputs> {
  const model = loadModel(h.model);
  const hypothesisSha256 = hypothesisSha256Of(h);
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
  const restricted = 'parameters' in h.degradation ? h.degradation.parameters : undefined;
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
