// Outputs that would overwrite an input or each other, refused before any work (issue 24: `--out` onto the
// hypothesis's own model, `--html` onto the results or the hypothesis, `merge --out` onto a shard). Two paths name the
// same file when they resolve to the same real path, or, for files that exist, the same device and inode (a hard
// link or a bind mount under another name).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hypothesis } from '../../protocol/hypothesis';
import { safeName } from './readGate';

export interface NamedPath {
  path: string;
  /** What it is, for the message: "the results file (--out)", "the model". */
  what: string;
}

/** The real path of `file`, or of its nearest existing folder joined with the rest (for a file not written yet). */
function realish(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realish(parent), path.basename(abs));
  }
}

export function samePath(a: string, b: string): boolean {
  if (realish(a) === realish(b)) return true;
  const sa = fs.statSync(a, { throwIfNoEntry: false });
  const sb = fs.statSync(b, { throwIfNoEntry: false });
  return sa !== undefined && sb !== undefined && sa.ino === sb.ino && sa.dev === sb.dev;
}

/** Every file a run of `h` reads: the hypothesis, the model, the data and the checkpoints. */
export function hypothesisInputs(h: Hypothesis): NamedPath[] {
  const inputs: NamedPath[] = [{ path: h.file, what: 'the hypothesis file' }, { path: h.model, what: 'the model' }];
  for (const [name, file] of Object.entries(h.data.inputs)) inputs.push({ path: file, what: `the data of input '${name}'` });
  inputs.push({ path: h.data.labels, what: 'the labels' });
  const t = h.data.target;
  if ('mask' in t) inputs.push({ path: t.mask, what: 'the target mask' });
  if ('indices' in t) inputs.push({ path: t.indices, what: 'the target indices' });
  for (const [i, file] of (h.degradation.dial === 'checkpoints' ? h.degradation.checkpoints : []).entries()) inputs.push({ path: file, what: `checkpoint ${i + 1}` });
  return inputs;
}

/** Null when no output is an input or another output; else one sentence naming both. */
export function outputClash(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): string | null {
  for (const [i, o] of outputs.entries()) {
    const input = inputs.find((x) => samePath(o.path, x.path));
    if (input) return `${o.what} ${safeName(o.path)} is ${input.what}: writing it would overwrite an input of the run`;
    const other = outputs.slice(0, i).find((x) => samePath(o.path, x.path));
    if (other) return `${o.what} and ${other.what} are the same file, ${safeName(o.path)}: one would overwrite the other`;
  }
  return null;
}
