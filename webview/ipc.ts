// The webview end of src/protocol/webview.ts: typed send, typed handlers, and replies to the host's requests.
import {
  ErrorCommand,
  IpcCommand,
  IpcMessage,
  IpcNotification,
  IpcRequest,
  isIpcMessage,
  message,
} from '../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type Handler = (msg: IpcMessage) => void;

export class HostChannel {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly handlers: Handler[] = [];

  constructor() {
    window.addEventListener('message', (e: MessageEvent) => {
      const msg: unknown = e.data;
      if (!isIpcMessage(msg)) return;
      for (const h of this.handlers) h(msg);
    });
    window.addEventListener('error', (e) => this.send(ErrorCommand, { message: `${e.message} (${e.filename}:${e.lineno})` }));
    window.addEventListener('unhandledrejection', (e) => this.send(ErrorCommand, { message: String((e.reason as Error)?.message ?? e.reason) }));
  }

  send<P>(command: IpcCommand<P>, params: P, completionId?: number): void {
    this.api.postMessage(message(command, this.nextId++, params, completionId));
  }

  on<P>(notification: IpcNotification<P>, handler: (params: P) => void): void {
    this.handlers.push((msg) => {
      if (notification.is(msg)) handler(msg.params);
    });
  }

  /** Answers the host's request with the handler's result, or its error message. */
  onRequest<P, R>(request: IpcRequest<P, R>, handler: (params: P) => Promise<R>): void {
    this.handlers.push((msg) => {
      if (!request.is(msg)) return;
      handler(msg.params).then(
        (result) => this.send(request.response, { ok: true, result }, msg.id),
        (e: unknown) => this.send(request.response, { ok: false, error: e instanceof Error ? e.message : String(e) }, msg.id),
      );
    });
  }

  get state(): unknown {
    return this.api.getState();
  }

  set state(value: unknown) {
    this.api.setState(value);
  }
}
