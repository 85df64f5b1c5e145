// The benchmark's models and data, built in TypeScript with fixed seeds (no files, no downloads):
//   - the modular-addition MLP of issue 8: one-hot(a) ‖ one-hot(b) [226] → Gemm 512 → ReLU → Gemm 113, p = 113;
//   - a GPT-2-style decoder (2 layers, width 64, 4 heads, vocab 256, context 32), shaped like transformers'
//     GPT2LMHeadModel: learned positions, pre-LayerNorm blocks, causal softmax attention, tanh-GELU MLP (4×),
//     final LayerNorm, lm head tied to the token embedding.
// The fixture test/fixtures/torch/gpt2_tiny.onnx has the same architecture but a static [1, 16] input with the
// shapes folded into its Reshape constants, so it cannot be fed the benchmark's 16 × 32 batches; this graph can.
import { makeArray, NdArray } from '../src/engine/data/ndarray';
import { GraphBuilder } from '../src/engine/onnx/builder';
import { assembleModel } from '../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../src/engine/onnx/proto';
import { makeValueInfo } from '../src/engine/onnx/rewrite';
import { floatTensor } from '../src/engine/onnx/tensor';
import { Rng } from '../src/engine/util/random';

export interface BenchProblem {
  name: string;
  model: ModelProto;
  /** Float32 parameters, in model order. */
  parameters: string[];
  data: { inputs: Record<string, NdArray>; labels: NdArray };
  loss: { kind: 'cross-entropy'; output: string };
  batchSize: number;
  /** Multiply-add FLOPs (2·m·n·k) of the matrix products of one SGLD step: forward, then the backward products. */
  flops: { forward: number; step: number };
  /** How `flops` was counted, for the report. */
  flopsNote: string;
}

function gaussianWeight(b: GraphBuilder, rng: Rng, name: string, dims: number[], scale: number): string {
  const n = dims.reduce((a, d) => a * d, 1);
  return b.initializer(floatTensor(name, dims, rng.fillNormal(new Float32Array(n), scale)));
}

function constantWeight(b: GraphBuilder, name: string, dims: number[], value: number): string {
  const n = dims.reduce((a, d) => a * d, 1);
  return b.initializer(floatTensor(name, dims, new Float32Array(n).fill(value)));
}

export const MODULUS = 113;
export const MLP_HIDDEN = 512;

/** All p² examples of a + b mod p: x = one-hot(a) ‖ one-hot(b) [p², 2p], labels (a + b) mod p [p²]. */
export function modularAdditionData(p = MODULUS): BenchProblem['data'] {
  const inputs = 2 * p, n = p * p;
  const x = new Float32Array(n * inputs);
  const y = new BigInt64Array(n);
  for (let a = 0; a < p; a++) {
    for (let c = 0; c < p; c++) {
      const i = a * p + c;
      x[i * inputs + a] = 1;
      x[i * inputs + p + c] = 1;
      y[i] = BigInt((a + c) % p);
    }
  }
  return { inputs: { x: makeArray('float32', [n, inputs], x) }, labels: makeArray('int64', [n], y) };
}

/** The modular-addition MLP with PyTorch-initialised weights (uniform ±1/√fan_in, as nn.Linear), all p² examples. */
export function modularMlp(batchSize = 256): BenchProblem {
  const p = MODULUS, h = MLP_HIDDEN, inputs = 2 * p;
  const rng = Rng.stream(8, 1);
  const b = new GraphBuilder(17);
  const uniform = (name: string, dims: number[], fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const n = dims.reduce((a, d) => a * d, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (rng.uniform() * 2 - 1) * bound;
    return b.initializer(floatTensor(name, dims, v));
  };
  // nn.Linear layout [out, in] with Gemm transB = 1, as PyTorch's exporter writes it.
  const w1 = uniform('fc1.weight', [h, inputs], inputs);
  const b1 = uniform('fc1.bias', [h], inputs);
  const w2 = uniform('fc2.weight', [p, h], h);
  const b2 = uniform('fc2.bias', [p], h);
  const hidden = b.op('Relu', [b.op('Gemm', ['x', w1, b1], { transB: 1 }, '/fc1/Gemm_output_0')], {}, '/relu/Relu_output_0');
  b.op('Gemm', [hidden, w2, b2], { transB: 1 }, 'logits');
  const model = assembleModel({
    name: 'modular_mlp', builder: b,
    inputs: [makeValueInfo('x', 'float32', ['batch', inputs])],
    outputs: [makeValueInfo('logits', 'float32', ['batch', p])],
  });

  const forward = 2 * batchSize * inputs * h + 2 * batchSize * h * p;
  // Backward: dW2 = gᵀ·hidden and d(hidden) = g·W2 (one product each, the size of fc2), dW1 = d(pre)ᵀ·x (the
  // size of fc1); no d(x), since x is data.
  const backward = 2 * (2 * batchSize * h * p) + 2 * batchSize * inputs * h;
  return {
    name: 'mlp', model, parameters: ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
    data: modularAdditionData(p),
    loss: { kind: 'cross-entropy', output: 'logits' }, batchSize,
    flops: { forward, step: forward + backward },
    flopsNote: 'matrix products only, 2·m·n·k each: forward fc1 + fc2, backward dW2, d(hidden), dW1 (no d(x)); elementwise ops, softmax and the update are not counted',
  };
}

export interface Gpt2Shape {
  layers: number;
  width: number;
  heads: number;
  vocab: number;
  context: number;
  batch: number;
  /** Rows of the learned position table (GPT-2: 1024); the first `context` are used. Default: `context`. */
  positions?: number;
}

export const GPT2_SHAPE: Gpt2Shape = { layers: 2, width: 64, heads: 4, vocab: 256, context: 32, batch: 16 };

/**
 * A GPT-2-style decoder over token ids [batch, context] → logits [batch, context, vocab], GPT-2's initialisation
 * (N(0, 0.02) weights, zero biases, unit LayerNorm gains); data: `examples` random token sequences, next-token labels.
 */
export function gpt2Style(shape: Gpt2Shape = GPT2_SHAPE, examples = 512): BenchProblem {
  const { layers, width: d, heads, vocab, context: T, batch: B } = shape;
  const dh = d / heads;
  const rng = Rng.stream(8, 2);
  const b = new GraphBuilder(17);
  const params: string[] = [];
  const normal = (name: string, dims: number[], scale = 0.02) => { params.push(name); return gaussianWeight(b, rng, name, dims, scale); };
  const fill = (name: string, dims: number[], v: number) => { params.push(name); return constantWeight(b, name, dims, v); };
  const layerNorm = (x: string, prefix: string) =>
    b.op('LayerNormalization', [x, fill(`${prefix}.weight`, [d], 1), fill(`${prefix}.bias`, [d], 0)], { axis: -1, epsilon: { float: 1e-5 } });
  // Conv1D of GPT-2 is x·W + b with W [in, out].
  const linear = (x: string, prefix: string, inDim: number, outDim: number, scale = 0.02) =>
    b.add(b.op('MatMul', [x, normal(`${prefix}.weight`, [inDim, outDim], scale)]), fill(`${prefix}.bias`, [outDim], 0));

  const wte = normal('wte', [vocab, d]);
  const positions = shape.positions ?? T;
  const wpe = normal('wpe', [positions, d], 0.01);
  let x = b.add(b.op('Gather', [wte, 'input_ids'], { axis: 0 }), positions === T ? wpe : b.slice(wpe, [0], [T], [0]));
  // Causal mask as an additive bias: 0 on and below the diagonal, −1e4 above (as GPT-2's masked_bias).
  const mask = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e4;
  const causal = b.constFloat(mask, [1, 1, T, T], 'causal_mask');
  // The batch axis stays dynamic (−1), so evaluation and L_n(w*) may feed other row counts than SGLD's batch.
  const toHeads = b.constInt64([-1, T, heads, dh], [4], 'heads_shape');
  const fromHeads = b.constInt64([-1, T, d], [3], 'merge_shape');
  const scale = b.scalarFloat(1 / Math.sqrt(dh), 'attn_scale');
  const gelu = (u: string) => {
    // GPT-2's gelu_new: 0.5·u·(1 + tanh(√(2/π)·(u + 0.044715·u³)))
    const cube = b.mul(b.mul(u, u), u);
    const inner = b.mul(b.add(u, b.mul(cube, b.scalarFloat(0.044715, 'gelu_c'))), b.scalarFloat(Math.sqrt(2 / Math.PI), 'gelu_k'));
    return b.mul(b.mul(u, b.scalarFloat(0.5, 'gelu_half')), b.add(b.op('Tanh', [inner]), b.scalarFloat(1, 'gelu_one')));
  };
  for (let l = 0; l < layers; l++) {
    const h = `h.${l}`;
    const a = layerNorm(x, `${h}.ln_1`);
    const qkv = linear(a, `${h}.attn.c_attn`, d, 3 * d);
    const [q, k, v] = b.node('Split', [qkv, b.constInt64([d, d, d], [3], 'qkv_split')], 3, { axis: -1 });
    const split = (t: string, perm: number[]) => b.op('Transpose', [b.op('Reshape', [t, toHeads])], { perm });
    const qh = split(q!, [0, 2, 1, 3]);   // [B, H, T, dh]
    const kt = split(k!, [0, 2, 3, 1]);   // [B, H, dh, T]
    const vh = split(v!, [0, 2, 1, 3]);
    const scores = b.add(b.mul(b.op('MatMul', [qh, kt]), scale), causal);
    const attn = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), vh]);
    const merged = b.op('Reshape', [b.op('Transpose', [attn], { perm: [0, 2, 1, 3] }), fromHeads], {}, `/${h}/attn/merged`);
    x = b.add(x, linear(merged, `${h}.attn.c_proj`, d, d, 0.02 / Math.sqrt(2 * layers)));
    const m = layerNorm(x, `${h}.ln_2`);
    x = b.add(x, linear(gelu(linear(m, `${h}.mlp.c_fc`, d, 4 * d)), `${h}.mlp.c_proj`, 4 * d, d, 0.02 / Math.sqrt(2 * layers)));
  }
  const final = layerNorm(x, 'ln_f');
  // Tied lm head: logits = final · wteᵀ.
  b.op('MatMul', [final, b.op('Transpose', [wte], { perm: [1, 0] })], {}, 'logits');
  const model = assembleModel({
    name: 'gpt2_style', builder: b,
    inputs: [makeValueInfo('input_ids', DataType.INT64, ['batch', T])],
    outputs: [makeValueInfo('logits', 'float32', ['batch', T, vocab])],
  });

  // Random sequences with a learnable pattern (each token often repeats the one before last), next-token labels.
  const ids = new BigInt64Array(examples * T);
  const labels = new BigInt64Array(examples * T);
  for (let e = 0; e < examples; e++) {
    const seq = new Array<number>(T + 1);
    for (let t = 0; t <= T; t++) seq[t] = t >= 2 && rng.uniform() < 0.5 ? seq[t - 2]! : rng.int(vocab);
    for (let t = 0; t < T; t++) {
      ids[e * T + t] = BigInt(seq[t]!);
      labels[e * T + t] = BigInt(seq[t + 1]!);
    }
  }
  const rows = B * T;
  const perLayerForward = 2 * rows * d * (3 * d) + 2 * B * heads * T * T * dh * 2 + 2 * rows * d * d + 2 * rows * d * (4 * d) * 2;
  const headForward = 2 * rows * d * vocab;
  const forward = layers * perLayerForward + headForward;
  // Every forward product has two backward products (both operands need a gradient: weights or activations),
  // except that the embedding Gather has none; so backward = 2 × forward.
  return {
    name: 'gpt2', model, parameters: params,
    data: { inputs: { input_ids: makeArray('int64', [examples, T], ids) }, labels: makeArray('int64', [examples, T], labels) },
    loss: { kind: 'cross-entropy', output: 'logits' }, batchSize: B,
    flops: { forward, step: 3 * forward },
    flopsNote: 'matrix products only, 2·m·n·k each: per layer qkv, QKᵀ, AV, proj, MLP up and down, plus the tied head; backward = 2 × forward',
  };
}
