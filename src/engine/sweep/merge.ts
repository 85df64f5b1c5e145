// `merge`: the shard documents of one plan (`sweep --shard i/n`, e.g. the tasks of a Slurm job array) put back
// together into the results document a one-process run writes. Shards from another plan or engine version, a
// duplicate, a missing shard or a unit twice are refused by name before anything is written.
import { isDeepStrictEqual } from 'node:util';
import type { ResultsDocument } from '../../protocol/results';
import { SHARD_VERSION, type ShardDocument, type UnitResult } from '../../protocol/shard';
import { safeName } from '../util/readGate';
import { missingUnits, resultsFromUnits, unitKey } from './units';
import { assembledProblem, shardDocumentProblem } from './unitsCheck';

export class MergeError extends Error {
  override readonly name = 'MergeError';
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export interface NamedShard {
  /** How the shard is named in errors (its file, as the user gave it). */
  name: string;
  document: ShardDocument;
}

export function mergeShardDocuments(shards: readonly NamedShard[]): ResultsDocument {
  if (shards.length === 0) throw new MergeError('no shard documents to merge', 'pass the SHARD.json files every `sweep --shard i/n` wrote');
  for (const s of shards) {
    if (s.document.version !== SHARD_VERSION) {
      throw new MergeError(`${s.name} is a version ${safeName(String(s.document.version))} shard; this build merges version ${SHARD_VERSION}`, 're-run that shard with this build');
    }
    // Checked like a results file before any number is used (issue 24: a shard claiming 1e9 shards or 1e8 levels
    // exhausted the heap, `units: [null]` was an internal error, and garbage draws became a `complete` file).
    // The engine is checked there too: this build judges the merged grid, so the numbers must come from it.
    const problem = shardDocumentProblem(s.document);
    if (problem !== null) throw new MergeError(`${s.name} is not a valid shard document: ${safeName(problem, 200)}`, 're-run that shard with this build');
  }
  const first = shards[0]!;
  const { header } = first.document;
  const count = first.document.shard.count;
  for (const s of shards.slice(1)) {
    const h = s.document.header;
    if (h.document.engine.version !== header.document.engine.version) {
      throw new MergeError(`${s.name} was run by engine ${h.document.engine.version}, ${first.name} by ${header.document.engine.version}`, 're-run the shards with one build');
    }
    if (h.plan !== header.plan || s.document.shard.count !== count) {
      throw new MergeError(`${s.name} belongs to another plan than ${first.name} (${s.document.shard.count} shards of plan ${h.plan} vs ${count} of ${header.plan})`, 'merge the shards of one `sweep --shard i/n` run: same hypothesis, model, engine and n');
    }
    // Same plan but other data (the plan fingerprints the hypothesis and the model, not the data files).
    if (!isDeepStrictEqual(h.document.baseline, header.document.baseline)) {
      throw new MergeError(`${s.name} measured another baseline than ${first.name}: the data files differ between the machines`, 'run every shard on the same data');
    }
  }
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const i = s.document.shard.index;
    const other = byIndex.get(i);
    if (other !== undefined) throw new MergeError(`${s.name} and ${other} are both shard ${i} of ${count}`, 'pass each shard once');
    byIndex.set(i, s.name);
  }
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (absent.length > 0) {
    throw new MergeError(`shard${absent.length === 1 ? '' : 's'} ${absent.join(', ')} of ${count} ${absent.length === 1 ? 'is' : 'are'} missing`, `run \`sweep FILE --shard ${absent[0]}/${count}\` again for ${absent.length === 1 ? 'it' : 'each'}, then merge`);
  }
  const seen = new Map<string, string>();
  const units: UnitResult[] = [];
  for (const s of shards) {
    for (const u of s.document.units) {
      const k = unitKey(u);
      const other = seen.get(k);
      if (other !== undefined) throw new MergeError(`level ${u.levelIndex + 1}, chain ${u.chain + 1} is in both ${other} and ${s.name}`, 'merge the shards of one plan');
      seen.set(k, s.name);
      units.push(u);
    }
  }
  const missing = missingUnits(header, units);
  if (missing.length > 0) {
    throw new MergeError(`the shards lack ${missing.length} work unit${missing.length === 1 ? '' : 's'} (first: level ${missing[0]!.levelIndex + 1}, chain ${missing[0]!.chain + 1}): a shard stopped early`, 're-run the shard that covers it');
  }
  const seconds = Math.max(...shards.map((s) => s.document.seconds));
  const document = resultsFromUnits(header, units, seconds);
  const unfit = assembledProblem(document);
  if (unfit !== null) throw new MergeError(`the merged results are not a valid results document (${safeName(unfit, 200)})`, 're-run the shards with this build');
  return document;
}
