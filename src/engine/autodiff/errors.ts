// Errors of gradient construction: every one names the op, the node and why.

/** An op on the gradient path that the engine cannot differentiate. */
export interface MissingGradient {
  op: string;
  node: string;
  reason: string;
}

export class GradientError extends Error {
  constructor(message: string, readonly missing: MissingGradient[] = []) {
    super(message);
    this.name = 'GradientError';
  }
}

export function describeMissing(missing: readonly MissingGradient[]): string {
  const shown = missing.slice(0, 5).map((m) => `${m.op} (node '${m.node}'): ${m.reason}`);
  const more = missing.length > shown.length ? `, and ${missing.length - shown.length} more` : '';
  return `cannot differentiate ${missing.length} node${missing.length === 1 ? '' : 's'} on the gradient path: ${shown.join('; ')}${more}`;
}
