// The contract between the gradient driver and the per-op rules (see ../../../../shared/STYLE.md, "Gradient rules").
import type { GraphBuilder } from '../onnx/builder';
import type { NodeProto } from '../onnx/proto';

/** What a rule may ask about the forward graph. Shapes are static: measured by a probe run at the feed shapes
 *  the gradient graph is built for (gradient graphs are specialised to those shapes). */
export interface GradContext {
  readonly node: NodeProto;
  readonly b: GraphBuilder;
  readonly opset: number;
  /** Static dims of a forward tensor. Throws if unknown. */
  shape(name: string): number[];
  /** ONNX data type (DataType enum value) of a forward tensor. */
  dataType(name: string): number;
  /** Whether input i of `node` needs a gradient (rules may skip work for false). */
  needs(i: number): boolean;
  /** Value of a constant/initializer input (axes, shapes, pads given as inputs), or undefined if computed. */
  constantInts(name: string): number[] | undefined;
}

/** Returns one gradient tensor name (or null = none) per forward input, given one (or null) per forward output. */
export type GradRule = (ctx: GradContext, dy: (string | null)[]) => (string | null)[];

export type RegistryEntry =
  | { kind: 'rule'; rule: GradRule; minOpset?: number; maxOpset?: number }
  | { kind: 'nonDifferentiable' }
  | { kind: 'notImplemented'; reason: string };
