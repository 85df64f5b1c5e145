// CLI entry: `circuit-thermometer <command> [args]`. Commands live in commands.ts; every failure is one
// line on stderr (a stack trace only with CIRCUIT_THERMOMETER_DEBUG=1).
import { escapeTerminalLines } from '../protocol/escape';
import { ReadGateError } from '../engine/util/readGate';
import { userMessage } from '../engine/onnx/runtimeMessage';
import { DataError } from '../engine/data';
import { ModelError } from '../engine/onnx';
import { ENGINE_VERSION } from '../engine/version';
import { HypothesisReadError } from '../hypothesis';
import { didYouMean } from '../hypothesis/suggest';
import { parseArgs, UsageError } from './args';
import { CliIO, commandHelp, EXIT } from './command';
import { EXIT_STATUS_TEXT, exitStatusOf } from '../protocol/exitStatus';
import { COMMANDS, findCommand } from './commands';

/** The package's version (one source: package.json, through the engine). */
export const VERSION = ENGINE_VERSION;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: circuit-thermometer <command> [options]',
    '',
    'Measures whether a claimed circuit in an ONNX model is genuine (tempered degradation sweeps).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `circuit-thermometer <command> --help` for a command\'s options.',
    EXIT_STATUS_TEXT,
  ].join('\n');
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
};

let pipeGuarded = false;

/** `circuit-thermometer check x | head` closes stdout early: stop quietly instead of crashing on EPIPE. */
function guardPipes(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code; never throws. */
export async function main(argv: readonly string[], given: CliIO = processIO): Promise<number> {
  if (given === processIO) guardPipes();
  // The one terminal sink: no control character from any file reaches the terminal raw (issue 24).
  const io: CliIO = { out: (t) => given.out(escapeTerminalLines(t)), err: (t) => given.err(escapeTerminalLines(t)), cwd: given.cwd };
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
      (name === undefined ? io.err : io.out)(topic ? commandHelp(topic) : overview());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      io.out(VERSION);
      return EXIT.ok;
    }
    const command = findCommand(name);
    if (!command) {
      const guess = didYouMean(name, COMMANDS.map((c) => c.name));
      throw new UsageError(`unknown command '${name}'`, `${guess ? `did you mean '${guess}'? ` : ''}commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    }
    const args = parseArgs(rest, command.flags, command.args, command.name);
    if (args.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (e) {
    return reportFailure(e, io);
  }
}

function reportFailure(e: unknown, io: CliIO): number {
  if (e instanceof UsageError) {
    io.err(`circuit-thermometer: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
    return EXIT.usage;
  }
  if (e instanceof ModelError || e instanceof DataError || e instanceof HypothesisReadError || e instanceof ReadGateError) {
    io.err(`circuit-thermometer: ${userMessage(e)}`);
    return exitStatusOf(e.code);
  }
  const message = userMessage(e);
  io.err(`circuit-thermometer: internal error: ${message} (please report it; CIRCUIT_THERMOMETER_DEBUG=1 shows the stack)`);
  if (process.env.CIRCUIT_THERMOMETER_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT.internal;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
