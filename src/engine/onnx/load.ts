// Reading and writing .onnx files, with external data, and one-line errors for bad files.
import { createHash, Hash } from 'node:crypto';
import * as path from 'node:path';
import { ModelError } from './errors';
import { type AttributeProto, decodeModelProto, encodeModelProto, type FunctionProto, GraphProto, ModelProto, type SparseTensorProto, TensorProto } from './proto';
import { elementSize, numElements, tensorToFloat32 } from './tensor';
import { writeFileAtomic } from '../util/atomic';
import { confinedFile, GatedFile, parseByteCount, READ_LIMITS, readFileGated, ReadGateError, safeName } from '../util/readGate';
import { validateModel } from './validate';

export interface LoadedModel {
  /** Absolute path of the .onnx file. */
  path: string;
  proto: ModelProto;
  /** sha256 of the file's bytes, then of every external-data range in tensor order (none for a self-contained model). */
  sha256: string;
  byteLength: number;
}

/** One external-data entry (`location`, `offset`, `length`, …) of a tensor. */
function externalEntry(t: TensorProto, key: string): string | undefined {
  return t.externalData?.find((e) => e.key === key)?.value;
}

export function decodeModel(bytes: Uint8Array, where = '<bytes>'): ModelProto {
  if (bytes.byteLength === 0) throw new ModelError('onnx/empty', `${where}: the file is empty`, 'export the model again');
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    // protobufjs's messages name offsets and wire types only, never the bytes.
    const why = e instanceof Error ? e.message : String(e);
    const truncated = /index out of range|out of range|premature|invalid wire type/i.test(why);
    throw new ModelError(truncated ? 'onnx/truncated' : 'onnx/corrupt',
      `${where}: not a readable ONNX model (${truncated ? 'truncated or corrupt protobuf' : safeName(why.split('\n')[0]!)})`,
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

/** The read gate's refusal of the model file itself, as a model error. */
function modelReadError(e: unknown): never {
  if (!(e instanceof ReadGateError)) throw e;
  const code = e.code === 'read/not-found' ? 'onnx/not-found' : e.code === 'read/not-a-file' ? 'onnx/not-a-file'
    : e.code === 'read/too-large' ? 'onnx/too-large' : 'onnx/unreadable';
  throw new ModelError(code, e.message, code === 'onnx/too-large' ? 'save the weights as external data' : undefined);
}

/**
 * Loads a model and its external data into memory, and validates its graph (src/engine/onnx/validate.ts): every
 * command that reads a model (check, inspect, gradcheck, sweep) refuses a broken one here, before any run.
 */
export function loadModel(file: string): LoadedModel {
  const abs = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileGated(abs, READ_LIMITS.model, '.onnx model file');
  } catch (e) {
    modelReadError(e);
  }
  const where = safeName(abs, 400);
  const proto = decodeModel(bytes, where);
  const hash = createHash('sha256').update(bytes);
  loadExternalData(proto, path.dirname(abs), where, READ_LIMITS.model - bytes.byteLength, hash);
  validateModel(proto, where);
  return { path: abs, proto, sha256: hash.digest('hex'), byteLength: bytes.byteLength };
}

function externalError(where: string, t: TensorProto, problem: string, hint?: string): ModelError {
  return new ModelError('onnx/external-data', `${where}: tensor '${safeName(t.name)}': ${problem}`, hint);
}

/**
 * Replaces external-data references (`data_location = EXTERNAL`) of every tensor by the bytes they point to:
 * each file confined to `baseDir` after symlinks are resolved (absolute paths, `..`, devices and FIFOs refused),
 * offsets and lengths whole numbers inside the file, the length the one the tensor's shape needs, and the total
 * within `budget` bytes (onnxruntime is given the model as one protobuf buffer, which holds at most 2 GiB).
 */
export function loadExternalData(proto: ModelProto, baseDir: string, where: string, budget: number = READ_LIMITS.model, hash?: Hash): void {
  const files = new Map<string, GatedFile>();
  let total = 0;
  try {
    for (const t of allTensors(proto)) {
      if (t.dataLocation !== 1) continue;
      const location = externalEntry(t, 'location');
      if (!location) throw externalError(where, t, 'is stored externally but names no location', 'export the model again');
      let real: string;
      try {
        real = confinedFile(baseDir, location, 'external data');
      } catch (e) {
        if (!(e instanceof ReadGateError)) throw e;
        if (e.code === 'read/not-found') {
          throw new ModelError('onnx/external-data-missing', `${where}: external data file '${safeName(location)}' for tensor '${safeName(t.name)}' is missing`,
            `copy ${safeName(location)} next to the model`);
        }
        throw externalError(where, t, `external data '${safeName(location)}' ${e.problem.replace(/^the external data path /, '')}`, e.hint);
      }
      let file = files.get(real);
      if (!file) {
        try {
          file = GatedFile.open(real, READ_LIMITS.externalData, 'external data file');
        } catch (e) {
          if (!(e instanceof ReadGateError)) throw e;
          throw externalError(where, t, `external data '${safeName(location)}' ${e.problem}`, e.hint);
        }
        files.set(real, file);
      }
      const offsetText = externalEntry(t, 'offset');
      const lengthText = externalEntry(t, 'length');
      const offset = offsetText === undefined ? 0 : parseByteCount(offsetText);
      if (offset === undefined) throw externalError(where, t, `its external data offset '${safeName(offsetText!, 40)}' is not a whole number of bytes`);
      const size = elementSize(t.dataType);
      if (size === 0) throw externalError(where, t, `its data type ${t.dataType} cannot be stored externally`);
      if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw externalError(where, t, `its shape [${t.dims.slice(0, 8).join(', ')}] is not a list of sizes`);
      const need = numElements(t.dims) * size;
      const length = lengthText === undefined ? need : parseByteCount(lengthText);
      if (length === undefined) throw externalError(where, t, `its external data length '${safeName(lengthText!, 40)}' is not a whole number of bytes`);
      if (length !== need) throw externalError(where, t, `its external data length is ${length} bytes; its shape [${t.dims.join(', ')}] needs ${need}`);
      if (offset + length > file.size) {
        throw externalError(where, t, `its external data (${length} bytes at offset ${offset}) runs past the end of '${safeName(location)}' (${file.size} bytes)`,
          'the file is truncated, or belongs to another export');
      }
      total += length;
      if (total > budget) {
        throw new ModelError('onnx/too-large', `${where}: the model and its external data are over 2 GiB`,
          'onnxruntime is given the model as one protobuf buffer, which holds at most 2 GiB');
      }
      t.rawData = file.range(offset, length);
      hash?.update(t.rawData);
      t.dataLocation = 0;
      t.externalData = [];
    }
  } finally {
    for (const f of files.values()) f.close();
  }
}

/**
 * Every tensor that may hold data, so that every external reference passes the gate (issue 24: tensors in
 * model-local function bodies and in `sparse_value` attributes were not walked, and onnxruntime resolved their
 * paths against the working folder): initializers, sparse initializers, attribute tensors and sparse tensors, the
 * bodies of If, Loop and Scan, and every function's nodes and default attributes.
 */
export function* allTensors(proto: ModelProto): Generator<TensorProto> {
  if (proto.graph) yield* graphTensors(proto.graph);
  for (const f of (proto.functions ?? []) as FunctionProto[]) {
    for (const n of f.node ?? []) yield* attributeTensors(n.attribute ?? []);
    yield* attributeTensors(f.attributeProto ?? []);
  }
}

function* sparseTensors(s: SparseTensorProto | undefined): Generator<TensorProto> {
  if (s?.values) yield s.values;
  if (s?.indices) yield s.indices;
}

function* attributeTensors(attributes: readonly AttributeProto[]): Generator<TensorProto> {
  for (const a of attributes) {
    if (a.t) yield a.t;
    if (a.tensors) yield* a.tensors;
    yield* sparseTensors(a.sparseTensor);
    for (const s of a.sparseTensors ?? []) yield* sparseTensors(s);
    if (a.g) yield* graphTensors(a.g);
    for (const sub of a.graphs ?? []) yield* graphTensors(sub);
  }
}

function* graphTensors(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer ?? [];
  for (const s of (g.sparseInitializer ?? []) as SparseTensorProto[]) yield* sparseTensors(s);
  for (const n of g.node ?? []) yield* attributeTensors(n.attribute ?? []);
}

export function encodeModel(proto: ModelProto): Uint8Array {
  return encodeModelProto(proto);
}

/** Saves a model atomically. */
export function saveModel(proto: ModelProto, file: string): void {
  writeFileAtomic(file, encodeModel(proto));
}

/**
 * Saves a model with the float32 data of its initializers of at least `minBytes` in one side file beside it
 * (`data`, a name in the model's folder), as exporters write models over 2 GB: the data file first, then the model,
 * each atomically. `proto` is left as it was.
 */
export function saveModelWithExternalData(proto: ModelProto, file: string, data = `${path.basename(file)}.data`, minBytes = 1024): void {
  const out: ModelProto = { ...proto, graph: { ...proto.graph, initializer: [] } };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of proto.graph.initializer) {
    const bytes = t.dataType === 1 ? Buffer.from(tensorToFloat32(t).buffer) : undefined;
    if (!bytes || bytes.byteLength < minBytes) {
      out.graph.initializer.push(t);
      continue;
    }
    chunks.push(bytes);
    out.graph.initializer.push({
      ...t, floatData: [], rawData: new Uint8Array(0), dataLocation: 1,
      externalData: [{ key: 'location', value: data }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(bytes.byteLength) }],
    });
    offset += bytes.byteLength;
  }
  writeFileAtomic(path.join(path.dirname(file), data), Buffer.concat(chunks));
  writeFileAtomic(file, encodeModel(out));
}

