// The journal a running sweep keeps beside its results file: JSON lines, the plan's header first, then one line per
// finished work unit, each appended with one write and flushed to disk before the next unit is trusted to it. A
// crash mid-write leaves at most a torn last line, which reading drops: every complete line is a finished unit.
// `sweep --resume` (and `grid --resume`, a map's journal beside its grid results) runs only the units the journal lacks;
// the journal is removed once the results are written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isObject } from '../../protocol/guards';
import { JOURNAL_KIND, SHARD_VERSION, isUnitResult, type JournalHeader, type SweepHeader, type UnitResult } from '../../protocol/shard';
import { sweepHeaderProblem, unitProblem } from './unitsCheck';
import { writeFileAtomic } from '../util/atomic';
import { parseJsonText } from '../util/jsonText';
import { inflateBounded, READ_LIMITS, readFileGated, ReadGateError, safeName } from '../util/readGate';
import { userMessage } from '../onnx/runtimeMessage';
import { unitKey } from './units';

export class JournalError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'JournalError';
  }
}

/** `x.results.json` → `x.results.journal.jsonl` (any other name gets `.journal.jsonl` appended). */
export function journalPathFor(resultsPath: string): string {
  return resultsPath.replace(/\.json$/i, '') + '.journal.jsonl';
}

export interface Journal {
  header: SweepHeader;
  /** Complete lines only, one per unit (a unit written twice keeps its first line). */
  units: UnitResult[];
}

/** Reads a journal; null when there is none. A torn last line (a crash mid-write) is dropped. */
export function readJournal(file: string): Journal | null {
  let text: string;
  try {
    // Through the read gate: a journal that became a FIFO, a device or a huge file is refused, not read.
    text = readFileGated(file, READ_LIMITS.results, 'journal').toString('utf8');
  } catch (e) {
    if (e instanceof ReadGateError && e.code === 'read/not-found') return null;
    if (e instanceof ReadGateError && e.code === 'read/not-a-file') throw new JournalError(`${safeName(path.basename(file))} is not a regular file`, 'remove it and start the run over');
    throw new JournalError(`cannot read the journal ${safeName(path.basename(file))}: ${e instanceof ReadGateError ? e.problem : userMessage(e)}`);
  }
  // Every complete line ends with '\n': the last piece is '' or a torn line, dropped either way.
  const complete = text.split('\n').slice(0, -1);
  const parse = (line: string, n: number): unknown => {
    const parsed = parseJsonText(line);
    if (!parsed.ok) throw new JournalError(`${safeName(path.basename(file))} line ${n}: not a journal line`, 'the journal is damaged: delete it and start the run over');
    return parsed.value;
  };
  if (complete.length === 0) throw new JournalError(`${safeName(path.basename(file))} is empty (the run stopped before its first unit)`, 'delete it and start the run over');
  const name = safeName(path.basename(file));
  const head = parse(complete[0]!, 1) as Partial<JournalHeader>;
  if (!isObject(head) || head.kind !== JOURNAL_KIND) throw new JournalError(`${name} is not a Circuit Thermometer journal`, 'delete it and start the run over');
  if (head.version !== SHARD_VERSION) throw new JournalError(`${name} is a version ${safeName(String(head.version))} journal; this build writes version ${SHARD_VERSION}`, 'delete it and start the run over');
  // Checked like a results file: a header whose fields disagree with its fingerprint, or with each other, is refused.
  const problem = sweepHeaderProblem(head.header);
  if (problem !== null) throw new JournalError(`${name} line 1: the header ${safeName(problem, 200)}`, 'the journal is damaged or from another build: delete it and start the run over');
  const header = head.header as SweepHeader;
  const seen = new Set<string>();
  const units: UnitResult[] = [];
  complete.slice(1).forEach((line, i) => {
    const u = unitOfLine(parse(line, i + 2), `${name} line ${i + 2}`);
    const bad = unitProblem(u, header);
    if (bad !== null || !isUnitResult(u)) throw new JournalError(`${name} line ${i + 2}: not a work unit of this plan (the unit ${safeName(bad ?? 'is malformed', 200)})`, 'the journal is damaged: delete it and start the run over');
    if (seen.has(unitKey(u))) return;
    seen.add(unitKey(u));
    units.push(u);
  });
  return { header, units };
}

/**
 * A unit's journal line: its JSON deflated and in base64, with the JSON's length (issue 24: the journal was 5.4× the
 * size of the results; per-draw series of every control set compress about twofold, and the numbers stay exact).
 */
export function journalLine(unit: UnitResult): string {
  const json = Buffer.from(JSON.stringify(unit), 'utf8');
  return JSON.stringify({ z: zlib.deflateRawSync(json).toString('base64'), n: json.byteLength });
}

/** The unit a journal line holds: `{ z, n }` (this build), or `{ unit }` (plain JSON); inflated to exactly n bytes. */
function unitOfLine(line: unknown, where: string): unknown {
  if (!isObject(line)) return undefined;
  if (!('z' in line)) return line.unit;
  if (typeof line.z !== 'string' || !Number.isSafeInteger(line.n)) return undefined;
  const inflated = inflateBounded(Buffer.from(line.z, 'base64'), line.n as number, READ_LIMITS.results);
  if (!inflated.ok) throw new JournalError(`${where}: the unit ${inflated.problem}`, 'the journal is damaged: delete it and start the run over');
  const parsed = parseJsonText(Buffer.from(inflated.bytes).toString('utf8'));
  return parsed.ok ? parsed.value : undefined;
}

/** Appends finished units to a journal, each flushed before `append` returns. */
export class JournalWriter {
  private constructor(readonly file: string, private fd: number | null) {}

  /** A fresh journal holding only `header` (written atomically: no reader ever sees a half header). */
  static create(file: string, header: SweepHeader): JournalWriter {
    const head: JournalHeader = { kind: JOURNAL_KIND, version: SHARD_VERSION, header };
    writeFileAtomic(file, JSON.stringify(head) + '\n');
    return JournalWriter.open(file);
  }

  /** Appends to an existing journal (a resumed run). A torn last line is cut first so the next line starts clean. */
  static open(file: string): JournalWriter {
    const text = readFileGated(file, READ_LIMITS.results, 'journal').toString('utf8');
    if (!text.endsWith('\n')) fs.truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    return new JournalWriter(file, fs.openSync(file, 'a'));
  }

  append(unit: UnitResult): void {
    if (this.fd === null) throw new JournalError('the journal is closed');
    fs.writeSync(this.fd, journalLine(unit) + '\n');
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and deletes the journal (the results file now holds everything). */
  remove(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }
}
