// The induction example's network as an ONNX graph: a two-layer, attention-only transformer.
//   tokens → token embedding (Gather) → 2 × (causal multi-head attention, added to the residual stream) →
//   unembedding → logits.
// Positions enter the attention scores only (position-infused attention, as in Press et al.'s Shortformer): queries
// and keys read residual + W_pos, values read the residual. Heads can then choose *where* to look by position but
// move only token information, so the residual stream holds no positions for a later head to do arithmetic on.
// (With W_pos added to the residual stream, seed 0 learned another algorithm: a layer-0 head that attends to the
// earlier copy of the current token and writes that copy's position, which layer-1 heads shift by one, see
// README.md. Shortformer-style positions leave the classic previous-token → induction-head circuit as the way.)
// The tensors a circuit is written on follow TransformerLens's hook names, which interpretability code uses:
//   blocks.L.attn.hook_pattern  [batch, head, query position, key position]  the attention weights;
//   blocks.L.attn.hook_z        [batch, position, head, d_head]             each head's output before W_O,
// so a head is a unit of hook_z along axis 2 and `positions` (axis 1) restricts it to chosen token positions.
// The causal mask is built from integer constants and a Where, so every float initializer is a weight (nothing
// for a degradation dial to perturb by mistake). Two readouts share the weights: `all` (logits at every position,
// for training) and `query` (the logits at one position per row, given by the int64 input `query`; this is the
// shipped model, because a hypothesis scores one loss per example).
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { assembleModel } from '../../../src/engine/onnx/modelFactory';
import { DataType, ModelProto } from '../../../src/engine/onnx/proto';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../src/engine/onnx/tensor';
import { CONTEXT, range, VOCAB } from './task';

export const OPSET = 17;
export const LAYERS = 2;
export const HEADS = 8;
export const D_MODEL = 64;
export const D_HEAD = D_MODEL / HEADS;

export const TOKENS = 'tokens';
export const QUERY = 'query';
export const LOGITS = 'logits';
export const patternTensor = (layer: number): string => `blocks.${layer}.attn.hook_pattern`;
export const headOutputTensor = (layer: number): string => `blocks.${layer}.attn.hook_z`;

/** Parameter names and shapes (matrices stored [in, out] for MatMul; no biases). */
export const PARAMETERS: Record<string, readonly number[]> = {
  'embed.W_E': [VOCAB, D_MODEL],
  'pos_embed.W_pos': [CONTEXT, D_MODEL],
  ...Object.fromEntries(range(0, LAYERS).flatMap((l) => ['W_Q', 'W_K', 'W_V', 'W_O'].map((m) => [`blocks.${l}.attn.${m}`, [D_MODEL, D_MODEL]]))),
  'unembed.W_U': [D_MODEL, VOCAB],
};
export const PARAMETER_NAMES = Object.keys(PARAMETERS);
export type Weights = Record<string, Float32Array>;

export function parameterSize(name: string): number {
  return PARAMETERS[name]!.reduce((a, d) => a * d, 1);
}

export type Readout = 'all' | 'query';

export function buildNetwork(weights: Weights, readout: Readout): ModelProto {
  const b = new GraphBuilder(OPSET);
  for (const name of PARAMETER_NAMES) b.initializer(floatTensor(name, [...PARAMETERS[name]!], weights[name]!));
  const positions = b.constInt64(range(0, CONTEXT), [CONTEXT], 'positions');
  // key position ≤ query position: [CONTEXT (query), CONTEXT (key)] booleans from integer constants
  const causal = b.op('LessOrEqual', [b.reshape(positions, [1, CONTEXT]), b.reshape(positions, [CONTEXT, 1])], {}, 'causal_mask');
  const masked = b.scalarFloat(-1e30, 'masked_score');
  const scale = b.scalarFloat(1 / Math.sqrt(D_HEAD), 'attn_scale');

  let resid = b.op('Gather', ['embed.W_E', TOKENS], { axis: 0 }, 'hook_embed');
  for (let l = 0; l < LAYERS; l++) {
    const p = `blocks.${l}.attn`;
    const withPositions = b.op('Add', [resid, 'pos_embed.W_pos'], {}, `${p}.qk_input`);
    // [batch, pos, d_model] → [batch, pos, head, d_head] → [batch, head, pos, d_head]
    const heads = (x: string, m: string) => b.op('Transpose', [b.reshape(b.op('MatMul', [x, `${p}.${m}`]), [-1, CONTEXT, HEADS, D_HEAD])], { perm: [0, 2, 1, 3] }, `${p}.${m.slice(2).toLowerCase()}_by_head`);
    const q = heads(withPositions, 'W_Q');
    const k = heads(withPositions, 'W_K');
    const v = heads(resid, 'W_V');
    const scores = b.op('Mul', [b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale], {}, `${p}.hook_attn_scores`);
    const pattern = b.op('Softmax', [b.op('Where', [causal, scores, masked])], { axis: -1 }, patternTensor(l));
    const z = b.op('Transpose', [b.op('MatMul', [pattern, v])], { perm: [0, 2, 1, 3] }, headOutputTensor(l));
    const out = b.op('MatMul', [b.reshape(z, [-1, CONTEXT, D_MODEL]), `${p}.W_O`], {}, `blocks.${l}.hook_attn_out`);
    resid = b.op('Add', [resid, out], {}, `blocks.${l}.hook_resid_post`);
  }
  if (readout === 'all') {
    b.op('MatMul', [resid, 'unembed.W_U'], {}, LOGITS);
  } else {
    // the residual stream at each row's query position: one-hot(query) [batch, 1, pos] · resid [batch, pos, d_model]
    const hit = b.op('Equal', [b.unsqueeze(QUERY, [1]), positions], {}, 'query_hit');
    const select = b.unsqueeze(b.op('Cast', [hit], { to: DataType.FLOAT }, 'query_onehot'), [1]);
    const atQuery = b.reshape(b.op('MatMul', [select, resid], {}, 'hook_resid_at_query'), [-1, D_MODEL]);
    b.op('MatMul', [atQuery, 'unembed.W_U'], {}, LOGITS);
  }
  const inputs = [makeValueInfo(TOKENS, 'int64', ['batch', CONTEXT])];
  if (readout === 'query') inputs.push(makeValueInfo(QUERY, 'int64', ['batch']));
  return assembleModel({
    name: 'induction_attn_only_2l',
    builder: b,
    inputs,
    outputs: [makeValueInfo(LOGITS, 'float32', readout === 'all' ? ['batch', CONTEXT, VOCAB] : ['batch', VOCAB])],
  });
}
