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
  /** Value of a float constant/initializer input (e.g. a `Pow` exponent), or undefined if computed. */
  constantFloats(name: string): number[] | undefined;
  /** Name of forward output i of `node`; an omitted optional output (MaxPool's indices, LayerNormalization's
   *  mean and inverse std) is added to the forward node, so the backward pass reuses it instead of recomputing. */
  forwardOutput(i: number): string;
}

/** Returns one gradient tensor name (or null = none) per forward input, given one (or null) per forward output. */
export type GradRule = (ctx: GradContext, dy: (string | null)[]) => (string | null)[];
/** A rule of an op whose one output carries the gradient: it receives that output's gradient, never null. */
export type OneOutputRule = (ctx: GradContext, dy: string) => (string | null)[];

export type RegistryEntry =
  | { kind: 'rule'; rule: GradRule; minOpset?: number; maxOpset?: number }
  | { kind: 'nonDifferentiable' }
  | { kind: 'notImplemented'; reason: string };

/** The scalar loss the gradient graph differentiates; every loss is a mean over examples (and positions). */
export type LossSpec =
  /** Mean cross-entropy of `output` logits [..., classes] against int64 class indices fed as `labels` [...]. */
  | { kind: 'cross-entropy'; output: string; labels: string }
  /** Mean over all elements of (output − targets)², `targets` fed with the output's shape. */
  | { kind: 'mse'; output: string; targets: string }
  /** Σ over the named outputs of ⟨R, output⟩, R fed as the input `weights[output]` (used by gradcheck). */
  | { kind: 'weighted-sum'; weights: Record<string, string> };

export interface GradientGraphSpec {
  model: import('../onnx/proto').ModelProto;
  /** Float parameters (initializers or Constant outputs) to differentiate; they become graph inputs. */
  parameters: string[];
  loss: LossSpec;
  /** Static shapes of the model's data inputs that the gradient graph is specialised to. */
  feedShapes: Record<string, number[]>;
  /** Data fed to the probe run that measures static shapes (default: zeros at feedShapes). Real values matter where
   *  an input picks a branch, e.g. a sample rate that an If tests. */
  probeFeeds?: import('../onnx/runtime').Feeds;
  /** Extra forward tensors to expose as outputs of the gradient graph (e.g. for paired metrics). */
  keepOutputs?: string[];
}

export interface GradientGraph {
  /** Inputs: the model's data inputs, every parameter, and the loss's inputs. Outputs: loss, then one gradient per parameter, then keepOutputs. */
  model: import('../onnx/proto').ModelProto;
  lossOutput: string;
  /** Parameter name → name of its gradient output. */
  gradOutputs: Record<string, string>;
  /** If nodes inlined before differentiating (their condition was decided by constants, shapes and integer inputs). */
  inlined: import('./staticIf').InlinedIf[];
}
