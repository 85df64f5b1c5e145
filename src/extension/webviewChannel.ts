// The host end of src/protocol/webview.ts for one webview: typed notifications out, validated commands in, and
// requests whose replies are matched by id (with a timeout, so a closed or stuck page never hangs a command).
import * as vscode from 'vscode';
import { IpcCommand, IpcMessage, IpcNotification, IpcRequest, isIpcMessage, message, WEBVIEW_PROTOCOL_VERSION } from '../protocol/webview';

const REQUEST_TIMEOUT_MS = 30_000;

export class WebviewChannel implements vscode.Disposable {
  private nextId = 1;
  private readonly handlers: ((msg: IpcMessage) => void)[] = [];
  private readonly replies = new Map<number, (msg: IpcMessage) => void>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, private readonly log: vscode.LogOutputChannel) {
    this.subscription = webview.onDidReceiveMessage((m: unknown) => this.receive(m));
  }

  notify<P>(notification: IpcNotification<P>, params: P): Thenable<boolean> {
    return this.webview.postMessage(message(notification, this.nextId++, params));
  }

  on<P>(command: IpcCommand<P>, handler: (params: P) => void | Promise<void>): void {
    this.handlers.push((msg) => {
      if (!command.is(msg)) return;
      Promise.resolve(handler(msg.params)).catch((e: unknown) => this.log.error(`${command.method}: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  /** Sends a request and waits for the page's reply; rejects with the page's error, or after a timeout. */
  request<P, R>(req: IpcRequest<P, R>, params: P, timeoutMs = REQUEST_TIMEOUT_MS): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(new Error(`the webview did not answer ${req.method} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.replies.set(id, (msg) => {
        clearTimeout(timer);
        if (!req.response.is(msg)) {
          reject(new Error(`malformed reply to ${req.method}`));
          return;
        }
        if (msg.params.ok) resolve(msg.params.result);
        else reject(new Error(msg.params.error));
      });
      void this.webview.postMessage(message(req, id, params)).then((sent) => {
        if (sent) return;
        clearTimeout(timer);
        this.replies.delete(id);
        reject(new Error('the webview is not visible'));
      });
    });
  }

  private receive(m: unknown): void {
    if (!isIpcMessage(m)) {
      this.log.warn(`ignored a message from a webview that is not a circuit-thermometer/webview v${WEBVIEW_PROTOCOL_VERSION} message`);
      return;
    }
    if (m.completionId !== undefined) {
      const reply = this.replies.get(m.completionId);
      this.replies.delete(m.completionId);
      reply?.(m);
      return;
    }
    for (const h of this.handlers) h(m);
  }

  dispose(): void {
    this.subscription.dispose();
    this.replies.clear();
  }
}
