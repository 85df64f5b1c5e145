// Reading and writing .onnx files, with external data, and one-line errors for bad files.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError } from './errors';
import { decodeModelProto, encodeModelProto, ModelProto, TensorProto } from './proto';
import { elementSize, numElements } from './tensor';
import { writeFileAtomic } from '../util/atomic';

export interface LoadedModel {
  /** Absolute path of the .onnx file. */
  path: string;
  proto: ModelProto;
  /** sha256 of the file's bytes (external data not included). */
  sha256: string;
  byteLength: number;
}

const MAX_MODEL_BYTES = 2 ** 31 - 1; // protobuf's own limit for one message

export function decodeModel(bytes: Uint8Array, where = '<bytes>'): ModelProto {
  if (bytes.byteLength === 0) throw new ModelError('onnx/empty', `${where}: the file is empty`, 'export the model again');
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const truncated = /index out of range|out of range|premature|invalid wire type/i.test(why);
    throw new ModelError(truncated ? 'onnx/truncated' : 'onnx/corrupt',
      `${where}: not a readable ONNX model (${truncated ? 'truncated or corrupt protobuf' : why})`,
      'check that the file is a complete .onnx export, e.g. with onnx.checker.check_model');
  }
  if (!proto.graph || (proto.graph.node.length === 0 && proto.graph.output.length === 0)) {
    throw new ModelError('onnx/not-a-model', `${where}: the file decodes but holds no ONNX graph`, 'is this an .onnx file?');
  }
  if (!proto.irVersion) {
    throw new ModelError('onnx/not-a-model', `${where}: the file has no ONNX IR version`, 'is this an .onnx file?');
  }
  return proto;
}

/** Loads a model and its external data into memory. */
export function loadModel(file: string): LoadedModel {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ModelError('onnx/not-found', `${abs}: no such file`);
  }
  if (stat.isDirectory()) throw new ModelError('onnx/not-a-file', `${abs} is a folder, expected a .onnx file`);
  if (stat.size > MAX_MODEL_BYTES) {
    throw new ModelError('onnx/too-large', `${abs}: ${stat.size} bytes exceeds protobuf's 2 GiB limit`, 'save the weights as external data');
  }
  const bytes = fs.readFileSync(abs);
  const proto = decodeModel(bytes, abs);
  loadExternalData(proto, path.dirname(abs), abs);
  return { path: abs, proto, sha256: createHash('sha256').update(bytes).digest('hex'), byteLength: bytes.byteLength };
}

function externalEntry(t: TensorProto, key: string): string | undefined {
  return t.externalData?.find((e) => e.key === key)?.value;
}

/** Replaces external-data references of every initializer by the bytes they point to. */
export function loadExternalData(proto: ModelProto, baseDir: string, where: string): void {
  const cache = new Map<string, Buffer>();
  for (const t of allTensors(proto)) {
    if (t.dataLocation !== 1) continue;
    const location = externalEntry(t, 'location');
    if (!location) throw new ModelError('onnx/external-data', `${where}: tensor '${t.name}' is external but names no location`);
    const file = path.resolve(baseDir, location);
    if (path.isAbsolute(location) || path.relative(baseDir, file).startsWith('..')) {
      throw new ModelError('onnx/external-data', `${where}: tensor '${t.name}' points outside the model's folder (${location})`,
        'keep external data files beside the model');
    }
    let data = cache.get(file);
    if (!data) {
      try {
        data = fs.readFileSync(file);
      } catch {
        throw new ModelError('onnx/external-data-missing', `${where}: external data file '${location}' for tensor '${t.name}' is missing`,
          `copy ${location} next to the model`);
      }
      cache.set(file, data);
    }
    const offset = Number(externalEntry(t, 'offset') ?? 0);
    const need = numElements(t.dims) * elementSize(t.dataType);
    const length = Number(externalEntry(t, 'length') ?? need);
    if (length !== need || offset + length > data.byteLength) {
      throw new ModelError('onnx/external-data', `${where}: external data for '${t.name}' is truncated (${location}: need ${length} bytes at ${offset}, file has ${data.byteLength})`);
    }
    t.rawData = new Uint8Array(data.buffer, data.byteOffset + offset, length);
    t.dataLocation = 0;
    t.externalData = [];
  }
}

function* allTensors(proto: ModelProto): Generator<TensorProto> {
  yield* proto.graph.initializer;
  for (const n of proto.graph.node) for (const a of n.attribute) if (a.t) yield a.t;
}

export function encodeModel(proto: ModelProto): Uint8Array {
  return encodeModelProto(proto);
}

/** Saves a model atomically. */
export function saveModel(proto: ModelProto, file: string): void {
  writeFileAtomic(file, encodeModel(proto));
}

