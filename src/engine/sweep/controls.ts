// The null (docs/method.md, "The null"): random unit sets in the circuit's shape, drawn per component from the same
// tensor, axis and positions, disjoint from the circuit and distinct from each other. When there are at most
// `enumerate` distinct such sets, all of them are used (an exact null, the same for every seed); otherwise K are drawn
// without replacement. The same sets serve every level, chain and shard.
//
// A draw is over *unit indices* of a component: what a unit is (one neuron, a group such as a head) is decided where
// the mask is built, so the null never needs to know.
import type { CircuitComponent } from '../../protocol/hypothesis';
import { numberDefault } from '../../protocol/hypothesisSchema';
import { Rng } from '../util/random';

const CONTROL_STREAM = 103;
/** Enumerate every distinct control set when there are at most this many (hypothesis `controls.enumerate`). */
export const DEFAULT_ENUMERATE = numberDefault(['controls', 'enumerate']);

/** A unit set in the shape of a circuit: one component per circuit component. */
export type UnitSet = CircuitComponent[];

/** Units along a component's axis, given the tensor's dims (groups of `groupSize` entries when set). */
export function unitsAlong(c: CircuitComponent, dims: readonly number[]): number {
  const axis = c.axis < 0 ? dims.length + c.axis : c.axis;
  return Math.floor((dims[axis] ?? 0) / (c.groupSize ?? 1));
}

/** K whose smallest rank-test p-value 1/(K + 1) is at most α/2 (39 at α = 0.05): a circuit that one control ties
 *  or beats can still be called specific, so the verdict is not decided by a single draw. */
export function defaultControlCount(alpha: number): number {
  return Math.max(3, Math.ceil(2 / alpha) - 1);
}

/** Two components touch the same activations: same tensor and axis, and positions that overlap (absent = all). */
function overlaps(a: CircuitComponent, b: CircuitComponent, rank: (t: string) => number): boolean {
  const axis = (c: CircuitComponent) => (c.axis < 0 ? rank(c.tensor) + c.axis : c.axis);
  if (a.tensor !== b.tensor || axis(a) !== axis(b)) return false;
  if (!a.positions || !b.positions) return true;
  const p = new Set(a.positions);
  return b.positions.some((x) => p.has(x));
}

/**
 * The draw's structure: per component, its pool (units of its axis outside every circuit unit it could touch) and
 * the earlier components of the same cluster, whose drawn units it must also avoid (a control set never uses one
 * unit twice where the circuit could not).
 */
interface Slot { size: number; pool: number[]; earlier: number[] }

function slotsOf(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[]): Slot[] {
  const rank = (t: string) => dims(t).length;
  return components.map((c, i) => {
    const n = unitsAlong(c, dims(c.tensor));
    const excluded = new Set<number>();
    const earlier: number[] = [];
    components.forEach((o, j) => {
      if (!overlaps(c, o, rank)) return;
      for (const u of o.units) excluded.add(u);
      if (j < i) earlier.push(j);
    });
    const pool: number[] = [];
    for (let u = 0; u < n; u++) if (!excluded.has(u)) pool.push(u);
    return { size: c.units.length, pool, earlier };
  });
}

/** log C(n, k), exactly enough for counting (sums of logs). */
function logBinomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/** Units of slot i's pool a set may still use, given the units its earlier overlapping slots took. */
function freeCount(slots: readonly Slot[], i: number): number {
  const s = slots[i]!;
  // Earlier slots of a cluster draw from pools that contain this one's (same circuit units excluded), so each takes
  // its size out of it.
  return s.pool.length - s.earlier.reduce((a, j) => a + slots[j]!.size, 0);
}

/**
 * N: how many distinct control sets there are (disjoint from the circuit, one unit never used twice in a cluster),
 * as its natural log (it overflows doubles for real layers). −Infinity when there are none.
 */
export function logDistinctSets(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[]): number {
  const slots = slotsOf(components, dims);
  return slots.reduce((a, _, i) => a + logBinomial(freeCount(slots, i), slots[i]!.size), 0);
}

/** N as a number (Infinity when beyond doubles). */
export function distinctSets(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[]): number {
  const log = logDistinctSets(components, dims);
  return log === -Infinity ? 0 : Math.round(Math.exp(log));
}

/** The components that make N zero: a component whose axis has fewer free units than it names. */
export function impossibleComponents(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[]): { index: number; free: number; size: number }[] {
  const slots = slotsOf(components, dims);
  return slots.map((s, i) => ({ index: i, free: freeCount(slots, i), size: s.size })).filter((x) => x.free < x.size);
}

export interface ControlDraw {
  sets: UnitSet[];
  /** N, the number of distinct control sets (Infinity beyond doubles). */
  distinct: number;
  /** Every distinct set is used: the null is exact (no sampling error from drawing controls). */
  exact: boolean;
}

export interface ControlOptions {
  count: number;
  /** Enumerate every distinct set when there are at most this many (or at most `count`). */
  enumerate: number;
  seed: number;
  /** Per component, each unit's single-unit ablation effect: the draw is stratified by salience rank. */
  salience?: readonly (readonly number[])[];
}

const keyOf = (set: UnitSet): string => set.map((c) => c.units.join(',')).join('|');

/**
 * The control sets. Exact (every distinct set, in a fixed order) when N ≤ max(enumerate, count); otherwise `count`
 * distinct sets drawn uniformly without replacement (salience-stratified when `salience` is given).
 */
export function drawControls(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[], o: ControlOptions): ControlDraw {
  if (o.count <= 0) return { sets: [], distinct: distinctSets(components, dims), exact: false };
  const slots = slotsOf(components, dims);
  const distinct = distinctSets(components, dims);
  if (distinct === 0) return { sets: [], distinct, exact: false };
  if (distinct <= Math.max(o.enumerate, o.count)) return { sets: enumerateSets(components, slots), distinct, exact: true };
  const rng = Rng.stream(o.seed, CONTROL_STREAM);
  const seen = new Set<string>();
  const sets: UnitSet[] = [];
  // N > count, so a uniform draw finds a new set with probability ≥ 1 − count/N per try; the cap only guards a
  // salience stratification too narrow to give `count` distinct sets.
  for (let tries = 0; sets.length < o.count; tries++) {
    if (tries > 1000 * o.count) throw new Error(`only ${sets.length} distinct salience-matched control sets of ${o.count} were found; use controls.match: size or a smaller controls.count`);
    const set = drawOne(components, slots, rng, o.salience);
    const key = keyOf(set);
    if (seen.has(key)) continue;
    seen.add(key);
    sets.push(set);
  }
  return { sets, distinct, exact: false };
}

function drawOne(components: readonly CircuitComponent[], slots: readonly Slot[], rng: Rng, salience?: readonly (readonly number[])[]): UnitSet {
  const taken: number[][] = [];
  return components.map((c, i) => {
    const s = slots[i]!;
    const used = new Set(s.earlier.flatMap((j) => taken[j]!));
    const pool = s.pool.filter((u) => !used.has(u));
    const units = salience?.[i] ? stratifiedDraw(rng, c.units, salience[i]!, pool) : sample(rng, pool, s.size);
    taken[i] = units;
    return { ...c, units: [...units].sort((a, b) => a - b) };
  });
}

/** k distinct members of `pool`, uniformly (a partial Fisher–Yates shuffle). */
function sample(rng: Rng, pool: readonly number[], k: number): number[] {
  const a = [...pool];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** Every distinct control set, components in order, units in lexicographic order of their combinations. */
function enumerateSets(components: readonly CircuitComponent[], slots: readonly Slot[]): UnitSet[] {
  const out: UnitSet[] = [];
  const chosen: number[][] = [];
  const visit = (i: number): void => {
    if (i === components.length) {
      out.push(components.map((c, j) => ({ ...c, units: [...chosen[j]!] })));
      return;
    }
    const used = new Set(slots[i]!.earlier.flatMap((j) => chosen[j]!));
    const pool = slots[i]!.pool.filter((u) => !used.has(u));
    for (const combo of combinations(pool, slots[i]!.size)) {
      chosen[i] = combo;
      visit(i + 1);
    }
  };
  visit(0);
  return out;
}

function* combinations(pool: readonly number[], k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  if (k > pool.length) return;
  for (;;) {
    yield idx.map((i) => pool[i]!);
    let i = k - 1;
    while (i >= 0 && idx[i] === pool.length - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * Salience matching: the pool's units ranked by effect and cut into k equal-width strata of the ranks; for each
 * circuit unit, one pool unit from the stratum its own rank (among all units) falls in, or the nearest one left.
 */
function stratifiedDraw(rng: Rng, circuitUnits: readonly number[], effect: readonly number[], pool: readonly number[]): number[] {
  const n = effect.length;
  const k = circuitUnits.length;
  const byEffect = Array.from({ length: n }, (_, i) => i).sort((a, b) => effect[a]! - effect[b]! || a - b);
  const rankOf = new Int32Array(n);
  byEffect.forEach((u, r) => { rankOf[u] = r; });
  const strata = Math.max(1, Math.min(k, n));
  const stratumOf = (rank: number): number => Math.min(strata - 1, Math.floor((rank * strata) / n));
  const inPool = new Set(pool);
  const members: number[][] = Array.from({ length: strata }, () => []);
  byEffect.forEach((u, r) => { if (inPool.has(u)) members[stratumOf(r)]!.push(u); });
  const taken = new Set<number>();
  const out: number[] = [];
  for (const u of circuitUnits) {
    const s = stratumOf(rankOf[u]!);
    for (let d = 0; d < strata; d++) {
      const candidates = [...new Set([s - d, s + d])].filter((x) => x >= 0 && x < strata).flatMap((x) => members[x]!.filter((v) => !taken.has(v)));
      if (candidates.length === 0) continue;
      const pick = candidates[rng.int(candidates.length)]!;
      taken.add(pick);
      out.push(pick);
      break;
    }
  }
  return out;
}
