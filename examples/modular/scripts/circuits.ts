// What the trained modular network computes, read off its weights and activations: per-neuron frequencies,
// per-task frequency content of the logits, per-task neuron activity, and the loss cost of mean-ablating neurons.
import { GraphIndex } from '../../../src/engine/onnx/graph';
import { ModelProto } from '../../../src/engine/onnx/proto';
import { exposeTensors } from '../../../src/engine/onnx/rewrite';
import { createSession, ort } from '../../../src/engine/onnx/runtime';
import { tensorToFloat32 } from '../../../src/engine/onnx/tensor';
import { cosAt, dominantFrequency, powerSpectrum, sinAt } from './fourier';
import { HIDDEN_TENSOR, INPUT, LOGITS, PARAMETER_NAMES, Weights } from './network';
import { EMBED, HIDDEN, P } from './task';

export interface Examples {
  n: number;
  /** [n, 3]: a, b, task. */
  tokens: BigInt64Array;
  labels: BigInt64Array;
}

export interface Activations {
  /** [n, HIDDEN] after the ReLU. */
  hidden: Float32Array;
  /** [n, P]. */
  logits: Float32Array;
}

export function readWeights(model: ModelProto): Weights {
  const index = GraphIndex.of(model);
  const out: Partial<Weights> = {};
  for (const name of PARAMETER_NAMES) {
    const t = index.initializers.get(name);
    if (!t) throw new Error(`the model has no initializer '${name}'`);
    out[name] = tensorToFloat32(t);
  }
  return out as Weights;
}

export async function runNetwork(model: ModelProto, examples: Examples): Promise<Activations> {
  const session = await createSession(exposeTensors(model, [HIDDEN_TENSOR]));
  const out = await session.run({ [INPUT]: new ort.Tensor('int64', examples.tokens, [examples.n, 3]) });
  return { hidden: out[HIDDEN_TENSOR]!.data as Float32Array, logits: out[LOGITS]!.data as Float32Array };
}

export interface NeuronFrequency {
  neuron: number;
  /** The frequency with the most power in the neuron's input weights over a's and b's residues. */
  frequency: number;
  /** That frequency's share of the non-constant power of those weights. */
  share: number;
}

/** How strongly hidden unit n reads residue x of a (`offset` 0) or of b (`offset` EMBED): Σ_j E[x, j]·fc1[offset + j, n]. */
export function inputWeights(w: Weights, n: number, offset: 0 | typeof EMBED): Float64Array {
  const out = new Float64Array(P);
  for (let x = 0; x < P; x++) {
    let s = 0;
    for (let j = 0; j < EMBED; j++) s += w['embed.weight'][x * EMBED + j]! * w['fc1.weight'][(offset + j) * HIDDEN + n]!;
    out[x] = s;
  }
  return out;
}

/** Per hidden unit: DFT over the residues of its input weights from a and from b, powers added. */
export function neuronFrequencies(w: Weights): NeuronFrequency[] {
  const out: NeuronFrequency[] = [];
  for (let n = 0; n < HIDDEN; n++) {
    const pa = powerSpectrum(inputWeights(w, n, 0));
    const pb = powerSpectrum(inputWeights(w, n, EMBED));
    out.push({ neuron: n, ...dominantFrequency(pa.map((v, k) => v + pb[k]!)) });
  }
  return out;
}

/** Share of the embedding's non-constant power at each frequency (index k; index 0 unused): E's columns' DFTs summed. */
export function embeddingSpectrum(w: Weights): Float64Array {
  const total = new Float64Array((P - 1) / 2 + 1);
  const column = new Float64Array(P);
  for (let j = 0; j < EMBED; j++) {
    for (let x = 0; x < P; x++) column[x] = w['embed.weight'][x * EMBED + j]!;
    powerSpectrum(column).forEach((v, k) => { if (k > 0) total[k] += v; });
  }
  const sum = total.reduce((a, v) => a + v, 0);
  return total.map((v) => v / sum);
}

/**
 * Share of a task's logit variance carried by each frequency's algorithm direction: logits(a, b, c) centred over c,
 * projected on cos(ωk(s − c)) and sin(ωk(s − c)) with s = a + b (addition) or a − b (subtraction). These functions
 * are orthogonal across k, so the shares add up to the part of the logits that the Fourier algorithm explains.
 */
export function logitFrequencyShares(logits: Float32Array, examples: Examples, rows: readonly number[], task: number): Float64Array {
  const p = P;
  const frequencies = (p - 1) / 2;
  // cos/sin(2πk·x/p) for x = 0..p−1, row k
  const cos = new Float64Array((frequencies + 1) * p);
  const sin = new Float64Array((frequencies + 1) * p);
  for (let k = 1; k <= frequencies; k++) for (let x = 0; x < p; x++) { cos[k * p + x] = cosAt(k, x); sin[k * p + x] = sinAt(k, x); }
  const cosSums = new Float64Array(frequencies + 1);
  const sinSums = new Float64Array(frequencies + 1);
  let total = 0;
  const z = new Float64Array(p);
  for (const i of rows) {
    const a = Number(examples.tokens[3 * i]);
    const b = Number(examples.tokens[3 * i + 1]);
    const s = task === 0 ? a + b : a - b;
    let mean = 0;
    for (let c = 0; c < p; c++) mean += logits[i * p + c]!;
    mean /= p;
    for (let c = 0; c < p; c++) {
      z[c] = logits[i * p + c]! - mean;
      total += z[c]! * z[c]!;
    }
    for (let k = 1; k <= frequencies; k++) {
      let cs = 0;
      let sn = 0;
      for (let c = 0; c < p; c++) {
        const x = (((s - c) % p) + p) % p;
        cs += z[c]! * cos[k * p + x]!;
        sn += z[c]! * sin[k * p + x]!;
      }
      cosSums[k] += cs;
      sinSums[k] += sn;
    }
  }
  // ‖cos(ωk(s − c))‖² over rows × classes = rows·p/2.
  const norm = (rows.length * p) / 2;
  const shares = new Float64Array(frequencies + 1);
  for (let k = 1; k <= frequencies; k++) shares[k] = (cosSums[k]! ** 2 + sinSums[k]! ** 2) / norm / total;
  return shares;
}

/** Root-mean-square activation of each neuron over the given rows. */
export function neuronRms(hidden: Float32Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(HIDDEN);
  for (const i of rows) for (let n = 0; n < HIDDEN; n++) out[n] += hidden[i * HIDDEN + n]! ** 2;
  return out.map((v) => Math.sqrt(v / Math.max(1, rows.length)));
}

export interface TaskScore {
  loss: number;
  accuracy: number;
}

/**
 * Loss and accuracy over `rows` after mean-ablating `units` of the hidden layer (the mean over all examples),
 * computed exactly from the clean activations: only fc2 reads the hidden layer, so the logits move by
 * Σ_n (mean_n − h_n)·W2[n, :].
 */
export function ablatedScore(act: Activations, w2: Float32Array, labels: BigInt64Array, rows: readonly number[], units: readonly number[], means: Float64Array): TaskScore {
  const p = P;
  const width = HIDDEN; // locals: imported bindings in a hot loop are property loads
  const { hidden, logits } = act;
  const unitList = Int32Array.from(units);
  let loss = 0;
  let hits = 0;
  const z = new Float64Array(p);
  for (const i of rows) {
    for (let c = 0; c < p; c++) z[c] = logits[i * p + c]!;
    for (let k = 0; k < unitList.length; k++) {
      const n = unitList[k]!;
      const d = means[n]! - hidden[i * width + n]!;
      if (d === 0) continue;
      const row = n * p;
      for (let c = 0; c < p; c++) z[c] += d * w2[row + c]!;
    }
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < p; c++) if (z[c]! > max) { max = z[c]!; best = c; }
    let sum = 0;
    for (let c = 0; c < p; c++) sum += Math.exp(z[c]! - max);
    const y = Number(labels[i]);
    loss += Math.log(sum) + max - z[y]!;
    if (best === y) hits++;
  }
  return { loss: loss / rows.length, accuracy: hits / rows.length };
}

/** Mean activation of each neuron over the given rows (the mean-ablation reference). */
export function neuronMeans(hidden: Float32Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(HIDDEN);
  for (const i of rows) for (let n = 0; n < HIDDEN; n++) out[n] += hidden[i * HIDDEN + n]!;
  return out.map((v) => v / Math.max(1, rows.length));
}

/**
 * Direct logit attribution of every hidden unit on the given rows: the mean over the rows of
 * (h_n − mean_n)·(W2[n, y] − mean_c W2[n, c]), i.e. how much the unit's deviation from its mean raises the correct
 * logit above the average logit. To first order, what mean-ablating the unit costs the correct answer.
 */
export function logitAttribution(act: Activations, w2: Float32Array, labels: BigInt64Array, rows: readonly number[], means: Float64Array): Float64Array {
  const p = P;
  const width = HIDDEN; // locals: imported bindings in a hot loop are property loads
  const centred = new Float64Array(width * p);
  for (let n = 0; n < width; n++) {
    let m = 0;
    for (let c = 0; c < p; c++) m += w2[n * p + c]!;
    m /= p;
    for (let c = 0; c < p; c++) centred[n * p + c] = w2[n * p + c]! - m;
  }
  const out = new Float64Array(width);
  const hidden = act.hidden;
  for (const i of rows) {
    const y = Number(labels[i]);
    for (let n = 0; n < width; n++) out[n] += (hidden[i * width + n]! - means[n]!) * centred[n * p + y]!;
  }
  return out.map((v) => v / Math.max(1, rows.length));
}

/**
 * Share of the hidden activations' variance on the given rows at each frequency of a (and of b): for every unit and
 * every fixed b, the DFT of h(·, b) over a (and likewise over b for fixed a), powers summed over units.
 * Rows must hold every (a, b) pair of one task once.
 */
export function activationSpectrum(act: Activations, examples: Examples, rows: readonly number[]): Float64Array {
  const grid = new Float64Array(P * P);
  const total = new Float64Array((P - 1) / 2 + 1);
  const line = new Float64Array(P);
  for (let n = 0; n < HIDDEN; n++) {
    for (const i of rows) grid[Number(examples.tokens[3 * i]) * P + Number(examples.tokens[3 * i + 1])] = act.hidden[i * HIDDEN + n]!;
    for (let fixed = 0; fixed < P; fixed++) {
      for (let x = 0; x < P; x++) line[x] = grid[x * P + fixed]!; // over a
      powerSpectrum(line).forEach((v, k) => { if (k > 0) total[k] += v; });
      for (let x = 0; x < P; x++) line[x] = grid[fixed * P + x]!; // over b
      powerSpectrum(line).forEach((v, k) => { if (k > 0) total[k] += v; });
    }
  }
  const sum = total.reduce((a, v) => a + v, 0);
  return total.map((v) => v / sum);
}

/** Share of the non-constant power of f that is even under x → −x (mod p): 1 for cos(ωx), 0 for sin(ωx). */
export function evenShare(f: ArrayLike<number>): number {
  let mean = 0;
  for (let x = 0; x < P; x++) mean += f[x]!;
  mean /= P;
  let even = 0;
  let total = 0;
  for (let x = 0; x < P; x++) {
    const g = f[x]! - mean;
    const mirrored = f[(P - x) % P]! - mean;
    even += ((g + mirrored) / 2) ** 2;
    total += g * g;
  }
  return total > 0 ? even / total : 0;
}
