// The engine, loaded on first use: activation imports none of it (protobuf decoding, YAML parsing and the
// onnxruntime native module load only when a hypothesis is first checked or a command needs them).
// esbuild turns these dynamic imports into lazily initialised modules inside the one bundle.

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= load().catch((e: unknown) => {
    p = undefined;
    throw e;
  }));
}

export const hypothesisModule = once(() => import('../hypothesis'));
export const onnxModule = once(() => import('../engine/onnx'));
export const autodiffModule = once(() => import('../engine/autodiff'));
export const workerClientModule = once(() => import('../worker/client'));
export const editorCacheModule = once(() => import('./editorCache'));
