// Watches a worker process while it runs a request: a time budget, a memory budget (its resident set, read from
// /proc on Linux) and a stopped process (SIGSTOP, a debugger, a frozen container: state T in /proc). Whatever trips
// first is reported once; the caller kills the worker and fails the request with it (issue 24: a probe with a
// Loop of 1e15 iterations ran forever and queued every later probe; a 300-byte model allocated 2.9 GB; a SIGSTOP'd
// worker stalled a sweep forever). Elsewhere than Linux only the time budget applies.
import * as fs from 'node:fs';
import type { WorkerError } from '../protocol/worker';

export interface Budget {
  /** Wall-clock seconds the request may take. */
  seconds?: number;
  /** Resident bytes the worker may hold. */
  bytes?: number;
  /** Seconds the worker may stay stopped before it counts as lost. */
  stoppedSeconds?: number;
}

/** Resident set size and run state of a process (Linux /proc), or undefined where there is no /proc. */
export function processState(pid: number): { rss: number; stopped: boolean } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    const state = /^State:\s+(\S)/m.exec(status);
    return { rss: rss ? Number(rss[1]) * 1024 : 0, stopped: state?.[1] === 'T' || state?.[1] === 't' };
  } catch {
    return undefined;
  }
}

const MB = 2 ** 20;

/** Starts watching `pid()` (read each tick: a worker may be replaced); `onTrip` gets the reason once. Returns stop. */
export function watch(pid: () => number | undefined, budget: Budget, what: string, onTrip: (reason: WorkerError) => void, everyMs = 100): () => void {
  const started = Date.now();
  let stoppedSince: number | undefined;
  const timer = setInterval(() => {
    const now = Date.now();
    let reason: WorkerError | undefined;
    if (budget.seconds !== undefined && now - started > budget.seconds * 1000) {
      reason = { code: 'over-budget', message: `${what} took longer than ${budget.seconds} s and was stopped`, hint: 'a model that loops or computes for that long cannot be probed; its shape checks are skipped' };
    }
    const p = pid();
    const state = p === undefined ? undefined : processState(p);
    if (!reason && state && budget.bytes !== undefined && state.rss > budget.bytes) {
      reason = { code: 'over-budget', message: `${what} used more than ${Math.round(budget.bytes / MB)} MiB of memory and was stopped`, hint: 'a model that allocates that much for one small run cannot be probed; its shape checks are skipped' };
    }
    if (!reason && state && budget.stoppedSeconds !== undefined) {
      stoppedSince = state.stopped ? stoppedSince ?? now : undefined;
      if (stoppedSince !== undefined && now - stoppedSince > budget.stoppedSeconds * 1000) {
        reason = { code: 'worker-unresponsive', message: `the worker process was stopped (SIGSTOP or a debugger) for over ${budget.stoppedSeconds} s`, hint: 'its work is run again in a fresh worker' };
      }
    }
    if (reason) {
      clearInterval(timer);
      onTrip(reason);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
