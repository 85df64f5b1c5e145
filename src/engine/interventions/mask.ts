// The constant 0/1 mask m of an intervention on one tensor: 1 where the value is replaced (y' = y·(1−m) + r·m).
import type { CircuitComponent, InterventionScope } from '../../protocol/hypothesis';

/**
 * Mask for every circuit component on `tensor`, shape [1, ...dims.slice(1)] (broadcast over the batch axis 0).
 * A component marks its units along `axis`, at every position or only at `positions` (axis 1). `scope:
 * complement` replaces everything in the tensor except the union of the circuit's units. A component with
 * `groupSize` g names groups: unit u marks entries u·g … (u+1)·g − 1 of the axis. This is the one place where a
 * unit index becomes entries of the tensor.
 */
export function componentMask(tensor: string, dims: readonly number[], components: readonly CircuitComponent[], scope: InterventionScope): Float32Array {
  const rank = dims.length;
  if (rank < 2) throw new Error(`'${tensor}' has shape [${dims.join(', ')}]; a circuit tensor needs a batch axis and a unit axis`);
  const inner = dims.slice(1);
  const strides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 1; a--) strides[a] = strides[a + 1]! * dims[a + 1]!;
  const size = inner.reduce((p, d) => p * d, 1);
  const mask = new Float32Array(size);
  for (const c of components) {
    if (c.tensor !== tensor) continue;
    const axis = c.axis < 0 ? rank + c.axis : c.axis;
    if (axis <= 0 || axis >= rank) {
      throw new Error(`'${tensor}' has ${rank} axes [${dims.join(', ')}]; unit axis ${c.axis} must be one of 1..${rank - 1} (or −1..−${rank - 1}); axis 0 is the batch`);
    }
    const g = c.groupSize ?? 1;
    if (!Number.isInteger(g) || g < 1 || dims[axis]! % g !== 0) {
      throw new Error(`groupSize ${g} does not divide axis ${c.axis} of '${tensor}' (${dims[axis]} entries, shape [${dims.join(', ')}])`);
    }
    const groups = dims[axis]! / g;
    for (const u of c.units) {
      if (!Number.isInteger(u) || u < 0 || u >= groups) throw new Error(`unit ${u} of '${tensor}' is outside [0, ${groups}) along axis ${c.axis}${g > 1 ? ` (groups of ${g})` : ''}`);
    }
    if (c.positions) {
      if (rank < 3 || axis === 1) throw new Error(`positions on '${tensor}' need a [batch, seq, …] tensor whose unit axis is not 1`);
      for (const p of c.positions) {
        if (!Number.isInteger(p) || p < 0 || p >= dims[1]!) throw new Error(`position ${p} of '${tensor}' is outside [0, ${dims[1]})`);
      }
    }
    const units = new Set(c.units);
    const positions = c.positions ? new Set(c.positions) : null;
    // Walk every element once; decode its coordinate along the unit axis and axis 1.
    for (let i = 0; i < size; i++) {
      const unit = Math.floor((Math.floor(i / strides[axis]!) % dims[axis]!) / g);
      if (!units.has(unit)) continue;
      if (positions && !positions.has(Math.floor(i / strides[1]!) % dims[1]!)) continue;
      mask[i] = 1;
    }
  }
  if (scope === 'complement') for (let i = 0; i < size; i++) mask[i] = 1 - mask[i]!;
  return mask;
}
