// The last *Calibrate Sampler* grid of each hypothesis file (keyed by fsPath), for the calibration panel and the code
// action that writes its recommendation; kept in the workspace state too, so a reloaded window brings its panel
// back. An entry holds while the file's calibration inputs are the ones it was measured with
// (hypothesis/calibrationInputs.ts): the first look after they changed drops it, so a stale recommendation is never
// offered. Pure: no vscode.
import { calibrationInputs } from '../hypothesis/calibrationInputs';
import { roundStepSize, stepSizeEdit, stepSizeSite, type TextEdit } from '../hypothesis/settingEdit';
import type { CalibrationReport } from '../protocol/calibration';
import { formatRunTime } from '../protocol/format';

export interface Calibration {
  file: string;
  report: CalibrationReport;
  /** When the grid finished. */
  at: Date;
  /** The file's calibration inputs when it was measured. */
  inputs: string;
}

/** Storage that outlives a window (the workspace state; absent in tests that need none). */
export interface CalibrationMemory {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const MEMORY_KEY = 'circuitThermometer.calibrations';
/** How many files' grids are remembered across reloads (the most recent). */
const KEPT = 20;

interface Stored { file: string; report: CalibrationReport; at: string; inputs: string }

export class CalibrationStore {
  private readonly byFile = new Map<string, Calibration>();
  private readonly listeners = new Set<(file: string) => void>();

  constructor(private readonly memory?: CalibrationMemory) {
    for (const c of memory?.get<Stored[]>(MEMORY_KEY) ?? []) {
      if (typeof c?.file === 'string' && typeof c.inputs === 'string' && c.report && !Number.isNaN(Date.parse(c.at))) this.byFile.set(c.file, { ...c, at: new Date(c.at) });
    }
  }

  /** Keeps `report` as the calibration of `file`, measured on `text`. */
  set(file: string, report: CalibrationReport, text: string, at: Date = new Date()): Calibration {
    const c: Calibration = { file, report, at, inputs: calibrationInputs(text, file) };
    this.byFile.set(file, c);
    this.save();
    this.fire(file);
    return c;
  }

  /** The calibration last measured for `file`, stale or not (a restored panel shows it, marked stale if it is). */
  get(file: string): Calibration | undefined {
    return this.byFile.get(file);
  }

  private save(): void {
    const kept = [...this.byFile.values()].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, KEPT);
    void this.memory?.update(MEMORY_KEY, kept.map((c): Stored => ({ ...c, at: c.at.toISOString() })));
  }

  /** The calibration of `file` if `text` (the file now) still has its inputs; a stale one is dropped. */
  current(file: string, text: string): Calibration | undefined {
    const c = this.byFile.get(file);
    if (!c) return undefined;
    if (c.inputs === calibrationInputs(text, file)) return c;
    this.byFile.delete(file);
    this.save();
    this.fire(file);
    return undefined;
  }

  /** Called with the file whenever its calibration is set or dropped. */
  onDidChange(listener: (file: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(file: string): void {
    for (const l of this.listeners) l(file);
  }
}

/** The recommendation as the file will hold it (three significant digits); null when no ε qualifies everywhere. */
export function recommendedStepSize(report: Pick<CalibrationReport, 'recommended'>): number | null {
  return report.recommended === null ? null : roundStepSize(report.recommended);
}

/** "Use the calibrated step size 0.000123 (from Calibrate Sampler, 14:05)". */
export function calibratedStepSizeTitle(value: number, at: Date, now: Date = new Date()): string {
  return `Use the calibrated step size ${value} (from Calibrate Sampler, ${formatRunTime(at.toISOString(), now)})`;
}

/**
 * The code action for a selection on lines `from`…`to` of `text`: offered on the `stepSize:` line (else on the
 * `sgld:` or `degradation:` entry), when the calibration recommends a step size the file does not already set.
 */
export function stepSizeAction(c: Calibration, text: string, selection: { from: number; to: number }, now: Date = new Date()): { title: string; value: number; edit: TextEdit } | undefined {
  const value = recommendedStepSize(c.report);
  if (value === null) return undefined;
  const site = stepSizeSite(text, c.file);
  if (!site || selection.to < site.lines.from || selection.from > site.lines.to || site.current === value) return undefined;
  const edit = stepSizeEdit(text, c.file, value);
  return edit ? { title: calibratedStepSizeTitle(value, c.at, now), value, edit } : undefined;
}

/** The notification after Calibrate Sampler: the panel's recommendation in one sentence, and its buttons in order. */
export interface CalibrationNotice {
  message: string;
  /** Buttons, the main one first: a file that keeps stepSize: auto for a reason gets the write last, as "… anyway". */
  buttons: string[];
  /** The button that writes the value (null when none qualifies). */
  write: string | null;
}

/**
 * What the notification says, in the calibration panel's words (webview/calibrationFacts.ts): "Recommended:
 * stepSize X …" with Write first; or, where the file leaves ε to auto and auto's per-level ε differ, "Keep
 * stepSize: auto … (the reason)" with the fixed value offered last, so the main button no longer writes one ε over
 * auto.
 */
export function calibrationNotice(label: string, recommendation: string, value: number | null, keepAuto: boolean): CalibrationNotice {
  const show = 'Show Calibration';
  const details = 'Show Details';
  if (value === null) return { message: `Calibration of ${label}: ${recommendation}`, buttons: [show, details], write: null };
  const write = keepAuto ? `Write stepSize: ${value} anyway` : `Write stepSize: ${value}`;
  return { message: `Calibration of ${label}: ${recommendation}`, buttons: keepAuto ? [show, details, write] : [write, show, details], write };
}
