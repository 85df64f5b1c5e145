// checkpoints: level i is checkpoint i (or its training step); its one draw is that file's weights, exactly.
import * as path from 'node:path';
import { GraphIndex } from '../onnx/graph';
import { loadModel } from '../onnx/load';
import { type Dial, type DialContext, type DialDraw, degradationFor } from './dial';
import { parameterValues } from './parameters';

export class CheckpointMismatch extends Error {
  readonly code = 'checkpoints/mismatch';
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'CheckpointMismatch';
  }
}

/** Checks that a checkpoint holds every parameter of the model with the same shape; returns its weights. */
export function checkpointWeights(file: string, ctx: Pick<DialContext, 'parameters'>, position: number): Float32Array[] {
  const loaded = loadModel(file);
  const own = new Map(GraphIndex.of(loaded.proto).parameters().map((p) => [p.name, p]));
  for (const p of ctx.parameters) {
    const q = own.get(p.name);
    const where = `checkpoint ${position} (${path.basename(file)})`;
    if (!q) {
      throw new CheckpointMismatch(`${where} has no parameter '${p.name}' [${p.shape.join(', ')}] of the model`,
        'checkpoints must be exports of the same graph, with the same parameter names');
    }
    if (q.shape.join(',') !== p.shape.join(',')) {
      throw new CheckpointMismatch(`${where}: parameter '${p.name}' has shape [${q.shape.join(', ')}]; the model's is [${p.shape.join(', ')}]`,
        'checkpoints must be exports of the same architecture');
    }
  }
  return parameterValues(loaded.proto, ctx.parameters);
}

export async function createCheckpointsDial(ctx: DialContext): Promise<Dial> {
  const { levels, checkpoints: files } = degradationFor(ctx, 'checkpoints');
  if (files.length === 0) throw new Error("the checkpoints dial needs 'degradation.checkpoints', a list of ONNX files");
  if (levels.length !== files.length) throw new Error(`${files.length} checkpoints but ${levels.length} levels`);
  // Check every file before the sweep starts, so a bad checkpoint fails in seconds, not at its level.
  files.forEach((f, i) => checkpointWeights(f, ctx, i));
  return {
    kind: 'checkpoints',
    levels,
    chains: 1,
    drawsPerChain: 1,
    independentDraws: true,
    deterministic: true,
    async *draws(levelIndex: number, _chain: number, signal?: AbortSignal): AsyncIterable<DialDraw> {
      signal?.throwIfAborted();
      yield { weights: checkpointWeights(files[levelIndex]!, ctx, levelIndex) };
    },
    async dispose() {},
  };
}
