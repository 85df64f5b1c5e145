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

  reduce(op: `Reduce${'Sum' | 'Mean' | 'Max' | 'Min' | 'Prod' | 'L1' | 'L2' | 'LogSum' | 'LogSumExp' | 'SumSquare'}`, x: string, axes: number[] | null, keepdims: boolean): string {
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
    if (this.opset < 10) {
      if (steps?.some((k) => k !== 1)) throw new Error(`a strided Slice needs opset 10 or later (the model has opset ${this.opset})`);
      return this.op('Slice', [x], { starts, ends, axes });
    }
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

  /** α·A'·B' (no bias): Gemm's C is optional only from opset 11, so a broadcast zero stands in before. */
  gemm(a: string, b: string, opts: { transA?: boolean; transB?: boolean; alpha?: number; dataType?: number } = {}): string {
    const attrs = { transA: opts.transA ? 1 : 0, transB: opts.transB ? 1 : 0, alpha: opts.alpha === undefined || opts.alpha === 1 ? undefined : { float: opts.alpha } };
    if (this.opset >= 11) return this.op('Gemm', [a, b], attrs);
    return this.op('Gemm', [a, b, this.scalarOfType(0, opts.dataType ?? DataType.FLOAT, 'zero_bias')], attrs);
  }

  /** Zeros of a static shape made at run time: ConstantOfShape from opset 9, a tiled one-element zero before. */
  zeros(shape: number[], dataType: number): string {
    if (this.opset >= 9) {
      return this.op('ConstantOfShape', [this.constInt64(shape, [shape.length], 'shape')], { value: makeTensor('value', [1], [0], dataType) });
    }
    const one = this.initializer(makeTensor(this.name('zero'), shape.map(() => 1), [0], dataType));
    return shape.length === 0 ? one : this.op('Tile', [one, this.constInt64(shape, [shape.length], 'repeats')]);
  }

  /** Broadcasts `x` to a static shape: Expand from opset 8, an Add of zeros before. */
  expand(x: string, shape: number[], dataType = DataType.FLOAT): string {
    if (this.opset >= 8) return this.op('Expand', [x, this.constInt64(shape, [shape.length], 'shape')]);
    return this.add(x, this.zeros(shape, dataType));
  }

  /** Elementwise a == b for float tensors: Equal takes floats from opset 11; ¬(a < b ∨ a > b) before. */
  equalFloat(a: string, b: string): string {
    if (this.opset >= 11) return this.op('Equal', [a, b]);
    return this.op('Not', [this.op('Or', [this.op('Less', [a, b]), this.op('Greater', [a, b])])]);
  }

  /** [x > 0] as 0/1 of x's float type (Sign from opset 9 on a ReLU output; a cast comparison before). */
  positive(x: string, dataType = DataType.FLOAT): string {
    return this.cast(this.op('Greater', [x, this.scalarOfType(0, dataType, 'zero')]), dataType);
  }

  /** sign(x): Sign from opset 9, [x > 0] − [x < 0] before. */
  sign(x: string, dataType = DataType.FLOAT): string {
    if (this.opset >= 9) return this.op('Sign', [x]);
    const zero = this.scalarOfType(0, dataType, 'zero');
    return this.sub(this.cast(this.op('Greater', [x, zero]), dataType), this.cast(this.op('Less', [x, zero]), dataType));
  }

  /** Elementwise max of two broadcastable tensors: Max broadcasts from opset 8; b + relu(a − b) before. */
  max2(a: string, b: string): string {
    if (this.opset >= 8) return this.op('Max', [a, b]);
    return this.add(b, this.op('Relu', [this.sub(a, b)]));
  }

  /**
   * Writes `updates` into `data` at `indices` along `axis`: ScatterElements from opset 11 (with `add` reduction from
   * 16), Scatter in opsets 9 and 10 (no reduction); there is no scatter before opset 9.
   */
  scatterElements(data: string, indices: string, updates: string, axis: number, reduction?: 'add'): string {
    if (reduction && this.opset < 16) throw new Error(`a scatter that adds needs ScatterElements with reduction (opset 16 or later; the model has opset ${this.opset})`);
    if (this.opset >= 11) return this.op('ScatterElements', [data, indices, updates], { axis, reduction });
    if (this.opset >= 9) return this.op('Scatter', [data, indices, updates], { axis });
    throw new Error(`a scatter needs opset 9 or later (the model has opset ${this.opset})`);
  }

  /** x[…, index[…, 0]] along the last axis, index [..., 1] int64 (keeps the trailing 1): GatherElements from
   *  opset 11, a one-hot (OneHot, opset 9) product summed over the last axis before. */
  pickLast(x: string, index: string): string {
    if (this.opset >= 11) return this.op('GatherElements', [x, index], { axis: -1 });
    if (this.opset < 9) throw new Error(`picking a class needs opset 9 or later (the model has opset ${this.opset})`);
    const depth = this.op('Gather', [this.op('Shape', [x]), this.constInt64([-1], [1], 'last')], { axis: 0 });
    const onehot = this.op('OneHot', [this.squeeze(index, [-1]), depth, this.constFloat([0, 1], [2], 'off_on')], { axis: -1 });
    return this.reduce('ReduceSum', this.mul(x, onehot), [-1], true);
  }

  /** The k largest values and their indices along `axis`: K an input from opset 10, an attribute before. */
  topK(x: string, k: number, axis: number): [string, string] {
    const [values, indices] = this.opset >= 10 ? this.node('TopK', [x, this.constInt64([k], [1], 'k')], 2, { axis }) : this.node('TopK', [x], 2, { axis, k });
    return [values!, indices!];
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
