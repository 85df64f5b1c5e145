// What a CLI command is: its name, arguments, flags and a run function returning the exit code.
import { ArgSpec, FlagSpec, ParsedArgs } from './args';
import { EXIT_STATUS_TEXT } from '../protocol/exitStatus';

/** Where a command writes; tests capture it, the real CLI writes to the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Current directory: relative arguments are resolved against it, and paths printed relative to it. */
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown by `--help` after the usage line. */
  description?: string;
  args: ArgSpec[];
  flags: FlagSpec[];
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

/** Exit codes shared by every command (src/protocol/exitStatus.ts). */
export { EXIT } from '../protocol/exitStatus';

export function commandHelp(c: Command): string {
  const usage = [c.name, ...c.args.map((a) => `${a.required ? a.name : `[${a.name}]`}${a.variadic ? '…' : ''}`), ...c.flags.map((f) => `[--${f.name}${f.type === 'boolean' ? '' : ` ${f.valueName ?? f.type.toUpperCase()}`}]`)].join(' ');
  const lines = [`usage: circuit-thermometer ${usage}`, '', c.summary];
  if (c.description) lines.push('', c.description);
  if (c.args.length) {
    lines.push('', 'arguments:');
    for (const a of c.args) lines.push(`  ${a.name.padEnd(18)} ${a.description}`);
  }
  lines.push('', 'options:');
  for (const f of c.flags) lines.push(`  ${`--${f.name}${f.type === 'boolean' ? '' : ` ${f.valueName ?? f.type.toUpperCase()}`}`.padEnd(18)} ${f.description}`);
  lines.push(`  ${'--help'.padEnd(18)} show this help`);
  lines.push('', EXIT_STATUS_TEXT);
  return lines.join('\n');
}
