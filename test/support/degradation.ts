// Tests cut a shipped hypothesis's sweep down: other levels and, for the noise dials, fewer samples per level.
import type { Degradation, SgldDegradation, SgldSettings } from '../../src/protocol/hypothesis';
import { defaultAt } from '../../src/protocol/hypothesisSchema';

/** `d` at `levels` (spaced by `scale`), with `samples` noise draws per level when given (noise dials only). */
export function atLevels<D extends Degradation>(d: D, levels: number[], scale: 'log' | 'linear', samples?: number): D {
  const noise = samples !== undefined && 'noise' in d ? { noise: { ...d.noise, samples } } : {};
  return { ...d, levels, scale, ...noise };
}

/** The sgld dial over `d`'s levels and seed, with the schema's sgld defaults and `sgld` over them (what a file that
 *  says `dial: sgld` and writes only `sgld` resolves to), except that the schedule is fixed — every step kept, 200
 *  draws — where the defaults (`thin: auto`, `draws: auto`) would run a thin pilot and draw until an ESS: a test
 *  that means those says so in `sgld`. */
export function sgldAt(d: Degradation, sgld: Partial<SgldSettings> = {}): SgldDegradation {
  return { dial: 'sgld', levels: d.levels, scale: d.scale, sgld: { ...(defaultAt(['degradation', 'sgld']) as SgldSettings), ...FIXED_SCHEDULE, ...sgld }, seed: d.seed };
}

/** The schedule before `thin` and `draws` defaulted to auto. */
export const FIXED_SCHEDULE: Pick<SgldSettings, 'thin' | 'draws'> = { thin: 1, draws: 200 };

