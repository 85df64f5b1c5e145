/** A problem with an ONNX file that a user can fix; `code` is stable, `message` is one line with the path. */
export class ModelError extends Error {
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'ModelError';
  }
}
