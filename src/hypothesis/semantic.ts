// Checks of a resolved hypothesis against its files: the model (tensor names, outputs, inputs, shapes
// measured by one probe run), the data (existence, shapes, lengths, labels, target selection), the
// checkpoints, and the gradient path of the sgld dial. Everything read is cached (cache.ts).
import { ArrayInfo, DataError, elementCount, ITEM_SIZE, NdArray, requireFinite, selectExamples, TargetSpec } from '../engine/data';
import { DEFAULT_IGNORE_INDEX, hasIgnoredLabels, isTokenMask, selectTokens } from '../engine/data/tokens';
import { batchAxisProblem, Dim, FOLDED_NAMES_HINT, foldedWeightNames, ModelError, ProbedTensor } from '../engine/onnx';
import { userMessage } from '../engine/onnx/runtimeMessage';
import { PROBE_SYMBOLIC_SIZE } from '../engine/onnx/shapes';
import { distinctSets, impossibleComponents, unitsAlong } from '../engine/sweep/controls';
import { degradableParameters } from '../engine/dials/parameters';
import { RESTRICTABLE_DIALS, selectParameters } from '../engine/dials/parameterSelection';
import type { CircuitComponent } from '../protocol/hypothesis';
import { numberDefault } from '../protocol/hypothesisSchema';
import { CheckCache, defaultCheckCache, LARGE_GRAPH_NODES, ModelFacts } from './cache';
import { DiagnosticCode, Fix, Range } from './diagnostics';
import { hasBatchAxis, shownShape } from './shownShape';
import { defaultGradientSupport, GradientSupportAnalyzer } from './gradientSupport';
import { ARRAY_EXTENSIONS, expectedFile, isFolder, missingFileFix, MODEL_EXTENSIONS } from './fileFixes';
import { entryOf, type PNode, scalarText } from './parse';
import { Draft, Resolver, splitMember } from './resolve';
import { didYouMean } from './suggest';
import { PathStep, Reporter } from './validate';

export interface SemanticOptions {
  cache?: CheckCache;
  /** Gradient-rule analysis for the sgld dial; default: the autodiff module's; null skips it. */
  gradientSupport?: GradientSupportAnalyzer | null;
  /** Checks stop early (with what they found so far) once aborted. */
  signal?: AbortSignal;
}

/** Data files up to this size have their values checked (NaN, ±Inf); a float32 scan of it takes well under a second. */
export const VALUE_SCAN_BYTES = 256 * 2 ** 20;

const INTEGER_DTYPES: readonly string[] = ['int32', 'int64', 'uint8', 'int8', 'int16', 'uint16', 'uint32', 'uint64'];
const FLOAT_DTYPES: readonly string[] = ['float32', 'float64', 'float16', 'bfloat16'];

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** One line, cleaned of onnxruntime's C++ paths, control characters escaped. */
function oneLine(e: unknown): string {
  return userMessage(e);
}

function shapeText(dims: readonly (Dim | number)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

interface DataRef {
  what: string;
  path: string;
  at: PathStep[];
}

export class SemanticChecker {
  private readonly cache: CheckCache;
  private readonly gradientSupport: GradientSupportAnalyzer | undefined;

  constructor(private readonly draft: Draft, private readonly loc: Resolver, private readonly out: Reporter, private readonly options: SemanticOptions = {}) {
    this.cache = options.cache ?? defaultCheckCache;
    this.gradientSupport = options.gradientSupport === null ? undefined : options.gradientSupport ?? defaultGradientSupport;
  }

  private get aborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  private error(code: DiagnosticCode, at: Range, message: string, hint?: string): void {
    this.out.error(code, at, message, hint ? { hint } : {});
  }

  async run(): Promise<void> {
    const [facts, infos] = await Promise.all([this.loadModel(), this.loadDataInfos()]);
    if (this.aborted) return;
    const checkpoints = this.checkCheckpoints(facts);
    const values = this.checkValues(infos);
    const n = this.checkLengths(infos);
    if (facts) {
      this.checkNames(facts);
      this.checkParameters(facts);
      this.checkInputs(facts, infos);
      const probe = await this.probe(facts, infos);
      if (this.aborted) return;
      if (probe) await this.checkBatchAxis(facts, infos, probe);
      if (this.aborted) return;
      this.checkComponents(facts, probe);
      this.checkControls(facts, probe);
      await this.checkLabels(facts, probe, infos, n);
      this.checkGradientPath(facts);
    }
    if (n !== undefined) {
      await this.checkTarget(infos, n);
      this.checkBatchSize(n);
    }
    await Promise.all([checkpoints, values]);
  }

  // ---- files -------------------------------------------------------------------------------------

  private async loadModel(): Promise<ModelFacts | undefined> {
    const p = this.draft.model;
    if (!p) return undefined;
    if (!this.cache.exists(p) || isFolder(p)) {
      this.fileProblem('hyp/model-not-found', ['model'], 'model', `model file not found: ${p}`, p, MODEL_EXTENSIONS);
      return undefined;
    }
    try {
      return await this.cache.model(p);
    } catch (e) {
      this.error('hyp/model-unreadable', this.loc.at(['model']), oneLine(e));
      return undefined;
    }
  }

  /** A path that names no file: missing, or a folder. With a quick fix when a file of the right kind is near. */
  private fileProblem(code: DiagnosticCode, path: PathStep[], what: string, notFound: string, abs: string, extensions: readonly string[], member?: string): void {
    const at = this.loc.at(path);
    const node = this.loc.node(path);
    const found = missingFileFix(node?.kind === 'scalar' ? node : undefined, at, abs, extensions, member);
    const folder = isFolder(abs);
    const hint = found ? `did you mean '${found.path}'?` : folder ? `name ${expectedFile(extensions)} inside it` : 'relative paths start at the hypothesis file\'s folder';
    const message = folder ? `${what}: ${abs} is a folder, expected ${expectedFile(extensions)}` : notFound;
    this.out.error(code, at, message, { hint, ...(found ? { fix: found.fix } : {}) });
  }

  private dataRefs(): DataRef[] {
    const d = this.draft.data;
    const refs: DataRef[] = [];
    for (const [name, p] of Object.entries(d?.inputs ?? {})) if (p) refs.push({ what: `input '${name}'`, path: p, at: ['data', 'inputs', name] });
    if (d?.labels) refs.push({ what: 'labels', path: d.labels, at: ['data', 'labels'] });
    const t = d?.target;
    if (t && 'mask' in t && t.mask) refs.push({ what: 'target mask', path: t.mask, at: ['data', 'target', 'mask'] });
    if (t && 'indices' in t && t.indices) refs.push({ what: 'target indices', path: t.indices, at: ['data', 'target', 'indices'] });
    return refs;
  }

  /** dtype and shape of every data file that could be read, by path label (`input 'x'`, `labels`, …). */
  private async loadDataInfos(): Promise<Map<string, ArrayInfo & { ref: DataRef }>> {
    const refs = this.dataRefs();
    const read = await Promise.all(refs.map(async (ref) => {
      const at = this.loc.at(ref.at);
      const { file, member } = splitMember(ref.path);
      if (!this.cache.exists(ref.path) || isFolder(file)) {
        this.fileProblem('hyp/data-not-found', ref.at, ref.what, `${ref.what}: file not found: ${file}`, file, ARRAY_EXTENSIONS, member);
        return undefined;
      }
      try {
        return await this.cache.arrayInfo(ref.path);
      } catch (e) {
        const code = e instanceof DataError ? e.code : undefined;
        this.error(code === 'data/not-found' ? 'hyp/data-not-found' : code === 'data/non-finite' ? 'hyp/data-non-finite' : 'hyp/data-unreadable', at, `${ref.what}: ${oneLine(e)}`);
        return undefined;
      }
    }));
    // In file order (inputs, labels, mask), whatever order the reads finished in: messages compare against the first.
    const infos = new Map<string, ArrayInfo & { ref: DataRef }>();
    refs.forEach((ref, i) => {
      const info = read[i];
      if (info) infos.set(ref.what, { ...info, ref });
    });
    return infos;
  }

  /**
   * A NaN or ±Inf in a float input or in the labels, found as the sweep would find it (the file read once and cached);
   * files over VALUE_SCAN_BYTES are left to the sweep, which refuses them with the same words.
   */
  private async checkValues(infos: Map<string, ArrayInfo & { ref: DataRef }>): Promise<void> {
    await Promise.all([...infos].map(async ([what, info]) => {
      if ((what !== 'labels' && !what.startsWith('input ')) || (info.dtype !== 'float32' && info.dtype !== 'float64')) return;
      if (elementCount(info.shape) * ITEM_SIZE[info.dtype] > VALUE_SCAN_BYTES) return;
      let array: NdArray;
      try {
        array = await this.cache.array(info.ref.path);
      } catch {
        return; // Reported with the infos.
      }
      try {
        requireFinite(array, info.ref.path);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        this.error('hyp/data-non-finite', this.loc.at(info.ref.at), `${what}: ${e.problem}`, e.hint);
      }
    }));
  }

  private async checkCheckpoints(facts: ModelFacts | undefined): Promise<void> {
    const list = this.draft.degradation?.dial === 'checkpoints' ? this.draft.degradation.checkpoints ?? [] : [];
    await Promise.all(list.map(async (p, i) => {
      if (!p) return;
      const at = this.loc.at(['degradation', 'checkpoints', i]);
      if (!this.cache.exists(p) || isFolder(p)) {
        this.fileProblem('hyp/checkpoint-not-found', ['degradation', 'checkpoints', i], 'checkpoint', `checkpoint file not found: ${p}`, p, MODEL_EXTENSIONS);
        return;
      }
      let cp: ModelFacts;
      try {
        cp = await this.cache.model(p);
      } catch (e) {
        this.error('hyp/checkpoint-unreadable', at, oneLine(e));
        return;
      }
      if (!facts) return;
      const mine = new Map(facts.index.parameters().map((q) => [q.name, q.shape]));
      const theirs = new Map(cp.index.parameters().map((q) => [q.name, q.shape]));
      for (const [name, shape] of mine) {
        const other = theirs.get(name);
        if (!other) {
          this.error('hyp/checkpoint-mismatch', at, `checkpoint lacks the model's parameter '${name}'`, 'checkpoints must be exports of the same graph');
          return;
        }
        if (other.join(',') !== shape.join(',')) {
          this.error('hyp/checkpoint-mismatch', at, `parameter '${name}' has shape ${shapeText(other)} in the checkpoint but ${shapeText(shape)} in the model`);
          return;
        }
      }
    }));
  }

  // ---- names -------------------------------------------------------------------------------------

  private unknownName(code: DiagnosticCode, path: PathStep[], message: string, name: string, candidates: Iterable<string>, fallbackHint: string): void {
    const guess = didYouMean(name, candidates);
    const node = this.loc.node(path);
    const range = this.loc.at(path);
    const style = node?.kind === 'scalar' ? node.style : 'double';
    this.out.error(code, range, message, guess
      ? { hint: `did you mean '${guess}'?`, fix: { range, newText: scalarText(guess, style), title: `Change to '${guess}'` } }
      : { hint: fallbackHint });
  }

  /** `degradation.parameters`: every glob must match a degradable weight, and together they must leave some. */
  private checkParameters(facts: ModelFacts): void {
    const selection = this.draft.degradation?.parameters;
    const dial = this.draft.degradation?.dial;
    if (!selection || !dial || !RESTRICTABLE_DIALS.includes(dial)) return;
    const all = degradableParameters(facts.model.proto);
    const names = all.map((p) => p.name);
    const { selected, unmatched } = selectParameters(all, { include: selection.include?.filter(isString), exclude: selection.exclude?.filter(isString) });
    for (const u of unmatched) {
      const guess = didYouMean(u.pattern, names);
      this.out.error('hyp/parameters-unmatched', this.loc.at(['degradation', 'parameters', u.list, u.index]),
        `'${u.pattern}' matches none of the model's ${all.length} weights`,
        { hint: guess ? `did you mean '${guess}'? (** matches anything, * anything but . and /)` : `run \`circuit-thermometer inspect ${this.draft.model}\` to list its weights; ** matches anything, * anything but . and /` });
    }
    const folded = foldedWeightNames(facts.model.proto);
    if (folded.length > 0 && ((selection.include?.length ?? 0) > 0 || (selection.exclude?.length ?? 0) > 0)) {
      this.out.warning('hyp/folded-weight-names', this.loc.at(['degradation', 'parameters']),
        `${folded.length} of the model's ${all.length} weights have made-up names like '${folded[0]}', which globs on module paths do not match`, { hint: FOLDED_NAMES_HINT });
    }
    if (unmatched.length === 0 && selected.length === 0) {
      this.out.error('hyp/parameters-empty', this.loc.at(['degradation', 'parameters']), `the include and exclude globs leave none of the model's ${all.length} weights to sample`);
    }
  }

  private checkNames(facts: ModelFacts): void {
    const { index, tensorNames } = facts;
    const known = new Set(tensorNames);
    const inspect = `run \`circuit-thermometer inspect ${this.draft.model}\` to list the model's tensors`;
    (this.draft.circuit?.components ?? []).forEach((c, i) => {
      if (c?.tensor && !known.has(c.tensor)) {
        this.unknownName('hyp/unknown-tensor', ['circuit', 'components', i, 'tensor'], `the model has no tensor '${c.tensor}'`, c.tensor, tensorNames, inspect);
      }
    });
    (this.draft.degradation?.noise?.tensors ?? []).forEach((t, i) => {
      if (t && !known.has(t)) {
        this.unknownName('hyp/unknown-tensor', ['degradation', 'noise', 'tensors', i], `the model has no tensor '${t}'`, t, tensorNames, inspect);
      }
    });
    const output = this.draft.loss?.output;
    if (output && !index.graphOutputs.includes(output)) {
      const outputs = index.graphOutputs.map((o) => `'${o}'`).join(', ');
      if (known.has(output)) {
        this.error('hyp/loss-output-not-output', this.loc.at(['loss', 'output']), `'${output}' is an intermediate tensor, not an output of the model`,
          `the loss reads a model output: ${outputs}`);
      } else {
        this.unknownName('hyp/loss-output-not-output', ['loss', 'output'], `the model has no output '${output}'`, output, index.graphOutputs, `the model's outputs: ${outputs}`);
      }
    }
  }

  // ---- inputs and shapes -------------------------------------------------------------------------

  private checkInputs(facts: ModelFacts, infos: Map<string, ArrayInfo>): void {
    const inputs = this.draft.data?.inputs;
    if (!inputs) return;
    const { index } = facts;
    const inputsNode = this.loc.node(['data', 'inputs']);
    for (const name of Object.keys(inputs)) {
      if (index.graphInputs.includes(name)) continue;
      const entry = entryOf(inputsNode, name);
      const range = entry?.keyRange ?? this.loc.at(['data', 'inputs']);
      const guess = didYouMean(name, index.graphInputs.filter((g) => !(g in inputs)));
      this.out.error('hyp/unknown-input', range, `the model has no input '${name}'`, guess
        ? { hint: `did you mean '${guess}'?`, fix: { range, newText: scalarText(guess, entry?.keyStyle ?? 'plain'), title: `Change to '${guess}'` } }
        : { hint: `the model's inputs: ${index.graphInputs.map((g) => `'${g}'`).join(', ')}` });
    }
    for (const name of index.graphInputs) {
      // A key whose value was invalid has its own diagnostic already.
      if (name in inputs || this.loc.node(['data', 'inputs', name])) continue;
      this.error('hyp/missing-input', this.loc.keyAt(['data', 'inputs']), `no data for the model input '${name}'`, `add \`${name}: path/to/${name}.npy\` under data.inputs`);
    }
    for (const name of Object.keys(inputs)) {
      const info = infos.get(`input '${name}'`);
      const declared = index.types.get(name);
      if (!info || !declared || !index.graphInputs.includes(name)) continue;
      const at = this.loc.at(['data', 'inputs', name]);
      if (declared.shape) {
        if (info.shape.length !== declared.shape.length) {
          this.error('hyp/data-shape-mismatch', at, `input '${name}' has shape ${shapeText(info.shape)} but the model expects rank ${declared.shape.length}: ${shapeText(declared.shape)}`,
            'the first axis indexes examples; the rest must match the model input');
        } else {
          const k = declared.shape.findIndex((d, i) => i > 0 && typeof d === 'number' && d !== info.shape[i]);
          if (k > 0) {
            this.error('hyp/data-shape-mismatch', at, `input '${name}' has shape ${shapeText(info.shape)} but the model expects ${shapeText(declared.shape)} (axis ${k}: ${info.shape[k]} ≠ ${declared.shape[k]})`);
          }
          const b = declared.shape[0];
          if (typeof b === 'number' && b > 0 && info.shape.length > 0 && info.shape[0] % b !== 0) {
            this.out.warning('hyp/static-batch', at, `the model takes exactly ${b} examples per run (input '${name}' has a fixed batch size), and ${info.shape[0]} examples leave ${info.shape[0] % b} over`,
              { hint: 're-export the model with a dynamic batch axis' });
          }
        }
      }
      if (INTEGER_DTYPES.includes(declared.dtype) && FLOAT_DTYPES.includes(info.dtype)) {
        this.error('hyp/data-dtype-mismatch', at, `input '${name}' holds ${info.dtype} but the model takes ${declared.dtype}`, `save it as integers, e.g. x.astype(np.${declared.dtype})`);
      } else if (declared.dtype === 'bool' && info.dtype !== 'bool') {
        this.error('hyp/data-dtype-mismatch', at, `input '${name}' holds ${info.dtype} but the model takes bool`);
      }
    }
  }

  /** Number of examples: the first axis of every input, the labels and the mask must agree. */
  private checkLengths(infos: Map<string, ArrayInfo & { ref: DataRef }>): number | undefined {
    let n: number | undefined;
    let from = '';
    for (const [what, info] of infos) {
      if (what === 'target indices') continue;
      if (info.shape.length === 0) {
        this.error('hyp/data-shape-mismatch', this.loc.at(info.ref.at), `${what} is a single value (0-d array); it needs one entry per example along its first axis`);
        continue;
      }
      if (n === undefined) {
        n = info.shape[0];
        from = what;
      } else if (info.shape[0] !== n) {
        this.error('hyp/data-length-mismatch', this.loc.at(info.ref.at), `${what} has ${info.shape[0]} examples but ${from} has ${n}`, 'every input, the labels and the mask need one entry per example');
        return undefined;
      }
    }
    return n;
  }

  /** Feed dims for the probe: static dims as declared, the batch axis small, other symbolic dims from the data. */
  private feedDims(facts: ModelFacts, infos: Map<string, ArrayInfo>): Record<string, number[]> | undefined {
    const dims: Record<string, number[]> = {};
    for (const name of facts.index.graphInputs) {
      const t = facts.index.types.get(name);
      const data = infos.get(`input '${name}'`)?.shape;
      const shape = t?.shape ?? (data ? data.map((d: number, i: number) => (i === 0 ? null : d)) : undefined);
      if (!shape) return undefined;
      dims[name] = shape.map((d: Dim, i: number) => (typeof d === 'number' ? d : i === 0 ? PROBE_SYMBOLIC_SIZE : data && data.length === shape.length ? data[i] : PROBE_SYMBOLIC_SIZE));
    }
    return dims;
  }

  /** The tensors the checks look at: circuit components, noised tensors and the loss output. */
  private namedTensors(): string[] {
    const names = new Set<string>();
    for (const c of this.draft.circuit?.components ?? []) if (c?.tensor) names.add(c.tensor);
    for (const t of this.draft.degradation?.noise?.tensors ?? []) if (t) names.add(t);
    if (this.draft.loss?.output) names.add(this.draft.loss.output);
    return [...names];
  }

  private async probe(facts: ModelFacts, infos: Map<string, ArrayInfo>): Promise<Map<string, ProbedTensor> | undefined> {
    const dims = this.feedDims(facts, infos);
    if (!dims) {
      this.out.warning('hyp/probe-failed', this.loc.at(['model']), 'a model input declares no shape and has no data; tensor shape checks skipped');
      return undefined;
    }
    try {
      return await this.cache.probe(facts, dims, facts.model.proto.graph.node.length > LARGE_GRAPH_NODES ? this.namedTensors() : undefined);
    } catch (e) {
      // onnxruntime refuses to load the model (a type or shape it infers does not fit): every run would fail too.
      const code = (e as { code?: unknown; engineCode?: unknown }).engineCode ?? (e as { code?: unknown }).code;
      if (code === 'onnx/runtime-rejected') {
        this.error('hyp/model-unreadable', this.loc.at(['model']), oneLine(e), 'check the model with onnx.checker.check_model(m, full_check=True)');
        return undefined;
      }
      this.out.warning('hyp/probe-failed', this.loc.at(['model']), `the model could not be run to measure tensor shapes (${oneLine(e)}); shape checks skipped`);
      return undefined;
    }
  }

  /**
   * Every component tensor must have the examples on axis 0: probed again at another batch size, its axis 0 must
   * follow the batch and nothing else may change (docs/pytorch.md, nn.MultiheadAttention). The first probe ran
   * every symbolic axis 0 at PROBE_SYMBOLIC_SIZE; this one runs it one larger.
   */
  private async checkBatchAxis(facts: ModelFacts, infos: Map<string, ArrayInfo>, first: Map<string, ProbedTensor>): Promise<void> {
    const dims = this.feedDims(facts, infos);
    if (!dims) return;
    const batch = PROBE_SYMBOLIC_SIZE;
    let dynamic = false;
    const larger: Record<string, number[]> = {};
    for (const [name, d] of Object.entries(dims)) {
      const declared = facts.index.types.get(name)?.shape?.[0];
      const symbolic = typeof declared !== 'number' && d.length > 0;
      dynamic ||= symbolic;
      larger[name] = symbolic ? [batch + 1, ...d.slice(1)] : d;
    }
    if (!dynamic) return; // A fixed batch axis: the model cannot tell us which axis the examples are on.
    const components = (this.draft.circuit?.components ?? []).map((c, i) => ({ c, i })).filter(({ c }) => c?.tensor && first.has(c.tensor));
    if (components.length === 0) return;
    let second: Map<string, ProbedTensor>;
    try {
      second = await this.cache.probe(facts, larger, facts.model.proto.graph.node.length > LARGE_GRAPH_NODES ? this.namedTensors() : undefined);
    } catch {
      return; // The model runs at one batch size only; its first probe's outcome stands.
    }
    const reported = new Set<string>();
    for (const { c, i } of components) {
      const tensor = c!.tensor!;
      const a = first.get(tensor)?.dims;
      const b = second.get(tensor)?.dims;
      if (!a || !b || reported.has(tensor)) continue;
      // Weights are batch-independent by nature; only activations that ignore the examples are refused for mean/resample.
      const problem = batchAxisProblem(tensor, batch, a, batch + 1, b, this.draft.intervention?.kind === 'zero' || facts.index.initializers.has(tensor));
      if (!problem) continue;
      reported.add(tensor);
      this.error('hyp/not-per-example', this.loc.at(['circuit', 'components', i, 'tensor']), problem.problem, problem.fix);
    }
  }

  private checkComponents(facts: ModelFacts, probe: Map<string, ProbedTensor> | undefined): void {
    (this.draft.circuit?.components ?? []).forEach((c, i) => {
      if (!c?.tensor || c.axis === undefined) return;
      const dims = probe?.get(c.tensor)?.dims ?? staticShape(facts, c.tensor);
      if (!dims) return;
      const base: PathStep[] = ['circuit', 'components', i];
      const rank = dims.length;
      const shown = shownShape(facts, c.tensor, dims);
      if (c.axis < -rank || c.axis >= rank) {
        this.error('hyp/axis-out-of-range', this.loc.at([...base, 'axis']), `axis ${c.axis} is out of range for '${c.tensor}', which has rank ${rank} (shape ${shown})`,
          rank > 0 ? `use an axis in ${-rank}…${rank - 1}` : 'a scalar has no units');
        return;
      }
      const axis = c.axis < 0 ? c.axis + rank : c.axis;
      if (axis === 0 && hasBatchAxis(facts, c.tensor)) {
        this.out.warning('hyp/batch-axis', this.loc.at([...base, c.axis === -1 ? 'units' : 'axis']), `axis ${c.axis} of '${c.tensor}' (shape ${shown}) indexes examples, not units`,
          { hint: 'units usually lie along the last axis (axis: -1)' });
      } else if (c.groupSize !== undefined && c.groupSize > 1) {
        const size = dims[axis]!;
        if (size % c.groupSize !== 0) {
          const divisors = Array.from({ length: size }, (_, k) => k + 1).filter((d) => d > 1 && d < size && size % d === 0);
          this.error('hyp/group-size', this.loc.at([...base, 'groupSize']), `groupSize ${c.groupSize} does not divide axis ${c.axis} of '${c.tensor}' (${size} entries, shape ${shown})`,
            divisors.length > 0 ? `groupSize must divide ${size}: one of ${divisors.slice(0, 12).join(', ')} (d_head for a merged heads·d_head axis)` : `${size} entries cannot be split into equal groups`);
        } else if (c.units) {
          this.checkIndexList([...base, 'units'], size / c.groupSize, `'${c.tensor}' has ${size / c.groupSize} groups of ${c.groupSize} along axis ${c.axis} (shape ${shown})`, 'unit', 'hyp/unit-out-of-range');
        }
      } else if (c.units) {
        this.checkIndexList([...base, 'units'], dims[axis], `'${c.tensor}' has ${dims[axis]} units along axis ${c.axis} (shape ${shown})`, 'unit', 'hyp/unit-out-of-range');
      }
      if (c.positions) {
        if (rank < 3) {
          this.error('hyp/position-out-of-range', this.loc.at([...base, 'positions']), `positions need a [batch, seq, …] tensor, but '${c.tensor}' has shape ${shown}`);
        } else {
          this.checkIndexList([...base, 'positions'], dims[1], `'${c.tensor}' has ${dims[1]} positions (axis 1 of ${shown})`, 'position', 'hyp/position-out-of-range');
        }
      }
    });
  }

  /**
   * The null must be able to reject: controls disjoint from the circuit must exist on every component's axis, and the
   * rank test's smallest p-value 1/(min(K, N) + 1) must be at most α. Checked before any work, naming N.
   */
  private checkControls(facts: ModelFacts, probe: Map<string, ProbedTensor> | undefined): void {
    const count = this.draft.controls?.count;
    if (count === undefined || count === 0) return;
    const alpha = this.draft.verdict?.alpha ?? numberDefault(['verdict', 'alpha']);
    const enumerate = this.draft.controls?.enumerate ?? numberDefault(['controls', 'enumerate']);
    const components = this.draft.circuit?.components ?? [];
    const sized: CircuitComponent[] = [];
    const dimsOf = new Map<string, readonly number[]>();
    for (const c of components) {
      if (!c?.tensor || c.axis === undefined || !c.units) return;
      const dims = probe?.get(c.tensor)?.dims ?? staticShape(facts, c.tensor);
      if (!dims) return;
      const component: CircuitComponent = { tensor: c.tensor, axis: c.axis, units: [...new Set(c.units as number[])], ...(c.positions ? { positions: c.positions as number[] } : {}), ...(c.groupSize ? { groupSize: c.groupSize } : {}) };
      // A symbolic size along the unit axis reads as 0: nothing to check; units beyond the axis are reported there.
      const size = unitsAlong(component, dims as number[]);
      if (!(size > 0) || component.units.some((u) => u >= size)) return;
      sized.push(component);
      dimsOf.set(c.tensor, dims as number[]);
    }
    const dims = (t: string) => dimsOf.get(t)!;
    for (const { index, free, size } of impossibleComponents(sized, dims)) {
      const c = sized[index]!;
      this.error('hyp/controls-impossible', this.loc.at(['circuit', 'components', index, 'units']), `no control set can be drawn for this component: ${size} units are needed, but '${c.tensor}' has only ${free} units along axis ${c.axis} outside the circuit${c.positions ? ' at these positions' : ''}`,
        'name fewer units, or set controls.count: 0 to chart the effects without a null');
      return;
    }
    const n = distinctSets(sized, dims);
    const used = n <= Math.max(enumerate, count) ? n : count;
    if (1 / (used + 1) > alpha) {
      const why = used === n
        ? `the circuit has only N = ${n} distinct control sets disjoint from it, so the rank test's smallest p-value is 1/(N + 1) = ${(1 / (n + 1)).toPrecision(2)} > α = ${alpha}: the null cannot reject, and no verdict could call the circuit specific`
        : `controls.count ${count} makes the rank test's smallest p-value 1/(K + 1) = ${(1 / (count + 1)).toPrecision(2)} > α = ${alpha}: the null cannot reject`;
      const fix = used === n
        ? 'a null needs N + 1 ≥ 1/α: give the component a larger axis (more candidate units), fewer units, or a larger verdict.alpha'
        : `use controls.count: ${Math.ceil(2 / alpha) - 1} (or more)`;
      this.error('hyp/null-cannot-reject', this.loc.at(used === n ? ['circuit', 'components'] : ['controls', 'count']), why, fix);
    }
  }

  /** Reports each listed index (or range end) at or beyond `size`, at its own list item. */
  private checkIndexList(path: PathStep[], size: number, facts: string, what: string, code: DiagnosticCode): void {
    const list = this.loc.node(path);
    if (list?.kind !== 'seq') return;
    list.items.forEach((item, k) => {
      if (item.kind !== 'scalar') return;
      const last = typeof item.value === 'number' ? item.value : typeof item.value === 'string' ? Number(item.value.split(':')[1]) - 1 : NaN;
      if (!(last >= size)) return;
      const text = typeof item.value === 'number' ? `${what} ${item.value}` : `${what} range "${item.value}"`;
      const fix = indexFix(list.items, k, size, what);
      this.out.error(code, this.loc.at([...path, k]), `${text} is out of range: ${facts}`,
        { hint: size > 0 ? `valid ${what}s are 0…${size - 1}` : `there are no ${what}s`, ...(fix ? { fix } : {}) });
    });
  }

  // ---- labels and the loss ------------------------------------------------------------------------

  private async checkLabels(facts: ModelFacts, probe: Map<string, ProbedTensor> | undefined, infos: Map<string, ArrayInfo>, n: number | undefined): Promise<void> {
    const output = this.draft.loss?.output;
    const kind = this.draft.loss?.kind;
    const labels = infos.get('labels');
    if (!output || !kind || !labels || !facts.index.graphOutputs.includes(output) || n === undefined) return;
    const dims = probe?.get(output)?.dims;
    if (!dims || dims.length === 0) return;
    const at = this.loc.at(['data', 'labels']);
    const expected = kind === 'cross-entropy' ? [n, ...dims.slice(1, -1)] : [n, ...dims.slice(1)];
    if (kind === 'cross-entropy' && !INTEGER_DTYPES.includes(labels.dtype)) {
      this.error('hyp/labels-mismatch', at, `cross-entropy needs integer class indices, but the labels are ${labels.dtype}`,
        labels.shape.length === expected.length + 1 ? 'one-hot labels? save y.argmax(-1).astype(np.int64)' : 'save them with y.astype(np.int64)');
      return;
    }
    if (labels.shape.join(',') !== expected.join(',')) {
      const why = kind === 'cross-entropy'
        ? `'${output}' has shape ${shapeText(dims.map((d, k) => (k === 0 ? 'batch' : d)))}, so cross-entropy needs one class index per row: ${shapeText(expected)}`
        : `mse compares with '${output}', which has shape ${shapeText(dims.map((d, k) => (k === 0 ? 'batch' : d)))}: labels need ${shapeText(expected)}`;
      this.error('hyp/labels-mismatch', at, `the labels have shape ${shapeText(labels.shape)}, but ${why}`);
      return;
    }
    if (kind !== 'cross-entropy') return;
    const classes = dims[dims.length - 1];
    let array: NdArray;
    try {
      array = await this.cache.array(this.draft.data!.labels!);
    } catch {
      return; // Already reported by the info read.
    }
    const ignore = this.draft.data?.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
    const perPosition = array.shape.length >= 2;
    for (let i = 0; i < array.data.length; i++) {
      const v = Number(array.data[i]);
      if (perPosition && v === ignore) continue;
      if (v < 0 || v >= classes) {
        this.error('hyp/label-out-of-range', at, `label ${v} (entry ${i}) is not a class of '${output}', which has ${classes} classes`,
          `class indices are 0…${classes - 1}${perPosition ? `; a position scored nowhere carries data.ignoreIndex (${ignore})` : ''}`);
        return;
      }
    }
  }

  // ---- target, batch size, gradients --------------------------------------------------------------

  private async checkTarget(infos: Map<string, ArrayInfo>, n: number): Promise<void> {
    const t = this.draft.data?.target;
    if (!t) return;
    let spec: TargetSpec;
    let key: string;
    try {
      if ('mask' in t && t.mask) {
        if (!infos.has('target mask')) return;
        key = 'mask';
        spec = { mask: await this.cache.array(t.mask) };
      } else if ('indices' in t && t.indices) {
        if (!infos.has('target indices')) return;
        key = 'indices';
        spec = { indices: await this.cache.array(t.indices) };
      } else if ('labels' in t && t.labels && this.draft.data?.labels && infos.has('labels')) {
        key = 'labels';
        spec = { labels: t.labels.filter((v): v is number => v !== undefined), labelArray: await this.cache.array(this.draft.data.labels) };
      } else {
        return;
      }
    } catch {
      return; // Unreadable files were reported with their infos.
    }
    try {
      const labels = this.draft.data?.labels && infos.has('labels') && this.draft.loss?.kind !== 'mse'
        ? await this.cache.array(this.draft.data.labels).catch(() => undefined) : undefined; // unreadable: reported with its info
      const ignore = this.draft.data?.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
      const ignored = labels !== undefined && labels.shape.length >= 2 && hasIgnoredLabels(labels, ignore);
      if (ignored && this.draft.degradation?.dial === 'sgld') {
        this.error('hyp/labels-mismatch', this.loc.at(['data', 'labels']), `labels equal to the ignore index ${ignore} are not supported by the sgld dial yet (its loss scores every token)`,
          'use the weight-noise, activation-noise or checkpoints dial, or drop the ignored positions from the labels');
      }
      if (labels && 'mask' in spec && isTokenMask(spec.mask, labels)) {
        selectTokens(labels, ignore, { tokenMask: spec.mask }, `data.target.${key}`);
      } else {
        const { target } = selectExamples(n, spec, { source: `data.target.${key}` });
        if (ignored) {
          const flags = new Uint8Array(n);
          for (const i of target) flags[i] = 1;
          selectTokens(labels, ignore, { exampleFlags: flags }, `data.target.${key}`);
        }
      }
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      const code: DiagnosticCode = e.code === 'data/empty-target' ? 'hyp/empty-target'
        : e.code === 'data/empty-control' ? 'hyp/empty-control'
          : e.code === 'data/length-mismatch' ? 'hyp/data-length-mismatch' : 'hyp/target-invalid';
      this.error(code, this.loc.at(['data', 'target', key]), e.problem, e.hint);
    }
  }

  private checkBatchSize(n: number): void {
    const d = this.draft.degradation;
    const b = d?.sgld?.batchSize;
    if (d?.dial !== 'sgld' || b === undefined || b <= n) return;
    this.out.warning('hyp/batch-larger-than-data', this.loc.at(['degradation', 'sgld', 'batchSize']),
      `the SGLD batch size (${b}) exceeds the ${n} examples: every step uses all of them`, { hint: `set degradation.sgld.batchSize to at most ${n}` });
  }

  private checkGradientPath(facts: ModelFacts): void {
    const output = this.draft.loss?.output;
    if (!this.gradientSupport || this.draft.degradation?.dial !== 'sgld' || !output || !facts.index.graphOutputs.includes(output)) return;
    const params = facts.index.parameters().map((p) => p.name);
    let result;
    try {
      const analyze = this.gradientSupport;
      result = analyze === defaultGradientSupport
        ? this.cache.gradientSupport(facts, output, () => analyze(facts.model.proto, params, output))
        : analyze(facts.model.proto, params, output);
    } catch (e) {
      this.error('hyp/no-gradient-rule', this.loc.at(['degradation', 'dial']), `gradient analysis failed: ${oneLine(e instanceof ModelError ? e.message : e)}`);
      return;
    }
    const shown = result.missing.slice(0, 5);
    for (const m of shown) {
      this.error('hyp/no-gradient-rule', this.loc.at(['degradation', 'dial']), `the sgld dial needs gradients through ${m.op} (node '${m.node}'): ${m.reason}`,
        'use the weight-noise dial, or add the rule in src/engine/autodiff');
    }
    if (result.missing.length > shown.length) {
      this.error('hyp/no-gradient-rule', this.loc.at(['degradation', 'dial']), `…and ${result.missing.length - shown.length} more ops without gradient rules`);
    }
  }
}

function staticShape(facts: ModelFacts, name: string): number[] | undefined {
  const s = facts.index.types.get(name)?.shape;
  return s && s.every((d): d is number => typeof d === 'number') ? s : undefined;
}

/**
 * The quick fix for an out-of-range index at `items[k]`: a range "a:b" that starts inside is cut to "a:size"; anything
 * else is removed from the list with its separator (never the list's only item: a component needs one).
 */
function indexFix(items: readonly PNode[], k: number, size: number, what: string): Fix | undefined {
  const item = items[k]!;
  if (item.kind !== 'scalar') return undefined;
  if (typeof item.value === 'string') {
    const from = Number(item.value.split(':')[0]);
    if (Number.isInteger(from) && from >= 0 && from < size - 1) {
      const cut = `${from}:${size}`;
      return { range: item.range, newText: scalarText(cut, item.style === 'plain' ? 'double' : item.style), title: `Change to "${cut}" (the ${what}s that exist)` };
    }
  }
  if (items.length < 2) return undefined;
  const range = k > 0 ? { start: items[k - 1]!.range.end, end: item.range.end } : { start: item.range.start, end: items[1]!.range.start };
  return { range, newText: '', title: `Remove ${what} ${typeof item.value === 'number' ? item.value : `"${item.value}"`}` };
}
