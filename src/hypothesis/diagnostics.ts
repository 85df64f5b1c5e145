// Problems found in a hypothesis file: what the editor underlines and what `check` prints.

/** A position in a text; 0-based internally, printed 1-based. `col` counts UTF-16 code units, like VS Code. */
export interface Position {
  line: number;
  col: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** A quick fix: replace `range` by `newText` (e.g. a did-you-mean replacement). */
export interface Fix {
  range: Range;
  newText: string;
  /** Short title for the editor's quick-fix menu, e.g. "Change to 'fc1.weight'". */
  title?: string;
}

export interface Diagnostic {
  /** Absolute path of the file the range refers to. */
  file: string;
  range: Range;
  severity: Severity;
  /** Stable identifier, e.g. `hyp/unknown-key`; see DIAGNOSTIC_CODES. */
  code: DiagnosticCode;
  /** One line, no trailing period needed. */
  message: string;
  hint?: string;
  fix?: Fix;
}

/** Every code the checker emits, with its usual severity and what it means. */
export const DIAGNOSTIC_CODES = {
  'hyp/unreadable': ['error', 'the hypothesis file cannot be read'],
  'hyp/syntax': ['error', 'YAML or JSON syntax error'],
  'hyp/empty': ['error', 'the file holds no document'],
  'hyp/duplicate-key': ['error', 'a key appears twice in the same mapping'],
  'hyp/wrong-type': ['error', 'a value has the wrong type (e.g. a string where a number is expected)'],
  'hyp/unknown-key': ['error', 'a key the format does not define (with did-you-mean)'],
  'hyp/missing-key': ['error', 'a required key is absent'],
  'hyp/invalid-value': ['error', 'a value outside the allowed choices (with did-you-mean)'],
  'hyp/out-of-range': ['error', 'a number outside its allowed range'],
  'hyp/conflicting-keys': ['error', 'keys that exclude each other (e.g. target mask and indices)'],
  'hyp/bad-range': ['error', 'a unit range that is not "a:b" with a < b'],
  'hyp/duplicate-unit': ['warning', 'the same unit listed twice'],
  'hyp/unused-setting': ['warning', 'a setting the chosen dial ignores'],
  'hyp/grid-nonpositive': ['error', 'a temperature grid level <= 0 where levels must be positive'],
  'hyp/grid-order': ['error', 'a grid whose `to` is not above `from`'],
  'hyp/grid-count': ['error', 'a grid with fewer than 2 levels'],
  'hyp/grid-not-increasing': ['error', 'an explicit grid that is not strictly increasing'],
  'hyp/step-size-auto-sampler': ['error', 'stepSize: auto with a sampler that has no MALA acceptance'],
  'hyp/burn-in-long': ['warning', 'SGLD burn-in at least as long as the draws'],
  'hyp/large-sweep': ['warning', 'a sweep whose work (sampler steps, paired evaluations) runs into hours'],
  'hyp/batch-larger-than-data': ['warning', 'SGLD batch size above the number of examples'],
  'hyp/path-outside-workspace': ['error', 'a relative path that leaves the workspace through ..'],
  'hyp/model-not-found': ['error', 'the model file does not exist'],
  'hyp/model-unreadable': ['error', 'the model file is not a readable ONNX model'],
  'hyp/data-not-found': ['error', 'a data file does not exist'],
  'hyp/data-unreadable': ['error', 'a data file cannot be decoded'],
  'hyp/checkpoint-not-found': ['error', 'a checkpoint file does not exist'],
  'hyp/checkpoint-unreadable': ['error', 'a checkpoint is not a readable ONNX model'],
  'hyp/checkpoint-mismatch': ['error', 'a checkpoint whose parameters differ from the model\'s'],
  'hyp/unknown-tensor': ['error', 'a tensor name the model lacks (with did-you-mean)'],
  'hyp/parameters-unmatched': ['error', 'a degradation.parameters glob that matches no weight of the model'],
  'hyp/folded-weight-names': ['warning', 'degradation.parameters globs on a model whose export renamed weights (onnx::MatMul_…)'],
  'hyp/parameters-empty': ['error', 'degradation.parameters globs that leave no weight to sample'],
  'hyp/unknown-input': ['error', 'a data input the model does not take (with did-you-mean)'],
  'hyp/missing-input': ['error', 'a model input with no data'],
  'hyp/loss-output-not-output': ['error', 'the loss names a tensor that is not a model output'],
  'hyp/axis-out-of-range': ['error', 'a component axis beyond the tensor\'s rank'],
  'hyp/unit-out-of-range': ['error', 'a unit index beyond the tensor\'s size along the axis'],
  'hyp/controls-impossible': ['error', 'matched random controls cannot be drawn: too few distinct unit sets, or too few controls for a null'],
  'hyp/position-out-of-range': ['error', 'a token position beyond the tensor\'s axis 1'],
  'hyp/batch-axis': ['warning', 'units chosen along the batch (example) axis'],
  'hyp/not-per-example': ['error', 'a component tensor whose axis 0 is not the examples axis (measured at two batch sizes)'],
  'hyp/group-size': ['error', 'a groupSize that does not divide the unit axis'],
  'hyp/data-shape-mismatch': ['error', 'a data array whose shape does not fit the model input'],
  'hyp/data-dtype-mismatch': ['error', 'a data array whose dtype cannot feed the model input'],
  'hyp/data-length-mismatch': ['error', 'inputs, labels and mask disagree on the number of examples'],
  'hyp/labels-mismatch': ['error', 'labels whose shape or dtype does not fit the loss'],
  'hyp/label-out-of-range': ['error', 'a class label outside the logits\' range'],
  'hyp/empty-target': ['error', 'the target selection selects no example'],
  'hyp/empty-control': ['error', 'the target selection leaves no control example'],
  'hyp/target-invalid': ['error', 'the target selection cannot be applied (bad mask, indices, labels)'],
  'hyp/static-batch': ['warning', 'the model input has a fixed batch size that does not divide the data'],
  'hyp/probe-failed': ['warning', 'the model could not be run to measure tensor shapes; shape checks skipped'],
  'hyp/no-gradient-rule': ['error', 'an op on the gradient path has no gradient rule (sgld needs gradients)'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function rangeOf(startLine: number, startCol: number, endLine: number, endCol: number): Range {
  return { start: { line: startLine, col: startCol }, end: { line: endLine, col: endCol } };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** File order: by line, then column, then errors first. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return diagnostics.sort((a, b) =>
    a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.col - b.range.start.col
    || rank[a.severity] - rank[b.severity]);
}

/** `path:line:col: severity: message [code]`, 1-based, as compilers print it; the hint follows after " — ". */
export function formatDiagnostic(d: Diagnostic, displayPath: string = d.file): string {
  const where = `${displayPath}:${d.range.start.line + 1}:${d.range.start.col + 1}`;
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${where}: ${d.severity}: ${d.message}${hint} [${d.code}]`;
}
