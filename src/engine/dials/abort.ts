/** Throws the signal's reason (an AbortError) when it has aborted. */
export function abortIfNeeded(signal?: AbortSignal): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error) throw reason;
  const e = new Error('the sweep was cancelled');
  e.name = 'AbortError';
  throw e;
}
