// Shape probes in the worker: the model read and validated here (never trusted from the client), then one run on
// zero-filled inputs. The last few models stay decoded, so the editor's re-checks after each edit cost one run.
import type { ProbeParams, ProbeResult } from '../protocol/probe';
import type { LoadedModel } from '../engine/onnx/load';
import { SweepFailure } from './execute';

const KEEP_MODELS = 4;
const models = new Map<string, LoadedModel>();

function loadCached(file: string, sha256: string): LoadedModel {
  const key = `${file}|${sha256}`;
  const cached = models.get(key);
  if (cached) return cached;
  const { loadModel } = require('../engine/onnx/load') as typeof import('../engine/onnx/load');
  const model = loadModel(file);
  if (model.sha256 !== sha256) {
    throw new SweepFailure({ code: 'unreadable', message: `${file}: the model changed on disk while it was being checked`, hint: 'the check runs again on the next edit' });
  }
  models.set(key, model);
  while (models.size > KEEP_MODELS) models.delete(models.keys().next().value as string);
  return model;
}

export async function executeProbe(params: ProbeParams): Promise<ProbeResult> {
  const { feedsOfDims, probeShapes } = require('../engine/onnx/shapes') as typeof import('../engine/onnx/shapes');
  const model = loadCached(params.model, params.sha256);
  const shapes = await probeShapes(model.proto, feedsOfDims(model.proto, params.feedDims), params.only);
  const tensors: ProbeResult['tensors'] = {};
  for (const [name, t] of shapes) tensors[name] = { dtype: t.dtype, dims: [...t.dims] };
  return { tensors };
}
