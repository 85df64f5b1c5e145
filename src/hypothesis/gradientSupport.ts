// The check "ops on the gradient path that have no gradient rule" (the hypothesis checks, src/hypothesis/semantic.ts): the autodiff module's
// static analysis, behind a small type so tests and callers can pass another analyzer (or none).
import { analyzeGradientSupport } from '../engine/autodiff';
import type { ModelProto } from '../engine/onnx/proto';

export interface MissingGradientRule {
  op: string;
  /** Node name (or its first output when unnamed). */
  node: string;
  reason: string;
}

export interface GradientSupport {
  supported: boolean;
  missing: MissingGradientRule[];
}

/** Which ops between `parameters` and `lossOutput` lack a gradient rule. */
export type GradientSupportAnalyzer = (model: ModelProto, parameters: string[], lossOutput: string) => GradientSupport;

/** The analyzer used when a check is given none: src/engine/autodiff's static analysis (no run). */
export const defaultGradientSupport: GradientSupportAnalyzer = (model, parameters, lossOutput) => analyzeGradientSupport(model, parameters, lossOutput);
