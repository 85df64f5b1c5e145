// The error a client sees when a run or a request fails: the protocol's WorkerError as a throwable.
import * as path from 'node:path';
import { type Diagnostic, formatDiagnostic } from '../hypothesis/diagnostics';
import type { KeptJournal, WorkerError, WorkerErrorCode } from '../protocol/worker';

export class WorkerRunError extends Error implements WorkerError {
  override readonly name = 'WorkerRunError';
  readonly code: WorkerErrorCode;
  readonly hint?: string;
  readonly details?: string[];
  readonly engineCode?: string;
  readonly journal?: KeptJournal;

  constructor(error: WorkerError) {
    super(error.message);
    this.code = error.code;
    if (error.hint !== undefined) this.hint = error.hint;
    if (error.details !== undefined) this.details = error.details;
    if (error.engineCode !== undefined) this.engineCode = error.engineCode;
    if (error.journal !== undefined) this.journal = error.journal;
  }

  toJSON(): WorkerError {
    return {
      code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), ...(this.details ? { details: this.details } : {}),
      ...(this.engineCode ? { engineCode: this.engineCode } : {}), ...(this.journal ? { journal: this.journal } : {}),
    };
  }
}

/** The error thrown by a cancelled run inside the worker (its signal was aborted). */
export function cancelledError(): WorkerError {
  return { code: 'cancelled', message: 'the sweep was cancelled' };
}

/** The error of a hypothesis file that does not check: its first error, and every diagnostic as details. */
export function invalidHypothesisError(file: string, diagnostics: readonly Diagnostic[]): WorkerError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return {
    code: 'hypothesis-invalid',
    message: `${path.basename(file)} has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors[0]?.message ?? 'invalid'}`,
    hint: 'run `circuit-thermometer check` on it, or open it in VS Code for the diagnostics',
    details: diagnostics.map((d) => formatDiagnostic(d)),
  };
}
