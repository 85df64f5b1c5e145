// From validated values to the resolved Hypothesis: absolute paths, expanded unit ranges, grid levels,
// and the checks that need no file: grids, dial-specific settings, paths leaving the workspace.
import { sweepWork } from './workEstimate';
import { DIAL_KINDS, DIALS } from '../protocol/dials';
import { FIXED_STEP_SIZE_DEFAULT, MALA_SAMPLERS, numberDefault } from '../protocol/hypothesisSchema';
import * as nodePath from 'node:path';
import { PNode, nodeAt } from './parse';
import { Range } from './diagnostics';
import { PathStep, Reporter } from './validate';
import {
  CircuitComponent, ControlSettings, DialKind, Hypothesis, InterventionKind, InterventionScope, LevelGrid, LossKind, SgldSettings, TargetMetric,
  UntaggedDegradation, VerdictSettings,
} from '../protocol/hypothesis';

/** A hypothesis as far as it could be resolved: any part with an error is absent. Its degradation holds whatever
 *  the file wrote, every dial's settings side by side; `tagDegradation` keeps the dial's once there are no errors. */
export type Draft = Omit<DeepPartial<Hypothesis>, 'degradation'> & { degradation?: DraftDegradation };
export type DraftDegradation = DeepPartial<UntaggedDegradation>;
export type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] | undefined
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The validated document, as schema.ts describes it (every field may be missing after an error). */
interface Raw {
  model?: string;
  data?: { inputs?: Record<string, string>; labels?: string; ignoreIndex?: number; target?: { mask?: string; indices?: string; labels?: number[] } };
  loss?: { output?: string; kind?: LossKind };
  metric?: TargetMetric;
  circuit?: { name?: string; components?: RawComponent[] };
  scan?: { name?: string; components?: (RawComponent & { label?: string })[] };
  intervention?: { kind?: InterventionKind; scope?: InterventionScope };
  degradation?: {
    dial?: DialKind;
    temperatures?: { from?: number; to?: number; count?: number; scale?: 'log' | 'linear' } | number[];
    sgld?: Partial<SgldSettings>;
    noise?: { samples?: number; tensors?: string[] };
    parameters?: { include?: string[]; exclude?: string[] };
    checkpoints?: string[];
    steps?: number[];
    grid?: { checkpoints?: string[]; steps?: number[] };
    seed?: number;
  };
  verdict?: Partial<VerdictSettings>;
  controls?: Partial<ControlSettings>;
  reference?: 'all' | 'target' | 'control';
  evaluation?: { rows?: number };
}

interface RawComponent {
  tensor?: string;
  axis?: number;
  units?: (number | string)[];
  groupSize?: number;
  positions?: (number | string)[];
}

export interface ResolveOptions {
  /** Folder that relative `..` paths may not leave; default: the hypothesis file's folder. */
  workspaceRoot?: string;
}

/** More units than this in one component is a typo (e.g. "0:1000000000"). */
const MAX_UNITS = 1_000_000;

export class Resolver {
  private readonly baseDir: string;
  private readonly root: string;

  constructor(private readonly file: string, private readonly tree: PNode | undefined, private readonly out: Reporter, options: ResolveOptions) {
    this.baseDir = nodePath.dirname(file);
    this.root = nodePath.resolve(options.workspaceRoot ?? this.baseDir);
  }

  /** Range of the value at `path`, or of the nearest enclosing key when the value was defaulted. */
  at(path: readonly PathStep[]): Range {
    const found = nodeAt(this.tree, path);
    const node = found.node;
    if (!node) return { start: { line: 0, col: 0 }, end: { line: 0, col: 0 } };
    if (found.complete) return node.range;
    return node.keyRange ?? { start: node.range.start, end: node.range.start };
  }

  /** Range of the key whose value is at `path` (falls back to `at`). */
  keyAt(path: readonly PathStep[]): Range {
    const found = nodeAt(this.tree, path);
    return found.complete && found.node?.keyRange ? found.node.keyRange : this.at(path);
  }

  /** The source node at `path`, when it exists. */
  node(path: readonly PathStep[]): PNode | undefined {
    const found = nodeAt(this.tree, path);
    return found.complete ? found.node : undefined;
  }

  resolve(value: unknown): Draft {
    const raw = (value ?? {}) as Raw;
    const draft: Draft = {
      file: this.file,
      model: this.path(raw.model, ['model']),
      metric: raw.metric,
      reference: raw.reference,
      ...(raw.evaluation ? { evaluation: raw.evaluation } : {}),
      verdict: raw.verdict,
      controls: raw.controls,
      intervention: raw.intervention,
    };
    if (raw.data) draft.data = this.data(raw.data);
    if (raw.loss) draft.loss = raw.loss;
    if (raw.circuit) {
      draft.circuit = {
        name: raw.circuit.name,
        components: raw.circuit.components?.map((c, i) => this.component(c ?? {}, i)),
      };
    }
    if (raw.scan) {
      const components = raw.scan.components?.map((c, i) => ({ ...this.component(c ?? {}, i, 'scan'), ...(c?.label !== undefined ? { label: c.label } : {}) }));
      draft.scan = { name: raw.scan.name, components };
      // The checks against the model read the circuit's components: the scan's, with the units it lists (or none).
      draft.circuit = { name: raw.scan.name, components: components?.map((c) => ({ tensor: c.tensor, axis: c.axis, units: c.units ?? [], ...(c.groupSize ? { groupSize: c.groupSize } : {}), ...(c.positions ? { positions: c.positions } : {}) })) };
    }
    // Without a written `degradation` there is only the missing-key error, not dial-specific ones.
    if (raw.degradation && nodeAt(this.tree, ['degradation']).complete) draft.degradation = this.degradation(raw.degradation);
    if (draft.degradation) this.checkWork(draft.degradation, raw.controls?.count ?? numberDefault(['controls', 'count']));
    if ((raw.metric === 'logit-diff' || raw.metric === 'accuracy') && raw.loss?.kind === 'mse') {
      this.out.error('hyp/invalid-value', this.at(['metric']), `metric '${raw.metric}' needs class logits, but the loss is 'mse'`,
        { hint: "use metric: loss, or loss.kind: cross-entropy" });
    }
    return draft;
  }

  /** Resolves a relative path against the hypothesis file's folder; keeps a `#member` suffix. */
  private path(p: string | undefined, at: PathStep[]): string | undefined {
    if (p === undefined) return undefined;
    const { file, member } = splitMember(p);
    const abs = nodePath.resolve(this.baseDir, file);
    if (!nodePath.isAbsolute(file) && file.split(/[\\/]/).includes('..')) {
      const rel = nodePath.relative(this.root, abs);
      if (rel.startsWith('..') || nodePath.isAbsolute(rel)) {
        this.out.error('hyp/path-outside-workspace', this.at(at), `'${p}' leads outside the workspace (${this.root})`,
          { hint: 'keep models and data inside the workspace, or give an absolute path' });
        return undefined;
      }
    }
    return member === undefined ? abs : `${abs}#${member}`;
  }

  private data(d: NonNullable<Raw['data']>): Draft['data'] {
    const inputs: Record<string, string> = {};
    let inputsOk = d.inputs !== undefined;
    for (const [name, p] of Object.entries(d.inputs ?? {})) {
      if (p === undefined) {
        inputsOk = false;
        continue;
      }
      const abs = this.path(p, ['data', 'inputs', name]);
      if (abs === undefined) inputsOk = false;
      else inputs[name] = abs;
    }
    const t = d.target;
    let target: NonNullable<Draft['data']>['target'];
    if (t?.mask !== undefined) {
      const mask = this.path(t.mask, ['data', 'target', 'mask']);
      if (mask) target = { mask };
    } else if (t?.indices !== undefined) {
      const indices = this.path(t.indices, ['data', 'target', 'indices']);
      if (indices) target = { indices };
    } else if (t?.labels !== undefined) {
      target = { labels: t.labels };
    }
    return { inputs: inputsOk ? inputs : undefined, labels: this.path(d.labels, ['data', 'labels']), ...(d.ignoreIndex !== undefined ? { ignoreIndex: d.ignoreIndex } : {}), target };
  }

  private component(c: RawComponent, i: number, key: 'circuit' | 'scan' = 'circuit'): DeepPartial<CircuitComponent> {
    const out: DeepPartial<CircuitComponent> = { tensor: c.tensor, axis: c.axis };
    if (c.units) out.units = this.indices(c.units, [key, 'components', i, 'units'], 'unit');
    if (c.groupSize !== undefined && c.groupSize !== 1) out.groupSize = c.groupSize;
    if (c.positions) out.positions = this.indices(c.positions, [key, 'components', i, 'positions'], 'position');
    return out;
  }

  /** Expands `[3, "5:8"]` to `[3, 5, 6, 7]`: sorted, unique; warns about repeats. */
  private indices(items: (number | string | undefined)[], path: PathStep[], what: string): number[] | undefined {
    if (items.some((u) => u === undefined)) return undefined;
    const seen = new Set<number>();
    let ok = true;
    (items as (number | string)[]).forEach((item, k) => {
      const at = [...path, k];
      let lo: number;
      let hi: number;
      if (typeof item === 'number') {
        lo = item;
        hi = item + 1;
      } else {
        [lo, hi] = item.split(':').map((s) => Number(s.trim()));
        if (hi <= lo) {
          this.out.error('hyp/bad-range', this.at(at), `the range "${item}" is empty: a:b means a, a+1, …, b-1, so b must exceed a`,
            { hint: `did you mean "${hi}:${lo}"?` });
          ok = false;
          return;
        }
        if (hi - lo > MAX_UNITS) {
          this.out.error('hyp/bad-range', this.at(at), `the range "${item}" has ${hi - lo} ${what}s; at most ${MAX_UNITS} are supported`);
          ok = false;
          return;
        }
      }
      const repeated: number[] = [];
      for (let u = lo; u < hi; u++) {
        if (seen.has(u)) repeated.push(u);
        else seen.add(u);
      }
      if (repeated.length > 0) {
        // The same unit twice is one unit: a circuit (and its matched controls) of another size than the list says.
        this.out.error('hyp/duplicate-unit', this.at(at), `${what} ${repeated.length === 1 ? repeated[0] : `${repeated[0]}…${repeated[repeated.length - 1]}`} is already listed`,
          { hint: `list each ${what} once` });
      }
    });
    return ok ? [...seen].sort((a, b) => a - b) : undefined;
  }

  /**
   * The sweep's work, stated before it starts: sampler steps, and paired evaluations of every kept draw (each one
   * forward pass of the clean network plus K + 1 intervened copies over every example). A warning above ~an hour
   * of a laptop core's work at the MLP rates of bench/README.md (≈ 500 steps/s, ≈ 50 evaluations/s).
   */
  private checkWork(d: DraftDegradation, controls: number): void {
    // draws: auto (the default) is counted at its cap: an upper bound, and said so.
    const { steps, gradients, evaluations, coreSeconds: seconds, drawsUntilEss } = sweepWork(d as Parameters<typeof sweepWork>[0], undefined, 'most');
    if (seconds < 3600) return;
    const at = this.keyAt(['degradation']);
    const upTo = drawsUntilEss ? 'at most ' : '';
    this.out.warning('hyp/large-sweep', at,
      `this sweep is ${upTo}${gradients > 0 ? `${compact(gradients)} full-data gradients (hmc's leapfrog steps), ${compact(steps)} minibatch steps and ` : steps > 0 ? `${compact(steps)} sampler steps and ` : ''}${compact(evaluations)} paired evaluations (each the clean network and ${controls + 1} intervened copies on every example): ${upTo ? 'up to' : 'about'} ${compact(seconds / 3600)} core-hours at a small MLP's pace, more on larger models`,
      { hint: 'fewer levels, chains or draws (or thin more) give a first look; --workers N (the setting circuitThermometer.workerProcesses) spreads levels and chains over cores' });
  }

  private degradation(d: NonNullable<Raw['degradation']>): DraftDegradation {
    const dial = d.dial;
    const out: DraftDegradation = { dial, sgld: d.sgld, noise: d.noise, seed: d.seed, ...(d.parameters ? { parameters: d.parameters } : {}) };
    const written = (key: string) => nodeAt(this.tree, ['degradation', key]).complete;
    const info = dial ? DIALS[dial] : undefined;
    if (info?.levels === 'checkpoints') {
      if (written('temperatures')) {
        this.out.warning('hyp/unused-setting', this.at(['degradation', 'temperatures']), 'the checkpoints dial ignores temperatures: its levels are the checkpoints (or their steps)');
      }
      if (!written('checkpoints')) {
        this.out.error('hyp/missing-key', this.at(['degradation', 'dial']), "the checkpoints dial needs 'degradation.checkpoints', a list of ONNX files");
      } else if (d.checkpoints) {
        const paths = d.checkpoints.map((p, i) => this.path(p, ['degradation', 'checkpoints', i]));
        if (paths.every((p): p is string => p !== undefined)) out.checkpoints = paths;
        Object.assign(out, this.checkpointLevels(d.checkpoints.length, d.steps));
      }
    } else {
      if (written('checkpoints')) {
        this.out.warning('hyp/unused-setting', this.at(['degradation', 'checkpoints']), `the ${dial ?? 'chosen'} dial ignores checkpoints`);
      }
      if (written('steps')) this.out.warning('hyp/unused-setting', this.at(['degradation', 'steps']), `the ${dial ?? 'chosen'} dial ignores steps`);
      if (!written('temperatures')) {
        if (dial) this.out.error('hyp/missing-key', this.at(['degradation', 'dial']), `the ${dial} dial needs 'degradation.temperatures': a grid {from, to, count} or a list`);
      } else if (d.temperatures) {
        Object.assign(out, this.grid(d.temperatures, info?.tempered === true));
      }
    }
    if (info && !info.restrictable && written('parameters')) {
      this.out.warning('hyp/unused-setting', this.at(['degradation', 'parameters']), `the ${dial} dial ignores parameters: only ${DIAL_KINDS.filter((k) => DIALS[k].restrictable).join(' and ')} sample a subset of the weights`);
    }
    if (dial && dial !== 'sgld' && written('sgld')) {
      this.out.warning('hyp/unused-setting', this.at(['degradation', 'sgld']), `the ${dial} dial ignores the sgld settings`);
    }
    if (dial === 'activation-noise' && !d.noise?.tensors && !nodeAt(this.tree, ['degradation', 'noise', 'tensors']).complete) {
      this.out.error('hyp/missing-key', this.at(['degradation', 'noise']), "the activation-noise dial needs 'degradation.noise.tensors': the tensors noise is added to");
    }
    if (dial && dial !== 'activation-noise' && nodeAt(this.tree, ['degradation', 'noise', 'tensors']).complete) {
      this.out.warning('hyp/unused-setting', this.at(['degradation', 'noise', 'tensors']), `the ${dial} dial ignores noise.tensors`);
    }
    if (written('grid') && d.grid) this.gridRows(d, out);
    const s = d.sgld;
    if (s?.stepSize === 'auto' && s.sampler !== undefined && !MALA_SAMPLERS.includes(s.sampler)) {
      // The default ε is calibrated by MALA acceptance, which only the Langevin proposals have: the others keep a number;
      // `auto` written with them is an error.
      if (!nodeAt(this.tree, ['degradation', 'sgld', 'stepSize']).complete) out.sgld = { ...s, stepSize: FIXED_STEP_SIZE_DEFAULT };
      else if (dial === 'sgld') this.out.error('hyp/step-size-auto-sampler', this.at(['degradation', 'sgld', 'stepSize']),
        `stepSize: auto calibrates by the MALA acceptance of a Langevin proposal, which the ${s.sampler} sampler does not make`,
        { hint: 'give a number, or use sampler: sgld, preconditioned-sgld or exponential-sgld, which calibrate it' });
    }
    if (dial === 'sgld' && s && typeof s.burnIn === 'number' && typeof s.draws === 'number' && s.burnIn >= s.draws) {
      this.out.warning('hyp/burn-in-long', this.at(['degradation', 'sgld', 'burnIn']),
        `burn-in (${s.burnIn} steps) is at least as long as the draws (${s.draws}): most of the sampling time is discarded`,
        { hint: 'burn-in is extra steps before the draws; shorten it or draw more' });
    }
    return out;
  }

  /** degradation.grid: its checkpoints (absolute) and steps, crossed with a dial that is not checkpoints itself. */
  private gridRows(d: NonNullable<Raw['degradation']>, out: DraftDegradation): void {
    const g = d.grid!;
    if (d.dial === 'checkpoints') {
      this.out.error('hyp/invalid-value', this.at(['degradation', 'dial']), 'degradation.grid crosses the checkpoints with another dial; the checkpoints dial cannot be that dial',
        { hint: 'set dial to sgld, weight-noise or activation-noise (the columns); the grid\'s checkpoints are the rows' });
      return;
    }
    if (nodeAt(this.tree, ['degradation', 'parameters']).complete) {
      this.out.error('hyp/invalid-value', this.at(['degradation', 'grid']), 'degradation.grid cannot be combined with degradation.parameters: the weights left out would stay at the trained model\'s values, not the checkpoint\'s',
        { hint: 'remove degradation.parameters, or sweep the checkpoints and the dial separately' });
      return;
    }
    if (!g.checkpoints) return;
    const paths = g.checkpoints.map((p, i) => this.path(p, ['degradation', 'grid', 'checkpoints', i]));
    let steps: number[] | undefined = Array.from({ length: g.checkpoints.length }, (_, i) => i);
    if (g.steps) {
      if (g.steps.length !== g.checkpoints.length) {
        this.out.error('hyp/invalid-value', this.at(['degradation', 'grid', 'steps']), `steps lists ${g.steps.length} values for ${g.checkpoints.length} checkpoints`, { hint: 'give one step per checkpoint' });
        steps = undefined;
      } else {
        steps = g.steps.some((v) => v === undefined) || !this.increasing(g.steps, ['degradation', 'grid', 'steps']) ? undefined : g.steps;
      }
    }
    if (steps && paths.every((p): p is string => p !== undefined)) out.grid = { checkpoints: paths, steps };
  }

  private checkpointLevels(count: number, steps: number[] | undefined): LevelGrid | undefined {
    if (!steps) return { levels: Array.from({ length: count }, (_, i) => i), scale: 'linear' };
    if (steps.some((v) => v === undefined)) return undefined;
    if (steps.length !== count) {
      this.out.error('hyp/invalid-value', this.at(['degradation', 'steps']), `steps lists ${steps.length} values for ${count} checkpoints`, { hint: 'give one step per checkpoint' });
      return undefined;
    }
    return this.increasing(steps, ['degradation', 'steps']) ? { levels: steps, scale: 'linear' } : undefined;
  }

  private increasing(levels: number[], path: PathStep[]): boolean {
    for (let i = 1; i < levels.length; i++) {
      if (!(levels[i] > levels[i - 1])) {
        this.out.error('hyp/grid-not-increasing', this.at([...path, i]), `the levels must increase strictly, but ${levels[i]} follows ${levels[i - 1]}`,
          { hint: 'sort the list and remove repeats' });
        return false;
      }
    }
    return true;
  }

  /** Grid levels; on the sgld dial a level is a temperature 1/β, so it must be positive. */
  private grid(g: NonNullable<NonNullable<Raw['degradation']>['temperatures']>, positive: boolean): LevelGrid | undefined {
    const base: PathStep[] = ['degradation', 'temperatures'];
    if (Array.isArray(g)) {
      if (g.some((v) => v === undefined)) return undefined;
      if (g.length < 2) {
        this.out.error('hyp/grid-count', this.at(base), `a grid needs at least 2 levels, this list has ${g.length}`);
        return undefined;
      }
      const bad = g.findIndex((v) => (positive ? v <= 0 : v < 0));
      if (bad >= 0) {
        this.out.error('hyp/grid-nonpositive', this.at([...base, bad]),
          positive ? `level ${g[bad]} is not a temperature: sgld levels must be > 0` : `level ${g[bad]} is negative: noise scales are ≥ 0`);
        return undefined;
      }
      const tiny = g.findIndex((v) => !representable(v));
      if (tiny >= 0) {
        this.out.error('hyp/out-of-range', this.at([...base, tiny]), `level ${g[tiny]} ${FLOAT32_RANGE_TEXT}`, { hint: FLOAT32_RANGE_HINT });
        return undefined;
      }
      if (!this.increasing(g, base)) return undefined;
      return { levels: g, scale: g[0] > 0 ? 'log' : 'linear' };
    }
    const { from, to, count, scale } = g;
    if (from === undefined || to === undefined || count === undefined || scale === undefined) return undefined;
    let ok = true;
    if (scale === 'log' && from <= 0) {
      this.out.error('hyp/grid-nonpositive', this.at([...base, 'from']), `a log grid starts above 0, not at ${from}`, { hint: 'to start at 0, use scale: linear (noise dials only)' });
      ok = false;
    } else if (positive && from <= 0) {
      this.out.error('hyp/grid-nonpositive', this.at([...base, 'from']), `sgld levels are temperatures and must be > 0, not ${from}`);
      ok = false;
    } else if (from < 0) {
      this.out.error('hyp/grid-nonpositive', this.at([...base, 'from']), `noise scales are ≥ 0, not ${from}`);
      ok = false;
    }
    for (const [key, v] of [['from', from], ['to', to]] as const) {
      if (ok && !representable(v)) {
        this.out.error('hyp/out-of-range', this.at([...base, key]), `'${key}' (${v}) ${FLOAT32_RANGE_TEXT}`, { hint: FLOAT32_RANGE_HINT });
        ok = false;
      }
    }
    if (to <= from) {
      this.out.error('hyp/grid-order', this.at([...base, 'to']), `'to' (${to}) must be above 'from' (${from})`);
      ok = false;
    }
    if (count < 2) {
      this.out.error('hyp/grid-count', this.at([...base, 'count']), `a grid needs at least 2 levels, not ${count}`);
      ok = false;
    }
    if (!ok) return undefined;
    return { levels: gridLevels(from, to, count, scale), scale };
  }
}

/** The engine computes in float32: a level (and 1/level, sgld's β) must be a normal float32 number, or 0 where 0 is allowed. */
const FLOAT32_MIN_NORMAL = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT32_RANGE_TEXT = `is outside what the engine's float32 arithmetic holds (${FLOAT32_MIN_NORMAL.toPrecision(3)} to ${FLOAT32_MAX.toPrecision(3)})`;
const FLOAT32_RANGE_HINT = 'a grid spans a few decades, e.g. from: 0.1, to: 1000';

function representable(v: number): boolean {
  return v === 0 || (Math.abs(v) >= FLOAT32_MIN_NORMAL && Math.abs(v) <= FLOAT32_MAX);
}

/** `count` levels from `from` to `to` (both included), evenly spaced in log or linear scale. */
export function gridLevels(from: number, to: number, count: number, scale: 'log' | 'linear'): number[] {
  const levels: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = i / (count - 1);
    const v = scale === 'log' ? 10 ** (Math.log10(from) + f * (Math.log10(to) - Math.log10(from))) : from + f * (to - from);
    // 12 significant digits: 10, not 9.999999999999998, on charts and in result files.
    levels.push(Number(v.toPrecision(12)));
  }
  // The end points exactly as written.
  levels[0] = from;
  levels[count - 1] = to;
  return levels;
}

/** `data/xy.npz#x` → file and member (a member only follows .npz or .json). */
export function splitMember(p: string): { file: string; member?: string } {
  const m = /^(.*\.(?:npz|json))#(.*)$/i.exec(p);
  return m ? { file: m[1], member: m[2] } : { file: p };
}

/** 3 significant digits with k / M / G: "1.2M". */
function compact(x: number): string {
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (x >= size) return `${Number((x / size).toPrecision(3))}${unit}`;
  return String(Number(x.toPrecision(3)));
}
