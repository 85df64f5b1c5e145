/**
 * Planted circuits: small networks whose entanglement is known by construction (see README.md here).
 * Run: npx tsx examples/planted/generate.ts   (writes the .onnx models, data/*.npy and *.circuit.yaml beside it)
 *
 * One hidden ReLU layer, two tasks over the same 4 classes:
 *   target example of class i:  x = [f_T=1, f_C=0, u = e_i (+ jitter), v = 0]
 *   control example of class j: x = [f_T=0, f_C=1, u = 0, v = P_j (+ jitter)]   (P_j: Hadamard rows, orthogonal ±1)
 * Circuit unit i reads u_i (weight a) and writes logit i (weight A): it alone serves the target data.
 * Control units (R per class) read v along P_j and write logit j; they are gated off on target examples.
 * Coupling κ: circuit unit i also fires on control examples of class i with activation κ/A, so it supplies a margin
 * κ of the control computation; the control units supply the rest, so the clean control margin is M_C for every κ.
 * With κ = 0 circuit units are gated off on control examples (pre-activation −G): ablating them changes nothing there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeArray } from '../../src/engine/data/ndarray';
import { writeNpy } from '../../src/engine/data/npy';
import { GraphBuilder } from '../../src/engine/onnx/builder';
import { assembleModel } from '../../src/engine/onnx/modelFactory';
import { saveModel } from '../../src/engine/onnx/load';
import { makeValueInfo } from '../../src/engine/onnx/rewrite';
import { floatTensor } from '../../src/engine/onnx/tensor';
import { DataType, ModelProto } from '../../src/engine/onnx/proto';
import { Rng } from '../../src/engine/util/random';

export const PLANTED = {
  classes: 4,
  /** Control feature width (Hadamard rows of this length). */
  controlFeatures: 16,
  /** Control units per class. */
  controlUnitsPerClass: 5,
  /**
   * Idle units (no input weight, bias −1, no output weight): a real layer is mostly units that serve neither task,
   * so a matched random 4-unit set rarely holds a circuit unit and the null is informative. Silent at w* (a ReLU
   * at −1 has zero gradient), so w* stays a stationary point; under degradation they wake up like any other unit.
   */
  idleUnits: 72,
  /** Circuit: target pre-activation a, logit weight A ⇒ target margin a·A. */
  a: 5,
  A: 5,
  /** Control units: activation β on their class, threshold θ against other classes, gate G against the other task. */
  beta: 1,
  theta: 1,
  gate: 3,
  /** Coupled circuit units sit this far below threshold on the other control classes. */
  coupledThreshold: 0.1,
  /**
   * Clean control margin, shared between control units and (κ) circuit units: the cross-entropy optimum for
   * control labels that are right 13 times in 16 and each other class once in 16, log(13/16 · 16/1) = log 13,
   * so w* is a stationary point of the control loss along the margin (SGLD does not drift off it).
   */
  controlMargin: Math.log(13),
  /** Control examples per class whose label is each of the other classes (label noise that fixes the optimum). */
  mislabeledPerOtherClass: 1,
  examplesPerClass: 16,
  jitter: 0.05,
  seed: 7,
  /** The coupling ladder: κ = 0 (uncoupled) up to 1. */
  kappas: [0, 0.03, 0.1, 0.3, 1] as const,
};

const K = PLANTED.classes;
const DC = PLANTED.controlFeatures;
const R = PLANTED.controlUnitsPerClass;
export const INPUT_WIDTH = 2 + K + DC;
export const HIDDEN = K + K * R + PLANTED.idleUnits;
export const HIDDEN_TENSOR = '/relu/Relu_output_0';

/** Rows of the Sylvester Hadamard matrix of order DC, skipping the all-ones row: orthogonal ±1 prototypes. */
function prototypes(): number[][] {
  let h = [[1]];
  while (h.length < DC) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h.slice(1, 1 + K);
}

/** Hidden positions: a fixed shuffle, so the circuit is not simply "the first units". */
export function unitLayout(): { circuit: number[]; control: number[][]; idle: number[] } {
  const perm = Rng.stream(PLANTED.seed, 1).permutation(HIDDEN);
  const circuit = Array.from({ length: K }, (_, i) => perm[i]!);
  const control = Array.from({ length: K }, (_, j) => Array.from({ length: R }, (_, s) => perm[K + j * R + s]!));
  const idle = Array.from(perm.slice(K + K * R));
  return { circuit, control, idle };
}

/** The network with coupling κ; `overrides` changes constants (tests use it to show what calibration buys). */
export function plantedModel(kappa: number, overrides: Partial<Record<'controlMargin' | 'coupledThreshold', number>> = {}): ModelProto {
  const { a, A, beta, theta, gate } = PLANTED;
  const controlMargin = overrides.controlMargin ?? PLANTED.controlMargin;
  const coupledThreshold = overrides.coupledThreshold ?? PLANTED.coupledThreshold;
  if (kappa >= controlMargin) throw new Error(`κ must be below the control margin ${controlMargin}`);
  const P = prototypes();
  const { circuit, control, idle } = unitLayout();
  const W1 = new Float32Array(HIDDEN * INPUT_WIDTH); // [HIDDEN, INPUT] (Gemm transB)
  const b1 = new Float32Array(HIDDEN);
  const W2 = new Float32Array(K * HIDDEN); // [K, HIDDEN]
  const b2 = new Float32Array(K);
  const w1 = (unit: number, input: number, v: number) => { W1[unit * INPUT_WIDTH + input] = v; };
  const F_T = 0, F_C = 1, U = 2, V = 2 + K;
  const kappaIn = kappa / A;
  for (let i = 0; i < K; i++) {
    const c = circuit[i]!;
    w1(c, U + i, a);
    if (kappa > 0) {
      // Coupled: the unit listens to the control features: pre-activation −b + (b + κ/A)·(P_i·P_i)/DC = κ/A on
      // control class i, and −b on the other control classes (P_i·P_j = 0): just below the kink, so w* is a
      // stationary point, but within reach of small perturbations.
      w1(c, F_C, -coupledThreshold);
      for (let f = 0; f < DC; f++) w1(c, V + f, ((kappaIn + coupledThreshold) * P[i]![f]!) / DC);
    } else {
      // Uncoupled: no input from the control features, and the control flag holds the unit at −G.
      w1(c, F_C, -gate);
    }
    W2[i * HIDDEN + c] = A;
  }
  // Control units supply the rest of the control margin: R·β·C = M_C − κ.
  const C = (controlMargin - kappa) / (R * beta);
  for (let j = 0; j < K; j++) {
    for (const u of control[j]!) {
      w1(u, F_T, -gate);
      w1(u, F_C, -theta);
      for (let f = 0; f < DC; f++) w1(u, V + f, ((beta + theta) * P[j]![f]!) / DC);
      W2[j * HIDDEN + u] = C;
    }
  }
  for (const u of idle) b1[u] = -1;
  const b = new GraphBuilder(17);
  b.initializer(floatTensor('hidden.weight', [HIDDEN, INPUT_WIDTH], W1));
  b.initializer(floatTensor('hidden.bias', [HIDDEN], b1));
  b.initializer(floatTensor('out.weight', [K, HIDDEN], W2));
  b.initializer(floatTensor('out.bias', [K], b2));
  const h = b.op('Gemm', ['x', 'hidden.weight', 'hidden.bias'], { transB: 1 }, '/hidden/Gemm_output_0');
  const r = b.op('Relu', [h], {}, HIDDEN_TENSOR);
  b.op('Gemm', [r, 'out.weight', 'out.bias'], { transB: 1 }, 'logits');
  return assembleModel({
    name: `planted-kappa-${kappa}`, builder: b,
    inputs: [makeValueInfo('x', 'float32', ['batch', INPUT_WIDTH])],
    outputs: [makeValueInfo('logits', DataType.FLOAT, ['batch', K])],
  });
}

/** Target examples first (class i repeated), then control; inputs jittered with a fixed seed. */
export function plantedData(): { x: Float32Array; y: BigInt64Array; isTarget: Uint8Array; n: number } {
  const P = prototypes();
  const per = PLANTED.examplesPerClass;
  const n = 2 * K * per;
  const x = new Float32Array(n * INPUT_WIDTH);
  const y = new BigInt64Array(n);
  const isTarget = new Uint8Array(n);
  const rng = Rng.stream(PLANTED.seed, 2);
  let row = 0;
  for (const task of ['target', 'control'] as const) {
    for (let cls = 0; cls < K; cls++) {
      for (let e = 0; e < per; e++, row++) {
        const o = row * INPUT_WIDTH;
        if (task === 'target') {
          x[o] = 1;
          x[o + 2 + cls] = 1 + PLANTED.jitter * rng.normal();
          isTarget[row] = 1;
        } else {
          x[o + 1] = 1;
          for (let f = 0; f < DC; f++) x[o + 2 + K + f] = P[cls]![f]! + PLANTED.jitter * rng.normal();
        }
        // The last K−1 control examples of each class carry each other class's label once.
        const wrong = task === 'control' ? e - (per - (K - 1) * PLANTED.mislabeledPerOtherClass) : -1;
        y[row] = BigInt(wrong >= 0 ? (cls + 1 + Math.floor(wrong / PLANTED.mislabeledPerOtherClass)) % K : cls);
      }
    }
  }
  return { x, y, isTarget, n };
}

function hypothesisYaml(name: string, model: string, units: number[], note: string): string {
  return `# ${note}
# Generated by examples/planted/generate.ts; see README.md for the construction.
model: ./${model}
data:
  inputs: { x: ./data/x.npy }
  labels: ./data/y.npy
  target: { mask: ./data/is_target.npy }
loss: { output: logits, kind: cross-entropy }
circuit:
  name: ${name}
  components:
    - tensor: ${HIDDEN_TENSOR}
      axis: -1
      units: [${units.join(', ')}]
# Resample ablation from control examples: the circuit's activations are replaced by what they are on control data,
# which keeps the degradation's noise in them (zero ablation would remove it; docs/method.md, "Collateral").
intervention: { kind: resample, scope: circuit }
reference: control
degradation:
  dial: weight-noise
  temperatures: { from: 0.001, to: 3, count: 12 }
  noise: { samples: 64 }
  seed: 0
controls: { count: 39 }
verdict: { alpha: 0.05, persistence: 0.25, collateral: noise }
`;
}

export const modelFile = (kappa: number): string => `planted-kappa-${kappa}.onnx`;

function main(): void {
  const dir = __dirname;
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const data = plantedData();
  fs.writeFileSync(path.join(dir, 'data/x.npy'), writeNpy(makeArray('float32', [data.n, INPUT_WIDTH], data.x)));
  fs.writeFileSync(path.join(dir, 'data/y.npy'), writeNpy(makeArray('int64', [data.n], data.y)));
  fs.writeFileSync(path.join(dir, 'data/is_target.npy'), writeNpy(makeArray('bool', [data.n], data.isTarget)));
  const { circuit, control } = unitLayout();
  for (const kappa of PLANTED.kappas) {
    saveModel(plantedModel(kappa), path.join(dir, modelFile(kappa)));
    fs.writeFileSync(path.join(dir, `kappa-${kappa}.circuit.yaml`), hypothesisYaml(`planted circuit, coupling κ = ${kappa}`, modelFile(kappa), circuit,
      `Planted circuit with coupling κ = ${kappa}: the ${K} circuit units of the hidden layer.`));
  }
  // Deliberately bad hypotheses on the κ = 1 network, as many units as the circuit, drawn with a fixed seed:
  // from the whole layer, from the control units (they serve the control task only), and the circuit together
  // with one control unit per class (units the target shares with the control task).
  const random = [...Rng.stream(PLANTED.seed, 3).permutation(HIDDEN).slice(0, K)].sort((p, q) => p - q);
  const outside = control.flat();
  const shared = [...circuit, ...control.map((c) => c[0]!)].sort((p, q) => p - q);
  fs.writeFileSync(path.join(dir, 'shared-units.circuit.yaml'), hypothesisYaml('circuit and control units', modelFile(1), shared,
    `The ${K} circuit units together with one control unit per class (units the target shares with the control task) on the κ = 1 network.`));
  const nonCircuit = [...Rng.stream(PLANTED.seed, 4).permutation(outside.length).slice(0, K)].map((k) => outside[k]!).sort((p, q) => p - q);
  fs.writeFileSync(path.join(dir, 'random-units.circuit.yaml'), hypothesisYaml('random units', modelFile(1), random,
    `${K} random units of the hidden layer (seeded draw; ${random.filter((u) => circuit.includes(u)).length} of them circuit units) on the κ = 1 network.`));
  fs.writeFileSync(path.join(dir, 'non-circuit-units.circuit.yaml'), hypothesisYaml('random control units', modelFile(1), nonCircuit,
    `${K} random control units (seeded draw; they serve the control task only) on the κ = 1 network.`));
  console.log(`circuit units ${circuit.join(', ')}; control units ${control.map((c) => c.join('/')).join(', ')}; random units ${random.join(', ')}; non-circuit units ${nonCircuit.join(', ')}`);
}

if (require.main === module) main();
