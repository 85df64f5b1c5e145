// Real hypotheses for the worker and CLI tests: the planted-circuit examples (examples/planted, real ONNX models
// and .npy data) copied into a temp folder, plus variants made by editing their YAML text.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PLANTED = path.resolve(__dirname, '../../examples/planted');

export interface PlantedCopy {
  dir: string;
  /** Path of `<name>.circuit.yaml` in the copy. */
  hypothesis(name: string): string;
  /** Writes `<name>.circuit.yaml`: kappa-1's text with `edit` applied. */
  variant(name: string, edit: (yaml: string) => string): string;
  /** Every file in the copy's top folder (to check that nothing partial was left). */
  files(): string[];
  remove(): void;
}

export function copyPlanted(): PlantedCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-worker-'));
  fs.cpSync(PLANTED, dir, { recursive: true });
  const base = fs.readFileSync(path.join(dir, 'kappa-1.circuit.yaml'), 'utf8');
  return {
    dir,
    hypothesis: (name) => path.join(dir, `${name}.circuit.yaml`),
    variant(name, edit) {
      const text = edit(base);
      if (text === base) throw new Error(`variant ${name}: the edit changed nothing`);
      const file = path.join(dir, `${name}.circuit.yaml`);
      fs.writeFileSync(file, text);
      return file;
    },
    files: () => fs.readdirSync(dir).sort(),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** kappa-1 with more noise samples per level, so that a run lasts long enough to interrupt (~0.6 ms per draw). */
export const slow = (samples: number) => (yaml: string) => yaml.replace(/noise: \{ samples: \d+ \}/, `noise: { samples: ${samples} }`);
/** kappa-1 on an explicit grid (levels where float32 overflows make the loss non-finite: divergence). */
export const grid = (levels: number[]) => (yaml: string) => yaml.replace(/temperatures: \{[^}]*\}/, `temperatures: [${levels.join(', ')}]`);
