// A sweep as (level, chain) work units, and the results document put back together from finished units. Every
// unit's draws come from random streams keyed by (seed, level, chain), so a unit gives the same numbers wherever
// it runs; a level's statistics are computed from its chains in chain order, cut after the first that diverged
// (where one process stops the level). One process, several workers, a cluster's shards and a resumed run all
// assemble their documents here, so they agree number for number.
import { createHash } from 'node:crypto';
import { LEVEL_RECORD_KEYS } from '../../protocol/dials';
import type { Hypothesis } from '../../protocol/hypothesis';
import type { LevelResult, ResultsDocument } from '../../protocol/results';
import type { SweepHeader, UnitResult, WorkUnit } from '../../protocol/shard';
import { levelResult } from './level';
import { judgeContext, judgeLevel, judgeLevels, type JudgeContext } from './verdict';

/** Every unit of a grid, level by level. */
export function allUnits(levels: number, chains: number): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (let levelIndex = 0; levelIndex < levels; levelIndex++) for (let chain = 0; chain < chains; chain++) units.push({ levelIndex, chain });
  return units;
}

/**
 * Shard `index` of `count`: every count-th unit from `index` on. Dealing round-robin mixes cold and hot levels
 * (whose costs differ) into every shard; shards differ in size by at most one unit.
 */
export function shardUnits(units: readonly WorkUnit[], index: number, count: number): WorkUnit[] {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`a plan has at least one shard (got ${count})`);
  if (!(Number.isInteger(index) && index >= 0 && index < count)) throw new RangeError(`shard ${index} is not one of 0 … ${count - 1}`);
  return units.filter((_, i) => i % count === index);
}

/** The plan's levels: the dial's grid, or a two-dial map's cells row by row (each its column's level; gridDial.ts). */
export function planLevels(h: Hypothesis): number[] {
  const levels = h.degradation.levels;
  const rows = Array.isArray(h.degradation.grid?.checkpoints) ? h.degradation.grid.checkpoints.length : 1;
  return Array.from({ length: rows }, () => levels).flat();
}

export const unitKey = (u: WorkUnit): string => `${u.levelIndex}/${u.chain}`;

/** The plan's fingerprint: what a unit's numbers depend on (contents, not paths, so other machines agree). */
export function planFingerprint(parts: { engineVersion: string; hypothesisSha256: string; modelSha256: string; grid: readonly number[]; chains: number; seed: number }): string {
  return createHash('sha256').update(JSON.stringify([parts.engineVersion, parts.hypothesisSha256, parts.modelSha256, parts.grid, parts.chains, parts.seed])).digest('hex').slice(0, 16);
}

/** A level is complete when its chains 0 … k are in, k the first that diverged or the last chain. */
export function levelFromUnits(header: SweepHeader, levelIndex: number, units: readonly UnitResult[]): LevelResult | null {
  const byChain = new Map<number, UnitResult>();
  for (const u of units) if (u.levelIndex === levelIndex) byChain.set(u.chain, u);
  const taken: UnitResult[] = [];
  for (let c = 0; c < header.chains; c++) {
    const u = byChain.get(c);
    if (!u) return null;
    taken.push(u);
    if (u.trace.diverged) break;
  }
  const first = taken[0]!;
  const last = taken[taken.length - 1]!;
  const result = levelResult(
    {
      level: first.level,
      chains: taken.map((u) => u.trace),
      ...(last.error !== undefined ? { error: last.error } : {}),
      // The chains' compute time added up (one process runs them in turn; several may run them side by side).
      seconds: taken.reduce((s, u) => s + u.seconds, 0),
      ...(first.nbeta !== undefined ? { nbeta: first.nbeta } : {}),
    },
    header.draws,
  );
  // The rest of the dial's per-level record, as its first chain reported it (every chain of a level ran with the
  // same settings). Every process that ran a chain of the level calibrated it with the same pilots: the cost of one.
  for (const key of LEVEL_RECORD_KEYS) {
    if (key === 'nbeta') continue;
    const from = key === 'calibration' ? taken.find((u) => u.calibration) : first;
    if (from?.[key] !== undefined) Object.assign(result, { [key]: from[key] });
  }
  return result;
}

/** The judging context of a header's whole grid. */
export function headerJudging(header: SweepHeader): JudgeContext {
  return judgeContext(header.document.hypothesis.resolved, header.document.baseline, header.levels, header.chains, header.document.controls);
}

/**
 * Hears finished units in any order and reports each level, judged against the whole grid, once it is complete
 * (the live chart). Units already known (from a journal) count as heard.
 */
export class LevelAssembler {
  private readonly units: UnitResult[] = [];
  private readonly reported = new Set<number>();
  private judging: JudgeContext | null = null;

  constructor(private readonly onLevel: (level: LevelResult, levelIndex: number) => void) {}

  add(header: SweepHeader, unit: UnitResult): void {
    this.judging ??= headerJudging(header);
    this.units.push(unit);
    if (this.reported.has(unit.levelIndex)) return;
    const level = levelFromUnits(header, unit.levelIndex, this.units);
    if (!level) return;
    this.reported.add(unit.levelIndex);
    const judged = judgeLevel(level, this.judging);
    this.onLevel(judged, unit.levelIndex);
  }
}

export class IncompleteUnitsError extends Error {
  constructor(readonly missing: WorkUnit[]) {
    super(`${missing.length} work unit${missing.length === 1 ? ' is' : 's are'} missing (first: level ${missing[0]!.levelIndex + 1}, chain ${missing[0]!.chain + 1})`);
    this.name = 'IncompleteUnitsError';
  }
}

/** Units a complete document still needs: per level, the chains up to the first diverged one. */
export function missingUnits(header: SweepHeader, units: readonly UnitResult[]): WorkUnit[] {
  const have = new Map(units.map((u) => [unitKey(u), u]));
  const missing: WorkUnit[] = [];
  for (let levelIndex = 0; levelIndex < header.levels; levelIndex++) {
    for (let chain = 0; chain < header.chains; chain++) {
      const u = have.get(unitKey({ levelIndex, chain }));
      if (!u) missing.push({ levelIndex, chain });
      else if (u.trace.diverged) break;
    }
  }
  return missing;
}

/** The results document of a whole grid from its units (any order; duplicates of a unit must agree). */
export function resultsFromUnits(header: SweepHeader, units: readonly UnitResult[], totalSeconds: number): ResultsDocument {
  const missing = missingUnits(header, units);
  if (missing.length > 0) throw new IncompleteUnitsError(missing);
  const levels = Array.from({ length: header.levels }, (_, li) => levelFromUnits(header, li, units)!);
  const judged = judgeLevels(levels, headerJudging(header));
  return {
    ...header.document,
    status: levels.some((l) => l.error !== undefined) ? 'diverged' : 'complete',
    levels: judged.levels,
    verdict: judged.verdict,
    timings: { totalSeconds, setupSeconds: header.setupSeconds },
  } as ResultsDocument;
}
