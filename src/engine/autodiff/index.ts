// Public surface of the autodiff module: gradient graphs of a scalar loss with respect to chosen parameters,
// built from one registry of per-op rules, and their finite-difference check.
export * from './types';
export { GradientError } from './errors';
export type { MissingGradient } from './errors';
export { differentiableOps, nonDifferentiableOps, lookupRule } from './registry';
export { analyzeGradientSupport, buildGradientGraph } from './gradientGraph';
export type { GradientSupport } from './gradientGraph';
export { gradcheck, GRADCHECK_TOLERANCE } from './gradcheck';
export type { GradcheckOptions, GradcheckReport, InputSpec, TensorCheck, DirectionCheck } from './gradcheck';
