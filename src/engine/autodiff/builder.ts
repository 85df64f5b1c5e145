// The builder the backward pass writes into: names are scoped to the forward node being differentiated.
import { GraphBuilder } from '../onnx/builder';
import { makeTensor } from '../onnx/tensor';

export class GradBuilder extends GraphBuilder {
  /** Prefix of names made while differentiating one node, e.g. `/fc1/Gemm_grad/`. */
  scope = '';
  private readonly scalars = new Map<string, string>();

  override name(hint: string): string {
    return super.name(this.scope + hint);
  }

  /** A scalar initializer of the given ONNX data type, shared by every rule that asks for the same value. */
  scalar(value: number, dataType: number): string {
    const key = `${dataType}:${Object.is(value, -0) ? '-0' : value}`;
    let name = this.scalars.get(key);
    if (!name) {
      const saved = this.scope;
      this.scope = '';
      name = this.initializer(makeTensor(this.name(`grad/const_${value}`), [], [value], dataType));
      this.scope = saved;
      this.scalars.set(key, name);
    }
    return name;
  }
}
