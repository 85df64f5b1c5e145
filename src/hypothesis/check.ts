// The hypothesis checker: text → diagnostics and, when there are no errors, the resolved Hypothesis.
// `parseHypothesis` is synchronous and reads no file; `checkHypothesisText` adds the checks against
// the model and the data (cached, so the editor can call it on every change).
import * as nodePath from 'node:path';
import { Diagnostic, hasErrors, sortDiagnostics } from './diagnostics';
import { formatOfFile, parseText, SourceFormat } from './parse';
import { Draft, ResolveOptions, Resolver } from './resolve';
import { HYPOTHESIS_SPEC } from '../protocol/hypothesisSchema';
import { SemanticChecker, SemanticOptions } from './semantic';
import { Hypothesis, tagDegradation, type UntaggedDegradation } from '../protocol/hypothesis';
import { Reporter, SpecValidator } from './validate';
import { READ_LIMITS, readFileGated, ReadGateError, safeName } from '../engine/util/readGate';

export interface CheckOptions extends ResolveOptions, SemanticOptions {
  /** `yaml` or `json`; default from the file name (`.json` → json). */
  format?: SourceFormat;
}

export interface CheckResult {
  /** Present when there is no error (warnings allowed). */
  hypothesis?: Hypothesis;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
}

export interface ParseResult extends CheckResult {
  /** Everything that resolved, also when other parts have errors (for hovers and partial checks). */
  draft: Draft;
}

/** The file cannot be read at all (missing, a directory, no permission): `check` exits with 2. */
export class HypothesisReadError extends Error {
  override readonly name = 'HypothesisReadError';
  readonly code = 'hyp/unreadable';
}

interface Stage {
  result: ParseResult;
  resolver: Resolver;
  reporter: Reporter;
}

function parseStage(text: string, file: string, options: CheckOptions): Stage {
  const abs = nodePath.resolve(file);
  const parsed = parseText(text, abs, options.format ?? formatOfFile(abs));
  const reporter = new Reporter(abs);
  reporter.diagnostics.push(...parsed.diagnostics);
  const resolver = new Resolver(abs, parsed.root, reporter, options);
  let draft: Draft = { file: abs };
  if (parsed.root) {
    // A partly invalid document still resolves what it can; `hypothesis` is only set without errors.
    draft = resolver.resolve(new SpecValidator(reporter).value(parsed.root, HYPOTHESIS_SPEC, []));
  }
  return { result: { draft, diagnostics: reporter.diagnostics }, resolver, reporter };
}

/** Diagnostics quote keys, names and paths from the file: escaped and cut here, once, for every check. */
const MAX_MESSAGE = 1000;

function finish(stage: Stage): ParseResult {
  const { result } = stage;
  for (const d of result.diagnostics) {
    d.message = safeName(d.message, MAX_MESSAGE);
    if (d.hint !== undefined) d.hint = safeName(d.hint, MAX_MESSAGE);
  }
  sortDiagnostics(result.diagnostics);
  if (!hasErrors(result.diagnostics)) result.hypothesis = hypothesisOf(result.draft);
  return result;
}

/** The error-free draft as the resolved Hypothesis: its degradation tagged by its dial. */
function hypothesisOf(draft: Draft): Hypothesis {
  // In place, so that the keys keep their order.
  return Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, k === 'degradation' ? tagDegradation(v as UntaggedDegradation) : v])) as unknown as Hypothesis;
}

/** Syntax, shape, types, defaults, grids and `..` paths; reads no file. */
export function parseHypothesis(text: string, file: string, options: CheckOptions = {}): ParseResult {
  return finish(parseStage(text, file, options));
}

/** Every check, including those against the model, the data and the checkpoints. */
export async function checkHypothesisText(text: string, file: string, options: CheckOptions = {}): Promise<ParseResult> {
  const stage = parseStage(text, file, options);
  await new SemanticChecker(stage.result.draft, stage.resolver, stage.reporter, options).run();
  return finish(stage);
}

/** Reads the file and checks it; throws HypothesisReadError when it cannot be read. */
export async function checkHypothesisFile(file: string, options: CheckOptions = {}): Promise<ParseResult> {
  return checkHypothesisText(readHypothesisFile(file), file, options);
}

/** The text of a hypothesis file, or a one-line HypothesisReadError. */
export function readHypothesisFile(file: string): string {
  const abs = nodePath.resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileGated(abs, READ_LIMITS.hypothesis, 'hypothesis file');
  } catch (e) {
    if (e instanceof ReadGateError) throw new HypothesisReadError(e.message);
    throw e;
  }
  if (bytes.includes(0)) throw new HypothesisReadError(`${safeName(abs, 400)}: is a binary file, not a hypothesis (YAML or JSON text)`);
  return bytes.toString('utf8');
}
