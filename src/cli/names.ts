// `names MODEL CACHE.npz [--out FILE] [--json]`: the ONNX tensor that holds each value of an activation cache saved in
// PyTorch (TransformerLens `run_with_cache`, forward hooks), found by value, and a copy of the model in which those
// tensors carry the cache's names, so that a hypothesis can say `tensor: blocks.0.attn.hook_z`.
import * as nodePath from 'node:path';
import { readNpz } from '../engine/data/npz';
import { CacheInputError, FOLDED_NAMES_HINT, foldedWeightNames, loadModel, matchCacheNames, renameTensors, saveModel } from '../engine/onnx';
import { READ_LIMITS, readFileGated, safeName } from '../engine/util/readGate';
import { Command, EXIT } from './command';
import { displayPath, table } from './format';

/** `model.onnx` → `model.named.onnx`. */
export function namedModelPath(model: string): string {
  const ext = nodePath.extname(model);
  return `${model.slice(0, model.length - ext.length)}.named${ext || '.onnx'}`;
}

export const namesCommand: Command = {
  name: 'names',
  summary: 'Find the ONNX tensors that hold an activation cache\'s values and write a copy of the model that uses the cache\'s names.',
  description: 'CACHE is an .npz saved in PyTorch: the model\'s inputs under the ONNX input names, and activations under any names\n'
    + '(e.g. np.savez("cache.npz", tokens=tokens, **{k: v.numpy() for k, v in cache.items()})). The model runs once on those\n'
    + 'inputs; each activation is matched to the first tensor in graph order with the same dims whose values agree to 1e-4\n'
    + '(relative to the largest |value|). The matched tensors are renamed in MODEL.named.onnx (or --out); graph inputs and\n'
    + 'outputs keep their names. See docs/pytorch.md. Exit status 1 when some activation matched no tensor.',
  args: [
    { name: 'MODEL', description: 'path of an .onnx file', required: true },
    { name: 'CACHE', description: 'an .npz of the inputs and the activations, keyed by name', required: true },
  ],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'where to write the renamed model (default: MODEL with .named.onnx)' },
    { name: 'json', type: 'boolean', description: 'print the matches as JSON' },
  ],
  async run(args, io) {
    const file = nodePath.resolve(io.cwd, args.positionals[0]);
    const cacheFile = nodePath.resolve(io.cwd, args.positionals[1]);
    const model = loadModel(file).proto;
    const cache = readNpz(readFileGated(cacheFile, READ_LIMITS.arrayFile, 'activation cache'), cacheFile);
    let matches;
    try {
      matches = await matchCacheNames(model, cache);
    } catch (e) {
      if (!(e instanceof CacheInputError)) throw e;
      io.err(`circuit-thermometer: ${displayPath(cacheFile, io.cwd)}: ${e.message}`);
      return EXIT.usage;
    }
    const renames = new Map(matches.filter((m) => m.tensor).map((m) => [m.tensor!, m.name]));
    const out = typeof args.flags.out === 'string' ? nodePath.resolve(io.cwd, args.flags.out) : namedModelPath(file);
    if (renames.size > 0) saveModel(renameTensors(model, renames), out);
    const folded = foldedWeightNames(model);
    if (args.flags.json) {
      io.out(JSON.stringify({ model: file, cache: cacheFile, out: renames.size > 0 ? out : null, matches, foldedWeights: folded }, null, 2));
    } else {
      io.out(table([['cache name', 'ONNX tensor', 'dims', 'max |Δ|'], ...matches.map((m) => [
        safeName(m.name), m.tensor ? safeName(m.tensor) + (m.candidates.length > 1 ? ` (+${m.candidates.length - 1} equal)` : '') : `no match (closest: ${m.closest ? safeName(m.closest) : 'none of these dims'})`,
        `[${m.dims.join(', ')}]`, m.maxAbsDiff === undefined ? '' : m.maxAbsDiff.toExponential(1),
      ])]).join('\n'));
      if (renames.size > 0) io.err(`${renames.size} tensor${renames.size === 1 ? '' : 's'} renamed → ${displayPath(out, io.cwd)}`);
      if (folded.length > 0) io.err(`warning: ${folded.length} weight${folded.length === 1 ? '' : 's'} named like '${safeName(folded[0]!)}': ${FOLDED_NAMES_HINT}`);
    }
    return matches.every((m) => m.tensor) ? EXIT.ok : EXIT.problems;
  },
};
