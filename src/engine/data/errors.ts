/**
 * One error type for everything under `src/engine/data`: a stable `code` that
 * callers (hypothesis diagnostics, CLI exit messages) can switch on, the file
 * it concerns, and a fix hint. `message` is one line:
 * `<source>: <problem>; <hint>`.
 */

export type DataErrorCode =
  | 'data/not-found' // file (or npz member) does not exist
  | 'data/io' // file exists but could not be read (or is a directory, FIFO, device)
  | 'data/too-large' // the file (or an .npz member) is over the read gate's cap
  | 'data/unsupported-format' // extension is not .npy / .npz / .json
  | 'data/bad-magic' // not a .npy file
  | 'data/bad-header' // .npy header unreadable or unsupported version
  | 'data/truncated' // fewer bytes than the header announces
  | 'data/trailing-bytes' // more bytes than the header announces
  | 'data/fortran-order' // fortran_order: True
  | 'data/pickle' // object dtype ('|O'): needs pickle, never read
  | 'data/unsupported-dtype' // dtype outside float32/float64/int32/int64/bool/uint8/int8, or big-endian
  | 'data/bad-zip' // .npz archive corrupt or uses an unsupported compression
  | 'data/ambiguous-member' // .npz with several members and none named
  | 'data/bad-json' // invalid JSON or a non-numeric element
  | 'data/ragged' // nested arrays of unequal lengths
  | 'data/not-integer' // non-integral value where an integer is required
  | 'data/out-of-range' // index outside [0, n) or value outside the dtype's range
  | 'data/duplicate-index' // the same index listed twice
  | 'data/bad-mask' // mask value other than 0/1/true/false
  | 'data/bad-shape' // wrong rank (e.g. 0-d where examples are needed)
  | 'data/length-mismatch' // selection array length differs from the number of examples
  | 'data/empty-target' // selection leaves no target example
  | 'data/non-finite' // NaN or ±Inf in model inputs or labels
  | 'data/empty-control'; // selection leaves no control example

export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly code: DataErrorCode,
    /** The file (or `file.npz#member`, or a description like `labels`) the problem is in. */
    readonly source: string,
    /** The problem, without the source, e.g. `array is stored in Fortran order`. */
    readonly problem: string,
    /** How to fix it, e.g. `save it with np.ascontiguousarray(x) before np.save`. */
    readonly hint?: string,
  ) {
    super(`${source}: ${problem}${hint ? `; ${hint}` : ''}`);
  }
}

export function isDataError(e: unknown): e is DataError {
  return e instanceof DataError;
}

