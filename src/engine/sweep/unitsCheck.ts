// Journals and shard documents checked like a results file before any of their numbers is used: the header's
// fields and its plan fingerprint must agree with each other and with this engine, and every unit must lie in the
// plan, with finite per-draw series of matching lengths. A journal or shard from another run, a forged one, or one
// that would make `merge` allocate gigabytes is refused with the path of its first bad field (issue 24).
import { isDeepStrictEqual } from 'node:util';
import { chainsPerLevel, type Hypothesis } from '../../protocol/hypothesis';
import { isObject } from '../../protocol/guards';
import { RESULTS_VERSION, resultsProblem } from '../../protocol/results';
import { DRAW_QUANTITIES, type PlanBinding, SHARD_KIND, type ShardDocument, type SweepHeader, type UnitResult } from '../../protocol/shard';
import type { ResultsDocument } from '../../protocol/results';
import { ENGINE_VERSION } from '../version';
import { safeName } from '../util/readGate';
import { planFingerprint, planLevels } from './units';

/** More work units than any plan a person runs; a header claiming more is refused before anything is allocated. */
export const MAX_PLAN_UNITS = 100_000;


/** Larger than any loss or effect in nats; small enough that sums and squares of a chain's draws stay finite
 *  (two draws of 1e308 made a mean of Infinity, written as null in a results file that said `complete`). */
export const MAX_DRAW_MAGNITUDE = 1e150;

const draw = (x: unknown): boolean => typeof x === 'number' && Math.abs(x) <= MAX_DRAW_MAGNITUDE;
const finiteArray = (v: unknown, length?: number): boolean => Array.isArray(v) && (length === undefined || v.length === length) && v.every(draw);

/** The binding a header claims, its plan fingerprint recomputed from its own fields. */
export function headerBinding(h: SweepHeader): PlanBinding {
  const d = h.document;
  const grid = planLevels(d.hypothesis.resolved);
  return {
    plan: planFingerprint({ engineVersion: d.engine.version, hypothesisSha256: d.hypothesis.sha256, modelSha256: d.model.sha256, grid, chains: h.chains, seed: d.seed }),
    engineVersion: d.engine.version, hypothesisSha256: d.hypothesis.sha256, modelSha256: d.model.sha256, seed: d.seed, levels: h.levels, chains: h.chains,
  };
}

/** Null when `x` is a header this engine wrote for a consistent plan; else the first problem, with its field. */
export function sweepHeaderProblem(x: unknown): string | null {
  if (!isObject(x)) return 'the header is not an object';
  const h = x as Partial<SweepHeader>;
  if (typeof h.plan !== 'string') return '.plan is not a string';
  if (!isObject(h.draws) || typeof h.draws.independent !== 'boolean' || typeof h.draws.deterministic !== 'boolean') return '.draws is not { independent, deterministic }';
  if (!isObject(h.document)) return '.document is not an object';
  // The document less its levels and verdict: checked by the results file's own field-by-field check.
  const asResults = { ...h.document, status: 'complete', levels: [], verdict: { cleanWindow: null, tEnt: null, tSurv: null, cleanlinessDecades: 0, summary: '' } };
  const shape = resultsProblem(asResults);
  if (shape !== null) return `.document${shape}`;
  const d = h.document;
  // Shards and journals are read by the build that wrote them (the plan binds the engine version): the current version.
  if (d.version !== RESULTS_VERSION) return `.document.version ${String(d.version)} is not the version ${RESULTS_VERSION} this build writes`;
  if (typeof d.hypothesis.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.hypothesis.sha256)) return '.document.hypothesis.sha256 is not a sha256';
  if (!/^[0-9a-f]{64}$/.test(d.model.sha256)) return '.document.model.sha256 is not a sha256';
  if (!Number.isSafeInteger(d.seed)) return '.document.seed is not a whole number';
  const resolved = d.hypothesis.resolved as Partial<Hypothesis>;
  const grid = resolved.degradation?.levels;
  if (!isObject(resolved.degradation) || !finiteArray(grid) || grid!.length === 0) return '.document.hypothesis.resolved.degradation.levels is not a list of numbers';
  if (resolved.degradation.seed !== d.seed) return '.document.seed differs from the hypothesis\'s degradation.seed';
  if (resolved.degradation.dial !== d.dial) return '.document.dial differs from the hypothesis\'s degradation.dial';
  if (!isDeepStrictEqual(d.thresholds, resolved.verdict)) return '.document.thresholds differ from the hypothesis\'s verdict settings';
  const planned = planLevels(resolved as Hypothesis).length;
  if (!Number.isInteger(h.levels) || h.levels !== planned) return `.levels is not the hypothesis's ${planned} levels`;
  const chains = chainsPerLevel(resolved as Hypothesis);
  if (!Number.isInteger(h.chains) || h.chains !== chains) return `.chains is not the hypothesis's ${chains} chains per level`;
  if (h.levels * h.chains > MAX_PLAN_UNITS) return `the plan has ${h.levels * h.chains} work units, more than ${MAX_PLAN_UNITS}`;
  if (typeof h.setupSeconds !== 'number' || !Number.isFinite(h.setupSeconds)) return '.setupSeconds is not a number';
  if (d.engine.version !== ENGINE_VERSION) return `was written by engine ${d.engine.version}; this build is ${ENGINE_VERSION}`;
  if (h.plan !== headerBinding(h as SweepHeader).plan) return '.plan is not the fingerprint of the header\'s engine, hypothesis, model, grid, chains and seed';
  return null;
}

/** Null when `x` is a finished unit of `header`'s plan with finite series of matching lengths; else its first problem. */
export function unitProblem(x: unknown, header: SweepHeader): string | null {
  if (!isObject(x)) return 'is not an object';
  const u = x as Partial<UnitResult>;
  if (!Number.isInteger(u.levelIndex) || u.levelIndex! < 0 || u.levelIndex! >= header.levels) return `.levelIndex is not one of 0 … ${header.levels - 1}`;
  if (!Number.isInteger(u.chain) || u.chain! < 0 || u.chain! >= header.chains) return `.chain is not one of 0 … ${header.chains - 1}`;
  const grid = planLevels(header.document.hypothesis.resolved);
  if (u.level !== grid[u.levelIndex!]) return `.level is not the grid's level ${grid[u.levelIndex!]}`;
  if (typeof u.seconds !== 'number' || !Number.isFinite(u.seconds) || u.seconds < 0) return '.seconds is not a duration';
  if (u.error !== undefined && typeof u.error !== 'string') return '.error is not a string';
  for (const k of ['nbeta', 'stepSize', 'burnIn', 'thin'] as const) if (u[k] !== undefined && !(typeof u[k] === 'number' && Number.isFinite(u[k]))) return `.${k} is not a number`;
  if (u.calibration !== undefined && !(isObject(u.calibration) && Number.isFinite(u.calibration.passes) && Number.isFinite(u.calibration.seconds))) return '.calibration is not { passes, seconds }';
  const t = u.trace as Record<string, unknown> | undefined;
  if (!isObject(t)) return '.trace is not an object';
  if (t.chain !== u.chain) return '.trace.chain is not the unit\'s chain';
  if (t.diverged !== undefined && typeof t.diverged !== 'boolean') return '.trace.diverged is not true or false';
  if (!Array.isArray(t.loss)) return '.trace.loss is not a list';
  const draws = t.loss.length;
  // Every series the statistics use holds only finite draws (a chain stops before a non-finite one). The sampler's
  // own minibatch loss and distance are shown, not judged: null (JSON's NaN) is allowed there.
  const shown = (v: unknown): boolean => Array.isArray(v) && v.length === draws && v.every((y) => y === null || draw(y));
  if (!shown(t.loss)) return `.trace.loss is not ${draws} numbers`;
  for (const { key } of DRAW_QUANTITIES.filter((q) => q.per === 'draw')) if (!finiteArray(t[key], draws)) return `.trace.${key} is not ${draws} finite numbers`;
  if (t.distance !== undefined && !shown(t.distance)) return `.trace.distance is not ${draws} numbers`;
  if (t.acceptance !== undefined && !draw(t.acceptance)) return '.trace.acceptance is not a number';
  const auto = t.drawsAuto as Record<string, unknown> | undefined;
  if (auto !== undefined && !(isObject(auto) && (auto.ess === null || draw(auto.ess)) && draw(auto.target) && typeof auto.capped === 'boolean')) return '.trace.drawsAuto is not { ess, target, capped }';
  const k = header.document.controls?.count ?? 0;
  for (const { key } of DRAW_QUANTITIES.filter((q) => q.per === 'control')) {
    const v = t[key];
    if (!Array.isArray(v) || v.length !== draws || !v.every((row) => finiteArray(row, k))) return `.trace.${key} is not ${draws} lists of ${k} finite numbers`;
  }
  return null;
}

/** Null when `x` is a shard document of a consistent plan; else its first problem. */
export function shardDocumentProblem(x: unknown): string | null {
  if (!isObject(x) || x.kind !== SHARD_KIND) return 'it is not a shard document (sweep --shard I/N --out FILE writes those)';
  const s = x as Partial<ShardDocument>;
  if (typeof s.version !== 'number') return '.version is not a number';
  const header = sweepHeaderProblem(s.header);
  if (header !== null) return `.header${header.startsWith('.') ? '' : ' '}${header}`;
  const h = s.header as SweepHeader;
  if (!isObject(s.shard) || !Number.isInteger(s.shard.count) || s.shard.count < 1 || s.shard.count > h.levels * h.chains) return `.shard.count is not a number of shards from 1 to the plan's ${h.levels * h.chains} units`;
  if (!Number.isInteger(s.shard.index) || s.shard.index < 0 || s.shard.index >= s.shard.count) return `.shard.index is not one of 0 … ${s.shard.count - 1}`;
  if (!Array.isArray(s.units) || s.units.length > h.levels * h.chains) return '.units is not a list of the plan\'s units';
  for (let i = 0; i < s.units.length; i++) {
    const p = unitProblem(s.units[i], h);
    if (p !== null) return `.units[${i}]${p.startsWith('.') ? '' : ' '}${p}`;
  }
  if (typeof s.seconds !== 'number' || !Number.isFinite(s.seconds)) return '.seconds is not a number';
  if (typeof s.createdAt !== 'string') return '.createdAt is not a string';
  return null;
}

/** Why a header was not written for this run's inputs (null when it was): the field that differs, in words. */
export function bindingMismatch(header: SweepHeader, binding: PlanBinding): string | null {
  const h = headerBinding(header);
  if (h.engineVersion !== ENGINE_VERSION) return `it was written by engine ${h.engineVersion}; this is ${ENGINE_VERSION}`;
  if (h.engineVersion !== binding.engineVersion) return `it was written by engine ${h.engineVersion}, this run is ${binding.engineVersion}`;
  if (h.hypothesisSha256 !== binding.hypothesisSha256) return 'it was written for another hypothesis file (its sha256 differs)';
  if (h.modelSha256 !== binding.modelSha256) return 'it was written for another model (its sha256 differs)';
  if (h.seed !== binding.seed) return `it was written for seed ${h.seed}, this run's is ${binding.seed}`;
  if (h.levels !== binding.levels || h.chains !== binding.chains) return `it was written for ${h.levels} levels × ${h.chains} chains; the hypothesis now plans ${binding.levels} × ${binding.chains}`;
  if (h.plan !== binding.plan) return 'it was written for another plan (its grid differs)';
  return null;
}

/**
 * Null when a document assembled from checked units is fit to write: the results file's own check, and a finite
 * mean for every statistic of every level that did not stop early (a `complete` file never holds a null there).
 */
export function assembledProblem(doc: ResultsDocument): string | null {
  const shape = resultsProblem(doc);
  if (shape !== null) return shape;
  for (const [i, l] of doc.levels.entries()) {
    if (l.error !== undefined) continue;
    for (const k of ['lossGap', 'controlLossGap', 'targetEffect', 'collateralEffect'] as const) {
      if (!Number.isFinite(l[k].mean) || !Number.isFinite(l[k].se)) return `.levels[${i}].${k} is not finite`;
    }
  }
  return null;
}

/**
 * The first setting in which a journal's resolved hypothesis (`was`) differs from this run's (`now`), in words:
 * `degradation.seed is 0 in the journal, 1 now`; null when they are equal. Walks objects key by key (in `now`'s key
 * order, then keys only `was` has) and lists index by index, so the message names the field a person changed.
 */
export function settingChanged(was: unknown, now: unknown): string | null {
  const found = firstDifference(was, now, '');
  if (found === null) return null;
  const show = (v: unknown) => (v === undefined ? 'absent' : safeName(JSON.stringify(v), 80));
  return `${found.path === '' ? 'the hypothesis' : safeName(found.path, 120)} is ${show(found.was)} in the journal, ${show(found.now)} now`;
}

function firstDifference(was: unknown, now: unknown, at: string): { path: string; was: unknown; now: unknown } | null {
  if (isDeepStrictEqual(was, now)) return null;
  if (Array.isArray(was) && Array.isArray(now)) {
    for (let i = 0; i < Math.min(was.length, now.length); i++) {
      const d = firstDifference(was[i], now[i], `${at}[${i}]`);
      if (d !== null) return d;
    }
    return { path: at, was, now };
  }
  if (isObject(was) && isObject(now)) {
    const keys = [...Object.keys(now), ...Object.keys(was).filter((k) => !(k in now))];
    for (const k of keys) {
      const d = firstDifference(was[k], now[k], at === '' ? k : `${at}.${k}`);
      if (d !== null) return d;
    }
  }
  return { path: at, was, now };
}
