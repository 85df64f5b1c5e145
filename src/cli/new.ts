// `new MODEL [--out FILE] [--name NAME] [--force]`: the editor's "New Hypothesis from Model" on the command line. A
// hypothesis file that names the model's real inputs, output and activation tensors (shapes measured by one run),
// the array files near the model that fit (the same ranking as the editor), and the sweep defaults; then
// `circuit-thermometer check FILE` says what is still missing.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { readArrayInfo } from '../engine/data';
import { GraphIndex, loadModel, placeholderFeeds, type ProbedTensor, summarizeModel } from '../engine/onnx';
import { writeFileAtomic } from '../engine/util/atomic';
import { outputClash } from '../engine/util/outputs';
import { ProbeWorker } from '../worker/probeWorker';
import { chooseDataFiles, rankFiles } from '../hypothesis/dataFiles';
import { modelTensors, scaffoldHypothesis } from '../hypothesis/scaffold';
import { Command, EXIT } from './command';
import { displayPath } from './format';

/** Array files under `dir`, at most `depth` folders down, skipping dot folders and node_modules. */
function arrayFiles(dir: string, depth = 3, limit = 500): string[] {
  const out: string[] = [];
  const walk = (d: string, left: number): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (out.length >= limit) return;
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) { if (left > 0 && !e.name.startsWith('.') && e.name !== 'node_modules') walk(p, left - 1); } else if (e.isFile() && /\.(npy|npz|json)$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir, depth);
  return out;
}

/** `model.onnx` → `model.circuit.yaml`. */
export function defaultHypothesisPath(model: string): string {
  return `${model.replace(/\.onnx$/i, '')}.circuit.yaml`;
}

export const newCommand: Command = {
  name: 'new',
  summary: 'Write a hypothesis file for a model: its inputs, output and activation tensors, and the data files beside it that fit.',
  description: 'Runs the model once on zero inputs to measure tensor shapes (every symbolic dimension = 2; the examples axis is shown as batch),\n'
    + 'lists the activation tensors a component can name, and picks array files under the model\'s folder for the inputs, labels and\n'
    + 'target mask. Pick the circuit\'s units, then run `circuit-thermometer check FILE`. See docs/pytorch.md for PyTorch exports.',
  args: [{ name: 'MODEL', description: 'path of an .onnx file', required: true }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'the hypothesis file to write (default: MODEL with .circuit.yaml)' },
    { name: 'name', type: 'string', valueName: 'NAME', description: 'the circuit\'s name (default: my circuit)' },
    { name: 'force', type: 'boolean', description: 'overwrite FILE when it exists' },
  ],
  async run(args, io) {
    const model = nodePath.resolve(io.cwd, args.positionals[0]);
    const target = typeof args.flags.out === 'string' ? nodePath.resolve(io.cwd, args.flags.out) : defaultHypothesisPath(model);
    if (fs.existsSync(target) && args.flags.force !== true) {
      io.err(`circuit-thermometer: ${displayPath(target, io.cwd)} exists; pass --force to overwrite it, or --out FILE`);
      return EXIT.usage;
    }
    // The new file must not be the model it describes (issue 24: outputs never overwrite inputs).
    const clash = outputClash([{ path: target, what: 'the new hypothesis file' }], [{ path: model, what: 'the model' }]);
    if (clash !== null) {
      io.err(`circuit-thermometer: ${clash}`);
      return EXIT.usage;
    }
    const loaded = loadModel(model);
    const index = GraphIndex.of(loaded.proto);
    const summary = summarizeModel(loaded);
    let measured: Map<string, ProbedTensor> | undefined;
    // In a budgeted worker, as `check` and `inspect --tensors` do: a model that never finishes cannot hang the command.
    const worker = new ProbeWorker(undefined);
    try {
      const feedDims = Object.fromEntries(Object.entries(placeholderFeeds(loaded.proto)).map(([name, t]) => [name, [...t.dims]]));
      measured = await worker.probe(model, loaded.sha256, feedDims);
    } catch (e) {
      io.err(`warning: the model could not be run on zero inputs (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); shapes are the declared ones`);
    } finally {
      await worker.dispose();
    }
    const batchIsSymbolic = summary.inputs.some((i) => typeof i.shape?.[0] !== 'number');
    const { tensorOf, activations: all } = modelTensors(loaded.proto, index, batchIsSymbolic, measured);
    const activations = all.filter((t) => t.dtype === 'float32' && (t.shape?.length ?? 0) >= 2);
    const outputs = summary.outputs.map((o) => ({ ...tensorOf(o.name), dtype: o.dtype }));
    const output = outputs[0];
    const lastDim = output?.shape?.[output.shape.length - 1];
    const classes = !!output && (output.shape?.length ?? 0) >= 2 && (typeof lastDim !== 'number' || lastDim > 1);
    const dir = nodePath.dirname(target);
    const files = arrayFiles(nodePath.dirname(model));
    const candidates = await Promise.all(rankFiles('input', files, dir).map(async (rel) => {
      const info = await readArrayInfo(nodePath.resolve(dir, rel)).catch(() => undefined);
      return { rel, ...(info ? { dtype: info.dtype, shape: info.shape } : {}) };
    }));
    const inputs = summary.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape }));
    const rel = nodePath.relative(dir, model).split(nodePath.sep).join('/');
    const text = scaffoldHypothesis({
      modelPath: rel.startsWith('.') ? rel : `./${rel}`,
      inputs,
      outputs,
      activations,
      sgld: { stepSize: 'auto', localization: 100, chains: 4, draws: 'auto' },
      data: chooseDataFiles({ inputs, classes }, candidates),
    }, typeof args.flags.name === 'string' ? args.flags.name : undefined);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(target, text);
    io.err(`wrote ${displayPath(target, io.cwd)}; pick the circuit's units, then: circuit-thermometer check ${displayPath(target, io.cwd)}`);
    return EXIT.ok;
  },
};
