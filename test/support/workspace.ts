// A temporary workspace with the fixture models saved as .onnx files and real .npy data beside them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DType, DTypeDataMap, makeArray, saveNpy } from '../../src/engine/data';
import { saveModel } from '../../src/engine/onnx';
import { cnnModel, mlpModel, seededValues, transformerModel } from '../fixtures/models';
import { Diagnostic } from '../../src/hypothesis';

export const N = 40;

async function npy<D extends DType>(dir: string, name: string, dtype: D, shape: number[], data: DTypeDataMap[D]): Promise<void> {
  await saveNpy(path.join(dir, name), makeArray(dtype, shape, data));
}

const int64 = (n: number, f: (i: number) => number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));
const bool = (n: number, f: (i: number) => boolean) => Uint8Array.from({ length: n }, (_, i) => (f(i) ? 1 : 0));

/** Creates the workspace: models mlp/cnn/transformer.onnx and data for each (see the names below). */
export async function makeWorkspace(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-hyp-'));
  saveModel(mlpModel(), path.join(dir, 'mlp.onnx'));
  saveModel(cnnModel(), path.join(dir, 'cnn.onnx'));
  saveModel(transformerModel(), path.join(dir, 'transformer.onnx'));
  fs.writeFileSync(path.join(dir, 'notes.onnx'), 'these are notes, not a model\n');
  // MLP: x[40, 8] float32, y[40] classes 0..3, mask: odd examples.
  await npy(dir, 'x.npy', 'float32', [N, 8], seededValues(N * 8, 5, 1));
  await npy(dir, 'y.npy', 'int64', [N], int64(N, (i) => i % 4));
  await npy(dir, 'mask.npy', 'bool', [N], bool(N, (i) => i % 2 === 1));
  await npy(dir, 'idx.npy', 'int64', [10], int64(10, (i) => i));
  await npy(dir, 'x7.npy', 'float32', [N, 7], seededValues(N * 7, 6, 1));
  await npy(dir, 'y39.npy', 'int64', [N - 1], int64(N - 1, (i) => i % 4));
  await npy(dir, 'yfloat.npy', 'float32', [N], Float32Array.from({ length: N }, (_, i) => i % 4));
  await npy(dir, 'y9.npy', 'int64', [N], int64(N, (i) => (i === 7 ? 9 : i % 4)));
  await npy(dir, 'mask_all.npy', 'bool', [N], bool(N, () => true));
  await npy(dir, 'mask_none.npy', 'bool', [N], bool(N, () => false));
  // Transformer: tokens[12, 6] int64 in 0..9, one label per position.
  await npy(dir, 'tokens.npy', 'int64', [12, 6], int64(72, (i) => (i * 7) % 10));
  await npy(dir, 'tokens_f.npy', 'float32', [12, 6], Float32Array.from({ length: 72 }, (_, i) => (i * 7) % 10));
  await npy(dir, 'ytok.npy', 'int64', [12, 6], int64(72, (i) => (i * 3) % 10));
  await npy(dir, 'y12.npy', 'int64', [12], int64(12, (i) => i % 10));
  await npy(dir, 'mask12.npy', 'bool', [12], bool(12, (i) => i < 4));
  // CNN: a fixed batch of 2 images per run, 5 examples.
  await npy(dir, 'image.npy', 'float32', [5, 3, 8, 8], seededValues(5 * 192, 7, 1));
  await npy(dir, 'ycnn.npy', 'int64', [5], int64(5, (i) => i % 3));
  await npy(dir, 'mask5.npy', 'bool', [5], bool(5, (i) => i < 2));
  return dir;
}

/** A complete, valid hypothesis on the MLP fixture (the README's example, adapted). */
export const VALID_MLP = `# The MLP's hidden ReLU units 3, 7, 10 and 11, claimed for the odd examples.
model: ./mlp.onnx
data:
  inputs: { x: ./x.npy }
  labels: ./y.npy
  target: { mask: ./mask.npy }
loss: { output: logits, kind: cross-entropy }
circuit:
  name: odd-example units
  components:
    - tensor: /relu/Relu_output_0
      axis: -1
      units: [3, 7, "10:12"]
intervention: { kind: mean, scope: circuit }
degradation:
  dial: sgld
  temperatures: { from: 0.1, to: 1000, count: 5 }
  sgld: { stepSize: 1e-4, localization: 100, chains: 2, draws: 50, burnIn: 10, thin: 1, batchSize: 20 }
  seed: 0
verdict: { collateralTolerance: 0.1, persistence: 0.25 }
`;

/** 0-based line of the first line containing `needle` (the test's expectation of where a problem is). */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' is not in the text`);
  return i;
}

/** The text with `from` replaced by `to` (exactly once, so tests fail loudly on a stale edit). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`'${from}' must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Applies a diagnostic's quick fix to the text. */
export function applyFix(text: string, d: Diagnostic): string {
  if (!d.fix) throw new Error(`${d.code} has no fix`);
  const lines = text.split('\n');
  const offset = (p: { line: number; col: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.col;
  return text.slice(0, offset(d.fix.range.start)) + d.fix.newText + text.slice(offset(d.fix.range.end));
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}
