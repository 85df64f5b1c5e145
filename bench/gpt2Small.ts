// `--only gpt2-small`: a GPT-2-small-sized model (12 layers, width 768, 12 heads, vocab 50257, 1024 positions:
// 124M weights) built with random weights at bench time (never committed), saved with its weights in a side file
// (external data, as exporters write large models), then
//   - inspected the way `inspect` does it (load the file, summary, the static gradient analysis), timed;
//   - sampled by the real SgldSampler (the bench chain of steps.ts: ε = 1e-5, γ = 100, nβ = n/log n, the default noise), timed
//     per step after a warm-up step;
// in a child process of its own, so that its peak RSS (ru_maxrss) is this model's alone.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeGradientSupport } from '../src/engine/autodiff';
import { loadModel, saveModelWithExternalData } from '../src/engine/onnx/load';
import { summarizeModel } from '../src/engine/onnx/summary';
import { Gpt2Shape, gpt2Style } from './models';
import { peakRssMiB, round } from './stats';
import { createSampler, timeChain } from './steps';

export const GPT2_SMALL_CHILD_FLAG = '--child-gpt2-small';

/** GPT-2 small's dimensions; 4 sequences × 64 tokens per SGLD minibatch. */
export const GPT2_SMALL: Gpt2Shape = { layers: 12, width: 768, heads: 12, vocab: 50257, context: 64, batch: 4, positions: 1024 };

export interface Gpt2SmallReport {
  model: string;
  weights: number;
  fileMiB: number;
  /** The weights are stored beside the .onnx file (external data), loaded confined to its folder. */
  storage: 'external';
  /** Size of the side file. */
  dataMiB: number;
  buildSeconds: number;
  saveSeconds: number;
  /** Load + summary + gradient analysis, as `inspect` runs them. */
  inspectSeconds: number;
  gradientSupported: boolean;
  samplerSetupSeconds: number;
  steps: number;
  stepsPerSec: number;
  cpuMsPerStep: number;
  /** Wall seconds one default sgld level would take in one process at this rate: chains × (burn-in + draws) steps. */
  defaultLevelSecondsEstimate: number;
  peakRssMiB: number;
}

/** The sgld defaults of a level (hypothesis schema): 4 chains × (100 burn-in + 200 draws). */
const DEFAULT_LEVEL_STEPS = 4 * (100 + 200);

export async function runGpt2SmallChild(argv: readonly string[]): Promise<void> {
  const { threads, steps } = JSON.parse(argv[argv.indexOf(GPT2_SMALL_CHILD_FLAG) + 1]!) as { threads: number; steps: number };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-gpt2-small-'));
  try {
    let t = performance.now();
    const problem = gpt2Style(GPT2_SMALL, 64);
    const buildSeconds = (performance.now() - t) / 1000;
    const file = path.join(dir, 'gpt2-small.onnx');
    t = performance.now();
    saveModelWithExternalData(problem.model, file, 'gpt2-small.weights');
    const saveSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const loaded = loadModel(file);
    const summary = summarizeModel(loaded);
    const support = analyzeGradientSupport(loaded.proto, summary.parameters.tensors.map((p) => p.name), summary.outputs.map((o) => o.name));
    const inspectSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const sampler = await createSampler(problem, 'default', threads);
    const samplerSetupSeconds = (performance.now() - t) / 1000;
    let timed: { rate: number; cpuMs: number };
    try {
      timed = await timeChain(sampler, steps, 1, 0);
    } finally {
      await sampler.dispose();
    }
    const s = GPT2_SMALL;
    const report: Gpt2SmallReport = {
      model: `GPT-2-small-sized: ${s.layers} layers, width ${s.width}, ${s.heads} heads, vocab ${s.vocab}, ${s.positions} positions; ${s.batch} × ${s.context} tokens per step`,
      weights: summary.parameters.count, fileMiB: round(fs.statSync(file).size / 2 ** 20), storage: 'external',
      dataMiB: round(fs.statSync(path.join(dir, 'gpt2-small.weights')).size / 2 ** 20),
      buildSeconds: round(buildSeconds), saveSeconds: round(saveSeconds), inspectSeconds: round(inspectSeconds), gradientSupported: support.supported,
      samplerSetupSeconds: round(samplerSetupSeconds), steps, stepsPerSec: round(timed.rate), cpuMsPerStep: round(timed.cpuMs),
      defaultLevelSecondsEstimate: round(DEFAULT_LEVEL_STEPS / timed.rate), peakRssMiB: round(peakRssMiB(), 4),
    };
    process.send!(report);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureGpt2Small(threads: number, steps: number): Promise<Gpt2SmallReport> {
  const child = fork(process.argv[1]!, [GPT2_SMALL_CHILD_FLAG, JSON.stringify({ threads, steps })], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<Gpt2SmallReport>((resolve, reject) => {
    let result: Gpt2SmallReport | undefined;
    child.on('message', (m) => { result = m as Gpt2SmallReport; });
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the gpt2-small child exited with ${code}`))));
  });
}
