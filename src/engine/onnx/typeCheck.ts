// Element types and contraction sizes that onnxruntime's graph resolution would refuse, found first: a light forward
// inference over the ops whose type constraints the ONNX operator specification states as one type variable T shared
// by several inputs (Add's A and B, Gemm's A, B and C, Conv's X, W and B, …), and the sizes a MatMul, Gemm or Conv
// contracts over when both sides are known (a declared input dim against a weight's). Ops outside these tables are
// not inferred (their outputs are unknown, and nothing downstream of them is checked): no false refusals.
import { attr } from './attributes';
import { AttributeType, DataType, NodeProto, TensorProto, ValueInfo } from './proto';
import { dtypeName } from './tensor';
import { safeName } from '../util/readGate';

export type Fail = (code: string, problem: string, hint?: string) => never;

/** What is known of a tensor: its element type and, when static, its dims (null entries: unknown). */
export interface Known { elem?: number; dims?: (number | null)[] }

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);
/** Numeric types every arithmetic op of the spec takes (no string, bool or complex). */
const NUMERIC = new Set<number>([1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 16]);

interface OpTypes {
  /** Inputs that share the type variable T (the output's type, unless `out` says otherwise). */
  same: number[];
  /** The types T may take. */
  allowed: ReadonlySet<number>;
}

const numeric = (...same: number[]): OpTypes => ({ same, allowed: NUMERIC });
const float = (...same: number[]): OpTypes => ({ same, allowed: FLOATS });
/** Any type (data movement): T is only propagated. */
const any = (...same: number[]): OpTypes => ({ same, allowed: ALL });
const ALL = new Set<number>(Array.from({ length: 24 }, (_, i) => i + 1));

/** ai.onnx ops by name: their shared-T inputs and the types T allows (ONNX operator specification, docs/Operators.md). */
const OP_TYPES: Readonly<Record<string, OpTypes>> = {
  Add: numeric(0, 1), Sub: numeric(0, 1), Mul: numeric(0, 1), Div: numeric(0, 1), MatMul: numeric(0, 1), Gemm: numeric(0, 1, 2),
  PRelu: numeric(0, 1), Max: numeric(0, 1, 2, 3), Min: numeric(0, 1, 2, 3), Sum: numeric(0, 1, 2, 3), Mean: float(0, 1, 2, 3),
  Relu: numeric(0), Neg: numeric(0), Abs: numeric(0), Clip: numeric(0, 1, 2), ReduceMean: numeric(0), ReduceSum: numeric(0),
  Conv: float(0, 1, 2), ConvTranspose: float(0, 1, 2), Sigmoid: float(0), Tanh: float(0), Softmax: float(0), LogSoftmax: float(0),
  Exp: float(0), Log: float(0), Sqrt: float(0), Gelu: float(0), Elu: float(0), Selu: float(0), LeakyRelu: float(0),
  AveragePool: float(0), GlobalAveragePool: float(0), BatchNormalization: float(0), InstanceNormalization: float(0, 1, 2),
  LayerNormalization: float(0),
  Identity: any(0), Transpose: any(0), Flatten: any(0), Reshape: any(0), Squeeze: any(0), Unsqueeze: any(0), Concat: any(0, 1, 2, 3),
  Slice: any(0), Gather: any(0), Expand: any(0), Tile: any(0), Where: any(1, 2), Dropout: any(0), MaxPool: any(0), GlobalMaxPool: any(0),
};

/** Ops whose output 0 has a fixed type, whatever the inputs. */
const FIXED_OUTPUT: Readonly<Record<string, number>> = { Shape: DataType.INT64, Size: DataType.INT64, NonZero: DataType.INT64 };

/** Index inputs: int32 or int64 only. */
const INDEX_INPUTS: Readonly<Record<string, number[]>> = { Gather: [1], GatherElements: [1], Reshape: [1], Expand: [1], Tile: [1] };

const MORE_NAMES: Readonly<Record<number, string>> = {
  14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

/** The element type's name (`float32`, `complex64`, …), or its number when ONNX does not define it. */
export function typeName(elem: number): string {
  const name = dtypeName(elem);
  return name !== 'undefined' ? name : MORE_NAMES[elem] ?? `data type ${elem}`;
}

export class TypeScope {
  private readonly known: Map<string, Known>;

  constructor(private readonly fail: Fail, outer?: TypeScope) {
    this.known = new Map(outer?.known);
  }

  get(name: string): Known | undefined {
    return this.known.get(name);
  }

  tensor(t: TensorProto): void {
    this.known.set(t.name, { elem: t.dataType, dims: (t.dims ?? []).map(Number) });
  }

  /** A graph input: its declared element type and dims (symbolic dims unknown). */
  input(v: ValueInfo): void {
    const tt = v.type?.tensorType;
    if (!tt) return;
    const dims = tt.shape?.dim?.map((d) => (d.dimValue !== undefined && d.dimValue !== null && !d.dimParam ? Number(d.dimValue) : null));
    this.known.set(v.name, { ...(tt.elemType ? { elem: tt.elemType } : {}), ...(dims ? { dims } : {}) });
  }

  /** Checks a node's inputs against its op's type constraints and records what its outputs are. */
  node(n: NodeProto, label: { toString(): string }): void {
    const spec = Object.prototype.hasOwnProperty.call(OP_TYPES, n.opType) ? OP_TYPES[n.opType] : undefined;
    let t: number | undefined;
    let from = -1;
    for (const k of spec?.same ?? []) {
      const name = n.input[k];
      const elem = name ? this.known.get(name)?.elem : undefined;
      if (elem === undefined) continue;
      if (!spec!.allowed.has(elem)) {
        this.fail('onnx/type-mismatch', `${label} input ${k} '${shown(n, k)}' is ${typeName(elem)}; ${n.opType} takes ${allowedText(spec!.allowed)}`,
          'export the model again, or cast the input');
      }
      if (t === undefined) {
        t = elem;
        from = k;
      } else if (elem !== t) {
        this.fail('onnx/type-mismatch', `${label} input ${k} '${shown(n, k)}' is ${typeName(elem)} but input ${from} '${shown(n, from)}' is ${typeName(t)}; ${n.opType} takes one element type for both`,
          'export the model again (onnx.checker.check_model(m, full_check=True) finds this too)');
      }
    }
    for (const k of INDEX_INPUTS[n.opType] ?? []) {
      const name = n.input[k];
      const elem = name ? this.known.get(name)?.elem : undefined;
      if (elem !== undefined && elem !== DataType.INT32 && elem !== DataType.INT64) {
        this.fail('onnx/type-mismatch', `${label} input ${k} '${shown(n, k)}' is ${typeName(elem)}; ${n.opType} takes int32 or int64 indices there`, 'export the model again');
      }
    }
    this.contraction(n, label);
    const out = n.output[0];
    if (!out) return;
    const cast = n.opType === 'Cast' ? attr(n, 'to') : undefined;
    const elem = cast ? Number(cast.i ?? 0) || undefined : FIXED_OUTPUT[n.opType] ?? (spec ? t : undefined);
    const dims = UNARY_SHAPE.has(n.opType) ? this.known.get(n.input[0] ?? '')?.dims : undefined;
    if (elem !== undefined || dims) this.known.set(out, { ...(elem !== undefined ? { elem } : {}), ...(dims ? { dims } : {}) });
  }

  /** A declared graph output whose element type differs from what its producer gives. */
  output(v: ValueInfo): void {
    const declared = v.type?.tensorType?.elemType;
    const inferred = this.known.get(v.name)?.elem;
    if (declared && inferred !== undefined && declared !== inferred) {
      this.fail('onnx/type-mismatch', `graph output '${safeName(v.name)}' is declared ${typeName(declared)}, but its producer gives ${typeName(inferred)}`, 'export the model again');
    }
  }

  /** The sizes MatMul, Gemm and Conv contract over, when both are known. */
  private contraction(n: NodeProto, label: { toString(): string }): void {
    const a = this.known.get(n.input[0] ?? '')?.dims;
    const b = this.known.get(n.input[1] ?? '')?.dims;
    if (!a || !b) return;
    let ka: number | null | undefined;
    let kb: number | null | undefined;
    let what = '';
    if (n.opType === 'Gemm') {
      if (a.length !== 2 || b.length !== 2) {
        this.fail('onnx/shape-mismatch', `${label} takes two matrices, but input 0 '${shown(n, 0)}' has rank ${a.length} and input 1 '${shown(n, 1)}' rank ${b.length}`, 'export the model again');
      }
      ka = flag(n, 'transA') ? a[0] : a[1];
      kb = flag(n, 'transB') ? b[1] : b[0];
      what = 'the inner dimension of A·B';
    } else if (n.opType === 'MatMul') {
      if (a.length === 0 || b.length === 0) return;
      ka = a[a.length - 1];
      kb = b.length === 1 ? b[0] : b[b.length - 2];
      what = 'the inner dimension of A·B';
    } else if (n.opType === 'Conv') {
      const group = Number(attr(n, 'group')?.i ?? 1);
      if (a.length < 2 || b.length < 2) return;
      ka = a[1];
      kb = typeof b[1] === 'number' ? b[1] * group : null;
      what = `the input channels (weight dim 1 × group ${group})`;
    } else {
      return;
    }
    if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
      this.fail('onnx/shape-mismatch', `${label}: ${what} is ${ka} in input 0 '${shown(n, 0)}' [${a.map((d) => d ?? '?').join(', ')}] but ${kb} in input 1 '${shown(n, 1)}' [${b.map((d) => d ?? '?').join(', ')}]`,
        'the model input\'s declared shape does not fit the weights; export the model again');
    }
  }
}

/** An input's name as a message may quote it. */
function shown(n: NodeProto, k: number): string {
  return safeName(n.input[k] ?? '');
}

/** Ops whose output 0 has the shape of input 0. */
const UNARY_SHAPE = new Set(['Relu', 'Sigmoid', 'Tanh', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Gelu', 'Elu', 'Selu', 'LeakyRelu', 'Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'Cast']);

const flag = (n: NodeProto, name: string) => {
  const a = attr(n, name);
  return a !== undefined && a.type === AttributeType.INT && Number(a.i ?? 0) !== 0;
};

function allowedText(allowed: ReadonlySet<number>): string {
  if (allowed === FLOATS) return 'float types only (float16, float32, float64, bfloat16)';
  if (allowed === NUMERIC) return 'numbers only (no string, bool or complex)';
  return [...allowed].map(typeName).join(', ');
}
