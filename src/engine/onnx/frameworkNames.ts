// Framework names for ONNX tensors. A PyTorch user knows `blocks.0.attn.hook_z` (TransformerLens) or a module path
// (forward hooks); an export calls the same values `/blocks.0/attn/Transpose_3_output_0`. Given an activation cache
// saved in PyTorch (name → array, with the model's inputs under their input names), one run of the model on those
// inputs finds the tensor holding each cached value: same dims, values equal to a tolerance. A renamed copy of the
// model then lets hypotheses use the framework's names. Exports with constant folding also rename weights
// (`onnx::MatMul_195`): those are found here too, so every command can say why a glob matches nothing.
import type { NdArray } from '../data/ndarray';
import { toFloat64 } from '../data/ndarray';
import { GraphIndex } from './graph';
import { ModelProto } from './proto';
import { cloneModel, exposeTensors } from './rewrite';
import { createSession, Feeds, ort } from './runtime';

export interface NameMatch {
  /** The cache's key. */
  name: string;
  dims: number[];
  /** The first tensor in graph order that holds the same values (undefined when none does). */
  tensor?: string;
  /** Every tensor that matched, graph order (an Identity or a Reshape to the same dims repeats a value). */
  candidates: string[];
  /** Largest |difference| of the chosen tensor; for no match, of the closest same-shaped tensor (or undefined). */
  maxAbsDiff?: number;
  closest?: string;
}

/** The cache lacks a model input: a user's file problem, not a bug. */
export class CacheInputError extends Error {
  override readonly name = 'CacheInputError';
}

/** Two values agree when |a − b| ≤ RELATIVE · max(1, max|cached|): float32 exports reproduce PyTorch to ~1e-6. */
export const MATCH_RELATIVE = 1e-4;

/** Feeds for the model's inputs from the cache (entries named like the inputs), or the names of inputs it lacks. */
function cacheFeeds(model: ModelProto, cache: ReadonlyMap<string, NdArray>): { feeds: Feeds; missing: string[] } {
  const index = GraphIndex.of(model);
  const feeds: Feeds = {};
  const missing: string[] = [];
  for (const name of index.graphInputs) {
    const a = cache.get(name);
    if (!a) { missing.push(name); continue; }
    const dtype = index.types.get(name)?.dtype;
    const data = toFloat64(a).data;
    const shape = [...a.shape];
    if (dtype === 'int64') feeds[name] = new ort.Tensor('int64', BigInt64Array.from(data, (v) => BigInt(Math.round(v))), shape);
    else if (dtype === 'int32') feeds[name] = new ort.Tensor('int32', Int32Array.from(data), shape);
    else if (dtype === 'bool') feeds[name] = new ort.Tensor('bool', Uint8Array.from(data), shape);
    else feeds[name] = new ort.Tensor('float32', Float32Array.from(data), shape);
  }
  return { feeds, missing };
}

/**
 * For each cache entry that is not a model input, the tensor of `model` that holds its values when the model runs on
 * the cache's inputs. Throws when the cache lacks a model input.
 */
export async function matchCacheNames(model: ModelProto, cache: ReadonlyMap<string, NdArray>): Promise<NameMatch[]> {
  const index = GraphIndex.of(model);
  const { feeds, missing } = cacheFeeds(model, cache);
  if (missing.length > 0) {
    throw new CacheInputError(`the cache has no entry for the model input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}: `
      + `save the inputs the cache was computed on under the input names (np.savez(path, ${missing[0]}=..., **cache))`);
  }
  const names = model.graph.node.flatMap((n) => n.output).filter((o) => o !== '');
  const session = await createSession(exposeTensors(model, names), { optimization: 'disabled' });
  let out: Record<string, ort.Tensor>;
  try {
    out = await session.run(feeds);
  } finally {
    await session.release();
  }
  const matches: NameMatch[] = [];
  for (const [name, array] of cache) {
    if (index.graphInputs.includes(name)) continue;
    const want = toFloat64(array).data;
    const dims = [...array.shape];
    let scale = 1;
    for (const v of want) scale = Math.max(scale, Math.abs(v));
    const tol = MATCH_RELATIVE * scale;
    const m: NameMatch = { name, dims, candidates: [] };
    let best = Infinity;
    for (const t of names) {
      const got = out[t];
      if (!got || (got.type !== 'float32' && got.type !== 'float64')) continue;
      if (got.dims.length !== dims.length || got.dims.some((d, i) => d !== dims[i])) continue;
      const values = got.data as Float32Array | Float64Array;
      let diff = 0;
      for (let i = 0; i < values.length && diff <= tol; i++) diff = Math.max(diff, Math.abs(values[i]! - want[i]!));
      if (diff <= tol) {
        if (!m.tensor) { m.tensor = t; m.maxAbsDiff = diff; }
        m.candidates.push(t);
      } else if (!m.tensor && diff < best) {
        best = diff;
        m.closest = t;
        m.maxAbsDiff = diff;
      }
    }
    if (m.tensor) delete m.closest;
    matches.push(m);
  }
  for (const t of Object.values(out)) t.dispose?.();
  return matches;
}

/**
 * A copy of the model in which each tensor of `renames` (ONNX name → new name) is called by its new name, in the
 * node that makes it and in every node that reads it. Graph inputs and outputs keep their names (data files and the
 * loss refer to them).
 */
export function renameTensors(model: ModelProto, renames: ReadonlyMap<string, string>): ModelProto {
  const m = cloneModel(model);
  const index = GraphIndex.of(m);
  const taken = new Set(index.tensorNames());
  const map = new Map<string, string>();
  for (const [from, to] of renames) {
    if (index.graphInputs.includes(from) || index.graphOutputs.includes(from)) continue;
    if (taken.has(to)) throw new Error(`cannot rename '${from}' to '${to}': the model already has a tensor of that name`);
    map.set(from, to);
    taken.add(to);
  }
  const rename = (x: string): string => map.get(x) ?? x;
  m.graph.node = m.graph.node.map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) }));
  m.graph.valueInfo = m.graph.valueInfo.map((v) => ({ ...v, name: rename(v.name) }));
  return m;
}

/** Weights whose names the exporter made up (constant folding: `onnx::MatMul_195`), so globs on module paths miss them. */
export function foldedWeightNames(model: ModelProto): string[] {
  return GraphIndex.of(model).parameters().map((p) => p.name).filter((n) => /^onnx::/.test(n));
}

/** The advice that goes with folded names. */
export const FOLDED_NAMES_HINT = 'the export folded these weights\' names away (constant folding); re-export with torch.onnx.export(..., do_constant_folding=False) to keep module paths like blocks.0.attn.c_attn.weight';
