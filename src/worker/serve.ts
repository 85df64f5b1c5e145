// The worker's message loop: speaks src/protocol/worker.ts over the IPC channel of a `child_process.fork`ed
// process, one run at a time, and exits when the channel closes. The entry script is ./worker.ts.
import {
  isClientNotification,
  isRequest,
  PROTOCOL_VERSION,
  respond,
  respondError,
  workerNotification,
  type RequestMessage,
  type Requests,
  type ResponseMessage,
  type WorkerError,
  type WorkerMessage,
} from '../protocol/worker';
import { cancelledError } from './errors';
import { executeProbe } from './probe';
import { ENGINE, executeCalibration, executeScan, executeGradcheck, executeShard, type ExecuteHooks, loadRunner, type SweepRunner, toWorkerError } from './execute';

interface ActiveRun {
  runId: string;
  requestId: number;
  method: 'sweep/shard';
  controller: AbortController;
}

let active: ActiveRun | null = null;
let runner: () => SweepRunner = loadRunner;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(message, undefined, {}, () => resolve());
    } catch {
      resolve(); // channel closed under us: the client is gone, nothing to tell
    }
  });
}

async function exitAfter(message: ResponseMessage, code: number): Promise<void> {
  await send(message);
  process.exit(code);
}

/** One run at a time ('busy' otherwise); its notifications carry its runId; cancel aborts its signal. */
function startRun<M extends 'sweep/shard'>(id: number, method: M, runId: string, execute: (hooks: ExecuteHooks) => Promise<Requests[M]['result']>): void {
  if (active) {
    void send(respondError(id, method, { code: 'busy', message: `the worker is already running ${active.runId}` }));
    return;
  }
  const run: ActiveRun = { runId, requestId: id, method, controller: new AbortController() };
  active = run;
  execute({
    signal: run.controller.signal,
    onProgress: (p) => void send(workerNotification('sweep/progress', p)),
    onHeader: (h) => void send(workerNotification('sweep/header', h)),
    onUnit: (u) => void send(workerNotification('sweep/unit', u)),
    onLog: (m) => void send(workerNotification('log', m)),
  })
    .then((result) => send(respond(id, method, result)))
    .catch((e: unknown) => send(respondError(id, method, run.controller.signal.aborted ? cancelledError() : toWorkerError(e))))
    .finally(() => {
      if (active === run) active = null;
    });
}

function onRequest(req: RequestMessage): void {
  switch (req.method) {
    case 'initialize': {
      if (req.params.protocolVersion !== PROTOCOL_VERSION) {
        const error: WorkerError = {
          code: 'protocol-mismatch',
          message: `the worker speaks protocol ${PROTOCOL_VERSION}, the client ${req.params.protocolVersion}`,
          hint: 'the worker script does not belong to this client: rebuild (npm run build) or point workerPath at the matching dist/worker.js',
        };
        void exitAfter(respondError(req.id, req.method, error), 2);
        return;
      }
      void send(respond(req.id, req.method, { protocolVersion: PROTOCOL_VERSION, pid: process.pid, engine: ENGINE }));
      return;
    }
    case 'sweep/shard':
      startRun(req.id, req.method, req.params.runId, (hooks) => executeShard(req.params, hooks, runner));
      return;
    case 'gradcheck/run':
      executeGradcheck(req.params)
        .then((report) => send(respond(req.id, req.method, report)))
        .catch((e: unknown) => send(respondError(req.id, req.method, toWorkerError(e))));
      return;
    case 'calibrate/run':
      executeCalibration(req.params)
        .then((report) => send(respond(req.id, req.method, report)))
        .catch((e: unknown) => send(respondError(req.id, req.method, toWorkerError(e))));
      return;
    case 'scan/run':
      executeScan(req.params)
        .then((result) => send(respond(req.id, req.method, result)))
        .catch((e: unknown) => send(respondError(req.id, req.method, toWorkerError(e))));
      return;
    case 'model/probe':
      executeProbe(req.params)
        .then((result) => send(respond(req.id, req.method, result)))
        .catch((e: unknown) => send(respondError(req.id, req.method, toWorkerError(e))));
      return;
    case 'shutdown': {
      active?.controller.abort();
      void exitAfter(respond(req.id, req.method, { ok: true }), 0);
      return;
    }
  }
}

/** Serves the protocol on this process's IPC channel; `sweepRunner` replaces the engine's sweep (benchmarks, tests of the plumbing). */
export function serveWorker(sweepRunner: () => SweepRunner = loadRunner): void {
  runner = sweepRunner;
  if (!process.send) {
    process.stderr.write('circuit-thermometer worker: this script is started by the CLI or the extension (child_process.fork), not by hand\n');
    process.exit(2);
  }
  process.on('message', (m: unknown) => {
    if (isRequest(m)) onRequest(m);
    else if (isClientNotification(m) && m.method === 'sweep/cancel' && active?.runId === m.params.runId) active.controller.abort();
  });
  // The client owns cancellation: Ctrl-C in a terminal reaches the whole process group, and the CLI turns it
  // into a cancel message; dying on SIGINT here would look like a crash to the client.
  process.on('SIGINT', () => undefined);
  // Client gone (closed channel, parent died): nothing left to report to.
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (e) => {
    const run = active;
    if (run) void exitAfter(respondError(run.requestId, run.method, { code: 'internal', message: `worker error: ${e.message}`, details: e.stack ? [e.stack] : undefined }), 70);
    else {
      process.stderr.write(`circuit-thermometer worker: ${e.stack ?? e.message}\n`);
      process.exit(70);
    }
  });
}

