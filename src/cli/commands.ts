// The command table. To add a command (gradcheck, sweep, llc, demo, …), write `src/cli/<name>.ts`
// exporting a `Command`, import it here and add it to the list: dispatch, help and errors follow.
import { calibrateCommand } from './calibrate';
import { checkCommand } from './check';
import { Command } from './command';
import { demoCommand } from './demo';
import { gradcheckCommand } from './gradcheck';
import { gridCommand } from './grid';
import { inspectCommand } from './inspect';
import { llcCommand } from './llc';
import { mergeCommand } from './merge';
import { namesCommand } from './names';
import { newCommand } from './new';
import { planCommand } from './plan';
import { scanCommand } from './scan';
import { slurmCommand } from './slurm';
import { sweepCommand } from './sweep';

export const COMMANDS: readonly Command[] = [
  inspectCommand,
  newCommand,
  namesCommand,
  checkCommand,
  sweepCommand,
  gridCommand,
  scanCommand,
  planCommand,
  mergeCommand,
  slurmCommand,
  llcCommand,
  calibrateCommand,
  gradcheckCommand,
  demoCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
