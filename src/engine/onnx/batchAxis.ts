// Is axis 0 of a tensor the examples axis? Measured, not assumed: a tensor probed at two batch sizes must have
// axis 0 equal to the batch both times and every other axis unchanged. Exporters do produce per-unit tensors
// that fail this (nn.MultiheadAttention's [batch·heads, seq, d], [seq, batch·heads, d] and [seq·batch, embed]):
// a mask, a reference mean or a resample read along axis 0 of those would mix examples with heads or positions
// and give wrong numbers without any error.

export interface BatchAxisProblem {
  tensor: string;
  /** The two batch sizes and the tensor's dims at each. */
  batches: [number, number];
  dims: [number[], number[]];
  /** What is wrong, in words (which axis grows with the batch, and by how much). */
  problem: string;
  /** How to fix it. */
  fix: string;
}

const shape = (d: readonly number[]): string => `[${d.join(', ')}]`;

/**
 * undefined when axis 0 indexes examples, else what is wrong. `small`/`large` are the tensor's dims at batch sizes
 * `a` < `b`. A tensor that does not depend on the batch (a weight, a positional embedding) passes only when
 * `batchIndependentOk` (zero ablation): a mean over examples or a resample from another example has no meaning there.
 */
export function batchAxisProblem(tensor: string, a: number, small: readonly number[], b: number, large: readonly number[], batchIndependentOk = true): BatchAxisProblem | undefined {
  const same = small.length === large.length && small.every((d, i) => d === large[i]);
  if (same && batchIndependentOk) return undefined;
  if (same) {
    return {
      tensor, batches: [a, b], dims: [[...small], [...large]],
      problem: `'${tensor}' is ${shape(small)} at batch ${a} and at batch ${b}: it does not depend on the examples, so a mean over examples or a value from another example is undefined there`,
      fix: 'use intervention kind: zero on it, or name a per-example tensor downstream (axis 0 = examples)',
    };
  }
  const perExample = small.length === large.length && small[0] === a && large[0] === b && small.every((d, i) => i === 0 || d === large[i]);
  if (perExample) return undefined;
  const base = { tensor, batches: [a, b] as [number, number], dims: [[...small], [...large]] as [number[], number[]] };
  const sizes = `'${tensor}' is ${shape(small)} at batch ${a} and ${shape(large)} at batch ${b}`;
  const exportHint = 'name a tensor whose axis 0 indexes examples: a [batch, seq, heads, d_head] or [batch, seq, heads·d_head] tensor (groupSize: d_head); '
    + 'for nn.MultiheadAttention, copy its weights into a hand-written attention before export (docs/pytorch.md)';
  if (small.length !== large.length) {
    return { ...base, problem: `${sizes}: its rank changes with the batch, so its axes are not [examples, …]; an ablation there would mix examples`, fix: exportHint };
  }
  const grown = small.map((d, i) => i).filter((i) => small[i] !== large[i]);
  const perRow = (i: number): string => {
    const k0 = small[i]! / a;
    const k1 = large[i]! / b;
    return Number.isInteger(k0) && k0 === k1 ? `batch × ${k0}` : `${small[i]} → ${large[i]}`;
  };
  if (grown.length === 1 && grown[0] === 0) {
    return { ...base, problem: `${sizes}: axis 0 holds ${perRow(0)} rows, so examples are mixed with another axis (heads or positions) there; an ablation there would mix examples`, fix: exportHint };
  }
  const others = grown.filter((i) => i !== 0);
  return {
    ...base,
    problem: `${sizes}: axis ${others.join(', ')} grows with the batch (${others.map(perRow).join('; ')}), so axis 0 is not the examples axis; an ablation there would mix examples`,
    fix: exportHint,
  };
}

/** The message of a problem, one line, with its fix. */
export function batchAxisMessage(p: BatchAxisProblem): string {
  return `${p.problem} (wrong numbers, not an error, if it ran); ${p.fix}`;
}
