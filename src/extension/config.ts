// The `circuitThermometer.*` settings, read fresh each time (VS Code caches them; reading is cheap).
import * as vscode from 'vscode';
import { defaultAt, numberDefault } from '../protocol/hypothesisSchema';
import type { ParallelOptions } from '../worker/parallel';

/** Where package.json's `defaults.sgld.*` settings are unset: the hypothesis schema's defaults. */
const sgldDefault = (key: string) => numberDefault(['degradation', 'sgld', key]);

export interface Settings {
  /** Folder for results files, relative to the hypothesis file; '' = beside it. */
  resultsFolder: string;
  workerProcesses: number;
  threadsPerWorker: number;
  executionProvider: 'cpu' | 'cuda';
  diagnosticsDelay: number;
  defaults: { stepSize: number | 'auto'; localization: number; chains: number; draws: number | 'auto' };
}

export function settings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('circuitThermometer', scope);
  return {
    resultsFolder: c.get<string>('resultsFolder', '').trim(),
    workerProcesses: Math.max(0, Math.floor(c.get<number>('workerProcesses', 0))),
    threadsPerWorker: Math.max(0, Math.floor(c.get<number>('threadsPerWorker', 0))),
    executionProvider: c.get<string>('executionProvider', 'cpu') === 'cuda' ? 'cuda' : 'cpu',
    diagnosticsDelay: Math.max(0, c.get<number>('diagnosticsDelay', 150)),
    defaults: {
      stepSize: stepSizeSetting(c.get<unknown>('defaults.sgld.stepSize', defaultAt(['degradation', 'sgld', 'stepSize']))),
      localization: c.get<number>('defaults.sgld.localization', sgldDefault('localization')),
      chains: c.get<number>('defaults.sgld.chains', sgldDefault('chains')),
      draws: drawsSetting(c.get<unknown>('defaults.sgld.draws', defaultAt(['degradation', 'sgld', 'draws']))),
    },
  };
}

/** A positive number, else `auto` (the setting is free text in settings.json). */
function stepSizeSetting(v: unknown): number | 'auto' {
  return typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : 'auto';
}

/** A whole number ≥ 1, else `auto` (draw until the target ESS). */
function drawsSetting(v: unknown): number | 'auto' {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : 'auto';
}

/** Environment for the worker: the run settings it reads (0 = let the worker decide). */
export function workerEnv(s: Settings): Record<string, string> {
  return {
    CIRCUIT_THERMOMETER_WORKERS: String(s.workerProcesses),
    CIRCUIT_THERMOMETER_THREADS: String(s.threadsPerWorker),
    CIRCUIT_THERMOMETER_EXECUTION_PROVIDER: s.executionProvider,
  };
}

/** The worker pool of a run the editor starts (a sweep or a map): the settings' processes, threads and environment,
 *  and the workers' lines in the log. */
export function workerRunOptions(s: Settings, workerPath: string, log: vscode.LogOutputChannel): ParallelOptions {
  return {
    workerPath,
    clientName: 'vscode',
    env: workerEnv(s),
    ...(s.workerProcesses > 0 ? { workers: s.workerProcesses } : {}),
    ...(s.threadsPerWorker > 0 ? { threads: s.threadsPerWorker } : {}),
    onLog: (line, source) => (source === 'warn' || source === 'stderr' ? log.warn(`[worker] ${line}`) : log.info(`[worker] ${line}`)),
    onWarning: (m) => log.warn(m),
  };
}
