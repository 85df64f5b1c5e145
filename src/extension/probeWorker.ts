// The editor's shape probes run in the worker floor's ProbeWorker (src/worker/probeWorker.ts), shared with the CLI.
export { PROBE_BUDGET, type ProbeBudget, ProbeWorker } from '../worker/probeWorker';
