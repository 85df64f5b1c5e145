/** Hypothesis files: parsing with positions, the schema, and checks against the model and the data. */
export { CheckCache, defaultCheckCache } from './cache';
export type { ModelFacts } from './cache';
export { checkHypothesisFile, checkHypothesisText, HypothesisReadError, parseHypothesis, readHypothesisFile } from './check';
export type { CheckOptions, CheckResult, ParseResult } from './check';
export { DIAGNOSTIC_CODES, formatDiagnostic, hasErrors, sortDiagnostics } from './diagnostics';
export type { Diagnostic, DiagnosticCode, Fix, Position, Range, Severity } from './diagnostics';
export { defaultGradientSupport } from './gradientSupport';
export type { GradientSupport, GradientSupportAnalyzer, MissingGradientRule } from './gradientSupport';
export { gridLevels } from './resolve';
export type { Draft } from './resolve';
export { HYPOTHESIS_SPEC, toJsonSchema } from '../protocol/hypothesisSchema';
export { didYouMean, editDistance } from './suggest';
export * from '../protocol/hypothesis';
export { hasBatchAxis, shownDims, shownShape } from './shownShape';
