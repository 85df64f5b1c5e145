// Reading a results file back (the editor's runs view, the demo): through the read gate, parsed without echoing
// its text or overflowing on deep nesting, and checked field by field (protocol/results.ts), so a damaged or
// hand-edited file is refused in one line naming the first bad field, never shown half.
import { currentResults, type ResultsDocument, resultsProblem } from '../../protocol/results';
import { parseJsonText } from '../util/jsonText';
import { READ_LIMITS, readFileGated, ReadGateError, safeName } from '../util/readGate';

export class ResultsFileError extends Error {
  override readonly name = 'ResultsFileError';
  constructor(readonly code: 'results/unreadable' | 'results/not-json' | 'results/not-results', readonly file: string, readonly problem: string) {
    super(`${safeName(file, 400)}: ${problem}`);
  }
}

/** Reads `file` (a `what`, e.g. "results file") through the read gate and parses it; `problemOf` names its first bad
 *  field (null: a `T`). Every refusal is one ResultsFileError line; `noun` says what it is not ("results document"). */
export function readGatedDocument<T>(file: string, what: string, noun: string, problemOf: (x: unknown) => string | null): T {
  let text: string;
  try {
    text = readFileGated(file, READ_LIMITS.results, what).toString('utf8');
  } catch (e) {
    if (e instanceof ReadGateError) throw new ResultsFileError('results/unreadable', file, e.problem);
    throw e;
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new ResultsFileError('results/not-json', file, `not JSON (${json.error.problem} at line ${json.error.line}, column ${json.error.col})`);
  const problem = problemOf(json.value);
  if (problem !== null) throw new ResultsFileError('results/not-results', file, `not a circuit-thermometer ${noun} this version reads (at ${safeName(problem, 120)})`);
  return json.value as T;
}

export function readResultsFile(file: string): ResultsDocument {
  return currentResults(readGatedDocument<ResultsDocument>(file, 'results file', 'results document', resultsProblem));
}
