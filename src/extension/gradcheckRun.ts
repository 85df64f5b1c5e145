// The numeric half of "Check gradients": the CLI's `gradcheck` (finite differences on onnxruntime against the
// engine's gradient graph) in a forked process, so the model runs outside the extension host. Inputs are shaped
// like the hypothesis's data (a few examples), integer inputs drawn from the data's range.
import { fork } from 'node:child_process';

export interface GradcheckResult {
  parameters: number;
  checked: number;
  maxRelError: number;
  pass: boolean;
  tensors: { name: string; shape: number[]; relError: number; pass: boolean; belowResolution: boolean }[];
  skipped: { name: string; reason: string }[];
  inputs: Record<string, number[]>;
}

/** Examples per gradcheck run: enough for every op's broadcasting, few enough to be quick. */
const EXAMPLES = 4;
/** A sample of parameter tensors keeps big models' checks short; the seed makes it the same sample each time. */
const MAX_TENSORS = 12;

/** `--input` specs (`x=float:4x22`, `ids=int:0:256:4x16`) from the data arrays' dtype, shape and integer range. */
export function inputSpecs(inputs: Record<string, { dtype: string; shape: number[]; range?: [number, number] }>): string[] {
  return Object.entries(inputs).flatMap(([name, a]) => {
    if (a.shape.length === 0) return [];
    const dims = [Math.min(a.shape[0], EXAMPLES), ...a.shape.slice(1)].join('x');
    if (/^float|^bfloat/.test(a.dtype)) return [`${name}=float:${dims}`];
    if (/^u?int/.test(a.dtype) && a.range) return [`${name}=int:${a.range[0]}:${a.range[1] + 1}:${dims}`];
    return [];
  });
}

/** Runs `gradcheck MODEL --json` with the CLI bundle; rejects with the CLI's message when it cannot check. */
export function runGradcheck(cliPath: string, model: string, specs: string[], signal: AbortSignal): Promise<GradcheckResult> {
  return new Promise((resolve, reject) => {
    const args = ['gradcheck', model, '--json', '--max-tensors', String(MAX_TENSORS), ...specs.flatMap((s) => ['--input', s])];
    const child = fork(cliPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
    const onAbort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort);
    child.on('error', (e) => reject(e));
    child.on('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(new Error('cancelled'));
      if ((code === 0 || code === 1) && out.trim().startsWith('{')) {
        try {
          return resolve(JSON.parse(out) as GradcheckResult);
        } catch {
          /* fall through to the error */
        }
      }
      reject(new Error(err.trim().split('\n').pop()?.replace(/^circuit-thermometer: /, '') || `gradcheck exited with ${code}`));
    });
  });
}
