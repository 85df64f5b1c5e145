// The seeded fuzz harness: a deterministic random source, byte and text mutators (truncation, bit flips, chunk
// edits, hostile strings), and `outcome`, which runs one case and says whether it ended cleanly: a result the
// caller accepts, or a known error class with a stable code and a one-line message (no stack trace, no "internal
// error", no raw control character, no onnxruntime C++ path, bounded length), within a per-case time limit and
// without the process's memory passing a bound (no read or allocation above the caps).
import { strict as assert } from 'node:assert';
import { DataError } from '../../src/engine/data/errors';
import { ModelError } from '../../src/engine/onnx/errors';
import { ReadGateError } from '../../src/engine/util/readGate';
import { HypothesisReadError } from '../../src/hypothesis/check';

/** mulberry32: a small, fast, seeded 32-bit generator (test-only; the engine's streams live in src/engine/util). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Strings a hostile file or user writes where a name, a path or a number goes. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', '\u001b[31mred\u001b[0m', 'a\nb', 'x'.repeat(100_000), '../../../../etc/passwd', '/etc/passwd', '/dev/zero',
  '/proc/self/environ', 'C:\\Windows\\system32', '..', '.', 'a\u0000b', '\u202egnp.exe', '%00', '${HOME}', '-8', 'abc',
  '1e309', 'NaN', '-1', '99999999999999999999', '{', '[[[[', '"', "'", '#', '*alias', '&anchor', '!!binary', ' ',
];

export const HOSTILE_NUMBERS: readonly number[] = [0, -1, -8, 1e9, 1e18, 2 ** 31, 2 ** 53, -(2 ** 31), 0.5, 1e-300, Number.MAX_SAFE_INTEGER];

export type ByteMutation = (bytes: Uint8Array, rng: Rng) => Uint8Array;

/** A copy (Buffer#slice would alias the original, and mutate the base of every later case). */
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

export const BYTE_MUTATIONS: Readonly<Record<string, ByteMutation>> = {
  truncate: (b, r) => copy(b.subarray(0, r.int(b.length))),
  'bit flips': (b, r) => {
    const out = copy(b);
    for (let k = 1 + r.int(8); k > 0 && out.length > 0; k--) {
      const i = r.int(out.length);
      out[i] = out[i]! ^ (1 << r.int(8));
    }
    return out;
  },
  'random byte': (b, r) => {
    const out = copy(b);
    if (out.length > 0) out[r.int(out.length)] = r.int(256);
    return out;
  },
  '0xff run': (b, r) => {
    const out = copy(b);
    const at = r.int(Math.max(1, out.length));
    out.fill(0xff, at, at + 1 + r.int(8));
    return out;
  },
  'delete chunk': (b, r) => {
    const at = r.int(Math.max(1, b.length));
    const n = 1 + r.int(16);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]);
  },
  'duplicate chunk': (b, r) => {
    const at = r.int(Math.max(1, b.length));
    const n = 1 + r.int(64);
    return Uint8Array.from([...b.subarray(0, at + n), ...b.subarray(at, at + n), ...b.subarray(at + n)]);
  },
  'insert garbage': (b, r) => {
    const at = r.int(b.length + 1);
    const junk = Array.from({ length: 1 + r.int(16) }, () => r.int(256));
    return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
  },
};

export function mutateBytes(bytes: Uint8Array, rng: Rng): { how: string; bytes: Uint8Array } {
  const names = Object.keys(BYTE_MUTATIONS);
  const how = rng.pick(names);
  return { how, bytes: BYTE_MUTATIONS[how]!(bytes, rng) };
}

/** Error classes a clean failure may have, each with the codes it may carry (prefix). */
const KNOWN: [new (...args: never[]) => Error, RegExp][] = [
  [ModelError, /^onnx\//],
  [DataError, /^data\//],
  [ReadGateError, /^read\//],
  [HypothesisReadError, /^hyp\//],
];

/** What a message must never hold. */
export function assertCleanMessage(message: string, where: string): void {
  assert.ok(!message.includes('\n'), `${where}: a one-line message, got ${JSON.stringify(message.slice(0, 300))}`);
  // eslint-disable-next-line no-control-regex
  assert.ok(!/[\u0000-\u001f\u007f]/.test(message), `${where}: a raw control character in ${JSON.stringify(message.slice(0, 300))}`);
  assert.ok(!/internal error|please report|Maximum call stack|Cannot read propert|is not a function|undefined is not|onnxruntime_src|\.(cc|cpp|h):\d+/i.test(message),
    `${where}: ${message.slice(0, 300)}`);
  assert.ok(!/\n\s+at .*:\d+:\d+/.test(message), `${where}: a stack trace`);
  assert.ok(message.length < 3000, `${where}: a ${message.length}-character message`);
}

export function assertKnownError(e: unknown, where: string): void {
  const known = KNOWN.find(([cls]) => e instanceof cls);
  assert.ok(known, `${where}: an unexpected ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}` : String(e)}`);
  const code = (e as { code?: unknown }).code;
  assert.ok(typeof code === 'string' && known[1].test(code), `${where}: code ${String(code)}`);
  assertCleanMessage((e as Error).message, where);
}

/** Per-case limits: wall time (a hang fails the case) and resident memory (a read above the caps fails it). */
export const CASE_TIMEOUT_MS = 5000;
export const RSS_LIMIT_BYTES = 3 * 2 ** 30;

export interface Tally {
  cases: number;
  ok: number;
  refused: Map<string, number>;
  slowestMs: number;
}

export function newTally(): Tally {
  return { cases: 0, ok: 0, refused: new Map(), slowestMs: 0 };
}

/** Runs one case: `run` must resolve (then `accept` checks the result) or reject with a known, clean error. */
export async function outcome<T>(tally: Tally, where: string, run: () => T | Promise<T>, accept: (result: T) => void = () => undefined): Promise<void> {
  tally.cases++;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${where}: no answer within ${CASE_TIMEOUT_MS} ms (a hang)`)), CASE_TIMEOUT_MS);
  });
  try {
    let result: T;
    try {
      result = await Promise.race([Promise.resolve().then(run), timeout]);
    } catch (e) {
      if (e instanceof Error && e.message.endsWith('(a hang)')) throw e;
      assertKnownError(e, where);
      const code = (e as { code: string }).code;
      tally.refused.set(code, (tally.refused.get(code) ?? 0) + 1);
      return;
    }
    accept(result);
    tally.ok++;
  } finally {
    clearTimeout(timer);
    const ms = performance.now() - started;
    tally.slowestMs = Math.max(tally.slowestMs, ms);
    assert.ok(ms < CASE_TIMEOUT_MS, `${where}: took ${ms.toFixed(0)} ms`);
    const rss = process.memoryUsage.rss();
    assert.ok(rss < RSS_LIMIT_BYTES, `${where}: resident memory reached ${(rss / 2 ** 30).toFixed(2)} GiB`);
  }
}

export function report(name: string, tally: Tally): string {
  const codes = [...tally.refused].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  return `${name}: ${tally.cases} cases, ${tally.ok} accepted, ${tally.cases - tally.ok} refused (${codes}); slowest ${tally.slowestMs.toFixed(0)} ms`;
}

/** Every path (as keys) to a value inside `x`, depth-first, at most `limit`. */
export function jsonPaths(x: unknown, limit = 4000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]) => {
    if (out.length >= limit) return;
    if (at.length > 0) out.push(at);
    if (Array.isArray(v)) v.slice(0, 6).forEach((e, i) => walk(e, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const [k, e] of Object.entries(v)) walk(e, [...at, k]);
  };
  walk(x, []);
  return out;
}

/**
 * Replaces (or deletes) one field of parsed JSON, chosen among the paths `include` keeps, with a wrong type, a hostile
 * string or number; returns what it did, for the failure message.
 */
export function mutateField(doc: unknown, rng: Rng, include: (at: (string | number)[]) => boolean = () => true): string {
  const at = rng.pick(jsonPaths(doc).filter(include));
  let parent = doc as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = at[at.length - 1]!;
  const replacement = rng.pick<unknown>([undefined, null, 'x', 0, -1, [], {}, true, rng.pick(HOSTILE_STRINGS), rng.pick(HOSTILE_NUMBERS), [1, 2, 3], { mean: 'a' }]);
  if (replacement === undefined && !Array.isArray(parent)) delete parent[key];
  else parent[key] = replacement;
  return `${at.join('.')} = ${JSON.stringify(replacement)?.slice(0, 30)}`;
}
