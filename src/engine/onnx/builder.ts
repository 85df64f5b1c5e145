// Emits ONNX nodes with unique names; hides opset differences (attributes that became inputs).
import { AttrValue, makeAttribute } from './attributes';
import { DataType, NodeProto, TensorProto } from './proto';
import { floatTensor, int64Tensor, makeTensor } from './tensor';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used: Set<string>;
  private counter = 0;

  /**
   * @param opset default-domain opset the emitted nodes must be valid for
   * @param prefix prefix of every generated name, e.g. `grad/`
   * @param taken names already in the graph, never reused
   */
  constructor(readonly opset: number, readonly prefix = '', taken: Iterable<string> = []) {
    this.used = new Set(taken);
  }

  /** A fresh tensor/node name based on `hint`. */
  name(hint: string): string {
    let n = `${this.prefix}${hint}`;
    while (this.used.has(n)) n = `${this.prefix}${hint}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  /** Adds a node and returns its output names (`outputs` = count, or explicit names). */
  node(opType: string, inputs: string[], outputs: number | string[] = 1, attrs: Record<string, AttrValue | undefined> = {}, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => this.name(`${opType}_out${i}`)) : outputs;
    for (const o of outs) this.used.add(o);
    const attribute = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => makeAttribute(k, v as AttrValue));
    this.nodes.push({ opType, input: inputs, output: outs, name: this.name(opType), domain, attribute });
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outName?: string): string {
    return this.node(opType, inputs, outName ? [outName] : 1, attrs)[0];
  }

  initializer(t: TensorProto): string {
    this.used.add(t.name);
    this.initializers.push(t);
    return t.name;
  }

  constFloat(values: number[] | Float32Array, dims: number[] = [values.length], hint = 'const'): string {
    return this.initializer(floatTensor(this.name(hint), dims, values));
  }

  scalarFloat(value: number, hint = 'c'): string {
    return this.initializer(floatTensor(this.name(hint), [], [value]));
  }

  constInt64(values: number[], dims: number[] = [values.length], hint = 'ints'): string {
    return this.initializer(int64Tensor(this.name(hint), dims, values));
  }

  scalarOfType(value: number, dataType: number, hint = 'c'): string {
    return this.initializer(makeTensor(this.name(hint), [], [value], dataType));
  }

  // Opset-dependent ops: the axes moved from an attribute to an input in these versions.

  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceL2', x: string, axes: number[] | null, keepdims: boolean): string {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    const kd = keepdims ? 1 : 0;
    if (axes === null) return this.op(op, [x], { keepdims: kd });
    if (axesAsInput) return this.op(op, [x, this.constInt64(axes, [axes.length], 'axes')], { keepdims: kd });
    return this.op(op, [x], { axes, keepdims: kd });
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.constInt64(axes, [axes.length], 'axes')]) : this.op('Unsqueeze', [x], { axes });
  }

  squeeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.constInt64(axes, [axes.length], 'axes')]) : this.op('Squeeze', [x], { axes });
  }

  slice(x: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
    if (this.opset < 10) return this.op('Slice', [x], { starts, ends, axes });
    const inputs = [x, this.constInt64(starts, [starts.length], 'starts'), this.constInt64(ends, [ends.length], 'ends'), this.constInt64(axes, [axes.length], 'axes')];
    if (steps) inputs.push(this.constInt64(steps, [steps.length], 'steps'));
    return this.op('Slice', inputs);
  }

  /** Split `x` along `axis` into pieces of the given sizes. */
  split(x: string, sizes: number[], axis: number): string[] {
    if (this.opset < 13) return this.node('Split', [x], sizes.length, { axis, split: sizes });
    return this.node('Split', [x, this.constInt64(sizes, [sizes.length], 'split')], sizes.length, { axis });
  }

  /** Zero padding; `pads` = [begin_0, …, begin_n, end_0, …, end_n]. */
  pad(x: string, pads: number[]): string {
    if (pads.every((p) => p === 0)) return x;
    if (this.opset < 11) return this.op('Pad', [x], { pads, mode: 'constant' });
    return this.op('Pad', [x, this.constInt64(pads, [pads.length], 'pads')], { mode: 'constant' });
  }

  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.constInt64(shape, [shape.length], 'shape')]);
  }

  cast(x: string, to: DataType): string {
    return this.op('Cast', [x], { to });
  }

  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }
  neg(a: string): string { return this.op('Neg', [a]); }
}
