// Public surface of the ONNX module.
export * from './attributes';
export * from './batchAxis';
export * from './builder';
export * from './errors';
export * from './frameworkNames';
export * from './graph';
export * from './load';
export * from './modelFactory';
export * from './proto';
export * from './rewrite';
export * from './runtime';
export * from './runtimeMessage';
export * from './shapes';
export * from './summary';
export * from './tensor';
export * from './validate';
