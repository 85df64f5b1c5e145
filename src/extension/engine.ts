// The engine, loaded on first use: activation imports none of it (protobuf decoding, YAML parsing and the
// onnxruntime native module load only when a hypothesis is first checked or a command needs them).
// `require` inside a function: esbuild turns each into a lazily initialised module inside the one bundle, and
// under tsx (tests) it is the ordinary CommonJS require; only the types are imported statically.
/* eslint-disable @typescript-eslint/no-require-imports */

function once<T>(load: () => T): () => Promise<T> {
  let value: T | undefined;
  return async () => (value ??= load());
}

export const hypothesisModule = once(() => require('../hypothesis') as typeof import('../hypothesis'));
export const onnxModule = once(() => require('../engine/onnx') as typeof import('../engine/onnx'));
export const dataModule = once(() => require('../engine/data') as typeof import('../engine/data'));
export const autodiffModule = once(() => require('../engine/autodiff') as typeof import('../engine/autodiff'));
export const costModule = once(() => require('../worker/costPilot') as typeof import('../worker/costPilot'));
export const parallelModule = once(() => require('../worker/parallel') as typeof import('../worker/parallel'));
export const editorCacheModule = once(() => require('./editorCache') as typeof import('./editorCache'));
