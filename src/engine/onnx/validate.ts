// The structural checks a model passes before anything runs it (check, inspect, gradcheck, sweep): opsets,
// operators and their arity, tensor data that matches its type and shape, names defined once and before use
// (topological order, no cycles), graph outputs that exist. One linear pass over the graph, so a 100k-node model
// is checked in well under a second. The first problem is thrown as a ModelError naming node (name, index, op)
// and input, so that onnxruntime's own text (C++ paths and all) never has to reach the user.
import { ModelError } from './errors';
import { AttributeProto, DataType, GraphProto, ModelProto, NodeProto, TensorProto } from './proto';
import { arityAt, DEFAULT_DOMAIN_OPS, KNOWN_DOMAINS, MAX_DEFAULT_OPSET } from './opTable';
import { elementSize } from './tensor';
import { safeName } from '../util/readGate';

/** A sparse initializer's dense form is built by onnxruntime at load: its size is capped like a dense tensor's. */
export const MAX_DENSE_BYTES = 2 ** 31 - 1;

/** Element types of the ONNX IR (TensorProto.DataType), UNDEFINED excluded. */
const KNOWN_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);

interface SparseTensor { values?: TensorProto; indices?: TensorProto; dims?: number[] }

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

  tensor(t: TensorProto, what: string): void {
    const label = `${what} '${safeName(t.name ?? '')}'`;
    if (!KNOWN_TYPES.has(t.dataType)) this.fail('onnx/invalid-tensor', `${label} has data type ${t.dataType}, which ONNX does not define`, 'export the model again');
    const size = elementSize(t.dataType);
    const count = this.dims(label, t.dims ?? [], size);
    if (t.dataLocation === 1) return; // external data was checked (and inlined) by loadExternalData
    const raw = t.rawData?.byteLength ?? 0;
    if (raw > 0) {
      if (size > 0 && raw !== count * size) {
        this.fail('onnx/invalid-tensor', `${label} holds ${raw} bytes of data; its shape [${(t.dims ?? []).join(', ')}] and type need ${count * size}`,
          'the file is corrupt, or was edited by hand; export the model again');
      }
      return;
    }
    const typed = t.floatData?.length || t.int32Data?.length || t.int64Data?.length || t.doubleData?.length || t.uint64Data?.length || 0;
    // Values in the typed fields (one entry per element, float16 bits included): their number is the element count.
    if (typed > 0 && t.dataType !== DataType.STRING && size > 0 && typed !== count) {
      this.fail('onnx/invalid-tensor', `${label} holds ${typed} values; its shape [${(t.dims ?? []).join(', ')}] has ${count} elements`, 'export the model again');
    }
  }

  sparse(s: SparseTensor, i: number): void {
    const name = s.values?.name ?? '';
    const what = `sparse initializer #${i} '${safeName(name)}'`;
    if (!s.values || !s.indices) this.fail('onnx/invalid-tensor', `${what} lacks its values or indices`);
    const size = elementSize(s.values.dataType);
    this.dims(what, s.dims ?? [], size);
    this.tensor(s.values, `values of ${what}`);
    this.tensor(s.indices, `indices of ${what}`);
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
  validateGraph(model.graph, c, opsets, localFunctions(model), new Set());
}

function validateGraph(g: GraphProto, c: Checker, opsets: Map<string, number>, functions: Set<string>, outer: ReadonlySet<string>): void {
  const defined = new Set<string>(outer);
  const initializers = new Set<string>();
  g.initializer.forEach((t, i) => {
    if (!t.name) c.fail('onnx/invalid-tensor', `initializer #${i} has no name`);
    if (initializers.has(t.name)) c.fail('onnx/duplicate-name', `two initializers are named '${safeName(t.name)}'`, 'tensor names must be unique');
    initializers.add(t.name);
    c.tensor(t, 'initializer');
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
    const elem = v.type?.tensorType?.elemType;
    if (elem !== undefined && elem !== 0 && !KNOWN_TYPES.has(elem)) c.fail('onnx/invalid-tensor', `graph input '${safeName(v.name)}' has element type ${elem}, which ONNX does not define`);
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
    for (const a of n.attribute) {
      c.attributeTensors(a, String(label));
      // Subgraphs (If, Loop, Scan bodies) may read every name defined so far in the enclosing graph.
      if (a.g) validateGraph(a.g, c, opsets, functions, defined);
      for (const sub of a.graphs ?? []) validateGraph(sub, c, opsets, functions, defined);
    }
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
