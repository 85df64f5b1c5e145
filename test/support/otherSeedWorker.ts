// A worker entry whose runner computes its units for another seed than the hypothesis it is sent: what a worker of
// another build, or a corrupted message, would look like to the client. Only the seed differs; the rest is the real worker.
import { serveWorker } from '../../src/worker/serve';
import { loadRunner } from '../../src/worker/execute';

serveWorker(() => ({
  runUnits: (h, options) => loadRunner().runUnits({ ...h, degradation: { ...h.degradation, seed: h.degradation.seed + 1 } }, options),
}));
