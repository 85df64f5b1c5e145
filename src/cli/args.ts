// A small command-line parser: flags declared per command, unknown flags are errors (with a hint).
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
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyPositionals || !a.startsWith('-') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    if (a === '--help' || a === '-h') {
      out.help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    const spec = byName.get(name);
    if (!spec || !a.startsWith('--')) {
      const guess = didYouMean(name, [...byName.keys(), 'help']);
      throw new UsageError(`unknown option '${eq >= 0 ? a.slice(0, eq) : a}' for ${command}`, guess ? `did you mean '--${guess}'? ${helpHint}` : helpHint);
    }
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`, helpHint);
      out.flags[name] = true;
      continue;
    }
    const value: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i++;
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
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
  if (out.positionals.length > args.length) {
    throw new UsageError(`${command}: unexpected argument '${out.positionals[args.length]}'`, helpHint);
  }
  return out;
}
