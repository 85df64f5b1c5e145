/**
 * Evaluates the paired quantities of one draw on the fixed evaluation batches.
 *
 * Set up once per sweep: the weights become graph inputs, the dial rewrites the model (activation noise), the
 * paired clean/ablated model gets per-example heads, and ONE session serves every draw of every level and chain.
 * The evaluation rows are all n examples in a fixed seeded order, cut into fixed batches: the same batches for
 * clean and ablated, and across draws and levels. Data and label tensors of every batch are built once.
 */
import type { CircuitComponent, Hypothesis } from '../../protocol/hypothesis';
import { NdArray, takeRows, toFloat32, toFloat64, toInt64 } from '../data/ndarray';
import type { Dial, DialDraw, EvalBatch } from '../dials/dial';
import { buildPairedModel, referenceModel, PairedModel, SOURCE_INPUT } from '../interventions/paired';
import { GraphIndex, ParameterInfo } from '../onnx/graph';
import type { ModelProto } from '../onnx/proto';
import { parametersToInputs } from '../onnx/rewrite';
import { createSession, Feeds, ort } from '../onnx/runtime';
import { batchAxisMessage, batchAxisProblem } from '../onnx/batchAxis';
import { probeShapes, ProbedTensor } from '../onnx/shapes';
import { DTypeName } from '../onnx/tensor';
import { Rng } from '../util/random';
import { appendHeads, HeadOutputs, LabelForm, LABELS_INPUT } from './heads';
import type { SweepInputs } from './inputs';
import { DEFAULT_ENUMERATE, drawControls, UnitSet } from './controls';
import { type BatchRows, DrawMetrics, PairedAccumulator } from './metrics';
import { unitSalience } from './salience';

export const EVAL_ORDER_STREAM = 101;
const RESAMPLE_STREAM = 102;
export const DEFAULT_EVAL_BATCH = 1024;

export interface EvaluatorOptions {
  /** Rows per run when the model's batch axis is dynamic. */
  batchSize?: number;
  /** Intra-op threads of the sessions. */
  threads?: number;
  /** Every intervened copy, given instead of the circuit and a drawn null, from the tensors' dims: the first is
   *  evaluated as the circuit, the rest as controls (a scan: one copy per unit; no salience match, no swaps). */
  sets?: (dims: (tensor: string) => number[]) => readonly UnitSet[];
  /** Copies as the clean product minus a low-rank correction where they can (interventions/lowRank.ts); default on. */
  lowRank?: boolean;
}

/** Hears every evaluation batch's per-row head outputs of one draw and sums them (PairedAccumulator, a scan's). */
export interface BatchSink<T> {
  add(rows: BatchRows, kind: ArrayLike<number>, valid: number): void;
  result(): T;
}

interface Batch {
  index: number;
  /** Data rows of the batch, in feed order. */
  rows: Int32Array;
  /** Rows fed (≥ valid when a static batch axis forces padding). */
  size: number;
  valid: number;
  feeds: Feeds;
  isTarget: Uint8Array;
  /** Per-position targets: the kind of each token of the batch's rows (1 target, 0 control, IGNORED_TOKEN), [size · perRow]. */
  tokenKind?: Uint8Array;
  /** Rows that belong to the reference set (mean ablation). */
  isReference: Uint8Array;
}

function toTensor(a: NdArray, dtype: DTypeName, dims: readonly number[], source: string): ort.Tensor {
  switch (dtype) {
    case 'float32': return new ort.Tensor('float32', toFloat32(a).data, dims);
    case 'float64': return new ort.Tensor('float64', toFloat64(a).data, dims);
    case 'int64': return new ort.Tensor('int64', toInt64(a, source).data, dims);
    case 'int32': return new ort.Tensor('int32', Int32Array.from(toInt64(a, source).data, (v) => Number(v)), dims);
    case 'bool': case 'uint8': return new ort.Tensor(dtype, Uint8Array.from(toFloat64(a).data), dims);
    case 'int8': return new ort.Tensor('int8', Int8Array.from(toFloat64(a).data), dims);
    default: throw new Error(`${source}: model inputs of type ${dtype} are not supported`);
  }
}

const product = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

export class PairedEvaluator {
  private means?: { tensor: string; input: string; dims: number[] }[];
  /** Swap-one-component nulls at w* (circuits of several components; docs/method.md, "Components"). */
  swaps?: ComponentSwap[];

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly reference: ort.InferenceSession | undefined,
    private readonly heads: HeadOutputs,
    private readonly batches: Batch[],
    private readonly shapes: Map<number, Map<string, ProbedTensor>>,
    private readonly parameters: readonly ParameterInfo[],
    private readonly initialWeights: readonly Float32Array[],
    readonly paired: PairedModel,
    /** The control sets, k = 1…K (index k − 1). */
    readonly controls: readonly UnitSet[],
    /** How labels feed the loss head (index, soft or value). */
    readonly labelForm: LabelForm,
    /** N, the number of distinct control sets, and whether all of them are used (an exact null). */
    readonly nullSize: { distinct: number; exact: boolean } = { distinct: controls.length, exact: false },
  ) {
    this.means = paired.meanInputs.length > 0 ? paired.meanInputs : undefined;
  }

  static async create(h: Hypothesis, inputs: SweepInputs, dial: Dial, options: EvaluatorOptions = {}): Promise<PairedEvaluator> {
    const proto = inputs.model.proto;
    const index = GraphIndex.of(proto);
    const base = parametersToInputs(proto, inputs.parameters.map((p) => p.name));
    const plan = batchPlan(h, inputs, index, options.batchSize);
    const feeds = feedMakers(h, inputs, index);
    const shapes = await probeBatchShapes(h, base, index, plan, feeds, inputs.initialWeights);
    const dimsOf = dimsIn(shapes.get(plan.batches[0]!.rows.length)!);
    const rewritten = dial.rewriteModel ? dial.rewriteModel(base) : base;
    const labels = labelFeeds(h, inputs, dimsOf(h.loss.output));
    const batches = evaluationBatches(h, inputs, plan.batches, (rows) => ({ ...feeds.data(rows), [LABELS_INPUT]: labels.of(rows) }));
    // The reference model is cut from the dial's rewritten model, so that mean ablation under activation noise
    // averages the noised activations the copies see.
    const tensors = [...new Set(h.circuit.components.map((c) => c.tensor))];
    const referenceSession = h.intervention.kind === 'mean'
      ? await createSession(referenceModel(rewritten, tensors), { threads: options.threads })
      : undefined;
    const build = async (controls: readonly UnitSet[], metric: Hypothesis['metric'], nullSize?: { distinct: number; exact: boolean }, circuit: readonly CircuitComponent[] = h.circuit.components): Promise<PairedEvaluator> => {
      const paired = buildPairedModel(rewritten, { components: circuit, kind: h.intervention.kind, scope: h.intervention.scope, controls }, dimsOf, [h.loss.output], { lowRank: options.lowRank });
      if (inputs.tokens && labels.form !== 'index') throw new Error(`${h.data.labels}: per-position targets need class-index labels, one per position of '${h.loss.output}'`);
      const { model, outputs } = appendHeads(paired.model, paired.outputs[h.loss.output]!, { loss: h.loss.kind, metric, labels: labels.form, ...(inputs.tokens ? { perToken: true } : {}) });
      const session = await createSession(model, { threads: options.threads });
      return new PairedEvaluator(session, referenceSession, outputs, batches, shapes, inputs.parameters, inputs.initialWeights, paired, controls, labels.form, nullSize);
    };
    if (options.sets) {
      const [first, ...rest] = options.sets(dimsOf);
      if (!first) throw new Error('nothing to evaluate: no unit set');
      return build(rest, h.metric, { distinct: rest.length, exact: true }, first);
    }
    return withNull(h, inputs, dial, dimsOf, build);
  }

  /** Rows every draw is evaluated on (all n, or the hypothesis's evaluation subset) and how many are targets. */
  get evaluated(): { rows: number; target: number } {
    let rows = 0;
    let target = 0;
    for (const b of this.batches) {
      rows += b.valid;
      for (let k = 0; k < b.valid; k++) target += b.isTarget[k]!;
    }
    return { rows, target };
  }

  /** The data rows of the target set that every draw evaluates (for the constant predictor's loss). */
  evaluatedTargetRows(): number[] {
    return this.evaluatedRows(1);
  }

  /** The data rows of the control set that every draw evaluates. */
  evaluatedControlRows(): number[] {
    return this.evaluatedRows(0);
  }

  private evaluatedRows(target: 0 | 1): number[] {
    const out: number[] = [];
    for (const b of this.batches) for (let k = 0; k < b.valid; k++) if (b.isTarget[k] === target) out.push(b.rows[k]!);
    return out;
  }

  /** Number of evaluation batches (runs per draw). */
  get batchCount(): number {
    return this.batches.length;
  }

  async evaluate(draw: DialDraw, signal?: AbortSignal): Promise<DrawMetrics> {
    return this.evaluateWith(draw, new PairedAccumulator(this.controls.length), signal);
  }

  /** One draw's batches, each batch's per-row outputs handed to `acc`. */
  async evaluateWith<T>(draw: DialDraw, acc: BatchSink<T>, signal?: AbortSignal): Promise<T> {
    const weights = draw.weights ?? this.initialWeights;
    const feeds: Feeds = {};
    this.parameters.forEach((p, i) => { feeds[p.name] = new ort.Tensor('float32', weights[i]!, p.shape); });
    const drawFeeds = (b: Batch): Feeds => (draw.feeds ? draw.feeds(this.batchView(b)) : {});
    // Mean ablation reads every batch twice (reference means, then the paired run): draw its noise once.
    const drawn = draw.feeds && this.means ? this.batches.map(drawFeeds) : undefined;
    const extras = drawn ? (b: Batch): Feeds => drawn[b.index]! : drawFeeds;
    if (this.means) Object.assign(feeds, await this.referenceMeans(feeds, extras, signal));
    for (const b of this.batches) {
      signal?.throwIfAborted();
      const out = await this.session.run({ ...feeds, ...b.feeds, ...extras(b) });
      const data = (name: string | undefined) => (name ? (out[name]!.data as Float32Array) : undefined);
      acc.add({
        cleanLoss: data(this.heads.cleanLoss)!, ablatedLoss: data(this.heads.ablatedLoss)!,
        cleanMetric: data(this.heads.cleanMetric), ablatedMetric: data(this.heads.ablatedMetric),
        controlLoss: this.heads.controlLoss.map((name) => data(name)!),
        ...(this.heads.controlMetric ? { controlMetric: this.heads.controlMetric.map((name) => data(name)!) } : {}),
      }, b.tokenKind ?? b.isTarget, b.tokenKind ? (b.valid * b.tokenKind.length) / b.size : b.valid);
    }
    return acc.result();
  }

  /** The shapes a dial's per-batch feeds are made for. */
  private batchView(b: Batch): EvalBatch {
    const shapes = this.shapes.get(b.size)!;
    return {
      index: b.index,
      dims: (t) => {
        const s = shapes.get(t);
        if (!s) throw new Error(`the model has no tensor named '${t}'`);
        return s.dims;
      },
    };
  }

  /** Mean of each circuit tensor over the reference rows at the current weights, shape [1, …]. */
  private async referenceMeans(weightFeeds: Feeds, extras: (b: Batch) => Feeds, signal?: AbortSignal): Promise<Feeds> {
    const session = this.reference!;
    const sums = this.means!.map((m) => new Float64Array(product(m.dims)));
    let count = 0;
    for (const b of this.batches) {
      signal?.throwIfAborted();
      const feeds: Feeds = {};
      const extra = extras(b);
      for (const name of session.inputNames) feeds[name] = weightFeeds[name] ?? b.feeds[name] ?? extra[name]!;
      const out = await session.run(feeds);
      this.means!.forEach((m, k) => {
        const values = out[m.tensor]!.data as Float32Array;
        const size = sums[k]!.length;
        for (let r = 0; r < b.valid; r++) {
          if (!b.isReference[r]) continue;
          const s = sums[k]!;
          for (let j = 0, o = r * size; j < size; j++) s[j] += values[o + j]!;
        }
      });
      for (let r = 0; r < b.valid; r++) count += b.isReference[r]!;
    }
    if (count === 0) throw new Error(`the reference set for mean ablation is empty: the hypothesis's reference setting selects none of the evaluated examples; use reference: all, or check data.target and evaluation.rows`);
    return Object.fromEntries(this.means!.map((m, k) => [m.input, new ort.Tensor('float32', Float32Array.from(sums[k]!, (v) => v / count), m.dims)]));
  }

  async release(): Promise<void> {
    await this.session.release();
    await this.reference?.release();
  }

  /** Releases this evaluator's own session, keeping the reference session it shares with another. */
  async releaseOwn(): Promise<void> {
    await this.session.release();
  }
}

/** One component of the circuit swapped for each control's units at that component (the rest kept), at w*. */
export interface ComponentSwap {
  index: number;
  tensor: string;
  units: number[];
  targetEffect: number[];
  collateralEffect: number[];
}


type PairedBuild = (controls: readonly UnitSet[], metric: Hypothesis['metric'], nullSize?: { distinct: number; exact: boolean }) => Promise<PairedEvaluator>;

/** The rows of every evaluation batch, and the batch axis's static size when the model fixes one. */
interface BatchPlan {
  batches: { rows: Int32Array; valid: number }[];
  staticBatch: number | undefined;
}

/**
 * A fixed evaluation order, seeded, so batches mix target and control (resampling draws within a batch); an
 * evaluation subset is the order's first rows of each kind, in the data's proportions (evaluationRows). A static
 * batch axis pads the last batch with the batch's first row.
 */
function batchPlan(h: Hypothesis, inputs: SweepInputs, index: GraphIndex, batchSize: number | undefined): BatchPlan {
  const proto = inputs.model.proto;
  const order = evaluationRows(Rng.stream(h.degradation.seed, EVAL_ORDER_STREAM).permutation(inputs.n), inputs.isTarget, h.evaluation?.rows);
  const rowCount = order.length;
  const firstInput = proto.graph.input.find((v) => index.graphInputs.includes(v.name));
  const declared = firstInput ? index.types.get(firstInput.name)?.shape?.[0] : undefined;
  const staticBatch = typeof declared === 'number' && declared > 0 ? declared : undefined;
  const size = staticBatch ?? Math.min(rowCount, batchSize ?? DEFAULT_EVAL_BATCH);
  const batches: BatchPlan['batches'] = [];
  for (let start = 0; start < rowCount; start += size) {
    const valid = Math.min(size, rowCount - start);
    const rows = new Int32Array(staticBatch ?? valid);
    for (let k = 0; k < rows.length; k++) rows[k] = order[start + (k < valid ? k : 0)]!;
    batches.push({ rows, valid });
  }
  return { batches, staticBatch };
}

/** The model's data inputs at some rows, and its weights as inputs. */
function feedMakers(h: Hypothesis, inputs: SweepInputs, index: GraphIndex): { data(rows: Int32Array): Feeds; weights(weights: readonly Float32Array[]): Feeds } {
  return {
    data: (rows) => {
      const feeds: Feeds = {};
      for (const [name, array] of Object.entries(inputs.data.inputs)) {
        const part = takeRows(array, rows, h.data.inputs[name]);
        const dtype = index.types.get(name)?.dtype ?? 'float32';
        feeds[name] = toTensor(part, dtype, part.shape, h.data.inputs[name] ?? name);
      }
      return feeds;
    },
    weights: (weights) => Object.fromEntries(inputs.parameters.map((p, i) => [p.name, new ort.Tensor('float32', weights[i]!, p.shape)])),
  };
}

/** Shapes of every tensor at each distinct batch size (the last batch may be shorter), and the check that the
 *  circuit's tensors are per example on axis 0 (a dynamic batch axis only). */
async function probeBatchShapes(
  h: Hypothesis, base: ModelProto, index: GraphIndex, plan: BatchPlan, feeds: ReturnType<typeof feedMakers>, weights: readonly Float32Array[],
): Promise<Map<number, Map<string, ProbedTensor>>> {
  const shapes = new Map<number, Map<string, ProbedTensor>>();
  for (const { rows } of plan.batches) {
    if (!shapes.has(rows.length)) shapes.set(rows.length, await probeShapes(base, { ...feeds.data(rows), ...feeds.weights(weights) }));
  }
  const first = shapes.get(plan.batches[0]!.rows.length)!;
  // The extra probe (one batch size only) measures just the circuit tensors: cheap on large graphs.
  const circuitTensors = [...new Set(h.circuit.components.map((c) => c.tensor))];
  if (!plan.staticBatch) await checkBatchAxis(h, first, plan.batches[0]!.rows, shapes, async (rows) => probeShapes(base, { ...feeds.data(rows), ...feeds.weights(weights) }, circuitTensors),
    (t) => index.initializers.has(t) || index.graphInputs.includes(t));
  return shapes;
}

/** A tensor's dims at the first batch; a clear error for a name the model lacks. */
function dimsIn(first: Map<string, ProbedTensor>): (tensor: string) => number[] {
  return (t) => {
    const s = first.get(t);
    if (!s) throw new Error(`the model has no tensor named '${t}'`);
    return s.dims;
  };
}

/** How the labels are fed (class indices or values), and the labels tensor of some rows. */
function labelFeeds(h: Hypothesis, inputs: SweepInputs, outputDims: readonly number[]): { form: LabelForm; of(rows: Int32Array): ort.Tensor } {
  const { form, labelDims, classes } = labelLayout(h, inputs.data.labels, outputDims);
  const of = (rows: Int32Array): ort.Tensor => {
    const part = takeRows(inputs.data.labels, rows, h.data.labels);
    const dims = [rows.length, ...labelDims];
    if (form !== 'index') return new ort.Tensor('float32', toFloat32(part).data, dims);
    const ids = toInt64(part, h.data.labels).data;
    for (let i = 0; i < ids.length; i++) {
      // A token scored nowhere still needs a valid class to gather; its loss is left out of every mean.
      if (inputs.tokens && ids[i] === BigInt(inputs.ignoreIndex)) { ids[i] = 0n; continue; }
      const v = Number(ids[i]);
      if (v < 0 || v >= classes) throw new Error(`${h.data.labels}: label ${v} is outside the ${classes} classes of '${h.loss.output}'`);
    }
    return new ort.Tensor('int64', ids, dims);
  };
  return { form, of };
}

/** The fixed evaluation batches: their feeds (data and labels; resampling's sources, seeded), which rows are
 *  targets, which belong to the reference set, and per-position targets' token kinds. */
function evaluationBatches(h: Hypothesis, inputs: SweepInputs, plan: BatchPlan['batches'], feedsOf: (rows: Int32Array) => Feeds): Batch[] {
  const reference = h.reference ?? 'all';
  const inReference = (i: number): number => (reference === 'all' ? 1 : reference === 'target' ? inputs.isTarget[i]! : 1 - inputs.isTarget[i]!);
  const rng = Rng.stream(h.degradation.seed, RESAMPLE_STREAM);
  return plan.map(({ rows, valid }, b) => {
    const isTarget = Uint8Array.from(rows, (r) => inputs.isTarget[r]!);
    const isReference = Uint8Array.from(rows, (r, k) => (k < valid ? inReference(r) : 0));
    const feeds = feedsOf(rows);
    if (h.intervention.kind === 'resample') feeds[SOURCE_INPUT] = resampleSources(rng, isReference, b);
    const tokens = inputs.tokens;
    const tokenKind = tokens ? new Uint8Array(rows.length * tokens.perRow) : undefined;
    if (tokens) rows.forEach((r, k) => tokenKind!.set(tokens.kind.subarray(r * tokens.perRow, (r + 1) * tokens.perRow), k * tokens.perRow));
    return { index: b, rows, size: rows.length, valid, feeds, isTarget, isReference, ...(tokenKind ? { tokenKind } : {}) };
  });
}

/** The evaluator of the circuit and its matched random controls (the null; salience-matched when asked), with the
 *  component swaps of a circuit of several components. */
async function withNull(h: Hypothesis, inputs: SweepInputs, dial: Dial, dimsOf: (t: string) => number[], build: PairedBuild): Promise<PairedEvaluator> {
  let salience: number[][] | undefined;
  if (h.controls.count > 0 && h.controls.match === 'salience') {
    salience = await unitSalience(h.circuit.components, dimsOf, (sets) => build(sets, 'loss'), dial.baseline ? dial.baseline() : {}, inputs.targetCount / inputs.n);
  }
  const drawn = drawControls(h.circuit.components, dimsOf, { count: h.controls.count, enumerate: h.controls.enumerate ?? DEFAULT_ENUMERATE, seed: h.degradation.seed, salience });
  if (h.controls.count > 0 && drawn.sets.length === 0) throw new Error(`no control set disjoint from the circuit exists (N = 0): a component names every unit of its axis; name fewer units, or set controls.count: 0 (no null: the verdict then calls no window clean)`);
  const evaluator = await build(drawn.sets, h.metric, { distinct: drawn.distinct, exact: drawn.exact });
  if (h.circuit.components.length >= 2 && drawn.sets.length > 0 && h.intervention.scope === 'circuit') {
    evaluator.swaps = await componentSwaps(h, drawn.sets, (sets) => build(sets, h.metric), dial);
  }
  return evaluator;
}

/**
 * For each component i, the circuit with component i replaced by control k's component i (k = 1…K, all disjoint from
 * the circuit), evaluated once at w* in one graph: what the circuit loses without that component's own units.
 */
async function componentSwaps(h: Hypothesis, controls: readonly UnitSet[], build: (sets: readonly UnitSet[]) => Promise<PairedEvaluator>, dial: Dial): Promise<ComponentSwap[]> {
  const components = h.circuit.components;
  const sets: UnitSet[] = components.flatMap((_, i) => controls.map((c) => components.map((own, j) => (j === i ? c[i]! : own))));
  const swap = await build(sets);
  try {
    const m = await swap.evaluate(dial.baseline ? dial.baseline() : {});
    const k = controls.length;
    return components.map((c, i) => ({
      index: i, tensor: c.tensor, units: [...c.units],
      targetEffect: m.controlTargetEffect.slice(i * k, (i + 1) * k),
      collateralEffect: m.controlCollateralEffect.slice(i * k, (i + 1) * k),
    }));
  } finally {
    await swap.releaseOwn();
  }
}

/**
 * Refuses a circuit tensor whose axis 0 is not the examples axis (src/engine/onnx/batchAxis.ts): its shapes at two
 * batch sizes, from the probes already made or one more on a shorter batch.
 */
async function checkBatchAxis(h: Hypothesis, first: Map<string, ProbedTensor>, rows: Int32Array, shapes: Map<number, Map<string, ProbedTensor>>, probe: (rows: Int32Array) => Promise<Map<string, ProbedTensor>>, isWeight: (t: string) => boolean): Promise<void> {
  const a = rows.length;
  let other = [...shapes.keys()].find((k) => k !== a);
  let second = other === undefined ? undefined : shapes.get(other);
  if (!second) {
    const alt = a > 1 ? rows.subarray(0, a - 1) : Int32Array.of(rows[0]!, rows[0]!);
    other = alt.length;
    second = await probe(alt);
  }
  for (const t of new Set(h.circuit.components.map((c) => c.tensor))) {
    const x = first.get(t)?.dims;
    const y = second.get(t)?.dims;
    if (!x || !y) continue;
    const [small, large] = a < other! ? [[a, x], [other!, y]] as const : [[other!, y], [a, x]] as const;
    const problem = batchAxisProblem(t, small[0], small[1], large[0], large[1], h.intervention.kind === 'zero' || isWeight(t));
    if (problem) throw new Error(batchAxisMessage(problem));
  }
}

/** For each row, another reference row of the same batch (itself only when it is the batch's sole reference row). */
function resampleSources(rng: Rng, isReference: Uint8Array, batch: number): ort.Tensor {
  const pool: number[] = [];
  isReference.forEach((f, k) => { if (f) pool.push(k); });
  if (pool.length === 0) throw new Error(`evaluation batch ${batch} holds no reference example to resample from; use a larger batch or reference: all`);
  const source = new BigInt64Array(isReference.length);
  for (let k = 0; k < source.length; k++) {
    let j = pool[rng.int(pool.length)]!;
    if (j === k && pool.length > 1) j = pool[(pool.indexOf(j) + 1 + rng.int(pool.length - 1)) % pool.length]!;
    source[k] = BigInt(j);
  }
  return new ort.Tensor('int64', source, [source.length]);
}

/** How the labels feed the loss head, from their dtype and size per example against the output's dims. */
function labelLayout(h: Hypothesis, labels: NdArray, outDims: readonly number[]): { form: LabelForm; labelDims: number[]; classes: number } {
  const perRow = product(labels.shape.slice(1));
  const outRow = outDims.slice(1);
  if (h.loss.kind === 'mse') {
    if (perRow !== product(outRow)) throw new Error(`${h.data.labels}: ${perRow} values per example, but '${h.loss.output}' has ${product(outRow)} ([${outRow.join(', ')}]) for an mse loss`);
    return { form: 'value', labelDims: outRow, classes: 0 };
  }
  const classes = outDims[outDims.length - 1]!;
  const positions = outRow.slice(0, -1);
  const isFloat = labels.dtype === 'float32' || labels.dtype === 'float64';
  if (isFloat && perRow === product(outRow) && perRow !== product(positions)) return { form: 'soft', labelDims: outRow, classes };
  if (perRow === product(positions)) return { form: 'index', labelDims: positions, classes };
  throw new Error(`${h.data.labels}: ${perRow} labels per example; cross-entropy on '${h.loss.output}' [${outDims.join(', ')}] needs ${product(positions)} class indices (or ${product(outRow)} probabilities)`);
}

/**
 * The rows a draw is evaluated on, in evaluation order: all of `order`, or its first `rows` — target and control
 * rows in the data's proportions (at least one of each), each kind in the order's sequence, so the subset is seeded.
 */
export function evaluationRows(order: ArrayLike<number>, isTarget: ArrayLike<number>, rows: number | undefined): Int32Array {
  const n = order.length;
  if (rows === undefined || rows >= n) return Int32Array.from(order);
  let targets = 0;
  for (let i = 0; i < n; i++) targets += isTarget[i]! ? 1 : 0;
  const wantTarget = Math.min(targets, Math.max(1, Math.round((rows * targets) / n)));
  const wantControl = Math.min(n - targets, Math.max(1, rows - wantTarget));
  const out: number[] = [];
  let t = 0;
  let c = 0;
  for (let i = 0; i < n && (t < wantTarget || c < wantControl); i++) {
    const r = order[i]!;
    if (isTarget[r]) {
      if (t < wantTarget) { out.push(r); t++; }
    } else if (c < wantControl) { out.push(r); c++; }
  }
  return Int32Array.from(out);
}
