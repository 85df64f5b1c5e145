// onnxruntime's error text in words a user can act on: without the `[ONNXRuntimeError] : 2 : INVALID_ARGUMENT :`
// prefix, the C++ source paths (`/onnxruntime_src/…/element_wise_ops.h:560`) and the C++ signatures after them,
// on one line of bounded length with control characters escaped (tensor names inside it come from the model).
import { safeName } from '../util/readGate';

const MAX_LENGTH = 300;

/** A C++ source location (`/a/b/file.h:560`, or a bare `tensorprotoutils.cc:1540`) and the function signature that follows it, if any. */
const SOURCE_LOCATION = /(?:(?:[A-Za-z]:)?(?:[\\/][\w.+-]+)+\.(?:cc|cpp|cxx|c|h|hpp)(?::\d+)?|\b[\w+-]+\.(?:cc|cpp|cxx|h|hpp):\d+)\s*(?:[\w:<>,~*&\s]*?::[\w~]+\s*\([^()]*\)\s*(?:const\s*)?)?/g;

/** True when the text came from onnxruntime (its prefix or its C++ paths), so callers know to clean it. */
export function isRuntimeText(text: string): boolean {
  return /\[ONNXRuntimeError\]|onnxruntime_src|onnxruntime::|Non-zero status code returned/.test(text);
}

export function runtimeMessage(text: string): string {
  const line = text
    .replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*[A-Z_]+\s*:\s*/g, '')
    .replace(SOURCE_LOCATION, '')
    .replace(/\s+/g, ' ')
    .trim();
  return safeName(line || 'onnxruntime failed without a message', MAX_LENGTH);
}

/** Any error's message, cleaned when it came from onnxruntime, else its first line (escaped and capped). */
export function userMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return isRuntimeText(text) ? runtimeMessage(text) : safeName(text.split('\n')[0]!, 2000);
}
