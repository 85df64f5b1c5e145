// Fourier analysis over the residues mod p: the language in which grokked modular-arithmetic networks are read
// (Nanda et al. 2023, "Progress measures for grokking via mechanistic interpretability").
import { P } from './task';

/** Frequencies 1..(p−1)/2: each is a pair of basis functions cos(2πkx/p), sin(2πkx/p). */
export const FREQUENCIES = Array.from({ length: (P - 1) / 2 }, (_, i) => i + 1);

const COS: Float64Array[] = [];
const SIN: Float64Array[] = [];
for (let k = 0; k <= (P - 1) / 2; k++) {
  COS.push(Float64Array.from({ length: P }, (_, x) => Math.cos((2 * Math.PI * k * x) / P)));
  SIN.push(Float64Array.from({ length: P }, (_, x) => Math.sin((2 * Math.PI * k * x) / P)));
}
/** cos(2πk·x/p) for any integer x (reduced mod p). */
export const cosAt = (k: number, x: number): number => COS[k]![((x % P) + P) % P]!;
export const sinAt = (k: number, x: number): number => SIN[k]![((x % P) + P) % P]!;

/**
 * Power of a function on Z_p at each frequency: index 0 = the constant part, index k = (Σ f·cos)² + (Σ f·sin)²,
 * scaled so that Σ over all indices = Σ f² (Parseval).
 */
export function powerSpectrum(f: ArrayLike<number>): Float64Array {
  const out = new Float64Array((P - 1) / 2 + 1);
  let mean = 0;
  for (let x = 0; x < P; x++) mean += f[x]!;
  out[0] = (mean * mean) / P;
  for (let k = 1; k <= (P - 1) / 2; k++) {
    let c = 0;
    let s = 0;
    for (let x = 0; x < P; x++) {
      c += f[x]! * COS[k]![x]!;
      s += f[x]! * SIN[k]![x]!;
    }
    out[k] = (2 * (c * c + s * s)) / P;
  }
  return out;
}

/** Index of the largest entry among 1..K (the constant part excluded), and its share of the non-constant power. */
export function dominantFrequency(power: ArrayLike<number>): { frequency: number; share: number } {
  let best = 1;
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    total += power[k]!;
    if (power[k]! > power[best]!) best = k;
  }
  return { frequency: best, share: total > 0 ? power[best]! / total : 0 };
}
