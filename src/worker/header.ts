// A plan's header crosses the channel with a fingerprint in place of the hypothesis: the client sent the resolved
// hypothesis with the units and still holds it, so the worker names it (file, file sha256, sha256 of its JSON) and the
// client puts its own copy back after checking the fingerprint. Files (journal, shard, results) hold the whole header.
import { createHash } from 'node:crypto';
import type { Hypothesis } from '../protocol/hypothesis';
import type { SweepHeader } from '../protocol/shard';
import type { WireHeader } from '../protocol/worker';
import { WorkerRunError } from './errors';

/** sha256 of a resolved hypothesis as JSON: what crossed the channel, so both ends hash the same text. */
export function resolvedSha256(h: Hypothesis): string {
  return createHash('sha256').update(JSON.stringify(h)).digest('hex');
}

/** The header as the worker sends it: the hypothesis replaced by its fingerprint. */
export function toWireHeader(header: SweepHeader): WireHeader {
  const { resolved, ...named } = header.document.hypothesis;
  return { ...header, document: { ...header.document, hypothesis: { ...named, resolvedSha256: resolvedSha256(resolved) } } };
}

/**
 * The header as the client keeps it: `sent` (the hypothesis it sent with the units, as it travelled: JSON) put back in
 * the fingerprint's place, in the same key order, so journals, shards and results files are the bytes they were.
 */
export function fromWireHeader(wire: WireHeader, sent: Hypothesis): SweepHeader {
  const { resolvedSha256: fingerprint, ...named } = wire.document.hypothesis;
  const resolved = JSON.parse(JSON.stringify(sent)) as Hypothesis;
  if (fingerprint !== resolvedSha256(resolved)) {
    throw new WorkerRunError({ code: 'internal', message: 'the worker reported a plan for another hypothesis than the one it was sent (its fingerprint differs)' });
  }
  return { ...wire, document: { ...wire.document, hypothesis: { ...named, resolved } } };
}
