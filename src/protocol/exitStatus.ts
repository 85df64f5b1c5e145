// The CLI's exit statuses, shared by every command, and which engine error codes are which: a file that cannot be
// read at all (missing, not a file, too large, not of its kind) is status 2, like bad usage; a file that was read and
// is invalid (a broken graph, a NaN in the data, a truncated array) is status 1, as `check` reports it; 3 is kept for
// what is not the input's fault. The worker tags its errors with these codes, so a sweep exits as `check` would.

export const EXIT = {
  ok: 0,
  /** The inputs were read and have problems: hypothesis errors, an invalid model or data file, a failing check. */
  problems: 1,
  /** Bad usage, or a file that is missing, unreadable, too large or not of its kind. */
  usage: 2,
  /** A bug (an unexpected exception), or a run that failed for a reason that is not its inputs'. */
  internal: 3,
  cancelled: 130,
} as const;

/** One paragraph for `--help`: every command uses these statuses. */
export const EXIT_STATUS_TEXT = 'Exit status: 0 success; 1 problems found in the inputs (hypothesis errors, an invalid model or data file, a failed check); '
  + '2 bad usage, or a file that is missing, unreadable, too large or not of its kind; 3 an internal error or a failed run; 130 cancelled.';

/** Engine codes (DataError, ModelError, ReadGateError, HypothesisReadError) that mean a file could not be read at all. */
export const UNREADABLE_CODES: ReadonlySet<string> = new Set([
  'data/not-found', 'data/io', 'data/too-large', 'data/unsupported-format', 'data/bad-magic',
  'onnx/not-found', 'onnx/not-a-file', 'onnx/unreadable', 'onnx/too-large', 'onnx/external-data-missing', 'onnx/empty', 'onnx/truncated',
  'onnx/corrupt', 'onnx/not-a-model',
  'read/not-found', 'read/not-a-file', 'read/too-large', 'read/io', 'read/outside-folder', 'hyp/unreadable',
]);

/** The exit status of an engine error code: 2 unreadable, 1 any other data, model, read or hypothesis problem, else 3. */
export function exitStatusOf(engineCode: string | undefined): number {
  if (engineCode === undefined) return EXIT.internal;
  if (UNREADABLE_CODES.has(engineCode)) return EXIT.usage;
  return /^(data|onnx|read|hyp)\//.test(engineCode) ? EXIT.problems : EXIT.internal;
}
