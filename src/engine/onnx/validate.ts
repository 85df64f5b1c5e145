// The structural checks a model passes before anything runs it (check, inspect, gradcheck, sweep): opsets,
// operators and their arity, tensor data that matches its type and shape, names defined once and before use
// (topological order, no cycles), graph outputs that exist. One linear pass over the graph, so a 100k-node model
// is checked in well under a second. The first problem is thrown as a ModelError naming node (name, index, op)
// and input, so that onnxruntime's own text (C++ paths and all) never has to reach the user.
import { ModelError } from './errors';
import { AttributeProto, AttributeType, DataType, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfo } from './proto';
import { arityAt, DEFAULT_DOMAIN_OPS, KNOWN_DOMAINS, MAX_DEFAULT_OPSET } from './opTable';
import { safeName } from '../util/readGate';
import { ATTRIBUTE_TYPE_NAMES, ATTRIBUTE_TYPES, CONSTANT_VALUES, FLAG_ATTRIBUTES, requiredAttributes } from './attributeTable';
import { TypeScope, typeName } from './typeCheck';

/** A sparse initializer's dense form is built by onnxruntime at load: its size is capped like a dense tensor's. */
export const MAX_DENSE_BYTES = 2 ** 31 - 1;

/** Element types of the ONNX IR (TensorProto.DataType), UNDEFINED excluded. */
const KNOWN_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);

interface SparseTensor { values?: TensorProto; indices?: TensorProto; dims?: number[] }

/** Bytes of `count` elements of `dataType` in raw_data (4-bit types packed two to a byte); 0: not stored raw (string). */
function rawBytes(dataType: number, count: number): number {
  switch (dataType) {
    case DataType.DOUBLE: case DataType.INT64: case DataType.UINT64: case 14: return count * 8; // 14: complex64
    case 15: return count * 16; // complex128
    case DataType.FLOAT: case DataType.INT32: case DataType.UINT32: return count * 4;
    case DataType.FLOAT16: case DataType.BFLOAT16: case DataType.INT16: case DataType.UINT16: return count * 2;
    case 21: case 22: case 23: return Math.ceil(count / 2); // uint4, int4, float4e2m1
    case DataType.STRING: return 0;
    default: return count; // int8, uint8, bool, the float8 types
  }
}

/** The typed field (TensorProto's `*_data`) the specification stores each data type's values in, and how many per element. */
function typedField(dataType: number): { field: 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' | 'stringData'; per: number } {
  switch (dataType) {
    case DataType.FLOAT: return { field: 'floatData', per: 1 };
    case 14: return { field: 'floatData', per: 2 };
    case DataType.DOUBLE: return { field: 'doubleData', per: 1 };
    case 15: return { field: 'doubleData', per: 2 };
    case DataType.INT64: return { field: 'int64Data', per: 1 };
    case DataType.UINT32: case DataType.UINT64: return { field: 'uint64Data', per: 1 };
    case DataType.STRING: return { field: 'stringData', per: 1 };
    default: return { field: 'int32Data', per: 1 }; // int32, int16, int8, uint16, uint8, bool, float16, bfloat16, float8 (4-bit types: packed two per entry)
  }
}

const TYPED_FIELDS = ['floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'stringData'] as const;
const FIELD_NAMES: Readonly<Record<(typeof TYPED_FIELDS)[number], string>> = {
  floatData: 'float_data', int32Data: 'int32_data', int64Data: 'int64_data', doubleData: 'double_data', uint64Data: 'uint64_data', stringData: 'string_data',
};

const isDefault = (domain: string | undefined) => !domain || domain === 'ai.onnx';

function nodeLabel(n: NodeProto, i: number): string {
  const name = n.name ? `'${safeName(n.name)}' ` : '';
  const op = n.domain && !isDefault(n.domain) ? `${safeName(n.domain, 40)}.${safeName(n.opType, 60)}` : safeName(n.opType, 60);
  return `node ${name}(#${i}, ${op || 'no op type'})`;
}

class Checker {
  constructor(private readonly where: string) {}

  fail(code: string, problem: string, hint?: string): never {
    throw new ModelError(code, `${this.where}: ${problem}`, hint);
  }

  /** Dims are non-negative whole numbers whose product stays within `maxBytes` at `size` bytes each. */
  dims(what: string, dims: readonly number[], size: number, maxBytes = MAX_DENSE_BYTES): number {
    let count = 1;
    for (const d of dims) {
      if (!Number.isSafeInteger(d) || d < 0) this.fail('onnx/invalid-tensor', `${what} has a dimension ${d}, not a size`, 'export the model again');
      count *= d;
    }
    if (count * Math.max(size, 1) > maxBytes) {
      this.fail('onnx/too-large', `${what} has shape [${dims.slice(0, 8).join(', ')}${dims.length > 8 ? ', …' : ''}]: ${count} elements, over the ${maxBytes} bytes a tensor may hold`);
    }
    return count;
  }

  /** One data field, of the kind the data type is stored in, holding exactly the elements the shape has (ONNX IR, TensorProto). */
  tensor(t: TensorProto, what: string): void {
    const label = `${what} '${safeName(t.name ?? '')}'`;
    if (!KNOWN_TYPES.has(t.dataType)) this.fail('onnx/invalid-tensor', `${label} has data type ${t.dataType}, which ONNX does not define`, 'export the model again');
    const count = this.dims(label, t.dims ?? [], Math.max(1, rawBytes(t.dataType, 1)));
    if (t.dataLocation === 1) return; // external data was checked (and inlined) by loadExternalData
    const shape = `[${(t.dims ?? []).join(', ')}]`;
    const raw = t.rawData?.byteLength ?? 0;
    const fields = TYPED_FIELDS.filter((f) => ((t as unknown as Record<string, unknown[] | undefined>)[f]?.length ?? 0) > 0);
    if (raw > 0 && fields.length > 0) {
      this.fail('onnx/invalid-tensor', `${label} holds its values twice, in raw_data and in ${FIELD_NAMES[fields[0]!]}; a tensor has one data field`, 'export the model again');
    }
    if (fields.length > 1) this.fail('onnx/invalid-tensor', `${label} holds values in both ${FIELD_NAMES[fields[0]!]} and ${FIELD_NAMES[fields[1]!]}; a tensor has one data field`, 'export the model again');
    if (raw > 0) {
      if (t.dataType === DataType.STRING) this.fail('onnx/invalid-tensor', `${label} is a string tensor with raw_data; strings are stored in string_data`, 'export the model again');
      const need = rawBytes(t.dataType, count);
      if (raw !== need) {
        this.fail('onnx/invalid-tensor', `${label} holds ${raw} bytes of data; its shape ${shape} and type ${typeName(t.dataType)} need ${need}`,
          'the file is corrupt, or was edited by hand; export the model again');
      }
      return;
    }
    const { field, per } = typedField(t.dataType);
    if (fields.length === 1 && fields[0] !== field) {
      this.fail('onnx/invalid-tensor', `${label} is ${typeName(t.dataType)} but holds its values in ${FIELD_NAMES[fields[0]!]}; that type's values go in ${FIELD_NAMES[field]} or raw_data`, 'export the model again');
    }
    const typed = fields.length === 1 ? (t as unknown as Record<string, unknown[]>)[field]!.length : 0;
    const packed = t.dataType === 21 || t.dataType === 22 || t.dataType === 23;
    const want = packed ? Math.ceil(count / 2) : count * per;
    if (typed === 0 && want > 0) {
      this.fail('onnx/invalid-tensor', `${label} holds no data; its shape ${shape} needs ${t.dataType === DataType.STRING ? `${count} strings` : `${rawBytes(t.dataType, count)} bytes`}`,
        'the weights were stripped or the export failed; export the model again');
    }
    if (typed !== want) {
      this.fail('onnx/invalid-tensor', `${label} holds ${typed} values; its shape ${shape} has ${count} elements${per > 1 ? ` (${want} values)` : ''}`, 'export the model again');
    }
  }

  sparse(s: SparseTensor, i: number): void {
    const name = s.values?.name ?? '';
    const what = `sparse initializer #${i} '${safeName(name)}'`;
    if (!s.values || !s.indices) this.fail('onnx/invalid-tensor', `${what} lacks its values or indices`);
    this.dims(what, s.dims ?? [], Math.max(1, rawBytes(s.values.dataType, 1)));
    this.tensor(s.values, `values of ${what}`);
    this.tensor(s.indices, `indices of ${what}`);
  }

  /** The attribute's type is set, and is the one the specification gives names like alpha, transB, axis (attributeTable.ts). */
  attribute(a: AttributeProto, label: { toString(): string }, defaultDomain: boolean): void {
    const name = safeName(a.name, 60);
    if (!a.name) this.fail('onnx/invalid-attribute', `${label} has an attribute without a name`, 'export the model again');
    if (!a.type && !a.refAttrName) this.fail('onnx/invalid-attribute', `${label} attribute '${name}' has no type`, 'export the model again');
    if (!defaultDomain || !Object.prototype.hasOwnProperty.call(ATTRIBUTE_TYPES, a.name)) return;
    const want = ATTRIBUTE_TYPES[a.name]!;
    if (a.type !== want && !a.refAttrName) {
      this.fail('onnx/invalid-attribute', `${label} attribute '${name}' is ${ATTRIBUTE_TYPE_NAMES[a.type] ?? a.type}; ONNX defines it as ${ATTRIBUTE_TYPE_NAMES[want]}`,
        'export the model again (onnx.checker.check_model finds this too)');
    }
    if (FLAG_ATTRIBUTES.has(a.name) && a.type === AttributeType.INT && Number(a.i ?? 0) !== 0 && Number(a.i ?? 0) !== 1) {
      this.fail('onnx/invalid-attribute', `${label} attribute '${name}' is ${a.i}; it is a flag, 0 or 1`, 'export the model again');
    }
  }

  attributeTensors(a: AttributeProto, label: string): void {
    if (a.t) this.tensor(a.t, `${label} attribute '${safeName(a.name)}'`);
    for (const t of a.tensors ?? []) this.tensor(t, `${label} attribute '${safeName(a.name)}'`);
  }
}

/** Functions the model defines itself (dynamo exports put ops in local functions), by `domain:name`. */
function localFunctions(model: ModelProto): Set<string> {
  const out = new Set<string>();
  for (const f of model.functions as { name?: string; domain?: string }[]) out.add(`${f.domain ?? ''}:${f.name ?? ''}`);
  return out;
}

/** Throws a ModelError at the first structural problem of `model`; `where` names the file. */
export function validateModel(model: ModelProto, where: string): void {
  const c = new Checker(where);
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport) {
    const domain = isDefault(o.domain) ? '' : o.domain;
    const v = Number(o.version);
    if (opsets.has(domain)) c.fail('onnx/bad-opset', `the opset of domain '${safeName(domain || 'ai.onnx', 60)}' is imported twice`);
    if (!Number.isSafeInteger(v) || v < 1) c.fail('onnx/bad-opset', `the model imports opset ${v} of '${safeName(domain || 'ai.onnx', 60)}'; opsets start at 1`, 'export the model again');
    opsets.set(domain, v);
  }
  const opset = opsets.get('');
  if (opset === undefined && model.graph.node.some((n) => isDefault(n.domain))) {
    c.fail('onnx/bad-opset', 'the model imports no opset of the default ONNX domain', 'export the model with an opset_import entry (onnx.helper.make_opsetid("", 17))');
  }
  if (opset !== undefined && opset > MAX_DEFAULT_OPSET) {
    c.fail('onnx/bad-opset', `the model imports ONNX opset ${opset}; onnxruntime here supports opsets 1–${MAX_DEFAULT_OPSET}`, 'export the model at a lower opset');
  }
  if (model.graph.output.length === 0) c.fail('onnx/no-outputs', 'the graph declares no outputs', 'export the model again with its outputs');
  const fail = (code: string, problem: string, hint?: string): never => c.fail(code, problem, hint);
  validateGraph(model.graph, c, opsets, localFunctions(model), new Set(), new TypeScope(fail), Number(model.irVersion) >= 2);
}

/** A graph input's or output's declared type: an element type ONNX defines, and dims that are sizes. */
function valueInfo(v: ValueInfo, what: string, c: Checker, main: boolean): void {
  const tt = v.type?.tensorType;
  if (!tt) return;
  const elem = tt.elemType;
  if (!elem && main) c.fail('onnx/invalid-tensor', `${what} '${safeName(v.name)}' declares no element type`, 'export the model again');
  if (elem && !KNOWN_TYPES.has(elem)) c.fail('onnx/invalid-tensor', `${what} '${safeName(v.name)}' has element type ${elem}, which ONNX does not define`, 'export the model again');
  (tt.shape?.dim ?? []).forEach((d, k) => {
    if (d.dimValue === undefined || d.dimValue === null || d.dimParam) return;
    const size = Number(d.dimValue);
    if (size < 0) c.fail('onnx/invalid-tensor', `${what} '${safeName(v.name)}' declares dimension ${k} as ${d.dimValue}, not a size`, 'export the model again');
    if (!Number.isSafeInteger(size)) c.fail('onnx/invalid-tensor', `${what} '${safeName(v.name)}' declares dimension ${k} as ${d.dimValue}, more elements than any tensor holds`, 'export the model again');
  });
}

function validateGraph(g: GraphProto, c: Checker, opsets: Map<string, number>, functions: Set<string>, outer: ReadonlySet<string>, types: TypeScope, typedAttributes: boolean): void {
  const defined = new Set<string>(outer);
  const initializers = new Set<string>();
  g.initializer.forEach((t, i) => {
    if (!t.name) c.fail('onnx/invalid-tensor', `initializer #${i} has no name`);
    if (initializers.has(t.name)) c.fail('onnx/duplicate-name', `two initializers are named '${safeName(t.name)}'`, 'tensor names must be unique');
    initializers.add(t.name);
    c.tensor(t, 'initializer');
    types.tensor(t);
  });
  ((g.sparseInitializer ?? []) as SparseTensor[]).forEach((s, i) => {
    c.sparse(s, i);
    if (s.values?.name) initializers.add(s.values.name);
  });
  for (const n of initializers) defined.add(n);
  const inputs = new Set<string>();
  for (const v of g.input) {
    if (inputs.has(v.name)) c.fail('onnx/duplicate-name', `two graph inputs are named '${safeName(v.name)}'`, 'tensor names must be unique');
    inputs.add(v.name);
    defined.add(v.name); // old IR versions list initializers among the inputs too: same name, same tensor
    valueInfo(v, 'graph input', c, outer.size === 0);
    if (!initializers.has(v.name)) types.input(v);
  }

  const produced = new Map<string, number>();
  g.node.forEach((n, i) => {
    // Built only for a message: escaping every node's name would cost more than the checks.
    let shown: string | undefined;
    const label = { toString: () => (shown ??= nodeLabel(n, i)) };
    if (!n.opType) c.fail('onnx/invalid-node', `${label} has no op type`);
    const domain = isDefault(n.domain) ? '' : n.domain;
    const version = opsets.get(domain);
    const local = functions.has(`${n.domain}:${n.opType}`);
    if (version === undefined && !local) {
      c.fail('onnx/unknown-domain', `${label} uses domain '${safeName(domain || 'ai.onnx', 60)}', which the model does not import`, 'export the model again');
    }
    if (!local && !KNOWN_DOMAINS.has(domain)) {
      c.fail('onnx/unknown-domain', `${label} uses domain '${safeName(domain, 60)}', which neither onnxruntime nor the model's own functions define`,
        'custom ops need a custom onnxruntime build; export with standard ONNX ops');
    }
    if (domain === '' && !local) {
      const known = Object.prototype.hasOwnProperty.call(DEFAULT_DOMAIN_OPS, n.opType) ? DEFAULT_DOMAIN_OPS[n.opType] : undefined;
      if (!known) {
        c.fail('onnx/unknown-op', `${label}: '${safeName(n.opType, 60)}' is not an ONNX operator`, 'check the op type, or export with standard ONNX ops');
      }
      if (known.since > version!) {
        c.fail('onnx/unknown-op', `${label}: ${n.opType} first appears in opset ${known.since}, but the model imports opset ${version}`, `export the model at opset ${known.since} or later`);
      }
      const sig = arityAt(n.opType, version!, known);
      // Trailing empty names are omitted optional inputs: they do not count towards the arity.
      let given = n.input.length;
      while (given > 0 && n.input[given - 1] === '') given--;
      if (given < sig.inputs[0] || n.input.length > sig.inputs[1]) {
        c.fail('onnx/bad-arity', `${label} has ${n.input.length} input${n.input.length === 1 ? '' : 's'}; ${n.opType} at opset ${version} takes ${rangeText(sig.inputs)}`, 'export the model again');
      }
      if (n.output.length < sig.outputs[0] || n.output.length > sig.outputs[1]) {
        c.fail('onnx/bad-arity', `${label} has ${n.output.length} output${n.output.length === 1 ? '' : 's'}; ${n.opType} at opset ${version} has ${rangeText(sig.outputs)}`, 'export the model again');
      }
    }
    n.input.forEach((name, k) => {
      if (name === '' || defined.has(name)) return;
      const later = g.node.findIndex((m, j) => j >= i && m.output.includes(name));
      if (later < 0) {
        c.fail('onnx/undefined-input', `${label} input ${k} '${safeName(name)}' is not a graph input, an initializer or the output of any node`,
          'a weight (initializer) is missing, or the graph was cut; export the model again');
      }
      c.fail(cycleThrough(g, i) ? 'onnx/cycle' : 'onnx/not-sorted',
        cycleThrough(g, i)
          ? `${label} input ${k} '${safeName(name)}' depends on the node's own output: the graph has a cycle`
          : `${label} input ${k} '${safeName(name)}' is produced later, by ${nodeLabel(g.node[later]!, later)}: the nodes are not in topological order`,
        'export the model again (onnx.checker.check_model finds this too)');
    });
    if (domain === '' && !local) requiredAttributesOf(n, version!, label, c);
    for (const a of n.attribute) {
      if (typedAttributes) c.attribute(a, label, domain === '' && !local);
      c.attributeTensors(a, String(label));
      if (a.t && n.opType === 'Constant' && n.output[0]) types.tensor({ ...a.t, name: n.output[0] });
      // Subgraphs (If, Loop, Scan bodies) may read every name defined so far in the enclosing graph.
      if (a.g) validateGraph(a.g, c, opsets, functions, defined, new TypeScope((code, problem, hint) => c.fail(code, problem, hint), types), typedAttributes);
      for (const sub of a.graphs ?? []) validateGraph(sub, c, opsets, functions, defined, new TypeScope((code, problem, hint) => c.fail(code, problem, hint), types), typedAttributes);
    }
    if (domain === '' && !local) types.node(n, label);
    n.output.forEach((name) => {
      if (name === '') return;
      if (defined.has(name) || produced.has(name)) {
        const first = produced.get(name);
        c.fail('onnx/duplicate-name', `${label} output '${safeName(name)}' is ${first !== undefined ? `also the output of ${nodeLabel(g.node[first]!, first)}` : 'also a graph input or initializer'}`,
          'tensor names must be unique (SSA); export the model again');
      }
      produced.set(name, i);
      defined.add(name);
    });
  });
  for (const v of g.output) {
    if (!defined.has(v.name)) c.fail('onnx/undefined-output', `graph output '${safeName(v.name)}' is not produced by any node, nor an input or initializer`, 'export the model again');
    valueInfo(v, 'graph output', c, outer.size === 0);
    types.output(v);
  }
}

/** A default-domain node has the attributes its op requires at the model's opset (and a Constant exactly one value). */
function requiredAttributesOf(n: NodeProto, opset: number, label: { toString(): string }, c: Checker): void {
  for (const name of requiredAttributes(n.opType, opset)) {
    if (!n.attribute.some((a) => a.name === name)) {
      c.fail('onnx/invalid-attribute', `${label} lacks the attribute '${name}', which ${n.opType} requires`, 'export the model again');
    }
  }
  if (n.opType === 'Constant') {
    const values = n.attribute.filter((a) => CONSTANT_VALUES.has(a.name)).length;
    if (values !== 1) c.fail('onnx/invalid-attribute', `${label} has ${values} value attributes; a Constant has exactly one`, 'export the model again');
  }
}

function rangeText([lo, hi]: readonly [number, number]): string {
  if (lo === hi) return String(lo);
  return hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
}

/** Whether node `start` is reachable from its own outputs (only asked once a problem is found, so its cost is fine). */
function cycleThrough(g: GraphProto, start: number): boolean {
  const consumers = new Map<string, number[]>();
  g.node.forEach((n, j) => n.input.forEach((name) => {
    if (!name) return;
    const list = consumers.get(name);
    if (list) list.push(j); else consumers.set(name, [j]);
  }));
  const seen = new Set<number>();
  const stack = [...g.node[start]!.output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    for (const j of consumers.get(name) ?? []) {
      if (j === start) return true;
      if (seen.has(j)) continue;
      seen.add(j);
      stack.push(...g.node[j]!.output);
    }
  }
  return false;
}
