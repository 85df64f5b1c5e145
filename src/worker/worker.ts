// The background worker: the `child_process.fork` entry (dist/worker.js) that runs sweeps off the client's
// thread — onnxruntime's run() blocks, and a native crash must not take the editor or the CLI down.
import { serveWorker } from './serve';

serveWorker();
