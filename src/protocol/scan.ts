// The results document of a scan (`circuit-thermometer scan`, docs/method.md "The entanglement map"): every unit of
// the scanned tensors swept as its own one-unit circuit, judged with the version-3 tests against the other units of
// its component. Versioned on its own (SCAN_VERSION); sweep results (results.ts) keep theirs. Version 2: the resolved
// hypothesis's degradation is tagged by its dial, as in results version 4; version 1 files convert on read.
import { isObject } from './guards';
import { hypothesisFromV3, type ScanComponent } from './hypothesis';
import type { Estimate, RunProvenance, Specificity, TestName } from './results';

export const SCAN_VERSION = 2;
export const SCAN_KIND = 'circuit-thermometer/scan';
/** Versions this build can read. */
export const READABLE_SCAN_VERSIONS: readonly number[] = [1, 2];

/** One scanned unit: a one-unit circuit, its effects per level and its verdict. */
export interface ScanUnitResult {
  /** Index into `components` (the map's row) and the unit (group) index along its axis. */
  component: number;
  unit: number;
  /** E_T(w*), E_C(w*). */
  baseline: { targetEffect: number; collateralEffect: number };
  /** E_T(t), E_C(t) per level of the grid (null where the level diverged). */
  targetEffect: (Estimate | null)[];
  collateralEffect: (Estimate | null)[];
  /** X_T(t) = Ē_T − mean over the other units of its component, per level (null where not tested). */
  targetExcess: (number | null)[];
  /** The exact rank test at w* against the other units of its component. */
  specificity: Specificity;
  /** Per level: clean, persists, and the tests that failed. */
  clean: boolean[];
  persists: boolean[];
  failed: TestName[][];
  tEnt: number | null;
  tSurv: number | null;
  cleanWindow: [number, number] | null;
  /** The verdict's one-line summary for this unit. */
  summary: string;
}

/** What every unit shares at a level. */
export interface ScanLevel {
  level: number;
  lossGap: Estimate;
  controlLossGap: Estimate;
  targetLossGap: Estimate;
  /** s_C(t): the sd over draws of the degraded network's control loss (the noise statistic's margin). */
  controlLossSpread: number;
  /** The degraded network still does the target task (null: no constant-predictor reference). */
  behaviour: boolean | null;
  seconds: number;
  error?: string;
}

export interface ScanDocument extends RunProvenance {
  version: 1 | 2;
  kind: typeof SCAN_KIND;
  /** The scanned tensors with every unit listed (the map's rows). */
  components: (ScanComponent & { units: number[] })[];
  baseline: { loss: number; controlLoss: number; targetLoss: number; targetMetric: number; constantTargetLoss?: number; constantControlLoss?: number };
  levels: ScanLevel[];
  units: ScanUnitResult[];
  /** The settings that made every verdict (docs/method.md): α, L, the collateral statistic, ρ, b. */
  method: { version: 3; alpha: number; levels: number; persistence: number; behaviour: number; collateral: string; collateralTolerance: number };
  watanabeTemperature: number;
  timings: { totalSeconds: number; setupSeconds: number; draws: number; secondsPerDraw: number };
}

/** A read scan as this build holds it: a version 1 file's resolved hypothesis with its degradation tagged. */
export function currentScan(doc: ScanDocument): ScanDocument {
  return doc.version >= 2 ? doc : { ...doc, hypothesis: { ...doc.hypothesis, resolved: hypothesisFromV3(doc.hypothesis.resolved) } };
}

/** Why parsed JSON is not a scan document this build can show, or null when it is. */
export function scanProblem(x: unknown): string | null {
  if (!isObject(x)) return 'not a JSON object';
  if (x.kind !== SCAN_KIND) return `kind is ${JSON.stringify(x.kind)}, not '${SCAN_KIND}'`;
  if (typeof x.version !== 'number' || !READABLE_SCAN_VERSIONS.includes(x.version)) {
    return `scan version ${String(x.version)} is not one this build reads (${READABLE_SCAN_VERSIONS.join(', ')}): a newer Circuit Thermometer wrote it`;
  }
  if (!Array.isArray(x.levels) || !x.levels.every((l) => isObject(l) && typeof l.level === 'number')) return 'levels: not a list of levels';
  if (!Array.isArray(x.components) || !x.components.every((c) => isObject(c) && typeof c.tensor === 'string' && Array.isArray(c.units))) return 'components: not a list of scanned tensors';
  const levels = x.levels.length;
  const rows = x.components.length;
  for (const [i, u] of (Array.isArray(x.units) ? x.units : [null]).entries()) {
    if (!isObject(u)) return `units[${i}]: not an object`;
    if (typeof u.component !== 'number' || u.component < 0 || u.component >= rows || typeof u.unit !== 'number') return `units[${i}]: component or unit missing`;
    if (!Array.isArray(u.targetEffect) || u.targetEffect.length !== levels || !Array.isArray(u.collateralEffect) || u.collateralEffect.length !== levels) return `units[${i}]: not one effect per level`;
    if (!Array.isArray(u.clean) || u.clean.length !== levels) return `units[${i}]: not one clean flag per level`;
    if (!isObject(u.specificity) || typeof u.specificity.p !== 'number') return `units[${i}]: no specificity`;
  }
  return null;
}

export function isScanDocument(x: unknown): x is ScanDocument {
  return scanProblem(x) === null;
}

/** A unit's name on the map: `label[unit]`, e.g. `L1 head 6`. */
export function scanUnitName(doc: Pick<ScanDocument, 'components'>, u: Pick<ScanUnitResult, 'component' | 'unit'>): string {
  const c = doc.components[u.component]!;
  return `${c.label ?? c.tensor}[${u.unit}]`;
}
