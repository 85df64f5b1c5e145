// The command line of a command: flags declared per command, tokenized by node:util's parseArgs; unknown flags,
// missing values and bad numbers are one-line errors with a hint.
import { parseArgs as nodeParseArgs } from 'node:util';
import { didYouMean } from '../hypothesis/suggest';

export interface FlagSpec {
  /** Long name without dashes: `json` for `--json`. */
  name: string;
  type: 'boolean' | 'string' | 'number';
  description: string;
  /** Placeholder shown in help, e.g. `DIR`. */
  valueName?: string;
  /** May be given several times (`--input a=x.npy --input b=y.npy`): every value lands in `ParsedArgs.lists`. */
  repeatable?: boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  /** The last argument only: takes every remaining positional (`merge SHARD.json…`). */
  variadic?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | number | boolean | undefined>;
  /** All values of repeatable flags, in order (`flags` keeps the last one). */
  lists?: Record<string, string[]>;
  help: boolean;
}

/** A mistake in how the command was called: printed as one line plus a hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export function parseArgs(argv: readonly string[], flags: readonly FlagSpec[], args: readonly ArgSpec[], command: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {}, help: false };
  const byName = new Map(flags.map((f) => [f.name, f]));
  const helpHint = `see \`circuit-thermometer ${command} --help\``;
  // node:util tokenizes (`--`, `--name=value`, a value in the next argument); the checks and messages are ours.
  // Every declared flag is a string option so that a value is taken wherever one is given; non-strict mode lets
  // unknown options through as tokens, to be answered with a did-you-mean.
  const { tokens } = nodeParseArgs({
    args: [...argv], strict: false, allowPositionals: true, tokens: true,
    options: { ...Object.fromEntries(flags.map((f) => [f.name, { type: f.type === 'boolean' ? 'boolean' as const : 'string' as const }])), help: { type: 'boolean', short: 'h' } },
  });
  for (const t of tokens) {
    if (t.kind === 'positional') {
      out.positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    if (t.name === 'help' && (t.rawName === '--help' || t.rawName === '-h')) {
      out.help = true;
      continue;
    }
    const spec = byName.get(t.name);
    if (!spec || !t.rawName.startsWith('--')) {
      // A single-dash word (`-json`) is named whole, as typed.
      const raw = t.rawName.startsWith('--') ? t.rawName : argv[t.index]!.split('=')[0]!;
      const guess = didYouMean(raw.replace(/^--?/, ''), [...byName.keys(), 'help']);
      throw new UsageError(`unknown option '${raw}' for ${command}`, guess ? `did you mean '--${guess}'? ${helpHint}` : helpHint);
    }
    const name = spec.name;
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`option '--${name}' takes no value`, helpHint);
      out.flags[name] = true;
      continue;
    }
    const value = t.value;
    if (value === undefined || (!t.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`option '--${name}' needs a value (${spec.valueName ?? spec.type})`, helpHint);
    }
    if (spec.type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option '--${name}' needs a number, not '${value}'`, helpHint);
      out.flags[name] = n;
    } else {
      out.flags[name] = value;
      if (spec.repeatable) ((out.lists ??= {})[name] ??= []).push(value);
    }
  }
  if (out.help) return out;
  const required = args.filter((x) => x.required).length;
  if (out.positionals.length < required) {
    const missing = args.slice(out.positionals.length).filter((x) => x.required).map((x) => x.name);
    throw new UsageError(`${command}: missing ${missing.join(' ')}`, helpHint);
  }
  if (out.positionals.length > args.length && !args[args.length - 1]?.variadic) {
    throw new UsageError(`${command}: unexpected argument '${out.positionals[args.length]}'`, helpHint);
  }
  return out;
}

/** A number flag that must be a whole number ≥ `min`; undefined when not given. */
export function wholeNumberFlag(args: ParsedArgs, name: string, min: number): number | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`--${name} takes a whole number ≥ ${min}, got ${String(v)}`);
  return v;
}
