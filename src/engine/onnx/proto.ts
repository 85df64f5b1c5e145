// Typed access to ONNX protobuf messages: decode bytes into plain objects, encode them back.
import * as protobuf from 'protobufjs';
import { ONNX_PROTO } from './schema';

// int64 fields decode as JS numbers (dims, axes and versions all fit in 2^53).
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

export const enum DataType {
  UNDEFINED = 0, FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7,
  STRING = 8, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, BFLOAT16 = 16,
}

export const enum AttributeType {
  UNDEFINED = 0, FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5,
  FLOATS = 6, INTS = 7, STRINGS = 8, TENSORS = 9, GRAPHS = 10,
}

export interface StringStringEntry { key: string; value: string }
export interface OperatorSetId { domain: string; version: number }
export interface Dimension { dimValue?: number; dimParam?: string }
export interface TensorShape { dim: Dimension[] }
export interface TypeProto { tensorType?: { elemType: number; shape?: TensorShape } }
export interface ValueInfo { name: string; type?: TypeProto; docString?: string }

export interface TensorProto {
  dims: number[];
  dataType: number;
  name: string;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  rawData?: Uint8Array;
  externalData?: StringStringEntry[];
  dataLocation?: number;
  docString?: string;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  sparseTensor?: SparseTensorProto;
  sparseTensors?: SparseTensorProto[];
  refAttrName?: string;
  docString?: string;
}

export interface SparseTensorProto { values?: TensorProto; indices?: TensorProto; dims?: number[] }

/** A model-local function: its body's nodes, and default attribute values, may hold tensors like a graph's. */
export interface FunctionProto { name?: string; domain?: string; node?: NodeProto[]; attributeProto?: AttributeProto[] }

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
  docString?: string;
}

export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo: ValueInfo[];
  sparseInitializer?: unknown[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImport: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: GraphProto;
  metadataProps: StringStringEntry[];
  functions: unknown[];
}

let root: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: false }).root;
  return root.lookupType('onnx.ModelProto');
}

/** Fills repeated fields that protobufjs leaves undefined on empty messages, so callers can iterate. */
function normalizeGraph(g: GraphProto): GraphProto {
  g.node ??= [];
  g.initializer ??= [];
  g.input ??= [];
  g.output ??= [];
  g.valueInfo ??= [];
  for (const n of g.node) {
    n.input ??= [];
    n.output ??= [];
    n.attribute ??= [];
    n.domain ??= '';
    n.name ??= '';
    for (const a of n.attribute) {
      if (a.g) normalizeGraph(a.g);
      if (a.graphs) a.graphs.forEach(normalizeGraph);
    }
  }
  for (const t of g.initializer) t.dims ??= [];
  return g;
}

/** Decodes a serialized ModelProto. Throws protobufjs errors on malformed input (callers wrap them). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const t = modelType();
  const msg = t.decode(bytes) as unknown as ModelProto;
  const m = msg;
  m.opsetImport ??= [];
  m.metadataProps ??= [];
  m.functions ??= [];
  if (m.graph) normalizeGraph(m.graph);
  return m;
}

export function encodeModelProto(model: ModelProto): Uint8Array {
  const t = modelType();
  return t.encode(t.fromObject(model as unknown as Record<string, unknown>)).finish();
}
