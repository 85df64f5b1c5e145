// Matched random controls (docs/method.md, "Matched controls"): K unit sets drawn once per sweep from the seed,
// each component of the circuit replaced by as many units drawn uniformly without replacement from all units of
// the same tensor along the same axis, at the same positions. The same sets serve every level, chain and shard.
import type { CircuitComponent } from '../../protocol/hypothesis';
import { Rng } from '../util/random';

const CONTROL_STREAM = 103;

/** A unit set in the shape of a circuit: one component per circuit component. */
export type UnitSet = CircuitComponent[];

/** Units along a component's axis, given the tensor's dims (groups of `groupSize` entries when set). */
export function unitsAlong(c: CircuitComponent, dims: readonly number[]): number {
  const axis = c.axis < 0 ? dims.length + c.axis : c.axis;
  return Math.floor((dims[axis] ?? 0) / (c.groupSize ?? 1));
}

/** log10 of the number of distinct matched sets: Π over components of C(N, k), where C(N, k) counts the draws. */
export function log10DistinctSets(components: readonly CircuitComponent[], dims: (tensor: string) => readonly number[]): number {
  let total = 0;
  for (const c of components) total += log10Binomial(unitsAlong(c, dims(c.tensor)), c.units.length);
  return total;
}

function log10Binomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log10((n - k + i) / i);
  return s;
}

/**
 * K matched sets by size. `salience` (optional) gives, per component, each unit's single-unit ablation effect:
 * the draw is then stratified, so that the control's units have the circuit's distribution of salience ranks.
 */
export function drawControls(
  components: readonly CircuitComponent[],
  dims: (tensor: string) => readonly number[],
  count: number,
  seed: number,
  salience?: readonly (readonly number[])[],
): UnitSet[] {
  const rng = Rng.stream(seed, CONTROL_STREAM);
  const sets: UnitSet[] = [];
  for (let k = 0; k < count; k++) {
    sets.push(components.map((c, i) => {
      const n = unitsAlong(c, dims(c.tensor));
      const units = salience?.[i] ? stratifiedDraw(rng, c.units, salience[i]!) : sampleWithoutReplacement(rng, n, c.units.length);
      return { ...c, units: units.sort((a, b) => a - b) };
    }));
  }
  return sets;
}

/** k distinct integers of [0, n), uniformly (a partial Fisher–Yates shuffle). */
function sampleWithoutReplacement(rng: Rng, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}

/**
 * Salience matching: units ranked by effect and cut into k equal-width strata of the ranks; for each circuit
 * unit, one unit is drawn from the stratum of the circuit unit's rank (without replacement across the draw).
 */
function stratifiedDraw(rng: Rng, circuitUnits: readonly number[], effect: readonly number[]): number[] {
  const n = effect.length;
  const k = circuitUnits.length;
  const byEffect = Array.from({ length: n }, (_, i) => i).sort((a, b) => effect[a]! - effect[b]! || a - b);
  const rankOf = new Int32Array(n);
  byEffect.forEach((u, r) => { rankOf[u] = r; });
  // Strata of the rank axis; a circuit unit's stratum is where its rank falls.
  const strata = Math.max(1, Math.min(k, n));
  const stratumOf = (rank: number): number => Math.min(strata - 1, Math.floor((rank * strata) / n));
  const members: number[][] = Array.from({ length: strata }, () => []);
  byEffect.forEach((u, r) => members[stratumOf(r)]!.push(u));
  const taken = new Set<number>();
  const out: number[] = [];
  for (const u of circuitUnits) {
    const s = stratumOf(rankOf[u]!);
    // The nearest stratum with a unit left (strata hold ≥ ⌊n/k⌋ ≥ 1 units, so this ends).
    for (let d = 0; d < strata; d++) {
      const candidates = [s - d, s + d].filter((x) => x >= 0 && x < strata).flatMap((x) => members[x]!.filter((v) => !taken.has(v)));
      if (candidates.length === 0) continue;
      const pick = candidates[rng.int(candidates.length)]!;
      taken.add(pick);
      out.push(pick);
      break;
    }
  }
  return out;
}
